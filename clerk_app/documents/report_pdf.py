"""Print a report (``ReportData``) as PDF with reportlab platypus.

A4 (landscape for wide tables), a heading with the office, title, period and
parameters, an optional bar chart (reportlab graphics), one table per section
whose header row repeats on every page, a bold totals row, notes, and a footer
with the generation time and "Strona X z N". Text is set in the embedded DejaVu
Sans so every Polish letter stays selectable and searchable; the PDF carries
title, author, subject and keywords.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)

from clerk_app.documents.fonts import FONT_BOLD, FONT_REGULAR, register_fonts
from clerk_app.documents.report_export import format_cell, generated_label, write_atomically
from clerk_app.services.reports.base import (
    ChartSeries,
    ColumnKind,
    EmptyReportError,
    ReportData,
    Row,
    Section,
)

MARGIN = 12 * mm
FONT_SIZE = 8
CELL_PADDING = 3
SERIES_COLORS = (
    colors.HexColor("#2f5d8a"),
    colors.HexColor("#d98c2b"),
    colors.HexColor("#5a9a4c"),
    colors.HexColor("#a23c3c"),
)
HEADER_BG = colors.HexColor("#e6e6e6")
# Rows handed to platypus at a time: more than a page holds (a row is >= 13.5 pt high).
WINDOW_ROWS = 64
TOTAL_BG = colors.HexColor("#f2f2f2")


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    cell = ParagraphStyle("cell", fontName=FONT_REGULAR, fontSize=FONT_SIZE, leading=10)
    return {
        "cell": cell,
        "head": ParagraphStyle("head", parent=cell, fontName=FONT_BOLD),
        "total": ParagraphStyle("total", parent=cell, fontName=FONT_BOLD),
        "office": ParagraphStyle("office", parent=cell, fontSize=9, leading=12),
        "title": ParagraphStyle(
            "title", parent=cell, fontName=FONT_BOLD, fontSize=14, leading=18, spaceAfter=2 * mm
        ),
        "meta": ParagraphStyle("meta", parent=cell, fontSize=9.5, leading=12.5),
        "section": ParagraphStyle(
            "section",
            parent=cell,
            fontName=FONT_BOLD,
            fontSize=10,
            leading=13,
            spaceBefore=4 * mm,
            spaceAfter=2 * mm,
        ),
    }


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


class _FooterCanvas(Canvas):
    """Two-pass canvas: pages are kept until the end so "Strona X z N" knows N."""

    def __init__(self, *args: Any, footer: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        width = self._pagesize[0]
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.setFont(FONT_REGULAR, 7.5)
            self.drawString(MARGIN, 7 * mm, self._footer)
            self.drawRightString(width - MARGIN, 7 * mm, f"Strona {number} z {total}")
            super().showPage()
        super().save()


def _chart(chart: ChartSeries, width: float) -> Drawing | None:
    if not chart.categories or not chart.series:
        return None
    height = 70 * mm
    drawing = Drawing(width, height, initialFontName=FONT_REGULAR)  # no Helvetica
    drawing.add(String(0, height - 10, chart.title, fontName=FONT_BOLD, fontSize=9))
    bars = VerticalBarChart()
    bars.x = 30
    bars.y = 38
    bars.width = width - 150
    bars.height = height - 60
    bars.data = [list(values) for _, values in chart.series]
    bars.categoryAxis.categoryNames = list(chart.categories)
    many = len(chart.categories) > 6
    labels = bars.categoryAxis.labels
    labels.fontName = FONT_REGULAR
    labels.fontSize = 7
    labels.boxAnchor = "ne" if many else "n"
    labels.angle = 30 if many else 0
    labels.dy = -2
    bars.valueAxis.labels.fontName = FONT_REGULAR
    bars.valueAxis.labels.fontSize = 7
    bars.valueAxis.valueMin = 0
    top = max((max(values) for _, values in chart.series if values), default=0.0)
    bars.valueAxis.valueMax = max(1.0, top * 1.1)
    bars.valueAxis.valueStep = _nice_step(bars.valueAxis.valueMax)
    bars.barLabelFormat = "%d"
    bars.barLabels.fontName = FONT_REGULAR
    bars.barLabels.fontSize = 6
    bars.barLabels.nudge = 6
    for i in range(len(chart.series)):
        bars.bars[i].fillColor = SERIES_COLORS[i % len(SERIES_COLORS)]
        bars.bars[i].strokeColor = None
    drawing.add(bars)
    legend = Legend()
    legend.x = width - 105
    legend.y = height - 30
    legend.fontName = FONT_REGULAR
    legend.fontSize = 8
    legend.alignment = "right"
    legend.colorNamePairs = [
        (SERIES_COLORS[i % len(SERIES_COLORS)], name) for i, (name, _) in enumerate(chart.series)
    ]
    drawing.add(legend)
    return drawing


def _nice_step(maximum: float) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if maximum / step <= 8:
            return float(step)
    return float(int(maximum / 8) or 1)


def _wrapped(text: str, font: str, room: float) -> str:
    """``text`` broken into lines that fit ``room`` (a word too long for the cell, such
    as a long case sign, is cut between characters), for the table to draw as a plain
    string: Paragraph cells are re-wrapped at every page split, several times slower."""
    lines: list[str] = []
    for part in text.split("\n"):
        for line in simpleSplit(part, font, FONT_SIZE, room) or [""]:
            while len(line) > 1 and stringWidth(line, font, FONT_SIZE) > room:
                cut = len(line) - 1
                while cut > 1 and stringWidth(line[:cut], font, FONT_SIZE) > room:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
            lines.append(line)
    return "\n".join(lines)


class _PagedTable(Flowable):
    """A long table handed to platypus a window of rows at a time.

    Every page split of one LongTable costs time in proportion to ALL the rows left
    (quadratic: 11 s for 12,000 rows, 6 s windowed); a window of a little more rows
    than any page holds keeps each split small and the report linear in its rows.
    """

    def __init__(
        self,
        rows: list[list[Any]],
        make: Callable[[list[list[Any]], bool], LongTable],
        has_totals: bool,
    ) -> None:
        super().__init__()
        self._rows = rows
        self._make = make
        self._has_totals = has_totals
        self._last_window = len(rows) <= WINDOW_ROWS
        self._table = make(rows[:WINDOW_ROWS], has_totals and self._last_window)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        width, height = self._table.wrap(availWidth, availHeight)
        if not self._last_window:
            height = max(height, availHeight + 1)  # more rows follow: never "fits"
        self.width, self.height = width, height
        return width, height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        parts: list[Flowable] = self._table.split(availWidth, availHeight)
        if self._last_window or not parts:
            return parts
        used = parts[0]._nrows - 1  # the rows on this page, less the header row
        if used <= 0:
            return []
        return [parts[0], _PagedTable(self._rows[used:], self._make, self._has_totals)]

    def draw(self) -> None:
        self._table.drawOn(self.canv, 0, 0)


def _table(
    report: ReportData, section: Section, widths: list[float], styles: dict[str, ParagraphStyle]
) -> Flowable:
    kinds = [c.kind for c in report.columns]
    numeric = [k in (ColumnKind.INT, ColumnKind.DECIMAL) for k in kinds]
    # The header row repeats on every page: plain bold strings there too.
    header = [
        _wrapped(c.header, FONT_BOLD, w - 2 * CELL_PADDING)
        for c, w in zip(report.columns, widths, strict=True)
    ]

    def cells(row: Row, font: str) -> list[str]:
        out: list[str] = []
        for value, kind, width in zip(row, kinds, widths, strict=True):
            text = format_cell(value, kind)
            room = width - 2 * CELL_PADDING
            fits = "\n" not in text and stringWidth(text, font, FONT_SIZE) <= room
            out.append(text if fits else _wrapped(text, font, room))
        return out

    body: list[list[Any]] = [cells(row, FONT_REGULAR) for row in section.rows]
    if section.totals is not None:
        body.append(cells(section.totals, FONT_BOLD))
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT_REGULAR, FONT_SIZE),
        ("LEADING", (0, 0), (-1, -1), 10),  # as the cell paragraphs' leading
        ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
        ("FONT", (0, 0), (-1, 0), FONT_BOLD, FONT_SIZE),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for col, is_number in enumerate(numeric):
        if is_number:
            commands.append(("ALIGN", (col, 1), (col, -1), "RIGHT"))
    totals_style = [
        ("FONT", (0, -1), (-1, -1), FONT_BOLD, FONT_SIZE),
        ("BACKGROUND", (0, -1), (-1, -1), TOTAL_BG),
    ]

    def make(rows: list[list[Any]], with_totals: bool) -> LongTable:
        table = LongTable([header, *rows], colWidths=widths, repeatRows=1)
        table.setStyle(TableStyle(commands + totals_style if with_totals else commands))
        return table

    return _PagedTable(body, make, section.totals is not None)


def column_widths(report: ReportData, content_width: float) -> list[float]:
    """Widths proportional to the columns' weights, but never narrower than the longest
    word of the header or a date / the widest number, so words are not cut apart."""
    register_fonts()
    total_weight = sum(c.width for c in report.columns) or 1.0
    wanted = [content_width * c.width / total_weight for c in report.columns]
    minimum = []
    for index, column in enumerate(report.columns):
        words = [stringWidth(w, FONT_BOLD, FONT_SIZE) for w in column.header.split()] or [0.0]
        need = max(words)
        if column.kind in (ColumnKind.INT, ColumnKind.DECIMAL, ColumnKind.DATE):
            samples = [
                format_cell(row[index], column.kind)
                for section in report.sections
                for row in (*section.rows, *((section.totals,) if section.totals else ()))
            ]
            need = max([need, *(stringWidth(t, FONT_BOLD, FONT_SIZE) for t in samples)])
        minimum.append(need + 2 * CELL_PADDING + 1)
    widths = [max(w, m) for w, m in zip(wanted, minimum, strict=True)]
    excess = sum(widths) - content_width
    slack = [w - m for w, m in zip(widths, minimum, strict=True)]
    if excess > 0 and sum(slack) > 0:
        share = min(1.0, excess / sum(slack))
        widths = [w - s * share for w, s in zip(widths, slack, strict=True)]
    return widths


def render_report_pdf(report: ReportData, office_name: str = "") -> bytes:
    """The report as PDF bytes; an empty report is refused (nothing to print)."""
    if report.row_count == 0:
        raise EmptyReportError(f"{report.title}: brak danych do wydruku ({report.period}).")
    styles = _styles()
    page = landscape(A4) if report.landscape else A4
    content_width = page[0] - 2 * MARGIN
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=page,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=14 * mm,
        title=report.title,
        author=office_name or "Kancelaria",
        subject=f"{report.title} – {report.period}",
        keywords=["raport", report.name, report.period],
        creator="Kancelaria",
        lang="pl-PL",
        initialFontName=FONT_REGULAR,  # no unembedded Helvetica in the file
    )
    story: list[Any] = []
    if office_name:
        story.append(_para(office_name, styles["office"]))
    story.append(_para(report.title, styles["title"]))
    story.append(_para(f"Okres: {report.period}", styles["meta"]))
    for line in report.parameters:
        story.append(_para(line, styles["meta"]))
    story.append(_para(f"Sporządzono: {generated_label(report)}", styles["meta"]))
    story.append(Spacer(1, 4 * mm))
    if report.chart is not None:
        drawing = _chart(report.chart, content_width)
        if drawing is not None:
            story += [drawing, Spacer(1, 4 * mm)]
    widths = column_widths(report, content_width)
    for section in report.sections:
        table = _table(report, section, widths, styles)
        if section.heading:
            story.append(CondPageBreak(30 * mm))
            story.append(KeepTogether([_para(section.heading, styles["section"])]))
        story.append(table)
    if report.notes:
        story.append(Spacer(1, 4 * mm))
        story += [_para(note, styles["meta"]) for note in report.notes]
    footer = f"{report.title} – wygenerowano {generated_label(report)} (Kancelaria)"

    def canvas_maker(*args: Any, **kwargs: Any) -> _FooterCanvas:
        return _FooterCanvas(*args, footer=footer, **kwargs)

    doc.build(story, canvasmaker=canvas_maker)
    return buffer.getvalue()


def write_report_pdf(report: ReportData, path: Path, office_name: str = "") -> Path:
    """Write the PDF atomically (a half-written file never replaces a good one)."""
    return write_atomically(Path(path), lambda: render_report_pdf(report, office_name))
