"""Opening a ``.kbackup`` (double-click): what the archive holds, whether it is intact, restore.

The archive and its name come from outside: every text taken from it is shown as plain text
(never rich text) after ``backup.display_name`` has replaced control and invisible
characters. Verification and the restore run off the GUI thread; the restore itself is the
service's verified restore, preceded by a backup of the current data.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, Qt, QThreadPool, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clerk_app.config import Settings
from clerk_app.services import backup
from clerk_app.services.backup import ArchiveSummary, RestoreOutcome
from clerk_app.ui.workers import Job

log = logging.getLogger("clerk_app.ui.restore")

Inspect = Callable[..., ArchiveSummary]
Restore = Callable[..., RestoreOutcome]


def _plain(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # a name like "<img src=…>" stays text
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def shown_date(value: str) -> str:
    try:
        return datetime.fromisoformat(value).strftime("%d.%m.%Y %H:%M")
    except ValueError:
        return backup.display_name(value, limit=40)


class RestoreDialog(QDialog):
    def __init__(
        self,
        settings: Settings,
        archive: Path,
        parent: QWidget | None = None,
        *,
        inspect: Inspect = backup.inspect_backup,
        restore: Restore = backup.restore_with_safety_copy,
        pool: QThreadPool | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._archive = archive
        self._restore_fn = restore
        self._pool = pool or QThreadPool(self)
        self._job: Job | None = None
        self._restoring = False
        self.summary: ArchiveSummary | None = None
        self.outcome: RestoreOutcome | None = None
        self.setWindowTitle(self.tr("Restore from a backup"))
        self.setMinimumWidth(520)

        intro = _plain(
            self.tr(
                "You opened a backup of Kancelaria. Restoring it replaces the data on this "
                "computer with the data in the backup."
            )
        )
        self.values: dict[str, QLabel] = {}
        form = QFormLayout()
        for key, label in [
            ("file", self.tr("File:")),
            ("created", self.tr("Made on:")),
            ("office", self.tr("Office:")),
            ("version", self.tr("Program version:")),
            ("database", self.tr("Database:")),
            ("attachments", self.tr("Attachments:")),
            ("archive", self.tr("Archive size:")),
        ]:
            self.values[key] = _plain("–")
            form.addRow(label, self.values[key])
        self.values["file"].setText(backup.display_name(archive))
        self.verification = _plain(self.tr("Checking the backup…"))
        self.verification.setObjectName("verification")
        self.safety_note = _plain(
            self.tr(
                "Before restoring, the current data are backed up to {0}; nothing is deleted."
            ).format(backup.display_name(settings.backups_dir))
        )
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)

        self.restore_button = QPushButton(self.tr("Restore this backup"))
        self.restore_button.setEnabled(False)
        self.restore_button.clicked.connect(self._start_restore)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.verification)
        layout.addWidget(self.progress)
        layout.addWidget(self.safety_note)
        layout.addWidget(self.buttons)

        self._run(
            lambda progress, cancelled: inspect(archive, progress, cancelled),
            self._on_inspected,
            self._on_inspect_failed,
        )

    # -- background work ------------------------------------------------------------------
    def _run(
        self,
        fn: Callable[..., object],
        done: Callable[[object], None],
        failed: Callable[[str], None],
    ) -> None:
        job = Job(fn, "", self, self._pool, show_dialog=False)
        job.signals.progress.connect(self._on_progress)
        job.finished.connect(done)
        job.failed.connect(failed)
        self._job = job

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 0))
        self.progress.setValue(min(done, total))

    def _idle(self) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self._job = None

    @Slot(object)
    def _on_inspected(self, result: object) -> None:
        self._idle()
        assert isinstance(result, ArchiveSummary)
        self.summary = result
        locale = QLocale()

        def size(n: int) -> str:
            return locale.formattedDataSize(n)

        self.values["created"].setText(shown_date(result.created_at))
        self.values["office"].setText(
            backup.display_name(result.office_name, limit=80)
            if result.office_name
            else self.tr("(not set up)")
        )
        self.values["version"].setText(backup.display_name(result.app_version, limit=40))
        self.values["database"].setText(size(result.database_size))
        self.values["attachments"].setText(
            self.tr("{0} files, {1}").format(result.attachments, size(result.attachments_size))
        )
        self.values["archive"].setText(size(result.archive_size))
        if result.from_newer_version:
            self._say_problem(
                self.tr(
                    "This backup was made by a newer version of Kancelaria. "
                    "Install that version first, then open the backup again."
                )
            )
            return
        self.verification.setText(
            self.tr("Verified: every file matches its checksum and the database is intact.")
        )
        self.verification.setStyleSheet("color: #1b5e20;")
        self.restore_button.setEnabled(True)
        self.restore_button.setDefault(True)

    @Slot(str)
    def _on_inspect_failed(self, message: str) -> None:
        self._idle()
        self._say_problem(
            self.tr("This backup cannot be restored: {0}").format(
                backup.display_name(message, limit=400)
            )
        )

    def _say_problem(self, text: str) -> None:
        self.verification.setText(text)
        self.verification.setStyleSheet("color: #b71c1c;")
        self.restore_button.setEnabled(False)

    @Slot()
    def _start_restore(self) -> None:
        self._restoring = True
        self.restore_button.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setEnabled(False)
        self.verification.setText(self.tr("Backing up the current data, then restoring…"))
        self.verification.setStyleSheet("")
        self.progress.setRange(0, 0)
        settings, archive, restore = self._settings, self._archive, self._restore_fn
        self._run(
            lambda progress, cancelled: restore(settings, archive, progress, cancelled),
            self._on_restored,
            self._on_restore_failed,
        )

    @Slot(object)
    def _on_restored(self, result: object) -> None:
        self._idle()
        self._restoring = False
        assert isinstance(result, RestoreOutcome)
        self.outcome = result
        log.info("Restored %s at the clerk's request", result.archive)
        self.accept()

    @Slot(str)
    def _on_restore_failed(self, message: str) -> None:
        self._idle()
        self._restoring = False
        self._say_problem(
            self.tr("The restore failed; the current data were left as they were. {0}").format(
                backup.display_name(message, limit=400)
            )
        )
        self.restore_button.setEnabled(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setEnabled(True)

    def restored_message(self) -> str:
        """What the status bar says once the window is open."""
        assert self.outcome is not None and self.summary is not None
        when = shown_date(self.summary.created_at)
        if self.outcome.safety_copy is None:
            return self.tr("Restored the backup of {0}.").format(when)
        return self.tr("Restored the backup of {0}. The data from before are in {1}.").format(
            when, backup.display_name(self.outcome.safety_copy)
        )

    def reject(self) -> None:
        if self._restoring:
            return  # a restore half-way is never abandoned; it ends by itself
        super().reject()

    def done(self, result: int) -> None:
        # The worker reports to this dialog: never let it outlive the dialog.
        if self._job is not None:
            self._job.cancel()
        self._pool.waitForDone()
        super().done(result)


def restore_at_start(settings: Settings, archive: Path) -> str | None:
    """Offer to restore a double-clicked archive before the database is opened.

    Returns the status-bar message after a restore, None when nothing was restored.
    """
    if not settings.is_embedded:
        QMessageBox.information(
            None,
            "Kancelaria",
            QCoreApplication.translate(
                "RestoreAtStart",
                "Backup files restore the database on this computer. This installation "
                "works on the office server: the administrator restores it with pg_restore.",
            ),
        )
        return None
    dialog = RestoreDialog(settings, archive)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted and dialog.outcome is not None
    message = dialog.restored_message() if accepted else None
    dialog.deleteLater()
    return message
