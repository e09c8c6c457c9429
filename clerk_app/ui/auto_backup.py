"""Automatic backups of the embedded database while the program runs.

Shortly after start (never delaying the window) and then every hour, a background job calls
``backup.backup_if_due`` with the settings in force; it makes an archive only when the
newest is older than the interval and keeps the newest ``backup_keep``. Progress and the
result go to the status bar; closing the program stops a backup in progress cleanly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThreadPool, QTimer, Slot

from clerk_app.config import Settings
from clerk_app.services import backup
from clerk_app.services.backup import BackupInfo
from clerk_app.ui.workers import Job

if TYPE_CHECKING:
    from clerk_app.ui.main_window import MainWindow

log = logging.getLogger("clerk_app.ui.backup")

# Let the window paint and its first page load before the disk gets busy.
START_DELAY_MS = 3000
CHECK_EVERY_MS = 3600 * 1000
RESULT_SHOWN_MS = 15000

Report = Callable[[str, int], None]  # QStatusBar.showMessage(text, timeout_ms)
BackupIfDue = Callable[..., BackupInfo | None]


class AutoBackup(QObject):
    def __init__(
        self,
        settings: Settings,
        report: Report,
        parent: QObject | None = None,
        *,
        run: BackupIfDue = backup.backup_if_due,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._report = report
        self._run = run
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._job: Job | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.check_now)
        self.last_result: BackupInfo | None = None
        self.last_error = ""

    def start(self, delay_ms: int = START_DELAY_MS) -> None:
        self._timer.start(delay_ms)

    def set_settings(self, settings: Settings) -> None:
        """New interval, retention or folder: applied at once (a due backup starts now)."""
        self._settings = settings
        if self._job is None:
            self._timer.start(0)

    @property
    def running(self) -> bool:
        return self._job is not None

    @Slot()
    def check_now(self) -> None:
        if self._job is not None:
            return
        settings, run = self._settings, self._run
        job = Job(
            lambda progress, cancelled: run(settings, progress=progress, cancelled=cancelled),
            "",
            None,
            self._pool,
            show_dialog=False,
        )
        job.setParent(self)
        job.signals.progress.connect(self._on_progress)
        job.finished.connect(self._on_finished)
        job.failed.connect(self._on_failed)
        self._job = job

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        percent = 100 * done // total if total else 0
        self._report(self.tr("Automatic backup… {0}%").format(percent), 0)

    @Slot(object)
    def _on_finished(self, result: object) -> None:
        self._finish()
        if isinstance(result, BackupInfo):
            self.last_result = result
            log.info("Automatic backup written: %s", result.path)
            self._report(
                self.tr("Automatic backup saved: {0}").format(backup.display_name(result.path)),
                RESULT_SHOWN_MS,
            )

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._finish()
        self.last_error = message
        log.error("Automatic backup failed: %s", message)
        # Stays in the status bar until something else is said: a failed backup matters.
        self._report(self.tr("Automatic backup failed: {0}").format(message), 0)

    def _finish(self) -> None:
        if self._job is not None:
            self._job.deleteLater()
        self._job = None
        self._timer.start(CHECK_EVERY_MS)

    def shutdown(self) -> None:
        """Stop the schedule and any backup in progress (its partial file is removed)."""
        self._timer.stop()
        if self._job is not None:
            self._job.cancel()
        self._pool.waitForDone()


def install_auto_backup(window: MainWindow, settings: Settings) -> AutoBackup:
    """Automatic backups for the embedded database: the schedule, and its settings section."""
    from clerk_app.ui.pages.backup_settings import BackupSettingsBox

    auto = AutoBackup(settings, window.statusBar().showMessage, window)
    box = BackupSettingsBox(settings)
    box.saved.connect(auto.set_settings)
    window.settings_page.add_section(box)
    auto.start()
    return auto
