"""Polish dates, numbers, money and fee amounts in words as printed on letters."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from clerk_app.documents.polish_format import (
    PolishFormatError,
    amount_in_words,
    format_date_numeric,
    format_date_words,
    format_money,
    format_number,
    format_place_date,
    number_in_words,
    plural_form,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2026, 11, 25), "25 listopada 2026 r."),
        (date(2026, 1, 1), "1 stycznia 2026 r."),
        (date(2026, 2, 28), "28 lutego 2026 r."),
        (date(2026, 3, 5), "5 marca 2026 r."),
        (date(2026, 4, 30), "30 kwietnia 2026 r."),
        (date(2026, 5, 3), "3 maja 2026 r."),
        (date(2026, 6, 15), "15 czerwca 2026 r."),
        (date(2026, 7, 22), "22 lipca 2026 r."),
        (date(2026, 8, 31), "31 sierpnia 2026 r."),
        (date(2026, 9, 9), "9 września 2026 r."),
        (date(2026, 10, 12), "12 października 2026 r."),
        (date(2026, 12, 24), "24 grudnia 2026 r."),
        (datetime(2027, 6, 1, 14, 30), "1 czerwca 2027 r."),
        ("2026-11-25", "25 listopada 2026 r."),
    ],
)
def test_date_in_words_uses_genitive_month(value: date | str, expected: str) -> None:
    assert format_date_words(value) == expected


def test_dateline_has_place_and_date() -> None:
    assert format_place_date("Gdańsk", date(2026, 11, 25)) == "Gdańsk, 25 listopada 2026 r."
    assert format_place_date("  Łódź ", date(2026, 3, 5)) == "Łódź, 5 marca 2026 r."


def test_dateline_without_place_is_refused() -> None:
    with pytest.raises(PolishFormatError, match="miejscowości"):
        format_place_date("  ", date(2026, 11, 25))


def test_numeric_date_has_leading_zeros() -> None:
    assert format_date_numeric(date(2026, 3, 5)) == "05.03.2026 r."


@pytest.mark.parametrize("value", ["25.11.2026", "jutro", 20261125])
def test_non_dates_are_refused_in_polish(value: object) -> None:
    with pytest.raises(PolishFormatError, match="nie jest datą"):
        format_date_words(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (0, None, "0"),
        (7, None, "7"),
        (999, None, "999"),
        (1000, None, "1 000"),
        (1234, None, "1 234"),
        (1234567, None, "1 234 567"),
        (-1234567, None, "-1 234 567"),
        (Decimal("1234.5"), None, "1 234,5"),
        (Decimal("0.05"), None, "0,05"),
        (1234.5, 2, "1 234,50"),
        ("2.675", 2, "2,68"),  # half up, not banker's rounding
        (Decimal("2.665"), 2, "2,67"),
        (Decimal("0.125"), 2, "0,13"),
        (-0.001, 2, "0,00"),  # no "-0,00"
        (Decimal("1E+3"), None, "1 000"),
        (1234.56, 0, "1 235"),
        (10**12, None, "1 000 000 000 000"),
    ],
)
def test_number_uses_space_groups_and_decimal_comma(
    value: int | float | str | Decimal, decimals: int | None, expected: str
) -> None:
    assert format_number(value, decimals) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1234.50"), "1 234,50 zł"),
        (0, "0,00 zł"),
        (5, "5,00 zł"),
        (0.1 + 0.2, "0,30 zł"),
        ("17", "17,00 zł"),
        (Decimal("1000000.999"), "1 000 001,00 zł"),
    ],
)
def test_money_always_has_grosze(value: Decimal | int | float | str, expected: str) -> None:
    assert format_money(value) == expected


@pytest.mark.parametrize("value", ["abc", "", float("nan"), float("inf"), Decimal("NaN"), True])
def test_non_numbers_are_refused(value: object) -> None:
    with pytest.raises(PolishFormatError):
        format_money(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "złotych"),
        (1, "złoty"),
        (2, "złote"),
        (4, "złote"),
        (5, "złotych"),
        (11, "złotych"),
        (12, "złotych"),
        (14, "złotych"),
        (21, "złotych"),
        (22, "złote"),
        (104, "złote"),
        (112, "złotych"),
        (1001, "złotych"),
    ],
)
def test_plural_form_follows_polish_rules(count: int, expected: str) -> None:
    assert plural_form(count, "złoty", "złote", "złotych") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("123.50"), "sto dwadzieścia trzy złote 50/100"),
        (Decimal("1.00"), "jeden złoty 00/100"),
        (0, "zero złotych 00/100"),
        (Decimal("0.99"), "zero złotych 99/100"),
        (2, "dwa złote 00/100"),
        (5, "pięć złotych 00/100"),
        (12, "dwanaście złotych 00/100"),
        (22, "dwadzieścia dwa złote 00/100"),
        (Decimal("10.05"), "dziesięć złotych 05/100"),
        (1000, "tysiąc złotych 00/100"),
        (2004, "dwa tysiące cztery złote 00/100"),
        (Decimal("12345.67"), "dwanaście tysięcy trzysta czterdzieści pięć złotych 67/100"),
        ("1000000", "milion złotych 00/100"),
        (Decimal("0.995"), "jeden złoty 00/100"),  # rounds to whole grosze first
    ],
)
def test_amount_in_words_for_fees(value: Decimal | int | str, expected: str) -> None:
    assert amount_in_words(value) == expected


def test_negative_amount_in_words_is_refused() -> None:
    with pytest.raises(PolishFormatError, match="ujemna"):
        amount_in_words(-1)
    with pytest.raises(PolishFormatError, match="nieujemna"):
        number_in_words(-5)
