"""In-app PDF preview and printing, drawn from PDFium page images.

QtPdf is not part of PySide6-Essentials, so pages are rasterised with pypdfium2
(the PDFium binding) into ``QImage``s: the preview shows one page at a time with
page navigation and zoom, and printing paints each page, rendered at the
printer's resolution (capped), through ``QPainter`` on a ``QPrinter``.

PDFium is not thread-safe: every call here runs in the GUI thread. A letter page
renders in a few milliseconds; only the shown page is rendered, so a combined
mail-merge PDF of hundreds of pages opens as quickly as a single letter.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pypdfium2 as pdfium
from PySide6.QtCore import QEvent, QRectF, Qt, Signal, Slot
from PySide6.QtGui import QImage, QKeySequence, QPainter, QPixmap, QResizeEvent, QShortcut
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from clerk_app.ui import icons

log = logging.getLogger("clerk_app.ui.pdf_preview")

POINTS_PER_INCH = 72.0
SCREEN_DPI = 96.0  # zoom 100 % shows a page at its printed size on a 96 dpi screen
ZOOM_STEPS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0)
MAX_PRINT_DPI = 300  # more only makes the print job bigger, not the letter sharper


class PdfError(ValueError):
    """The bytes are not a PDF PDFium can open."""


class PdfPages:
    """A PDF whose pages render to ``QImage`` (GUI thread only).

    PDFium opens the document for each use and closes it right after (1–7 ms even
    for a 300-page mail merge), so no native handle outlives a call.
    """

    def __init__(self, data: bytes) -> None:
        self._data = bytes(data)
        with self._opened() as document:
            self._sizes = [tuple(map(float, document[i].get_size())) for i in range(len(document))]
        if not self._sizes:
            raise PdfError("the PDF has no pages")

    @classmethod
    def from_file(cls, path: Path) -> PdfPages:
        return cls(Path(path).read_bytes())

    @contextmanager
    def _opened(self) -> Iterator[pdfium.PdfDocument]:
        try:
            document = pdfium.PdfDocument(self._data)
        except pdfium.PdfiumError as exc:
            raise PdfError(str(exc)) from exc
        try:
            yield document
        finally:
            document.close()

    def __len__(self) -> int:
        return len(self._sizes)

    def page_size(self, index: int) -> tuple[float, float]:
        """Width and height in points (1/72 in)."""
        width, height = self._sizes[index]
        return width, height

    def render(self, index: int, dpi: float) -> QImage:
        """Page ``index`` on a white background at ``dpi``; the image owns its pixels."""
        with self._opened() as document:
            return _render_page(document, index, dpi)

    def render_all(self, dpi: float) -> Iterator[QImage]:
        """Every page in order, the document opened once."""
        with self._opened() as document:
            for index in range(len(document)):
                yield _render_page(document, index, dpi)


def _render_page(document: pdfium.PdfDocument, index: int, dpi: float) -> QImage:
    page = document[index]
    try:
        bitmap = page.render(
            scale=dpi / POINTS_PER_INCH,
            fill_color=(255, 255, 255, 255),
            rev_byteorder=True,  # RGBx bytes: QImage.Format_RGBX8888 on any byte order
            prefer_bgrx=True,
        )
        try:
            return QImage(
                bytes(bitmap.buffer),
                bitmap.width,
                bitmap.height,
                bitmap.stride,
                QImage.Format.Format_RGBX8888,
            ).copy()
        finally:
            bitmap.close()
    finally:
        page.close()


def print_pdf(pages: PdfPages, printer: QPrinter) -> int:
    """Paint every page on ``printer`` (one sheet each, scaled to fit); returns the page count."""
    printer.setFullPage(True)  # the letter's own margins are in the PDF already
    dpi = min(printer.resolution(), MAX_PRINT_DPI)
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("the printer could not be opened")
    try:
        for index, image in enumerate(pages.render_all(dpi)):
            if index:
                printer.newPage()
            target = QRectF(printer.paperRect(QPrinter.Unit.DevicePixel))
            scale = min(target.width() / image.width(), target.height() / image.height())
            width, height = image.width() * scale, image.height() * scale
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(QRectF(0, 0, width, height), image)
    finally:
        painter.end()
    return len(pages)


class PdfPreview(QWidget):
    """One page at a time, with page navigation, zoom and printing."""

    page_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pages: PdfPages | None = None
        self._page = 0
        self._zoom = 1.0
        self._fit_width = True

        self.previous_button = QPushButton()
        self.next_button = QPushButton()
        self.page_label = QLabel()
        self.zoom_out_button = QPushButton()
        self.zoom_in_button = QPushButton()
        self.fit_button = QPushButton()
        self.fit_button.setCheckable(True)
        self.fit_button.setChecked(True)
        self.zoom_label = QLabel()
        self.print_button = QPushButton()
        for button, icon in (
            (self.previous_button, "mdi6.chevron-left"),
            (self.next_button, "mdi6.chevron-right"),
            (self.zoom_out_button, "mdi6.magnify-minus-outline"),
            (self.zoom_in_button, "mdi6.magnify-plus-outline"),
            (self.fit_button, "mdi6.arrow-expand-horizontal"),
            (self.print_button, "mdi6.printer"),
        ):
            button.setIcon(icons.icon(icon))
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.image.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidget(self.image)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.scroll_area.setStyleSheet("QScrollArea { background: #808080; }")

        bar = QHBoxLayout()
        bar.addWidget(self.previous_button)
        bar.addWidget(self.page_label)
        bar.addWidget(self.next_button)
        bar.addStretch(1)
        bar.addWidget(self.zoom_out_button)
        bar.addWidget(self.zoom_label)
        bar.addWidget(self.zoom_in_button)
        bar.addWidget(self.fit_button)
        bar.addStretch(1)
        bar.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.scroll_area, 1)

        self.previous_button.clicked.connect(self.previous_page)
        self.next_button.clicked.connect(self.next_page)
        self.zoom_in_button.clicked.connect(self.zoom_in)
        self.zoom_out_button.clicked.connect(self.zoom_out)
        self.fit_button.toggled.connect(self._set_fit_width)
        self.print_button.clicked.connect(self.print_document)
        for keys, slot in (
            (QKeySequence.StandardKey.MoveToNextPage, self.next_page),
            (QKeySequence.StandardKey.MoveToPreviousPage, self.previous_page),
            (QKeySequence.StandardKey.ZoomIn, self.zoom_in),
            (QKeySequence.StandardKey.ZoomOut, self.zoom_out),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self.retranslate()

    # -- content --

    def set_pdf(self, data: bytes, *, keep_page: bool = False) -> None:
        """Show ``data`` (raises ``PdfError``); ``keep_page`` stays on the same page number."""
        self._pages = PdfPages(data)
        self._page = min(self._page, len(self._pages) - 1) if keep_page else 0
        self._refresh()

    def load_file(self, path: Path) -> None:
        self.set_pdf(Path(path).read_bytes())

    def clear(self) -> None:
        self._pages = None
        self._page = 0
        self._refresh()

    @property
    def page_count(self) -> int:
        return len(self._pages) if self._pages is not None else 0

    @property
    def current_page(self) -> int:
        return self._page

    @property
    def zoom(self) -> float:
        return self._zoom

    def page_image(self, index: int, dpi: float = SCREEN_DPI) -> QImage:
        if self._pages is None:
            raise IndexError("no document")
        return self._pages.render(index, dpi)

    # -- navigation and zoom --

    @Slot()
    def next_page(self) -> None:
        self.go_to(self._page + 1)

    @Slot()
    def previous_page(self) -> None:
        self.go_to(self._page - 1)

    def go_to(self, index: int) -> None:
        if self._pages is None:
            return
        index = max(0, min(index, len(self._pages) - 1))
        if index != self._page:
            self._page = index
            self._refresh()
            self.page_changed.emit(index)

    @Slot()
    def zoom_in(self) -> None:
        self._set_zoom(next((z for z in ZOOM_STEPS if z > self._zoom + 1e-6), ZOOM_STEPS[-1]))

    @Slot()
    def zoom_out(self) -> None:
        lower = [z for z in ZOOM_STEPS if z < self._zoom - 1e-6]
        self._set_zoom(lower[-1] if lower else ZOOM_STEPS[0])

    def _set_zoom(self, zoom: float) -> None:
        self._fit_width = False
        self.fit_button.blockSignals(True)
        self.fit_button.setChecked(False)
        self.fit_button.blockSignals(False)
        self._zoom = zoom
        self._refresh()

    @Slot(bool)
    def _set_fit_width(self, on: bool) -> None:
        self._fit_width = on
        self._refresh()

    def _fitted_zoom(self) -> float:
        if self._pages is None:
            return self._zoom
        width_pt, _ = self._pages.page_size(self._page)
        available = max(self.scroll_area.viewport().width() - 24, 100)
        return max(0.25, min(available / (width_pt / POINTS_PER_INCH * SCREEN_DPI), 4.0))

    def _refresh(self) -> None:
        count = self.page_count
        if self._fit_width:
            self._zoom = self._fitted_zoom()
        self.page_label.setText(
            self.tr("Page {0} of {1}").format(self._page + 1, count) if count else ""
        )
        self.zoom_label.setText(f"{round(self._zoom * 100)} %")
        for button in (self.zoom_in_button, self.zoom_out_button, self.fit_button):
            button.setEnabled(count > 0)
        self.print_button.setEnabled(count > 0)
        self.previous_button.setEnabled(self._page > 0)
        self.next_button.setEnabled(self._page + 1 < count)
        if self._pages is None:
            self.image.clear()
            return
        ratio = self.devicePixelRatioF()
        image = self._pages.render(self._page, SCREEN_DPI * self._zoom * ratio)
        image.setDevicePixelRatio(ratio)
        self.image.setPixmap(QPixmap.fromImage(image))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fit_width and self._pages is not None:
            self._refresh()

    # -- printing --

    def ask_printer(self) -> QPrinter | None:
        """The printer the clerk picks in the print dialog; None when cancelled."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.windowTitle() or "Kancelaria")
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(self.tr("Print"))
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return None
        return printer

    @Slot()
    def print_document(self) -> None:
        if self._pages is None:
            return
        printer = self.ask_printer()
        if printer is not None:
            self.print_to(printer)

    def print_to(self, printer: QPrinter) -> int:
        if self._pages is None:
            return 0
        return print_pdf(self._pages, printer)

    # -- language --

    def retranslate(self) -> None:
        self.previous_button.setToolTip(self.tr("Previous page"))
        self.next_button.setToolTip(self.tr("Next page"))
        self.zoom_in_button.setToolTip(self.tr("Zoom in"))
        self.zoom_out_button.setToolTip(self.tr("Zoom out"))
        self.fit_button.setToolTip(self.tr("Fit to width"))
        self.print_button.setText(self.tr("Print…"))
        self._refresh()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
