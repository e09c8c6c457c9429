"""A page whose capability has not landed yet: says what will be here."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class ComingPage(QWidget):
    def __init__(self, title: str, description: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Untranslated source strings; translated on every LanguageChange.
        self._title_src, self._description_src = title, description
        self._title = QLabel()
        self._title.setObjectName("pageTitle")
        self._title.setStyleSheet("font-size: 18pt; font-weight: 600;")
        self._body = QLabel()
        self._body.setWordWrap(True)
        self._body.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout = QVBoxLayout(self)
        layout.addWidget(self._title)
        layout.addWidget(self._body, 1)
        self.retranslate()

    def retranslate(self) -> None:
        self._title.setText(QCoreApplication.translate("Pages", self._title_src))
        coming = QCoreApplication.translate("Pages", "Coming soon.")
        self._body.setText(
            QCoreApplication.translate("Pages", self._description_src) + "\n\n" + coming
        )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
