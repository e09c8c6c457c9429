"""The in-app PDF preview (pypdfium2): real letter pages on screen, navigation, zoom, printing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from clerk_app.documents.mail_merge import combine_pdfs
from clerk_app.services.templates import shipped_source
from clerk_app.services.templates_sample import check_source, render_sample_pdf, sample_data
from clerk_app.ui.pdf_preview import PdfError, PdfPreview


@pytest.fixture(scope="module")
def letter_pdf() -> bytes:
    data = sample_data("kpa_summons", date(2026, 3, 10))
    return render_sample_pdf(check_source("kpa_summons", shipped_source("kpa_summons"), data), data)


def dark_share(image: QImage) -> float:
    """Share of pixels that are clearly not paper-white (text, lines)."""
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    width, height, stride = gray.width(), gray.height(), gray.bytesPerLine()
    pixels = bytes(gray.constBits())
    dark = sum(
        1 for row in range(height) for value in pixels[row * stride : row * stride + width]
        if value < 128
    )  # fmt: skip
    return dark / (width * height)


def pdf_printer(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def test_a_generated_letter_renders_non_blank_pages(qtbot: QtBot, letter_pdf: bytes) -> None:
    view = PdfPreview()
    qtbot.addWidget(view)
    view.resize(700, 900)
    view.set_pdf(combine_pdfs([letter_pdf, letter_pdf], title="UA", author="UG"))
    assert view.page_count == 2
    assert view.page_label.text() == "Page 1 of 2"
    shown = view.image.pixmap().toImage()
    assert shown.width() > 300 and 0.002 < dark_share(shown) < 0.5
    # An A4 page at 96 dpi is 794 × 1123 pixels, with ink on it.
    page = view.page_image(1)
    assert (page.width(), page.height()) == (794, 1123)
    assert 0.002 < dark_share(page) < 0.5


def test_pages_and_zoom_follow_the_buttons(qtbot: QtBot, letter_pdf: bytes) -> None:
    view = PdfPreview()
    qtbot.addWidget(view)
    view.set_pdf(combine_pdfs([letter_pdf, letter_pdf], title="UA", author="UG"))
    assert not view.previous_button.isEnabled()
    qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)
    assert view.current_page == 1 and view.page_label.text() == "Page 2 of 2"
    assert not view.next_button.isEnabled()
    qtbot.mouseClick(view.previous_button, Qt.MouseButton.LeftButton)
    assert view.current_page == 0

    view.fit_button.setChecked(False)
    before = view.image.pixmap().width()
    zoom = view.zoom
    qtbot.mouseClick(view.zoom_in_button, Qt.MouseButton.LeftButton)
    assert view.zoom > zoom and view.image.pixmap().width() > before
    qtbot.mouseClick(view.zoom_out_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.zoom_out_button, Qt.MouseButton.LeftButton)
    assert view.image.pixmap().width() < before
    assert view.zoom_label.text() == f"{round(view.zoom * 100)} %"


def test_printing_paints_every_page_on_the_printer(
    qtbot: QtBot, letter_pdf: bytes, tmp_path: Path
) -> None:
    view = PdfPreview()
    qtbot.addWidget(view)
    view.set_pdf(combine_pdfs([letter_pdf, letter_pdf, letter_pdf], title="UA", author="UG"))
    target = tmp_path / "wydruk.pdf"
    # The print dialog is the clerk's; here it "chooses" a PDF-file printer.
    view.ask_printer = lambda: pdf_printer(target)
    qtbot.mouseClick(view.print_button, Qt.MouseButton.LeftButton)
    printed = PdfReader(target)
    assert len(printed.pages) == 3
    # The pages arrive as images: each printed page carries one picture.
    assert all(page.images for page in printed.pages)


def test_print_to_a_file_printer_offscreen(qtbot: QtBot, letter_pdf: bytes, tmp_path: Path) -> None:
    view = PdfPreview()
    qtbot.addWidget(view)
    view.set_pdf(letter_pdf)
    target = tmp_path / "jedna.pdf"
    assert view.print_to(pdf_printer(target)) == 1
    image = PdfReader(target).pages[0].images[0].image
    assert image is not None and image.width > 500


def test_not_a_pdf_is_refused_and_the_view_stays_empty(qtbot: QtBot) -> None:
    view = PdfPreview()
    qtbot.addWidget(view)
    with pytest.raises(PdfError):
        view.set_pdf(b"<html>nie PDF</html>")
    assert view.page_count == 0 and not view.print_button.isEnabled()
