"""Save a report (``ReportData``) as CSV or XLSX, or as PDF through ``report_pdf``.

CSV: semicolon-separated with a UTF-8 byte order mark, dates as DD.MM.RRRR and a
decimal comma, so Excel set to Polish opens it straight into columns. XLSX
(XlsxWriter): real dates with the DD.MM.RRRR format, real numbers, a bold header
that stays in view, and the title and period above the table. Reports with
several sections (the case list per JRWA class) get a first column naming the
section. Files appear under their final name only when complete.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from clerk_app.documents.polish_format import format_number
from clerk_app.errors import ClerkError
from clerk_app.services.case_history import local_date
from clerk_app.services.reports.base import Cell, ColumnKind, ReportData

SECTION_HEADER = "Grupa"
SUFFIXES = (".pdf", ".csv", ".xlsx")


class ReportWriteError(ClerkError):
    """The report could not be saved; the message says why, in Polish."""


def format_cell(value: Cell, kind: ColumnKind, *, group_thousands: bool = True) -> str:
    """Polish text of one cell: 05.03.2026, 1 234 (or 1234), 12,5."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%d.%m.%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, bool):
        return "tak" if value else "nie"
    if isinstance(value, int | float) and not isinstance(value, bool):
        decimals = 1 if kind is ColumnKind.DECIMAL or isinstance(value, float) else 0
        text = format_number(value, decimals)
        return text if group_thousands else text.replace(" ", "")
    return str(value)


def generated_label(report: ReportData) -> str:
    moment = report.generated_at
    local = moment.astimezone() if moment.tzinfo else moment
    day = local_date(moment) if moment.tzinfo else moment.date()
    return f"{day:%d.%m.%Y} {local:%H:%M}"


def _multi(report: ReportData) -> bool:
    return len(report.sections) > 1 or any(s.heading for s in report.sections)


def report_csv_bytes(report: ReportData) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    multi = _multi(report)
    kinds = [c.kind for c in report.columns]
    writer.writerow(([SECTION_HEADER] if multi else []) + [c.header for c in report.columns])
    for section in report.sections:
        lead = [section.heading] if multi else []
        rows = [*section.rows, *([section.totals] if section.totals is not None else [])]
        for row in rows:
            cells = zip(row, kinds, strict=True)
            writer.writerow(lead + [format_cell(v, k, group_thousands=False) for v, k in cells])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def report_xlsx_bytes(report: ReportData) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    book.set_properties(
        {
            "title": report.title,
            "subject": report.period,
            "author": "Kancelaria",
            "keywords": f"raport, {report.name}",
            "comments": f"Wygenerowano {generated_label(report)}",
        }
    )
    sheet = book.add_worksheet(_sheet_name(report.title))
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format(
        {"bold": True, "text_wrap": True, "valign": "top", "border": 1, "bg_color": "#E6E6E6"}
    )
    text = book.add_format({"text_wrap": True, "valign": "top", "border": 1})
    day = book.add_format({"num_format": "dd.mm.yyyy", "valign": "top", "border": 1})
    whole = book.add_format({"num_format": "0", "valign": "top", "border": 1})
    decimal = book.add_format({"num_format": "0.0", "valign": "top", "border": 1})
    bold = {"bold": True, "bg_color": "#F2F2F2"}
    total_text = book.add_format({**bold, "border": 1, "text_wrap": True})
    total_whole = book.add_format({**bold, "border": 1, "num_format": "0"})
    total_decimal = book.add_format({**bold, "border": 1, "num_format": "0.0"})

    sheet.write(0, 0, report.title, title)
    lines = [f"Okres: {report.period}", *report.parameters]
    lines.append(f"Wygenerowano: {generated_label(report)}")
    for i, line in enumerate(lines, start=1):
        sheet.write(i, 0, line)
    header_row = len(lines) + 2
    multi = _multi(report)
    offset = 1 if multi else 0
    headers = ([SECTION_HEADER] if multi else []) + [c.header for c in report.columns]
    for col, header in enumerate(headers):
        sheet.write(header_row, col, header, head)
    widths = [len(h) for h in headers]
    r = header_row + 1
    for section in report.sections:
        rows = [(row, False) for row in section.rows]
        if section.totals is not None:
            rows.append((section.totals, True))
        for row, is_total in rows:
            if multi:
                sheet.write_string(r, 0, section.heading, total_text if is_total else text)
                widths[0] = max(widths[0], min(len(section.heading), 40))
            values = zip(row, (c.kind for c in report.columns), strict=True)
            for c, (value, kind) in enumerate(values, start=offset):
                if value is None or value == "":
                    sheet.write_blank(r, c, None, total_text if is_total else text)
                elif isinstance(value, date):
                    sheet.write_datetime(r, c, datetime(value.year, value.month, value.day), day)
                    widths[c] = max(widths[c], 10)
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    is_decimal = kind is ColumnKind.DECIMAL or isinstance(value, float)
                    if is_total:
                        fmt = total_decimal if is_decimal else total_whole
                    else:
                        fmt = decimal if is_decimal else whole
                    sheet.write_number(r, c, value, fmt)
                    widths[c] = max(widths[c], len(str(value)))
                else:
                    sheet.write_string(r, c, str(value), total_text if is_total else text)
                    widths[c] = max(widths[c], min(len(str(value)), 60))
            r += 1
    for c, width in enumerate(widths):
        sheet.set_column(c, c, max(8, min(width + 2, 62)))
    sheet.freeze_panes(header_row + 1, 0)
    sheet.autofilter(header_row, 0, max(r - 1, header_row), len(headers) - 1)
    for i, note in enumerate(report.notes):
        sheet.write(r + 1 + i, 0, note)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.repeat_rows(header_row)
    sheet.fit_to_pages(1, 0)
    book.close()
    return buffer.getvalue()


def _sheet_name(title: str) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31].strip() or "Raport"


def report_bytes(report: ReportData, suffix: str, office_name: str = "") -> bytes:
    suffix = suffix.lower()
    if suffix == ".csv":
        return report_csv_bytes(report)
    if suffix == ".xlsx":
        return report_xlsx_bytes(report)
    if suffix == ".pdf":
        from clerk_app.documents.report_pdf import render_report_pdf

        return render_report_pdf(report, office_name)
    raise ReportWriteError(
        f"Plik wynikowy: nieobsługiwany format „{suffix or '(brak)'}” "
        "(dozwolone: .pdf, .csv, .xlsx)."
    )


def write_report(report: ReportData, path: Path, office_name: str = "") -> Path:
    """Write the report in the format named by the file's suffix (.pdf, .csv, .xlsx)."""
    target = Path(path)
    return write_atomically(target, lambda: report_bytes(report, target.suffix, office_name))


def write_atomically(target: Path, produce: Callable[[], bytes]) -> Path:
    """Produce the content first, then replace the file in one step."""
    data = produce()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".raport-", suffix=target.suffix, dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise ReportWriteError(
            f"Nie można zapisać raportu do pliku {target}: {exc.strerror or exc}."
        ) from exc
    return target
