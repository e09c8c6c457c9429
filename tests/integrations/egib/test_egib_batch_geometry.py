"""Parcel outlines are finished a batch at a time: each parcel still gets its own geometry or its
own rejection, in file order, whatever else shares the batch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import shapely

from clerk_app.integrations.egib import feature_reader, surface_batch
from clerk_app.integrations.egib.crs import parse_srs_name
from clerk_app.integrations.egib.errors import FeatureRejected
from clerk_app.integrations.egib.gml_reader import EgibGmlReader
from clerk_app.integrations.egib.records import ParcelRecord

_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<gml:FeatureCollection gml:id="fc" xmlns:gml="http://www.opengis.net/gml/3.2"
 xmlns:xlink="http://www.w3.org/1999/xlink"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 xmlns:egb="urn:gugik:specyfikacje:gmlas:ewidencjaGruntowIBudynkow:1.0">
"""
_PARCEL = """<gml:featureMember><egb:EGB_DzialkaEwidencyjna gml:id="dz{n}">
<egb:idIIP><egb:EGB_IdentyfikatorIIP><egb:lokalnyId>dz{n}</egb:lokalnyId>
<egb:wersjaId>2024-01-01T00:00:00</egb:wersjaId></egb:EGB_IdentyfikatorIIP></egb:idIIP>
<egb:idDzialki>061304_5.0012.{n}</egb:idDzialki>
<egb:geometria>{geometry}</egb:geometria>
<egb:poleEwidencyjne uom="ha">0.5000</egb:poleEwidencyjne>
<egb:numerKW xsi:nil="true" nilReason="unknown">ignored</egb:numerKW>
</egb:EGB_DzialkaEwidencyjna></gml:featureMember>
"""
_OUTLINE = (
    '<gml:Polygon gml:id="g{n}" srsName="urn:ogc:def:crs:EPSG::{epsg}"><gml:exterior>'
    "<gml:LinearRing><gml:posList>{pos}</gml:posList></gml:LinearRing></gml:exterior>"
    "</gml:Polygon>"
)
_WITH_HOLE = (
    '<gml:Polygon gml:id="g{n}" srsName="urn:ogc:def:crs:EPSG::2180">'
    "<gml:exterior><gml:LinearRing><gml:posList>"
    "400000 700000 400000 700100 400100 700100 400100 700000 400000 700000"
    "</gml:posList></gml:LinearRing></gml:exterior>"
    "<gml:interior><gml:LinearRing><gml:posList>"
    "400010 700010 400020 700010 400020 700020 400010 700020 400010 700010"
    "</gml:posList></gml:LinearRing></gml:interior></gml:Polygon>"
)
# Northing first, as EPSG:2180 and 2177 demand: 100 m (easting) by 50 m (northing).
_PL1992 = "400000 700000 400000 700100 400050 700100 400050 700000 400000 700000"
_PL2000 = "6053400 6551900 6053400 6552000 6053450 6552000 6053450 6551900 6053400 6551900"
_PL2000_EASTING_FIRST = (
    "6551900 6053400 6552000 6053400 6552000 6053450 6551900 6053450 6551900 6053400"
)
_BOW_TIE = "400300 700000 400400 700100 400300 700100 400400 700000 400300 700000"
_CLOSED_TRIANGLE = "400000 700000 400050 700100 400000 700000"  # three points: no area
# (parcel number, its geometry): outlines in two CRSs, a hole, and six kinds of trouble.
_CASES = [
    ("1", _OUTLINE.format(n=1, epsg=2180, pos=_PL1992)),
    ("2", _OUTLINE.format(n=2, epsg=2177, pos=_PL2000)),
    ("3", _OUTLINE.format(n=3, epsg=2180, pos="400000 700000 400000")),
    ("4", _WITH_HOLE.format(n=4)),
    ("5", _OUTLINE.format(n=5, epsg=2180, pos=_PL1992.replace("700100", "nan", 1))),
    ("6", _OUTLINE.format(n=6, epsg=2177, pos=_PL2000_EASTING_FIRST)),
    ("7", _OUTLINE.format(n=7, epsg=2180, pos="100 100 100 200 200 200 100 100")),
    ("8", _OUTLINE.format(n=8, epsg=2180, pos=_CLOSED_TRIANGLE)),
    ("9", _OUTLINE.format(n=9, epsg=2180, pos=_BOW_TIE)),
    ("10", _OUTLINE.format(n=10, epsg=2180, pos=_PL1992)),
]


