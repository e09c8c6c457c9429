"""Case sign grammar: round trips, parts, rejections with Polish messages, ordering."""

from __future__ import annotations

import dataclasses
import random

import pytest

from clerk_app.services.case_sign import CaseSign, CaseSignError


@pytest.mark.parametrize(
    "text",
    [
        "GK.6730.12.2024",
        "ABC-A.123.77.3.2011.JW",
        "ABC-A.123.77.2011.JW",
        "ABC-A.123.77.3.2011",
        "OŚ.6220.5.2025",
        "RGKiOŚ.6131.140.2026",
        "UA-1.6733.1.2026",
        "OR.0050.3.2024",
        "BR.0.1.2024",
        "SEK-KAD-2.1000.9999.2030.ŁŻ",
    ],
)
def test_valid_sign_round_trips_through_text(text: str) -> None:
    sign = CaseSign.parse(text)
    assert str(sign) == text
    assert CaseSign.parse(str(sign)) == sign


def test_parse_splits_every_part() -> None:
    full = CaseSign.parse("ABC-A.123.77.3.2011.JW")
    assert (full.unit, full.jrwa, full.number, full.subnumber, full.year, full.initials) == (
        "ABC-A",
        "123",
        77,
        3,
        2011,
        "JW",
    )
    with_initials = CaseSign.parse("ABC-A.123.77.2011.JW")
    assert with_initials.subnumber is None
    assert with_initials.initials == "JW"
    assert with_initials.year == 2011
    with_subgroup = CaseSign.parse("GK.6730.12.3.2024")
    assert with_subgroup.subnumber == 3
    assert with_subgroup.initials is None


def test_jrwa_keeps_leading_zeros() -> None:
    assert CaseSign.parse("OR.0050.3.2024").jrwa == "0050"


def test_surrounding_whitespace_is_forgiven() -> None:
    assert CaseSign.parse("  GK.6730.12.2024\n") == CaseSign("GK", "6730", 12, 2024)


def test_generated_sign_prints_canonical_text() -> None:
    assert str(CaseSign("GK", "6730", 12, 2024)) == "GK.6730.12.2024"
    assert str(CaseSign("ABC-A", "123", 77, 2011, subnumber=3, initials="JW")) == (
        "ABC-A.123.77.3.2011.JW"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("GK.6730.12.20x4", "Znak sprawy: rok „20x4” musi mieć cztery cyfry"),
        ("GK.6730.12.24", "rok „24” musi mieć cztery cyfry"),
        ("GK.6730.12.20245", "rok „20245” musi mieć cztery cyfry"),
        ("GK.6730.12.0999", "rok „0999” nie może zaczynać się od zera"),
        ("GK.6730.12.3.20x4", "rok „20x4” musi mieć cztery cyfry"),
        ("", "Znak sprawy jest pusty"),
        ("   ", "Znak sprawy jest pusty"),
        ("6730.12.2024", "jest niepełny"),
        ("GK.6730.12.3.2024.JW.X", "ma za dużo części (7)"),
        ("GK..12.2024", "ma pustą część"),
        ("GK.6730.12.2024.", "ma pustą część"),
        ("123.6730.12.2024", "symbol komórki „123” musi zawierać co najmniej jedną literę"),
        ("GK_A.6730.12.2024", "symbol komórki „GK_A” może zawierać tylko litery i cyfry"),
        ("GK A.6730.12.2024", "symbol komórki „GK A” może zawierać tylko litery i cyfry"),
        ("GK-.6730.12.2024", "symbol komórki „GK-” ma pusty człon"),
        ("GK--A.6730.12.2024", "ma pusty człon"),
        ("GK.67a0.12.2024", "symbol JRWA „67a0” musi składać się z 1–6 cyfr"),
        ("GK.1234567.12.2024", "symbol JRWA „1234567”"),
        ("GK. 6730.12.2024", "symbol JRWA „ 6730”"),
        ("GK.６７３０.12.2024", "symbol JRWA „６７３０”"),
        ("GK.6730.012.2024", "numer sprawy „012” musi być liczbą dodatnią bez zer na początku"),
        ("GK.6730.0.2024", "numer sprawy „0”"),
        ("GK.6730.1x.2024", "numer sprawy „1x” musi być liczbą"),
        ("GK.6730.12.0.2024", "numer podgrupy „0”"),
        ("GK.6730.12.2024.J2", "inicjały „J2” mogą zawierać tylko litery"),
        ("GK.6730.12.3.2024.J.W", "ma za dużo części"),
        ("GK.6730.12.3.2024.ABCDEFGHI", "inicjały „ABCDEFGHI” są za długie"),
        ("GK.6730.2024.JW", "brak numeru sprawy"),
    ],
)
def test_invalid_sign_is_rejected_naming_the_wrong_part(text: str, message: str) -> None:
    with pytest.raises(CaseSignError) as caught:
        CaseSign.parse(text)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"number": 0}, "numer sprawy „0”"),
        ({"number": -3}, "numer sprawy „-3”"),
        ({"number": True}, "numer sprawy „True”"),
        ({"subnumber": 0}, "numer podgrupy „0”"),
        ({"year": 24}, "rok „24” musi mieć cztery cyfry"),
        ({"year": 12024}, "rok „12024”"),
        ({"initials": "J W"}, "inicjały „J W”"),
        ({"initials": ""}, "inicjały „”"),
        ({"unit": "12"}, "co najmniej jedną literę"),
        ({"jrwa": ""}, "symbol JRWA „”"),
    ],
)
def test_constructor_validates_like_parse(kwargs: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {"unit": "GK", "jrwa": "6730", "number": 1, "year": 2024}
    fields.update(kwargs)
    with pytest.raises(CaseSignError) as caught:
        CaseSign(**fields)  # type: ignore[arg-type]
    assert message in str(caught.value)


def test_sign_is_immutable_and_hashable() -> None:
    sign = CaseSign.parse("GK.6730.12.2024")
    with pytest.raises(dataclasses.FrozenInstanceError):
        sign.number = 13  # type: ignore[misc]
    assert len({sign, CaseSign.parse("GK.6730.12.2024")}) == 1


def test_case_list_key_groups_signs_of_one_case_list() -> None:
    first = CaseSign.parse("GK.6730.1.2024")
    later = CaseSign.parse("GK.6730.57.2024.JW")
    other_year = CaseSign.parse("GK.6730.1.2025")
    assert first.case_list_key == later.case_list_key == ("GK", "6730", 2024)
    assert other_year.case_list_key != first.case_list_key


def test_sort_key_orders_signs_naturally() -> None:
    expected = [
        "GK.673.5.2024",
        "GK.6730.2.2023",
        "GK.6730.100.2023",
        "GK.6730.1.2024",
        "GK.6730.2.2024",
        "GK.6730.2.1.2024",
        "GK.6730.2.2.2024",
        "GK.6730.10.2024",
        "GK.6733.1.2024",
        "GK-2.6730.1.2024",
        "GK-10.6730.1.2024",
        "OR.0050.1.2024",
        "UA2.6727.1.2024",
        "UA10.6727.1.2024",
    ]
    shuffled = expected[:]
    random.Random(7).shuffle(shuffled)
    ordered = sorted((CaseSign.parse(text) for text in shuffled), key=CaseSign.sort_key)
    assert [str(sign) for sign in ordered] == expected
