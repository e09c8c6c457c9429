"""Search folding: Polish diacritics (including ł) and case do not matter."""

from __future__ import annotations

import pytest

from clerk_app.services.text_fold import fold


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("żółć", "zolc"),
        ("ŻÓŁĆ", "zolc"),
        ("Łódź", "lodz"),
        ("działki", "dzialki"),
        ("Zażółć gęślą jaźń", "zazolc gesla jazn"),
        ("ĄĆĘŁŃÓŚŹŻ ąćęłńóśźż", "acelnoszz acelnoszz"),
        ("Müller", "muller"),
        ("Ørsted", "orsted"),
        ("Straße", "strasse"),
        ("Café Đorđe", "cafe dorde"),
        ("RPW/123/2026", "rpw/123/2026"),
        ("GK.6730.12.2024", "gk.6730.12.2024"),
        ("", ""),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("zolc", "Pismo w sprawie żółć"),
        ("lodz", "Urząd Miasta Łodzi"),
        ("dzialki", "Podział DZIAŁKI nr 12/3"),
        ("Działki", "podzial dzialki nr 12/3"),
        ("wisniewska", "Ewa Wiśniewska"),
    ],
)
def test_folded_query_finds_folded_text(query: str, text: str) -> None:
    assert fold(query) in fold(text)


def test_fold_is_idempotent() -> None:
    for text in ("Łódź", "Zażółć gęślą jaźń", "Müller-Straße", "plain"):
        assert fold(fold(text)) == fold(text)


def test_polish_text_keeps_its_length_so_highlight_offsets_map_back() -> None:
    text = "Wniosek o wydanie wypisu – Łęczna, ul. Źródlana 5"
    assert len(fold(text)) == len(text)
