"""Printing side of a mail merge: the combined PDF, address labels or envelopes,
and the postal dispatch book page (książka nadawcza).

Each letter of a merge is rendered on its own by ``letter_pdf`` (page numbers
count within the letter); ``combine_pdfs`` joins them for one print job. All
text is set in the embedded DejaVu font, so Polish letters stay searchable.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from clerk_app.documents.fonts import FONT_BOLD, FONT_REGULAR, register_fonts
from clerk_app.documents.letter_model import Addressee, Office
from clerk_app.documents.letter_pdf import PDF_CREATOR, paragraph_markup
from clerk_app.documents.polish_format import format_date_numeric, format_money


class PrintForm(StrEnum):
    """What goes with the letters: a sheet of labels or one envelope per addressee."""

    LABELS = "labels"  # A4, 3 × 8 labels of 70 × 37 mm
    DL = "dl"  # 220 × 110 mm
    C5 = "c5"  # 229 × 162 mm


ENVELOPE_SIZES = {PrintForm.DL: (220 * mm, 110 * mm), PrintForm.C5: (229 * mm, 162 * mm)}
LABEL_COLUMNS = 3
LABEL_ROWS = 8
LABEL_WIDTH = 70 * mm
LABEL_HEIGHT = 37 * mm


@dataclass(frozen=True, slots=True)
class DispatchRow:
    """One line of the dispatch book: who, where, the tracking number and the fee."""

    addressee: str
    address: str
    register_number: str = ""  # our outgoing register number, printed in "Uwagi"
    tracking_no: str = ""
    registered: bool = True  # registered letter with return receipt (ZPO)
    fee_grosze: int | None = None


def combine_pdfs(pdfs: Sequence[bytes], *, title: str = "", author: str = "") -> bytes:
    """Join whole PDFs, one after another, into a single document for printing."""
    writer = PdfWriter()
    for data in pdfs:
        writer.append(PdfReader(io.BytesIO(data)))
    writer.add_metadata({"/Title": title, "/Author": author, "/Creator": PDF_CREATOR})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _address_lines(addressee: Addressee) -> list[str]:
    return [addressee.name, *addressee.lines()]


def _fit_lines(canvas: Canvas, lines: list[str], width: float, size: float) -> float:
    """The largest font size (down to 6 pt) at which every line fits the width."""
    while size > 6 and any(canvas.stringWidth(line, FONT_REGULAR, size) > width for line in lines):
        size -= 0.5
    return size


def _draw_lines(
    canvas: Canvas, lines: list[str], x: float, top: float, width: float, size: float
) -> None:
    size = _fit_lines(canvas, lines, width, size)
    y = top - size
    for index, line in enumerate(lines):
        canvas.setFont(FONT_BOLD if index == 0 else FONT_REGULAR, size)
        canvas.drawString(x, y, line)
        y -= size * 1.3


def _new_canvas(buffer: io.BytesIO, pagesize: tuple[float, float], title: str) -> Canvas:
    register_fonts()
    canvas = Canvas(buffer, pagesize=pagesize, initialFontName=FONT_REGULAR)
    canvas.setTitle(title)
    canvas.setCreator(PDF_CREATOR)
    return canvas


def address_labels_pdf(addressees: Sequence[Addressee]) -> bytes:
    """A4 sheets of 3 × 8 address labels, filled row by row."""
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer, A4, "Etykiety adresowe")
    per_page = LABEL_COLUMNS * LABEL_ROWS
    left = (A4[0] - LABEL_COLUMNS * LABEL_WIDTH) / 2
    top = A4[1] - (A4[1] - LABEL_ROWS * LABEL_HEIGHT) / 2
    for index, addressee in enumerate(addressees):
        if index and index % per_page == 0:
            canvas.showPage()
        slot = index % per_page
        column, row = slot % LABEL_COLUMNS, slot // LABEL_COLUMNS
        x = left + column * LABEL_WIDTH + 5 * mm
        y = top - row * LABEL_HEIGHT - 5 * mm
        _draw_lines(canvas, _address_lines(addressee), x, y, LABEL_WIDTH - 10 * mm, 9)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def envelopes_pdf(addressees: Sequence[Addressee], sender: Office, form: PrintForm) -> bytes:
    """One page per envelope (DL or C5): the sender top left, the addressee bottom right."""
    if form not in ENVELOPE_SIZES:
        raise ValueError(f"Nieznany format koperty: {form}")
    width, height = ENVELOPE_SIZES[form]
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer, (width, height), f"Koperty {form.value.upper()}")
    sender_lines = [sender.name, *sender.address.lines()]
    for addressee in addressees:
        _draw_lines(canvas, sender_lines, 12 * mm, height - 10 * mm, width / 2 - 15 * mm, 8)
        _draw_lines(
            canvas, _address_lines(addressee), width / 2, height / 2, width / 2 - 12 * mm, 11
        )
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def dispatch_book_pdf(rows: Sequence[DispatchRow], sender: Office, on: date) -> bytes:
    """The postal dispatch book page (książka nadawcza) for registered letters."""
    register_fonts()
    base = ParagraphStyle("cell", fontName=FONT_REGULAR, fontSize=8, leading=10)
    head = ParagraphStyle("head", parent=base, fontName=FONT_BOLD)
    title = ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=13, leading=16)

    def cell(text: str, style: ParagraphStyle = base) -> Paragraph:
        return Paragraph(paragraph_markup(text), style)

    header = [
        "Lp.",
        "Adresat (imię i nazwisko lub nazwa)",
        "Dokładne miejsce doręczenia",
        "Polecona / ZPO",
        "Numer nadawczy",
        "Uwagi",
        "Opłata",
    ]
    data = [[cell(text, head) for text in header]]
    total = 0
    for no, row in enumerate(rows, start=1):
        total += row.fee_grosze or 0
        data.append(
            [
                cell(str(no)),
                cell(row.addressee),
                cell(row.address),
                cell("tak" if row.registered else "nie"),
                cell(row.tracking_no),
                cell(row.register_number),
                cell(format_money(row.fee_grosze / 100) if row.fee_grosze is not None else ""),
            ]
        )
    data.append(
        [cell(""), cell("Razem", head), cell(""), cell(""), cell(""), cell(""),
         cell(format_money(total / 100), head)]
    )  # fmt: skip
    widths = [10 * mm, 60 * mm, 74 * mm, 22 * mm, 46 * mm, 35 * mm, 25 * mm]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, "#000000"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), "#e6e6e6"),
            ]
        )
    )
    sender_text = ", ".join([sender.name, *sender.address.lines()])
    story = [
        Paragraph("Książka nadawcza", title),
        cell(f"Nadawca: {sender_text}"),
        cell(f"Data nadania: {format_date_numeric(on)}"),
        Spacer(1, 4 * mm),
        table,
        Spacer(1, 12 * mm),
        cell(
            "Liczba przesyłek: "
            f"{len(rows)}"
            "                                        "
            "Podpis przyjmującego i datownik placówki: ....................................."
        ),
    ]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title="Książka nadawcza",
        author=sender.name,
        creator=PDF_CREATOR,
        lang="pl-PL",
        initialFontName=FONT_REGULAR,
    )
    document.build(story)
    return buffer.getvalue()
