"""Parcel id grammar: the examples of PARCELS.md, lenient input, and rejections."""

from __future__ import annotations

import dataclasses
import re

import pytest

from clerk_app.services.parcel_id import (
    CANONICAL_PATTERN,
    CadastralUnit,
    ParcelId,
    ParcelIdError,
    UnitType,
    parse_precinct_and_number,
)

# (id, voivodeship, county, commune, unit type, precinct, sheet, number)
DOC_EXAMPLES = [
    ("141201_1.0001.6509", "14", "12", "01", UnitType.URBAN_COMMUNE, "0001", None, "6509"),
    ("141201_1.0001.1867/2", "14", "12", "01", UnitType.URBAN_COMMUNE, "0001", None, "1867/2"),
    ("066301_1.0021.AR_10.5/1", "06", "63", "01", UnitType.URBAN_COMMUNE, "0021", "10", "5/1"),
    (
        "022503_5.0003.134",
        "02",
        "25",
        "03",
        UnitType.URBAN_RURAL_COUNTRYSIDE,
        "0003",
        None,
        "134",
    ),
    ("146518_8.0108.27", "14", "65", "18", UnitType.WARSAW_DISTRICT, "0108", None, "27"),
    ("126103_9.0008.3/9", "12", "61", "03", UnitType.CITY_DELEGATURA, "0008", None, "3/9"),
]


@pytest.mark.parametrize(
    ("text", "voivodeship", "county", "commune", "unit_type", "precinct", "sheet", "number"),
    DOC_EXAMPLES,
)
def test_documented_examples_parse_into_their_parts(
    text: str,
    voivodeship: str,
    county: str,
    commune: str,
    unit_type: UnitType,
    precinct: str,
    sheet: str | None,
    number: str,
) -> None:
    parcel = ParcelId.parse(text)
    assert parcel.voivodeship == voivodeship
    assert parcel.county == county
    assert parcel.commune == commune
    assert parcel.unit_type is unit_type
    assert parcel.precinct == precinct
    assert parcel.sheet == sheet
    assert parcel.number == number
    assert str(parcel) == text
    assert CANONICAL_PATTERN.match(str(parcel))


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        # spaces around separators and at the ends
        ("  141201_1 . 0001 . 1867 / 2 ", "141201_1.0001.1867/2"),
        # precinct without zero padding
        ("066301_1.21.AR_10.5/1", "066301_1.0021.AR_10.5/1"),
        ("141201_1.1.6509", "141201_1.0001.6509"),
        # missing underscore, or a space instead of it
        ("1412011.0001.6509", "141201_1.0001.6509"),
        ("141201 1.0001.6509", "141201_1.0001.6509"),
        # AR without "_", lower case, with a space
        ("066301_1.0021.AR10.5/1", "066301_1.0021.AR_10.5/1"),
        ("066301_1.0021.ar_10.5/1", "066301_1.0021.AR_10.5/1"),
        ("066301_1.0021.ar 10.5/1", "066301_1.0021.AR_10.5/1"),
        # everything at once
        (" 0663011 . 21 . ar10 . 5/1", "066301_1.0021.AR_10.5/1"),
    ],
)
def test_lenient_input_is_normalised_to_the_canonical_form(typed: str, canonical: str) -> None:
    parcel = ParcelId.parse(typed)
    assert str(parcel) == canonical
    assert parcel == ParcelId.parse(canonical)


@pytest.mark.parametrize(
    ("text", "part", "message_part"),
    [
        ("", "whole", "pusty"),
        ("   ", "whole", "pusty"),
        ("151201_1.0001.1", "voivodeship", "województwa „15”"),
        ("341201_1.0001.1", "voivodeship", "województwa „34”"),
        ("001201_1.0001.1", "voivodeship", "województwa „00”"),
        ("140001_1.0001.1", "county", "powiatu „00”"),
        ("141200_1.0001.1", "commune", "gminy „00”"),
        ("141201_6.0001.1", "unit_type", "typ jednostki ewidencyjnej „6”"),
        ("141201_0.0001.1", "unit_type", "typ jednostki ewidencyjnej „0”"),
        ("14120_1.0001.1", "unit", "jednostki ewidencyjnej „14120_1”"),
        ("1412011X.0001.1", "unit", "jednostki ewidencyjnej"),
        ("141201_1.00001.1", "precinct", "obrębu „00001”"),
        ("141201_1.0000.1", "precinct", "obrębu „0000”"),
        ("141201_1.00A1.1", "precinct", "obrębu „00A1”"),
        ("066301_1.0021.AB_10.5/1", "sheet", "arkusz mapy „AB_10”"),
        ("066301_1.0021.AR_0.5/1", "sheet", "arkusza mapy „0”"),
        ("141201_1.0001.X1", "number", "numer działki „X1”"),
        ("141201_1.0001.12A", "number", "numer działki „12A”"),
        ("141201_1.0001.1/2/3", "number", "numer działki „1/2/3”"),
        ("141201_1.0001.0", "number", "numer działki „0”"),
        ("141201_1.0001.5/", "number", "numer działki „5/”"),
        ("141201_1.0001", "whole", "za mało części"),
        ("141201_1.0001.AR_1.2.3", "whole", "za dużo części"),
        ("141201_1.0001.65 09", "whole", "spację"),
        ("141201_1.0001.6509.1_BUD", "whole", "budynku"),
        ("Krzewina 134", "whole", "za mało części"),
    ],
)
def test_garbage_is_rejected_with_a_message_naming_the_wrong_part(
    text: str, part: str, message_part: str
) -> None:
    with pytest.raises(ParcelIdError) as caught:
        ParcelId.parse(text)
    assert caught.value.part == part
    assert message_part in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_legacy_numbers_only_when_asked() -> None:
    with pytest.raises(ParcelIdError):
        ParcelId.parse("141201_1.0001.12a")
    legacy = ParcelId.parse("141201_1.0001.12a", allow_legacy_number=True)
    assert legacy.number == "12A"
    assert not legacy.is_canonical_number
    assert ParcelId.parse("141201_1.0001.5/1/2", allow_legacy_number=True).number == "5/1/2"
    assert ParcelId.parse("141201_1.0001.5/1").is_canonical_number


