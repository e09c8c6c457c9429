"""Locate files shipped in ``resources/`` (installed as ``clerk_app.resources``)."""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path


def resource_path(*parts: str) -> Path:
    """Return a filesystem path to a shipped resource.

    Resources are installed as plain files (never zipped), so ``as_file`` yields
    the real location and the path stays valid after the context exits.
    """
    ref = files("clerk_app.resources").joinpath(*parts)
    with as_file(ref) as path:
        return Path(path)
