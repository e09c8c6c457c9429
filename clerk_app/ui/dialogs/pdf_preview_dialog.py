"""A window with a PDF preview and Print… (a report, before it goes to the printer).

Non-modal, so the clerk can keep the report table open next to it; the file is read
once when shown (the preview keeps the bytes), so the temporary file may go away.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from clerk_app.ui.pdf_preview import PdfPreview


class PdfPreviewDialog(QDialog):
    """``PdfPreviewDialog(path, title, parent)``; raises ``OSError`` / ``PdfError``."""

    def __init__(self, path: Path, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = title
        self.preview = PdfPreview()
        self.preview.setWindowTitle(title)  # the print job's document name
        self.preview.load_file(path)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.buttons)
        self.resize(820, 1000)
        self.retranslate()

    @property
    def page_count(self) -> int:
        return self.preview.page_count

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Print preview – {0}").format(self._title))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
