"""Application-wide signals: views listen here for what changed elsewhere."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class Hub(QObject):
    # Object kind ("register", "case", ...) and ids that changed; ids may exceed 2**31.
    changed = Signal(str, object)
    language_changed = Signal(str)