@pytest.fixture
def mixed_file(tmp_path: Path) -> Path:
    path = tmp_path / "mixed.gml"
    body = "".join(_PARCEL.format(n=n, geometry=geometry) for n, geometry in _CASES)
    path.write_text(_HEAD + body + "</gml:FeatureCollection>\n", encoding="utf-8")
    return path


def _read(path: Path) -> tuple[EgibGmlReader, dict[str, ParcelRecord]]:
    reader = EgibGmlReader(path)
    parcels = [r for r in reader if isinstance(r, ParcelRecord)]
    return reader, {p.number: p for p in parcels}


@pytest.mark.parametrize("batch_size", [256, 3, 1])
def test_each_parcel_of_a_mixed_batch_gets_its_own_geometry_or_reason(
    mixed_file: Path, batch_size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 256: all in one batch; 3 and 1: the same file across many batches.
    monkeypatch.setattr(feature_reader, "BATCH_SIZE", batch_size)
    reader, parcels = _read(mixed_file)

    assert list(parcels) == ["1", "2", "4", "6", "9", "10"]  # file order
    assert parcels["1"].geometry.bounds == pytest.approx((700_000, 400_000, 700_100, 400_050))
    assert parcels["10"].geometry.equals(parcels["1"].geometry)
    assert parcels["2"].source_epsg == 2177
    assert parcels["2"].geometry.area == pytest.approx(5_000, rel=0.005)  # reprojected
    assert len(parcels["4"].geometry.interiors) == 1
    assert parcels["4"].geometry.area == pytest.approx(100 * 100 - 10 * 10)
    assert parcels["6"].geometry.equals_exact(parcels["2"].geometry, tolerance=1e-6)
    assert parcels["9"].repaired and parcels["9"].geometry.is_valid
    assert not any(parcels[n].repaired for n in ("1", "2", "4", "6", "10"))
    assert (reader.summary.read, reader.summary.repaired, reader.summary.axis_swapped) == (6, 1, 1)

    rejected = reader.summary.rejected
    assert [(r.feature.rpartition(".")[2], r.reason) for r in rejected] == [
        ("3", "niepełna para współrzędnych w pierścieniu"),
        ("5", "niepoprawne liczby we współrzędnych"),
        ("7", "współrzędne poza obszarem Polski (100.00 100.00 w układzie EPSG:2180)"),
        ("8", "geometria nieprawidłowa i nie do naprawy (zerowa powierzchnia)"),
    ]
    lines = [r.line or 0 for r in rejected]
    assert lines == sorted(lines) and lines[0] > 1


def test_parcel_fields_are_read_with_their_geometry(mixed_file: Path) -> None:
    _reader, parcels = _read(mixed_file)

    first = parcels["1"]
    assert (first.parcel_id, first.precinct_code, first.sheet) == (
        "061304_5.0012.1",
        "061304_5.0012",
        None,
    )
    assert (first.local_id, first.version_id) == ("dz1", "2024-01-01T00:00:00")
    assert first.area_ha == pytest.approx(0.5)
    assert first.land_register_number is None  # xsi:nil wins over stray text
    assert first.line > 1


def test_a_ring_the_batch_cannot_build_costs_only_its_own_parcel(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GEOS refusing one ring fails the vectorised call for the whole batch; the batch then
    # builds its outlines one by one and only the bad one is rejected.
    real = shapely.linearrings

    def refuse_one_ring(coords: Any, indices: Any = None) -> Any:
        if indices is not None and len(set(indices.tolist())) > 1:
            raise shapely.errors.GEOSException("IllegalArgumentException: test")
        if len(coords) == 5 and coords[2][0] == 700_050:
            raise shapely.errors.GEOSException("IllegalArgumentException: bad ring")
        return real(coords, indices=indices)

    monkeypatch.setattr(surface_batch.shapely, "linearrings", refuse_one_ring)
    batch = surface_batch.SurfaceBatch()
    source = parse_srs_name("urn:ogc:def:crs:EPSG::2180")
    batch.add_outline(source, _PL1992.split())
    batch.add_outline(source, _PL1992.replace("700100", "700050").split())
    batch.add_outline(source, _BOW_TIE.split())

    good, bad, repaired = batch.finish()

    assert not isinstance(good, FeatureRejected) and good.geometry.area == 5_000
    assert isinstance(bad, FeatureRejected) and "nie można zbudować wielokąta" in str(bad)
    assert not isinstance(repaired, FeatureRejected) and repaired.repaired
