"""Plan zones: APP 2.0 general plan zones, and local plan layers from GeoJSON or GML."""

from __future__ import annotations

from pathlib import Path

import pytest

from clerk_app.integrations.egib.errors import GmlImportError
from clerk_app.integrations.egib.plan_zones import (
    AppZoneReader,
    GeoJsonZoneReader,
    GmlZoneLayerReader,
)
from clerk_app.integrations.egib.records import PlanActRecord, PlanZoneRecord

FIXTURES = Path(__file__).parent / "fixtures"


def test_app_2_0_zones_with_plan_limits_and_act() -> None:
    reader = AppZoneReader(FIXTURES / "app_2_0_zones.gml")
    records = list(reader)
    zones = [r for r in records if isinstance(r, PlanZoneRecord)]
    (act,) = [r for r in records if isinstance(r, PlanActRecord)]

    assert reader.summary.schema == "app-2.0"
    assert reader.summary.read == 2
    assert act.title == "Plan ogólny gminy Testowej"
    assert act.plan_type == "plan ogólny gminy"
    assert act.boundary is not None
    assert act.boundary.area == pytest.approx(1_400_000.0, rel=0.005)

    sj, su = zones
    assert (sj.designation, sj.symbol) == ("1SJ", "SJ")
    assert sj.name == "strefa wielofunkcyjna z zabudową mieszkaniową jednorodzinną"
    assert sj.profiles == ("teren zabudowy mieszkaniowej jednorodzinnej", "teren usług")
    assert sj.plan_id == act.plan_id == "PL.ZIPPZP.9999/121201-POG"
    assert sj.plan_name == "Plan ogólny gminy Testowej"
    assert sj.max_above_ground_intensity == pytest.approx(0.9)
    assert sj.max_built_up_share == pytest.approx(30.1)
    assert sj.max_height_m == pytest.approx(12.5)
    assert sj.min_biologically_active_share == pytest.approx(40.0)
    assert sj.geometry.area == pytest.approx(500_000.0, rel=0.005)  # 1000 x 500 m
    assert (su.designation, su.symbol, su.name) == ("2SU", "SU", "strefa usługowa")
    assert su.geometry.area == pytest.approx(120_000.0, rel=0.005)  # 400 x 300 m
    assert su.max_height_m is None
    assert act.boundary.contains(sj.geometry.buffer(-1))


def test_app_plan_name_can_be_given_when_the_act_is_elsewhere(tmp_path: Path) -> None:
    text = (FIXTURES / "app_2_0_zones.gml").read_text(encoding="utf-8")
    start = text.index("<wfs:member>")
    end = text.index("</wfs:member>") + len("</wfs:member>")
    zones_only = tmp_path / "strefy.gml"
    zones_only.write_text(text[:start] + text[end:], encoding="utf-8")

    zones = list(AppZoneReader(zones_only, plan_id="POG-1", plan_name="Plan ogólny"))

    assert [z.symbol for z in zones if isinstance(z, PlanZoneRecord)] == ["SJ", "SU"]
    assert {(z.plan_id, z.plan_name) for z in zones} == {("POG-1", "Plan ogólny")}


def test_geojson_local_plan_zones_with_configurable_symbol_attribute() -> None:
    reader = GeoJsonZoneReader(FIXTURES / "mpzp_zones.geojson", symbol_attribute="przeznaczenie")
    zones = list(reader)

    assert [(z.designation, z.symbol) for z in zones] == [("3MN/U", "MN/U"), ("12KDL", "KDL")]
    assert zones[0].geometry.area == pytest.approx(20_000.0)
    assert zones[1].geometry.area == pytest.approx(3_000.0)  # two parts: 2000 + 1000 m²
    assert zones[0].source_epsg == 2180
    assert reader.summary.read == 2
    (rejected,) = reader.summary.rejected
    assert rejected.feature == "z3"
    assert "przeznaczenie" in rejected.reason


def test_geojson_without_crs_is_wgs84_lon_lat(tmp_path: Path) -> None:
    layer = tmp_path / "wgs84.geojson"
    layer.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        '{"symbol": "1ZP"}, "geometry": {"type": "Polygon", "coordinates": '
        "[[[19.90, 50.05], [19.91, 50.05], [19.91, 50.06], [19.90, 50.06], [19.90, 50.05]]]}}]}",
        encoding="utf-8",
    )
    (zone,) = list(GeoJsonZoneReader(layer, symbol_attribute="SYMBOL"))

    assert zone.symbol == "ZP"
    assert zone.source_epsg == 4326
    minx, miny, _, _ = zone.geometry.bounds
    assert 560_000 < minx < 570_000 and 240_000 < miny < 250_000  # Kraków in PL-1992
    # 0.01° x 0.01° at 50° N is about 715 m x 1112 m.
    assert zone.geometry.area == pytest.approx(715 * 1112, rel=0.02)


def test_gml_local_plan_layer_with_symbol_attribute(tmp_path: Path) -> None:
    layer = tmp_path / "mpzp.gml"
    layer.write_text(
        """<?xml version="1.0" encoding="UTF-8"?>
<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0"
  xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:m="http://example.invalid/mpzp">
 <wfs:member><m:tereny gml:id="t1">
  <m:geom><gml:Polygon srsName="urn:ogc:def:crs:EPSG::2180"><gml:exterior><gml:LinearRing>
   <gml:posList>241000 573000 241000 573100 241050 573100 241050 573000 241000 573000</gml:posList>
  </gml:LinearRing></gml:exterior></gml:Polygon></m:geom>
  <m:Oznaczenie>1MW</m:Oznaczenie>
 </m:tereny></wfs:member>
 <wfs:member><m:tereny gml:id="t2">
  <m:geom><gml:Polygon srsName="urn:ogc:def:crs:EPSG::2180"><gml:exterior><gml:LinearRing>
   <gml:posList>241000 573100 241000 573110 241050 573110 241050 573100 241000 573100</gml:posList>
  </gml:LinearRing></gml:exterior></gml:Polygon></m:geom>
  <m:OZNACZENIE></m:OZNACZENIE>
 </m:tereny></wfs:member>
</wfs:FeatureCollection>""",
        encoding="utf-8",
    )
    reader = GmlZoneLayerReader(layer, symbol_attribute="oznaczenie", plan_name="MPZP Centrum")
    zones = list(reader)

    assert [(z.zone_id, z.designation, z.symbol) for z in zones] == [("t1", "1MW", "MW")]
    assert zones[0].geometry.area == pytest.approx(5_000.0)
    assert zones[0].plan_name == "MPZP Centrum"
    assert [r.feature for r in reader.summary.rejected] == ["t2"]


def test_zone_layer_without_the_symbol_attribute_is_refused() -> None:
    with pytest.raises(GmlImportError, match="atrybutu symbolu strefy „kolor”"):
        list(GeoJsonZoneReader(FIXTURES / "mpzp_zones.geojson", symbol_attribute="kolor"))
