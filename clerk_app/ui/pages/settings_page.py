"""Settings: interface language, where the data lives, which database is in use."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QVBoxLayout, QWidget

LANGUAGES = [("pl", "Polski"), ("en", "English")]


class SettingsPage(QWidget):
    language_selected = Signal(str)

    def __init__(
        self,
        language: str,
        data_dir: str,
        database: str,
        log_file: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._heading = QLabel()
        self._heading.setStyleSheet("font-size: 18pt; font-weight: 600;")
        self.language_combo = QComboBox()
        for code, name in LANGUAGES:
            self.language_combo.addItem(name, code)
        self.language_combo.setCurrentIndex([c for c, _ in LANGUAGES].index(language))
        self.language_combo.currentIndexChanged.connect(
            lambda i: self.language_selected.emit(self.language_combo.itemData(i))
        )
        self._form = QFormLayout()
        self._labels = [QLabel() for _ in range(4)]
        self._form.addRow(self._labels[0], self.language_combo)
        self._form.addRow(self._labels[1], QLabel(data_dir))
        self._form.addRow(self._labels[2], QLabel(database))
        self._form.addRow(self._labels[3], QLabel(log_file))
        layout = QVBoxLayout(self)
        layout.addWidget(self._heading)
        layout.addLayout(self._form)
        layout.addStretch(1)
        self.retranslate()

    def add_section(self, widget: QWidget) -> None:
        """A further group of settings (e.g. automatic backups), above the free space."""
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.count() - 1, widget)

    def retranslate(self) -> None:
        self._heading.setText(self.tr("Settings"))
        for label, text in zip(
            self._labels,
            [
                self.tr("Language:"),
                self.tr("Data folder:"),
                self.tr("Database:"),
                self.tr("Log file:"),
            ],
            strict=True,
        ):
            label.setText(text)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
