"""Package layout that pyproject.toml cannot express on its own.

The top-level ``resources/`` folder (kept there so designers and translators
find it) is installed as the ``clerk_app.resources`` package.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["clerk_app", "clerk_app.*"]), "clerk_app.resources"],
    package_dir={"clerk_app.resources": "resources"},
)
