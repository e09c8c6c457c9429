"""EGiB GML in both schemas: counts, areas, links and per-feature problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from clerk_app.integrations.egib.gml_reader import EgibGmlReader, reference_key, split_parcel_id
from clerk_app.integrations.egib.records import (
    AddressRecord,
    CadastralUnitRecord,
    LandUse,
    LandUseRecord,
    ParcelRecord,
    PrecinctRecord,
    RegisterUnitRecord,
)

FIXTURES = Path(__file__).parent / "fixtures"
# PL-2000 -> PL-1992 changes areas by the difference of the projections' scale (< 0.5 %).
AREA_TOLERANCE = 0.005


def _read(name: str) -> tuple[EgibGmlReader, list[object]]:
    reader = EgibGmlReader(FIXTURES / name)
    return reader, list(reader)


def _parcels(records: list[object]) -> dict[str, ParcelRecord]:
    return {r.parcel_id: r for r in records if isinstance(r, ParcelRecord)}


def test_2015_schema_parcels_with_areas_links_and_side_objects() -> None:
    reader, records = _read("egib_2015_schema.gml")
    parcels = _parcels(records)

    assert sorted(parcels) == ["221101_1.0001.138/28", "221101_1.0001.741"]
    assert reader.summary.schema == "egib-2015"
    assert reader.summary.read == 2
    assert reader.summary.rejected == []

    first = parcels["221101_1.0001.138/28"]
    assert first.number == "138/28"
    assert first.precinct_code == "221101_1.0001"
    assert first.precinct_name == "Testowo"  # the precinct came earlier in the file
    assert first.area_ha == pytest.approx(0.5)
    assert first.geometry.area / 10_000 == pytest.approx(0.5, rel=AREA_TOLERANCE)
    assert first.source_epsg == 2177
    assert first.land_register_number == "GD1A/00012345/6"
    assert first.register_unit_ref == "jrg-17"
    assert first.land_use_refs == ("ku-1",)
    assert first.address_refs == ("adr-1",)
    assert first.local_id == "dz-a"

    # 40 x 25 m with a 10 x 10 m hole.
    second = parcels["221101_1.0001.741"]
    assert second.geometry.area / 10_000 == pytest.approx(0.09, rel=AREA_TOLERANCE)
    assert len(second.geometry.interiors) == 1
    assert second.land_use_refs == ("ku-2", "ku-3")

    # The referenced objects come out as records with matching keys.
    register = [r for r in records if isinstance(r, RegisterUnitRecord)]
    assert [(r.key, r.unit_number) for r in register] == [("jrg-17", "221101_1.0001.G17")]
    land_uses = [r for r in records if isinstance(r, LandUseRecord)]
    assert land_uses == [LandUseRecord("ku-1", LandUse("R", "R", "IVa", 0.5))]
    (address,) = [r for r in records if isinstance(r, AddressRecord)]
    assert (address.key, address.locality, address.house_number) == ("adr-1", "Testowo", "7")
    assert address.point is not None and first.geometry.contains(address.point)


def test_2021_schema_current_parcels_only_with_inline_land_use() -> None:
    reader, records = _read("egib_2021_schema.gml")
    parcels = _parcels(records)

    assert reader.summary.schema == "egib-2021"
    assert sorted(parcels) == ["061304_5.0012.810/3", "061304_5.0012.AR_3.809/1"]
    assert reader.summary.read == 2
    assert reader.summary.skipped_archival == 1  # the older version of 809/1

    parcel = parcels["061304_5.0012.AR_3.809/1"]
    assert parcel.sheet == "AR_3"
    assert parcel.number == "809/1"
    assert parcel.precinct_code == "061304_5.0012"
    assert parcel.precinct_name == "Krzewina"
    assert parcel.area_ha == pytest.approx(2.0)
    assert parcel.geometry.area / 10_000 == pytest.approx(2.0)  # already EPSG:2180
    # posList is northing first: 400000 N, 700000 E.
    assert parcel.geometry.bounds == pytest.approx((700_000, 400_000, 700_200, 400_100))
    assert parcel.land_uses == (
        LandUse("R", "R", "IIIa", 1.5),
        LandUse("Ls", "Ls", "IV", 0.5),
    )
    assert parcel.land_register_number == "KR1P/00054321/0"
    assert parcel.register_unit_ref == "jrg44"
    assert parcel.address_refs == ("adr9",)
    assert parcel.precinct_ref == "obr12"

    (precinct,) = [r for r in records if isinstance(r, PrecinctRecord)]
    assert (precinct.key, precinct.precinct_code, precinct.name) == (
        "obr12",
        "061304_5.0012",
        "Krzewina",
    )
    assert precinct.unit_ref == "jedn5"
    (unit,) = [r for r in records if isinstance(r, CadastralUnitRecord)]
    assert (unit.unit_code, unit.name) == ("061304_5", "Testowa - obszar wiejski")


def test_self_intersecting_boundary_is_repaired_and_counted() -> None:
    reader, records = _read("egib_2021_schema.gml")
    bow_tie = _parcels(records)["061304_5.0012.810/3"]

    assert bow_tie.repaired is True
    assert bow_tie.geometry.is_valid
    assert bow_tie.geometry.area == pytest.approx(5_000.0)  # two triangles of 50 x 100 m
    assert reader.summary.repaired == 1


def test_feature_without_geometry_is_rejected_with_reason_and_line() -> None:
    reader, _records = _read("egib_2021_schema.gml")

    (rejected,) = reader.summary.rejected
    assert rejected.feature == "061304_5.0012.811"
    assert "geometrii" in rejected.reason
    assert rejected.line is not None and rejected.line > 1


@pytest.mark.parametrize(
    ("href", "key"),
    [
        ("urn:pzgik:id:PL.PZGiK.1385.EGiB:827a0bfa-97bb:2011-04-04T11:31:45", "827a0bfa-97bb"),
        ("urn:pzgik:id:PL.PZGiK.1385.EGiB:827a0bfa-97bb", "827a0bfa-97bb"),
        ("PL.PZGiK.1004.EGiB_04022323-1610_2022-04-29T12-51-50", "04022323-1610"),
        ("#PL.PZGiK.1004.EGiB_obr12_2022-04-29T12-51-50", "obr12"),
        ("something-else", "something-else"),
    ],
)
def test_reference_keys_match_object_local_ids(href: str, key: str) -> None:
    assert reference_key(href) == key


@pytest.mark.parametrize(
    ("parcel_id", "parts"),
    [
        ("141201_1.0001.1867/2", ("141201_1.0001", None, "1867/2")),
        ("066301_1.0021.AR_10.5/1", ("066301_1.0021", "AR_10", "5/1")),
        ("146518_8.0108.27", ("146518_8.0108", None, "27")),
        ("bad", (None, None, "bad")),
    ],
)
def test_parcel_id_parts(parcel_id: str, parts: tuple[str | None, str | None, str]) -> None:
    assert split_parcel_id(parcel_id) == parts
