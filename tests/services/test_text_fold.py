"""Search folding: Polish diacritics (including ł) and case do not matter."""

from __future__ import annotations

import random

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


def _reference_fold(text: str) -> str:
    """The whole-string fold as first written (casefold, Polish, NFKD over the text)."""
    import unicodedata

    from clerk_app.services.text_fold import _POLISH, _UNDECOMPOSABLE

    if text.isascii():
        return text.lower()
    folded = text.casefold().translate(_POLISH)
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", folded.translate(_UNDECOMPOSABLE))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _random_text(rng: random.Random) -> str:
    # Mostly office text with every kind of Unicode mixed in: combining marks, sigma,
    # ligatures, Hangul, astral planes, lone surrogates.
    pools = (
        "Zażółć gęślą jaźń § – „cytat” ÆØ ß ﬁ ŉ İ Σς ᾳ Å",
        "\u0301\u0323\u0345\u1e9e\u212b\uac00\ufb03",
    )
    chars = []
    for _ in range(rng.randrange(0, 40)):
        roll = rng.random()
        if roll < 0.4:
            chars.append(rng.choice(pools[0]))
        elif roll < 0.55:
            chars.append(rng.choice(pools[1]))
        elif roll < 0.75:
            chars.append(chr(rng.randrange(0x20, 0x7F)))
        elif roll < 0.95:
            chars.append(chr(rng.randrange(0x80, 0x10000)))
        else:
            chars.append(chr(rng.randrange(0x10000, 0x110000)))
    return "".join(chars)


def test_fast_fold_equals_the_whole_string_fold_on_random_unicode() -> None:
    rng = random.Random(20261125)
    for _ in range(20_000):
        text = _random_text(rng)
        assert fold(text) == _reference_fold(text), ascii(text)


def test_fast_fold_equals_the_whole_string_fold_for_every_latin_and_greek_code_point() -> None:
    for code in range(0x80, 0x2000):
        text = f"A{chr(code)}b"
        assert fold(text) == _reference_fold(text), hex(code)


def test_long_texts_fold_the_same_every_time() -> None:
    # Long texts are remembered: a repeated text, and one that differs only at its end,
    # must each still get their own exact fold.
    base = "Zażółć gęślą jaźń § 12 – Müller. " * 400
    texts = [base, base + "Łódź", base, base + "ŁÓDŹ", *(f"{base}{n}ß" for n in range(20)), base]
    for text in texts:
        assert fold(text) == _reference_fold(text)
