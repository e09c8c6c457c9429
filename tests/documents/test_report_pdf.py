"""Report PDFs: Polish text exactly, header on every page, totals, chart, page numbers,
embedded font and metadata; CSV and XLSX carry the same data the Polish way."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from clerk_app.documents.report_export import (
    ReportWriteError,
    report_csv_bytes,
    write_report,
)
from clerk_app.documents.report_pdf import render_report_pdf, write_report_pdf
from clerk_app.services.reports import (
    ChartSeries,
    Column,
    ColumnKind,
    EmptyReportError,
    ReportData,
    Section,
)

POLISH = "Zażółć gęślą jaźń – ĄĆĘŁŃÓŚŹŻ"


def _report(rows: int = 120, *, sections: int = 1, chart: bool = True) -> ReportData:
    columns = (
        Column("Znak sprawy", ColumnKind.TEXT, 1.5),
        Column("Tytuł sprawy", ColumnKind.TEXT, 4),
        Column("Termin", ColumnKind.DATE, 1),
        Column("Liczba", ColumnKind.INT, 1),
        Column("Średnio dni", ColumnKind.DECIMAL, 1),
    )
    parts = []
    for s in range(sections):
        body = tuple(
            (f"UA.6727.{i}.2026", f"{POLISH} nr {i}", date(2026, 3, 5), 1234 + i, 12.5)
            for i in range(1, rows + 1)
        )
        parts.append(
            Section(
                f"Grupa {s + 1} – Łódź" if sections > 1 else "",
                body,
                ("Razem", "", None, sum(r[3] for r in body), 12.5),
            )
        )
    return ReportData(
        name="test",
        title="Raport próbny – sprawy",
        period="od 01.03.2026 do 31.03.2026",
        columns=columns,
        sections=tuple(parts),
        generated_at=datetime(2026, 6, 15, 8, 30, tzinfo=UTC),
        parameters=("Komórka: UA – Referat Urbanistyki",),
        chart=ChartSeries(
            "Wykres spraw według miesięcy",
            ("marzec", "kwiecień"),
            (("założone", (3.0, 5.0)), ("zakończone", (2.0, 4.0))),
        )
        if chart
        else None,
        notes=("Uwaga: zestawienie próbne.",),
    )


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_pdf_text_header_on_every_page_totals_and_page_numbers() -> None:
    pages = _pages(render_report_pdf(_report(), "Urząd Gminy Żółkiewka"))
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert "Znak sprawy" in text and "Tytuł sprawy" in text  # repeated header row
        assert f"Strona {number} z {len(pages)}" in text
        assert "wygenerowano" in text
    first, last = pages[0], pages[-1]
    assert "Urząd Gminy Żółkiewka" in first
    assert "Raport próbny – sprawy" in first
    assert "Okres: od 01.03.2026 do 31.03.2026" in first
    assert "Wykres spraw według miesięcy" in first and "kwiecień" in first
    everything = "\n".join(pages)
    assert f"{POLISH} nr 1" in everything.replace("\n", " ")
    assert "05.03.2026" in first
    assert "1 235" in first  # thousands grouped with a space
    assert "12,5" in first  # decimal comma
    total = sum(1234 + i for i in range(1, 121))
    assert "Razem" in last and f"{total:,}".replace(",", " ") in last
    assert "Uwaga: zestawienie próbne." in last


def test_pdf_is_landscape_embeds_the_font_and_has_metadata() -> None:
    reader = PdfReader(io.BytesIO(render_report_pdf(_report(10), "Urząd Gminy")))
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "Raport próbny – sprawy"
    assert meta.author == "Urząd Gminy"
    assert meta.subject == "Raport próbny – sprawy – od 01.03.2026 do 31.03.2026"
    fonts = [f.get_object() for f in reader.pages[0]["/Resources"]["/Font"].values()]
    assert fonts
    for font in fonts:
        assert "DejaVuSans" in font["/BaseFont"]
        assert "/FontFile2" in font["/FontDescriptor"].get_object()
        assert "/ToUnicode" in font


def test_sections_print_their_headings() -> None:
    text = "\n".join(_pages(render_report_pdf(_report(5, sections=2, chart=False))))
    assert "Grupa 1 – Łódź" in text and "Grupa 2 – Łódź" in text
    assert text.count("Razem") == 2


def test_empty_report_is_refused() -> None:
    empty = ReportData(
        "x",
        "Pusty raport",
        "rok 2026",
        (Column("A"),),
        (Section("", ()),),
        datetime(2026, 1, 1, tzinfo=UTC),
    )
    with pytest.raises(EmptyReportError, match="Pusty raport: brak danych"):
        render_report_pdf(empty)


def test_csv_for_polish_excel() -> None:
    data = report_csv_bytes(_report(3))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Znak sprawy", "Tytuł sprawy", "Termin", "Liczba", "Średnio dni"]
    assert rows[1] == ["UA.6727.1.2026", f"{POLISH} nr 1", "05.03.2026", "1235", "12,5"]
    assert rows[-1] == ["Razem", "", "", str(1235 + 1236 + 1237), "12,5"]


def test_csv_names_the_section_of_each_row() -> None:
    text = report_csv_bytes(_report(2, sections=2)).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "Grupa"
    assert [r[0] for r in rows[1:]] == ["Grupa 1 – Łódź"] * 3 + ["Grupa 2 – Łódź"] * 3


def _xlsx(path: Path) -> tuple[list[str], str, str]:
    with zipfile.ZipFile(path) as book:
        shared = re.findall(r"<t[^>]*>([^<]*)</t>", book.read("xl/sharedStrings.xml").decode())
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        styles = book.read("xl/styles.xml").decode()
    return shared, sheet, styles


def test_xlsx_keeps_dates_and_numbers(tmp_path: Path) -> None:
    path = write_report(_report(3), tmp_path / "raport.xlsx")
    shared, sheet, styles = _xlsx(path)
    assert "Raport próbny – sprawy" in shared
    assert f"{POLISH} nr 1" in shared
    assert 'formatCode="dd\\.mm\\.yyyy"' in styles or 'formatCode="dd.mm.yyyy"' in styles
    # 05.03.2026 is Excel serial 46086; numbers are numbers, not text.
    assert "<v>46086</v>" in sheet
    assert "<v>1235</v>" in sheet and "<v>12.5</v>" in sheet
    assert f"<v>{1235 + 1236 + 1237}</v>" in sheet


def test_files_are_written_by_suffix(tmp_path: Path) -> None:
    report = _report(2)
    assert write_report_pdf(report, tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")
    assert write_report(report, tmp_path / "a.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert write_report(report, tmp_path / "a.xlsx").read_bytes().startswith(b"PK")
    with pytest.raises(ReportWriteError, match=r"nieobsługiwany format „\.txt”"):
        write_report(report, tmp_path / "a.txt")
    assert not (tmp_path / "a.txt").exists()


def test_a_long_report_prints_every_row_once_in_order_with_the_totals_last() -> None:
    # More rows than one window of the paged table: the windows must join seamlessly.
    report = _report(rows=700, chart=False)
    pages = _pages(render_report_pdf(report, "Urząd"))
    assert len(pages) >= 15
    signs = [int(n) for text in pages for n in re.findall(r"UA\.6727\.(\d+)\.2026", text)]
    assert signs == list(range(1, 701))
    assert all("Znak sprawy" in text for text in pages)
    total = sum(1234 + i for i in range(1, 701))
    assert [i for i, text in enumerate(pages) if "Razem" in text] == [len(pages) - 1]
    assert f"{total:,}".replace(",", " ") in pages[-1]


def test_a_word_too_long_for_its_cell_is_cut_not_lost() -> None:
    sign = "UA.6727.123456789.2026/ŻÓŁĆ/" + "Ł" * 40
    report = _report(rows=3, chart=False)
    first = report.sections[0]
    rows = ((sign, *first.rows[0][1:]), *first.rows[1:])
    report = replace(report, sections=(replace(first, rows=rows),))
    text = _pages(render_report_pdf(report))[0]
    assert sign in text.replace("\n", "")
    assert sign not in text  # it did not fit on one line of its column
