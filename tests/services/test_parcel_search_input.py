"""Reading the parcel search box: ids, precinct + number, names, addresses, coordinates."""

from __future__ import annotations

import pytest

from clerk_app.errors import ValidationError
from clerk_app.services.parcel_search_input import SearchKind, classify, office_units


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("141201_1.0001.6509", "141201_1.0001.6509"),
        ("141201_1.1.1867/2", "141201_1.0001.1867/2"),
        ("066301_1.0021.ar10.5/1", "066301_1.0021.AR_10.5/1"),
        ("1465188.0108.27", "146518_8.0108.27"),
        (" 126103 9 . 8 . 3/9 ", "126103_9.0008.3/9"),
    ],
)
def test_full_ids_typed_loosely(text: str, canonical: str) -> None:
    parsed = classify(text)
    assert parsed.kind is SearchKind.PARCEL_ID
    assert str(parsed.parcel_id) == canonical


def test_malformed_id_names_the_wrong_part() -> None:
    with pytest.raises(ValidationError, match="województwa „03”"):
        classify("031201_1.0001.5")
    with pytest.raises(ValidationError, match="numer działki"):
        classify("141201_1.0001.0")


@pytest.mark.parametrize(
    ("text", "precinct", "sheet", "number"),
    [
        ("0012 3/4", "0012", None, "3/4"),
        ("12 3/4", "0012", None, "3/4"),
        ("12.3/4", "0012", None, "3/4"),
        ("12 AR_3 5", "0012", "3", "5"),
        ("12 ar 3 5", "0012", "3", "5"),
    ],
)
def test_precinct_and_number_in_the_office_commune(
    text: str, precinct: str, sheet: str | None, number: str
) -> None:
    parsed = classify(text, "1412011")
    assert parsed.kind is SearchKind.PRECINCT_NUMBER
    query = parsed.precinct_query
    assert query is not None
    assert (query.precinct, query.sheet, query.number) == (precinct, sheet, number)
    assert query.unit_codes == ("141201_1",)


def test_urban_rural_office_searches_both_of_its_units() -> None:
    assert office_units("0225033") == ("022503_4", "022503_5")
    parsed = classify("3 134", "022503_3")
    assert parsed.precinct_query is not None
    assert parsed.precinct_query.unit_codes == ("022503_4", "022503_5")


def test_name_and_number_is_precinct_or_address() -> None:
    parsed = classify("Nowa Wieś AR_2 12/3")
    assert parsed.kind is SearchKind.NAME_NUMBER
    assert parsed.name_query is not None
    assert (parsed.name_query.name, parsed.name_query.sheet, parsed.name_query.number) == (
        "Nowa Wieś",
        "2",
        "12/3",
    )


@pytest.mark.parametrize(
    ("text", "address"),
    [("ul. Polna 3", "Polna 3"), ("Testowo, Polna 3a", "Testowo, Polna 3a"), ("Polna", "Polna")],
)
def test_addresses(text: str, address: str) -> None:
    parsed = classify(text)
    assert parsed.kind is SearchKind.ADDRESS
    assert parsed.address == address


def test_pl1992_coordinates_in_both_orders_give_both_readings() -> None:
    parsed = classify("481600 677050")
    assert parsed.kind is SearchKind.POINT
    readings = {(p.x, p.y, p.swapped) for p in parsed.points}
    assert readings == {(677050.0, 481600.0, False), (481600.0, 677050.0, True)}


def test_pl1992_only_one_order_in_poland() -> None:
    # Easting 150 000 with northing 800 000 is in the Baltic; the other order is on land.
    (point,) = classify("150000 800000").points
    assert (point.x, point.y, point.swapped) == (800000.0, 150000.0, False)


def test_pl2000_zone_from_the_easting_and_swap_detection() -> None:
    (typed_xy,) = classify("5789000 7500000").points  # X (northing) first, zone 7
    (typed_yx,) = classify("7500000 5789000").points
    assert typed_xy.system == "PL-2000 strefa 7 (EPSG:2178)" and not typed_xy.swapped
    assert typed_yx.swapped
    assert (typed_xy.x, typed_xy.y) == pytest.approx((typed_yx.x, typed_yx.y))
    # Roughly central Warsaw in PL-1992.
    assert 630_000 < typed_xy.x < 645_000 and 480_000 < typed_xy.y < 495_000
    (spaced,) = classify("5 789 000,12 7 500 000,55").points
    assert spaced.x == pytest.approx(typed_xy.x, abs=1.0)


def test_wgs84_latitude_longitude_in_either_order() -> None:
    (lat_lon,) = classify("52.2297, 21.0122").points
    (lon_lat,) = classify("21.0122 52.2297").points
    assert lat_lon.system == "WGS84 (EPSG:4326)" and not lat_lon.swapped and lon_lat.swapped
    assert (lat_lon.x, lat_lon.y) == pytest.approx((lon_lat.x, lon_lat.y))
    assert 630_000 < lat_lon.x < 645_000


@pytest.mark.parametrize("text", ["10.5 10.5", "5000000 5000000", "50.0 50.0"])
def test_coordinates_outside_poland_are_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="poza Polską"):
        classify(text)


def test_small_numbers_are_precinct_and_parcel_not_coordinates() -> None:
    assert classify("52 21", "1412011").kind is SearchKind.PRECINCT_NUMBER


def test_empty_and_garbage() -> None:
    assert classify("   ").kind is SearchKind.EMPTY
    with pytest.raises(ValidationError, match="Nie rozpoznano"):
        classify("12 / 3 / 4 / 5")
