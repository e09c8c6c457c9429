"""The intake sticker (naklejka wpływu) stuck on paper mail: register number as QR and Code128.

One label per PDF page, sized for label printers (70×36 mm by default, any size
configurable). Layout: the QR code on the left, the office, the number, the date
received and the attachment count beside it, the Code128 barcode along the
bottom. Both codes carry exactly the register number, so scanning either into
the search box finds the entry. Text uses the embedded DejaVu Sans (Polish letters).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.barcode.widgets import BarcodeCode128
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from clerk_app.documents.fonts import FONT_BOLD, FONT_REGULAR, register_fonts
from clerk_app.documents.polish_format import plural_form

if TYPE_CHECKING:
    from clerk_app.services.register_types import EntryRow


QUIET_MODULES = 10


@dataclass(frozen=True)
class StickerData:
    number: str  # e.g. RPW/123/2026
    office_name: str = ""  # the office's short name
    received_on: date | None = None
    attachment_count: int = 0


@dataclass(frozen=True)
class StickerLayout:
    """Label size and proportions in millimetres (set per office label printer)."""

    width_mm: float = 70.0
    height_mm: float = 36.0
    margin_mm: float = 2.0
    barcode_height_mm: float = 8.0
    gap_mm: float = 1.5
    max_number_font: float = 11.0
    text_font: float = 6.5


def sticker_for_entry(row: EntryRow, office_name: str) -> StickerData:
    return StickerData(
        number=row.number,
        office_name=office_name,
        received_on=row.received_on or row.sent_on,
        attachment_count=row.attachment_count,
    )


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Shorten ``text`` with an ellipsis until it fits ``width`` points."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def attachments_text(count: int) -> str:
    if count == 0:
        return "bez załączników"
    return f"{count} " + plural_form(count, "załącznik", "załączniki", "załączników")


def build_sticker_drawing(data: StickerData, layout: StickerLayout | None = None) -> Drawing:
    """The label as a reportlab Drawing (its size is the label's size, in points)."""
    layout = layout or StickerLayout()
    register_fonts()
    width, height = layout.width_mm * mm, layout.height_mm * mm
    margin, gap = layout.margin_mm * mm, layout.gap_mm * mm
    drawing = Drawing(width, height)

    bar_height = layout.barcode_height_mm * mm
    barcode = BarcodeCode128(value=data.number, barWidth=1, humanReadable=0, quiet=0)
    natural = barcode.getBounds()[2] - barcode.getBounds()[0]
    # Scanners need a quiet zone of ten modules on each side of a Code128 symbol.
    barcode.barWidth = (width - 2 * margin) / (natural + 2 * QUIET_MODULES)
    barcode.barHeight = bar_height
    barcode.x, barcode.y = margin + QUIET_MODULES * barcode.barWidth, margin
    drawing.add(barcode, name="barcode")

    qr_side = min(height - 2 * margin - bar_height - gap, width / 2)
    qr = QrCodeWidget(data.number, barLevel="M")
    qr.barWidth = qr.barHeight = qr_side
    qr.x, qr.y = margin, height - margin - qr_side
    drawing.add(qr, name="qr")

    text_x = margin + qr_side + gap
    text_width = width - margin - text_x
    small = layout.text_font
    number_size = layout.max_number_font
    while number_size > 5 and stringWidth(data.number, FONT_BOLD, number_size) > text_width:
        number_size -= 0.5
    y = height - margin - small
    if data.office_name:
        drawing.add(
            String(
                text_x,
                y,
                _fit(data.office_name, FONT_REGULAR, small, text_width),
                fontName=FONT_REGULAR,
                fontSize=small,
            )
        )
    y -= number_size + gap
    drawing.add(
        String(
            text_x,
            y,
            _fit(data.number, FONT_BOLD, number_size, text_width),
            fontName=FONT_BOLD,
            fontSize=number_size,
        ),
        name="number",
    )
    lines = []
    if data.received_on is not None:
        lines.append(f"Wpłynęło: {data.received_on:%d.%m.%Y}")
    lines.append(attachments_text(data.attachment_count))
    for line in lines:
        y -= small + gap
        drawing.add(
            String(
                text_x,
                y,
                _fit(line, FONT_REGULAR, small, text_width),
                fontName=FONT_REGULAR,
                fontSize=small,
            )
        )
    return drawing


def render_stickers_pdf(items: Sequence[StickerData], layout: StickerLayout | None = None) -> bytes:
    """A PDF with one label per page, ready for a label printer."""
    layout = layout or StickerLayout()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(layout.width_mm * mm, layout.height_mm * mm))
    canvas.setTitle("Naklejki wpływu: " + ", ".join(i.number for i in items))
    canvas.setCreator("Kancelaria")
    for item in items:
        renderPDF.draw(build_sticker_drawing(item, layout), canvas, 0, 0)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def render_sticker_pdf(data: StickerData, layout: StickerLayout | None = None) -> bytes:
    return render_stickers_pdf([data], layout)
