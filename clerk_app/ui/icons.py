"""qtawesome icons, created only after the QApplication exists (never at import time)."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon


@cache
def icon(name: str) -> QIcon:
    import qtawesome

    return qtawesome.icon(name)
