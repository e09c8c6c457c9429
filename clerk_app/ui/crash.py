"""Unexpected errors: log the traceback, tell the clerk where the log is, keep running."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QMessageLogContext, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QMessageBox

from clerk_app.errors import ClerkError

log = logging.getLogger("clerk_app.crash")
qt_log = logging.getLogger("clerk_app.qt")

_showing = False


def install_crash_handler(log_file: Path) -> None:
    def excepthook(
        exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        global _showing
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        if isinstance(exc, ClerkError):
            log.warning("Unhandled user error: %s", exc)
            text = str(exc)
        else:
            log.error(
                "Unexpected error:\n%s", "".join(traceback.format_exception(exc_type, exc, tb))
            )
            text = QCoreApplication.translate(
                "Crash",
                "An unexpected error occurred. Your open work is kept; save it and restart "
                "the program if something misbehaves.\n\nDetails are in the log file:\n{0}",
            ).format(log_file)
        if QApplication.instance() is None or _showing:
            return
        _showing = True  # an error inside the dialog must not open a second one
        try:
            QMessageBox.critical(None, QCoreApplication.translate("Crash", "Kancelaria"), text)
        finally:
            _showing = False

    sys.excepthook = excepthook


def install_qt_message_handler() -> None:
    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }

    def handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        qt_log.log(levels.get(kind, logging.WARNING), "%s", message)

    qInstallMessageHandler(handler)
