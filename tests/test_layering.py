"""Qt stays inside clerk_app/ui: the core packages import and run without PySide6."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_core_packages_do_not_import_qt() -> None:
    script = textwrap.dedent(
        """
        import importlib, pkgutil, sys
        import clerk_app
        for package in ("models", "services", "integrations", "documents", "migrations"):
            if package == "migrations":
                continue  # env.py only runs inside Alembic
            root = importlib.import_module(f"clerk_app.{package}")
            for info in pkgutil.walk_packages(root.__path__, root.__name__ + "."):
                importlib.import_module(info.name)
        importlib.import_module("clerk_app.config")
        importlib.import_module("clerk_app.cli")
        leaked = sorted(m for m in sys.modules if m.startswith(("PySide6", "shiboken6", "qtpy")))
        print(",".join(leaked))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "", f"Qt imported by core packages: {result.stdout}"
