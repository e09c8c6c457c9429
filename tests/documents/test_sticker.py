"""The intake sticker carries the register number as text, QR code and Code128 barcode."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.barcode.widgets import BarcodeCode128
from reportlab.graphics.shapes import String
from reportlab.lib.units import mm

from clerk_app.documents.sticker import (
    StickerData,
    StickerLayout,
    attachments_text,
    build_sticker_drawing,
    render_sticker_pdf,
    render_stickers_pdf,
)

DATA = StickerData(
    number="RPW/1234/2026",
    office_name="UG Zielona Dolina – Kancelaria ogólna",
    received_on=date(2026, 3, 9),
    attachment_count=3,
)


def test_both_codes_carry_exactly_the_register_number() -> None:
    drawing = build_sticker_drawing(DATA)
    qr = [c for c in drawing.contents if isinstance(c, QrCodeWidget)]
    barcodes = [c for c in drawing.contents if isinstance(c, BarcodeCode128)]
    assert [q.value for q in qr] == ["RPW/1234/2026"]
    assert [b.value for b in barcodes] == ["RPW/1234/2026"]
    texts = [s.text for s in drawing.contents if isinstance(s, String)]
    assert "RPW/1234/2026" in texts
    assert "Wpłynęło: 09.03.2026" in texts and "3 załączniki" in texts


@pytest.mark.parametrize(
    "layout", [StickerLayout(), StickerLayout(width_mm=50, height_mm=25, barcode_height_mm=6)]
)
def test_everything_fits_on_the_label(layout: StickerLayout) -> None:
    drawing = build_sticker_drawing(DATA, layout)
    assert (drawing.width, drawing.height) == pytest.approx(
        (layout.width_mm * mm, layout.height_mm * mm)
    )
    for shape in drawing.contents:
        x0, y0, x1, y1 = shape.getBounds()
        assert x0 >= 0 and y0 >= 0, shape
        assert x1 <= drawing.width + 0.01 and y1 <= drawing.height + 0.01, shape
    qr = next(c for c in drawing.contents if isinstance(c, QrCodeWidget))
    barcode = next(c for c in drawing.contents if isinstance(c, BarcodeCode128))
    # The QR code sits above the barcode, never on it.
    assert qr.y >= barcode.y + barcode.barHeight


def test_pdf_has_a_label_sized_page_with_the_number_as_text() -> None:
    reader = PdfReader(io.BytesIO(render_sticker_pdf(DATA)))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert float(page.mediabox.width) == pytest.approx(70 * mm, abs=0.5)
    assert float(page.mediabox.height) == pytest.approx(36 * mm, abs=0.5)
    text = page.extract_text()
    assert "RPW/1234/2026" in text
    assert "Wpłynęło" in text  # Polish letters survive (embedded DejaVu Sans)


def test_one_label_per_page_for_a_batch() -> None:
    items = [StickerData(number=f"RPW/{n}/2026") for n in (7, 8, 9)]
    reader = PdfReader(io.BytesIO(render_stickers_pdf(items)))
    assert [
        p.extract_text().count(f"RPW/{n}/2026")
        for p, n in zip(reader.pages, (7, 8, 9), strict=True)
    ] == [1, 1, 1]


def test_long_office_name_is_shortened_not_overflowing() -> None:
    drawing = build_sticker_drawing(StickerData(number="RPW/1/2026", office_name="Urząd " * 30))
    office = next(s for s in drawing.contents if isinstance(s, String) and "Urząd" in s.text)
    assert office.text.endswith("…")


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (0, "bez załączników"),
        (1, "1 załącznik"),
        (2, "2 załączniki"),
        (5, "5 załączników"),
        (22, "22 załączniki"),
    ],
)
def test_attachment_count_in_polish(count: int, text: str) -> None:
    assert attachments_text(count) == text
