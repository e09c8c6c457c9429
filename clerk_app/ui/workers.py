"""Background jobs: a QRunnable does the work, a GUI-thread QObject carries its reports.

The job function receives ``progress(done, total)`` (throttled) and
``cancelled()``; it must check ``cancelled()`` in its loop. Results and errors
reach the GUI thread only through the signals of a ``JobSignals`` object created
in the GUI thread (queued connections). A progress dialog with Cancel appears
only when the job runs longer than ``SHOW_PROGRESS_AFTER_MS``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from clerk_app.errors import ClerkError

log = logging.getLogger("clerk_app.ui.workers")

SHOW_PROGRESS_AFTER_MS = 500
PROGRESS_INTERVAL_S = 0.1

ProgressFn = Callable[[int, int], None]
CancelledFn = Callable[[], bool]
JobFn = Callable[[ProgressFn, CancelledFn], Any]


class JobSignals(QObject):
    """Lives in the GUI thread; the worker emits, slots run in the GUI thread."""

    progress = Signal(int, int)
    finished = Signal(object)  # the job's return value
    failed = Signal(str)  # a message for the clerk


class _Runnable(QRunnable):
    def __init__(self, fn: JobFn, signals: JobSignals, cancel: threading.Event) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._signals = signals
        self._cancel = cancel
        self._last_report = 0.0

    def _progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._last_report < PROGRESS_INTERVAL_S:
            return  # throttled: the GUI needs at most ten updates a second
        self._last_report = now
        self._signals.progress.emit(done, total)

    def run(self) -> None:
        try:
            result = self._fn(self._progress, self._cancel.is_set)
        except ClerkError as exc:
            self._signals.failed.emit(str(exc))
        except Exception:
            log.exception("Background job failed")
            self._signals.failed.emit("")
        else:
            self._signals.finished.emit(result)


class Job(QObject):
    """One running background job with its (delayed) progress dialog."""

    finished = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        fn: JobFn,
        label: str,
        parent: QWidget | None = None,
        pool: QThreadPool | None = None,
        *,
        show_dialog: bool = True,  # False: the caller reports progress itself (status bar)
    ) -> None:
        super().__init__(parent)
        self._cancel = threading.Event()
        self._label = label
        self._parent_widget = parent
        self.dialog: QProgressDialog | None = None
        self.done = False
        self.signals = JobSignals(self)
        self.signals.progress.connect(self._on_progress)
        self.signals.finished.connect(self._on_finished)
        self.signals.failed.connect(self._on_failed)
        self._last: tuple[int, int] = (0, 0)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._show_dialog)
        if show_dialog:
            self._timer.start(SHOW_PROGRESS_AFTER_MS)
        (pool or QThreadPool.globalInstance()).start(_Runnable(fn, self.signals, self._cancel))

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @Slot()
    def _show_dialog(self) -> None:
        if self.done:
            return
        dialog = QProgressDialog(self._label, self.tr("Cancel"), 0, 0, self._parent_widget)
        dialog.setWindowTitle(self.tr("Please wait"))
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(self.cancel)
        self.dialog = dialog
        self._apply_progress()
        dialog.show()

    def _apply_progress(self) -> None:
        if self.dialog is not None:
            done, total = self._last
            self.dialog.setMaximum(max(total, 0))
            self.dialog.setValue(min(done, total) if total else 0)

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        self._last = (done, total)
        self._apply_progress()

    def _close(self) -> None:
        self.done = True
        self._timer.stop()
        if self.dialog is not None:
            self.dialog.canceled.disconnect(self.cancel)
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None

    @Slot(object)
    def _on_finished(self, result: object) -> None:
        self._close()
        self.finished.emit(result)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._close()
        self.failed.emit(
            message or self.tr("The operation failed unexpectedly. Details are in the log file.")
        )
