"""Background work of the parcel widget: "check online" asks ULDK off the GUI thread."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Signal

log = logging.getLogger("clerk_app.ui.parcels")


class ResultRelay(QObject):
    """Lives in the GUI thread; the runnable emits through it, so slots run in the GUI thread."""

    finished = Signal(object)
    failed = Signal(str)


class CallRunnable(QRunnable):
    """Runs ``call()`` in the thread pool and reports through ``relay``."""

    def __init__(self, call: Callable[[], Any], relay: ResultRelay) -> None:
        super().__init__()
        self._call = call
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._call()
        except Exception as exc:  # reported to the clerk; bugs are logged with a traceback
            log.exception("Background parcel task failed")
            self._relay.failed.emit(str(exc))
            return
        self._relay.finished.emit(result)
