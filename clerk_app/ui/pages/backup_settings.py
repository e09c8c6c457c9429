"""Settings page section: automatic backups of the embedded database (interval, how many, where)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from clerk_app.config import Settings
from clerk_app.errors import ValidationError
from clerk_app.services import backup
from clerk_app.services.backup_settings import MAX_INTERVAL_HOURS, MAX_KEEP, save_backup_settings


class BackupSettingsBox(QGroupBox):
    saved = Signal(object)  # the Settings now in force

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.interval = QSpinBox()
        self.interval.setRange(0, MAX_INTERVAL_HOURS)
        self.interval.setValue(settings.backup_interval_hours)
        self.keep = QSpinBox()
        self.keep.setRange(1, MAX_KEEP)
        self.keep.setValue(settings.backup_keep)
        self.folder = QLineEdit(settings.backup_folder)
        self.folder.setPlaceholderText(str(settings.data_dir / "backups"))
        self.choose = QPushButton()
        self.choose.clicked.connect(self._choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.choose)
        self.last = QLabel()
        self.last.setTextFormat(Qt.TextFormat.PlainText)
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.save_button = QPushButton()
        self.save_button.clicked.connect(self.save)

        self._form = QFormLayout(self)
        self._labels = [QLabel() for _ in range(4)]
        self._form.addRow(self._labels[0], self.interval)
        self._form.addRow(self._labels[1], self.keep)
        self._form.addRow(self._labels[2], folder_row)
        self._form.addRow(self._labels[3], self.last)
        self._form.addRow(self.message)
        self._form.addRow(self.save_button)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Automatic backups"))
        self._labels[0].setText(self.tr("Back up every:"))
        self._labels[1].setText(self.tr("Backups kept:"))
        self._labels[2].setText(self.tr("Backup folder:"))
        self._labels[3].setText(self.tr("Newest backup:"))
        self.interval.setSuffix(self.tr(" h"))
        self.interval.setSpecialValueText(self.tr("off"))
        self.choose.setText(self.tr("Choose…"))
        self.save_button.setText(self.tr("Save backup settings"))
        self.refresh_last()

    def refresh_last(self) -> None:
        archives = backup.list_backups(self.settings)
        if not archives:
            self.last.setText(self.tr("none yet"))
            return
        newest = archives[-1]
        when = datetime.fromtimestamp(newest.stat().st_mtime).strftime("%d.%m.%Y %H:%M")
        self.last.setText(f"{when} – {backup.display_name(newest.name)}")

    @Slot()
    def _choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, self.tr("Backup folder"), self.folder.text() or str(self.settings.backups_dir)
        )
        if chosen:
            self.folder.setText(chosen)

    @Slot()
    def save(self) -> None:
        try:
            settings = save_backup_settings(
                self.settings, self.interval.value(), self.keep.value(), self.folder.text()
            )
        except ValidationError as exc:
            self.message.setStyleSheet("color: #b71c1c;")
            self.message.setText(str(exc))
            return
        self.settings = settings
        self.folder.setText(settings.backup_folder)
        self.message.setStyleSheet("")
        self.message.setText(self.tr("Saved."))
        self.refresh_last()
        self.saved.emit(settings)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
