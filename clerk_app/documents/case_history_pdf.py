"""Print the case history (metryka sprawy) as an A4 PDF with reportlab platypus.

Layout follows the form of the Regulation of 6 March 2012 (Dz.U. 2012 poz. 250):
a heading with the case sign and title, then a table with the columns
"Lp.", "Data czynności", "Imię i nazwisko, stanowisko", "Wykonana czynność" and
"Identyfikator dokumentu". The table header repeats on every page and each page
carries the case sign and "Strona X z N", so loose pages can be put back.
Text is set in the embedded DejaVu Sans so Polish letters stay searchable.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from clerk_app.documents.fonts import FONT_BOLD, FONT_REGULAR, register_fonts
from clerk_app.services.case_history import CaseHistory, local_date

PAGE_SIZE = A4
MARGIN = 15 * mm
CONTENT_WIDTH = PAGE_SIZE[0] - 2 * MARGIN
COLUMN_HEADERS = (
    "Lp.",
    "Data czynności",
    "Imię i nazwisko, stanowisko",
    "Wykonana czynność",
    "Identyfikator dokumentu",
)
COLUMN_WIDTHS = (0.06, 0.13, 0.24, 0.38, 0.19)


class CaseHistoryRenderError(Exception):
    """The history could not be saved; the message says why, in Polish."""


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("cell", fontName=FONT_REGULAR, fontSize=8.5, leading=10.5)
    return {
        "cell": base,
        "head": ParagraphStyle("head", parent=base, fontName=FONT_BOLD),
        "title": ParagraphStyle(
            "title", parent=base, fontName=FONT_BOLD, fontSize=14, leading=18, spaceAfter=4 * mm
        ),
        "meta": ParagraphStyle("meta", parent=base, fontSize=10, leading=13),
    }


def _cell(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


class _NumberedCanvas(Canvas):
    """Two-pass canvas: pages are kept until the end so "Strona X z N" knows N."""

    def __init__(self, *args: Any, sign: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sign = sign
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.setFont(FONT_REGULAR, 8)
            self.drawString(MARGIN, 9 * mm, f"Metryka sprawy {self._sign}")
            self.drawRightString(PAGE_SIZE[0] - MARGIN, 9 * mm, f"Strona {number} z {total}")
            super().showPage()
        super().save()


def render_case_history_pdf(history: CaseHistory, office_name: str = "") -> bytes:
    """The history as PDF bytes."""
    styles = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=16 * mm,
        title=f"Metryka sprawy {history.sign}",
        author=office_name or "Kancelaria",
        subject=history.title,
        creator="Kancelaria",
    )
    story: list[Any] = []
    if office_name:
        story.append(_cell(office_name, styles["meta"]))
    story.append(_cell("METRYKA SPRAWY", styles["title"]))
    story.append(_cell(f"Znak sprawy: {history.sign}", styles["meta"]))
    story.append(_cell(f"Tytuł sprawy: {history.title}", styles["meta"]))
    story.append(
        _cell(
            f"Stan na dzień: {local_date(history.generated_at):%d.%m.%Y}",
            styles["meta"],
        )
    )
    story.append(Spacer(1, 5 * mm))
    data: list[list[Any]] = [[_cell(h, styles["head"]) for h in COLUMN_HEADERS]]
    for row in history.rows:
        data.append(
            [
                _cell(str(row.no), styles["cell"]),
                _cell(f"{row.action_date:%d.%m.%Y}", styles["cell"]),
                _cell(
                    row.person_name + (f"\n{row.position}" if row.position else ""), styles["cell"]
                ),
                _cell(row.what_done, styles["cell"]),
                _cell(row.document_id, styles["cell"]),
            ]
        )
    if not history.rows:
        empty = _cell("brak czynności", styles["cell"])
        data.append([_cell("", styles["cell"]), empty, "", "", ""])
    table = Table(
        data,
        colWidths=[CONTENT_WIDTH * w for w in COLUMN_WIDTHS],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    story.append(table)

    def canvas_maker(*args: Any, **kwargs: Any) -> _NumberedCanvas:
        return _NumberedCanvas(*args, sign=history.sign, **kwargs)

    doc.build(story, canvasmaker=canvas_maker)
    return buffer.getvalue()


def write_case_history_pdf(history: CaseHistory, path: Path, office_name: str = "") -> Path:
    """Write the PDF atomically (a half-written file never replaces a good one)."""
    data = render_case_history_pdf(history, office_name)
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".metryka-", suffix=".pdf", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise CaseHistoryRenderError(
            f"Nie można zapisać metryki sprawy do pliku {target}: {exc.strerror or exc}."
        ) from exc
    return target