def test_unit_exposes_teryt_codes_and_polish_names() -> None:
    parcel = ParcelId.parse("146518_8.0108.27")
    assert str(parcel.unit) == "146518_8"
    assert parcel.unit.commune_code == "146518"
    assert parcel.unit.county_code == "1465"
    assert parcel.unit.voivodeship_name == "mazowieckie"
    assert parcel.unit.unit_type_name == "dzielnica m.st. Warszawy"
    assert parcel.unit.is_city_with_county_rights
    assert parcel.precinct_id == "146518_8.0108"
    rural = ParcelId.parse("022503_5.0003.134")
    assert rural.unit.voivodeship_name == "dolnośląskie"
    assert rural.unit_type.polish_name == "obszar wiejski w gminie miejsko-wiejskiej"
    assert not rural.unit.is_city_with_county_rights


def test_every_unit_type_has_a_polish_name() -> None:
    names = {t.polish_name for t in UnitType}
    assert len(names) == len(UnitType)
    assert {int(t) for t in UnitType} == {1, 2, 3, 4, 5, 8, 9}


def test_ids_are_immutable_hashable_values() -> None:
    first = ParcelId.parse("141201_1.0001.6509")
    same = ParcelId.parse("1412011.1.6509")
    assert first == same
    assert len({first, same}) == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.number = "1"  # type: ignore[misc]


def test_direct_construction_is_validated() -> None:
    unit = CadastralUnit.parse("141201_1")
    assert str(ParcelId(unit, "0001", None, "1867/2")) == "141201_1.0001.1867/2"
    with pytest.raises(ParcelIdError) as caught:
        ParcelId(unit, "21", None, "5")
    assert caught.value.part == "precinct"
    with pytest.raises(ParcelIdError) as caught:
        CadastralUnit("33", "12", "01", UnitType.URBAN_COMMUNE)
    assert caught.value.part == "voivodeship"


def test_same_number_on_two_sheets_gives_different_ids() -> None:
    on_sheet_10 = ParcelId.parse("066301_1.0021.AR_10.5/1")
    on_sheet_11 = ParcelId.parse("066301_1.0021.AR_11.5/1")
    assert on_sheet_10 != on_sheet_11
    assert on_sheet_10.precinct_id == on_sheet_11.precinct_id


@pytest.mark.parametrize(
    ("typed", "precinct", "sheet", "number"),
    [
        ("0012 3/4", "0012", None, "3/4"),
        ("12 3/4", "0012", None, "3/4"),
        ("12.3/4", "0012", None, "3/4"),
        ("  21   5/1 ", "0021", None, "5/1"),
        ("21 AR_10 5/1", "0021", "10", "5/1"),
        ("21 ar10 5/1", "0021", "10", "5/1"),
        ("21.AR_10.5/1", "0021", "10", "5/1"),
    ],
)
def test_precinct_and_number_relative_to_the_office_commune(
    typed: str, precinct: str, sheet: str | None, number: str
) -> None:
    query = parse_precinct_and_number(typed, "066301_1")
    assert str(query.unit) == "066301_1"
    assert query.precinct == precinct
    assert query.sheet == sheet
    assert query.number == number


def test_precinct_query_without_sheet_matches_every_sheet() -> None:
    query = parse_precinct_and_number("21 5/1", CadastralUnit.parse("066301_1"))
    candidates = [
        ParcelId.parse("066301_1.0021.AR_10.5/1"),
        ParcelId.parse("066301_1.0021.AR_11.5/1"),
        ParcelId.parse("066301_1.0021.AR_11.5/2"),
        ParcelId.parse("066301_1.0022.AR_10.5/1"),
        ParcelId.parse("066302_1.0021.AR_10.5/1"),
    ]
    assert [str(c) for c in candidates if query.matches(c)] == [
        "066301_1.0021.AR_10.5/1",
        "066301_1.0021.AR_11.5/1",
    ]
    with_sheet = parse_precinct_and_number("21 AR_11 5/1", "066301_1")
    assert [str(c) for c in candidates if with_sheet.matches(c)] == ["066301_1.0021.AR_11.5/1"]
    assert str(with_sheet.to_parcel_id()) == "066301_1.0021.AR_11.5/1"


@pytest.mark.parametrize(
    ("typed", "part", "message_part"),
    [
        ("", "whole", "Nie podano"),
        ("3/4", "whole", "numeru obrębu i numeru działki"),
        ("Krzewina 134", "whole", "numeru obrębu"),
        ("00012 3/4", "precinct", "obrębu „00012”"),
        ("0 3/4", "precinct", "obrębu „0000”"),
        ("12 3/x", "number", "numer działki „3/X”"),
        ("12 AR_0 3", "sheet", "arkusza mapy „0”"),
    ],
)
def test_precinct_and_number_rejections(typed: str, part: str, message_part: str) -> None:
    with pytest.raises(ParcelIdError) as caught:
        parse_precinct_and_number(typed, "141201_1")
    assert caught.value.part == part
    assert message_part in str(caught.value)


def test_bad_default_unit_is_reported() -> None:
    with pytest.raises(ParcelIdError) as caught:
        parse_precinct_and_number("12 3", "991201_1")
    assert caught.value.part == "voivodeship"
    assert re.search(r"„99”", str(caught.value))
