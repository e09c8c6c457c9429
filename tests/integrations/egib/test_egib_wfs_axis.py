"""County WFS ``…:dzialki`` layers and axis order across PL-2000 / PL-1992 / legacy srsName."""

from __future__ import annotations

from pathlib import Path

import pytest

from clerk_app.integrations.egib.gml_reader import WfsParcelReader
from clerk_app.integrations.egib.records import ParcelRecord

FIXTURES = Path(__file__).parent / "fixtures"


def _parcels(name: str) -> tuple[WfsParcelReader, list[ParcelRecord]]:
    reader = WfsParcelReader(FIXTURES / name)
    records = [r for r in reader if isinstance(r, ParcelRecord)]
    return reader, records


def test_wfs_attributes_in_any_letter_case() -> None:
    reader, parcels = _parcels("wfs_dzialki_pl2000.gml")

    assert reader.summary.read == 2
    first, second = parcels
    assert first.parcel_id == "126103_9.0008.3/9"
    assert first.number == "3/9"
    assert first.precinct_code == "126103_9.0008"
    assert first.precinct_name == "Podgórze"
    assert first.commune_name == "Kraków-Podgórze"
    assert first.area_ha == pytest.approx(0.4)  # decimal comma in the source
    assert first.land_register_number is None  # empty element means "no value"
    assert first.sheet is None
    assert first.source_epsg == 2178
    # 80 x 50 m in PL-2000.
    assert first.geometry.area == pytest.approx(4_000.0, rel=0.005)

    assert second.parcel_id == "126103_9.0008.4"
    assert second.sheet == "AR_2"
    assert second.geometry.area == pytest.approx(600.0, rel=0.005)


def test_pl2000_and_pl1992_files_of_one_parcel_give_the_same_geometry() -> None:
    _, from_pl2000 = _parcels("wfs_dzialki_pl2000.gml")
    _, from_pl1992 = _parcels("wfs_dzialki_pl1992.gml")

    a, b = from_pl2000[0].geometry, from_pl1992[0].geometry
    assert from_pl1992[0].source_epsg == 2180
    assert a.symmetric_difference(b).area < 1.0  # m², against a 4000 m² parcel
    assert a.centroid.distance(b.centroid) < 0.01
    # Working CRS is easting first: Kraków lies near E 573 km, N 241 km in PL-1992.
    minx, miny, _, _ = a.bounds
    assert 500_000 < minx < 650_000
    assert 200_000 < miny < 300_000


def test_easting_first_server_output_is_detected_and_counted() -> None:
    reader, parcels = _parcels("wfs_dzialki_easting_first.gml")
    _, reference = _parcels("wfs_dzialki_pl2000.gml")

    assert reader.summary.axis_swapped == 1
    # srsName only on the collection's Envelope, in the legacy "EPSG:2178" form.
    assert parcels[0].source_epsg == 2178
    assert parcels[0].geometry.symmetric_difference(reference[0].geometry).area < 1.0
