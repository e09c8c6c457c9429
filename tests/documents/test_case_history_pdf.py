"""The printed case history (metryka sprawy): searchable Polish text, header on every page."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from clerk_app.documents.case_history_pdf import (
    CaseHistoryRenderError,
    render_case_history_pdf,
    write_case_history_pdf,
)
from clerk_app.services.case_history import CaseHistory, HistoryRow


def history(rows: int) -> CaseHistory:
    return CaseHistory(
        case_id=7,
        sign="UA.6727.41.2026",
        title="Wypis i wyrys – działka 3/4, obręb 0012 Źródła",
        rows=tuple(
            HistoryRow(
                no=n,
                event_id=100 + n,
                occurred_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
                action_date=date(2026, 3, 2),
                person_name="Łucja Żółkiewska",
                position="inspektor ds. planowania",
                action="pause",
                what_done=f"Czynność {n}: wezwanie do uzupełnienia braków",
                document_id=f"RPW/{n}/2026",
            )
            for n in range(1, rows + 1)
        ),
        generated_at=datetime(2026, 3, 20, 12, 0, tzinfo=UTC),
    )


def pages_text(data: bytes) -> list[str]:
    # Cells wrap, so compare with runs of whitespace folded to one space.
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def test_short_history_has_the_heading_and_every_column() -> None:
    pages = pages_text(render_case_history_pdf(history(3), "Urząd Gminy Zielona Dolina"))
    assert len(pages) == 1
    text = pages[0]
    for expected in (
        "METRYKA SPRAWY",
        "Znak sprawy: UA.6727.41.2026",
        "Tytuł sprawy: Wypis i wyrys – działka 3/4, obręb 0012 Źródła",
        "Urząd Gminy Zielona Dolina",
        "Lp.",
        "Data czynności",
        "Imię i nazwisko, stanowisko",
        "Wykonana czynność",
        "Identyfikator dokumentu",
        "02.03.2026",
        "Łucja Żółkiewska",
        "inspektor ds. planowania",
        "Czynność 3: wezwanie do uzupełnienia braków",
        "RPW/3/2026",
        "Strona 1 z 1",
    ):
        assert expected in text, expected


def test_long_history_repeats_the_table_header_and_numbers_pages() -> None:
    pages = pages_text(render_case_history_pdf(history(120)))
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert "Wykonana czynność" in text
        assert "Identyfikator dokumentu" in text
        assert f"Strona {number} z {len(pages)}" in text
        assert "Metryka sprawy UA.6727.41.2026" in text
    everything = "\n".join(pages)
    assert "RPW/1/2026" in everything and "RPW/120/2026" in everything


def test_empty_history_still_prints_the_heading() -> None:
    text = pages_text(render_case_history_pdf(history(0)))[0]
    assert "Znak sprawy: UA.6727.41.2026" in text and "brak czynności" in text


def test_write_to_a_file_and_refuse_an_unwritable_place(tmp_path: Path) -> None:
    target = write_case_history_pdf(history(2), tmp_path / "out" / "metryka.pdf")
    assert target.read_bytes().startswith(b"%PDF")
    blocker = tmp_path / "plik"
    blocker.write_text("x")
    with pytest.raises(CaseHistoryRenderError, match="Nie można zapisać metryki"):
        write_case_history_pdf(history(2), blocker / "metryka.pdf")
