"""Hostile or wrong files end with a clear Polish GmlImportError naming the file (and line)."""

from __future__ import annotations

from pathlib import Path

import pytest

from clerk_app.integrations.egib.errors import GmlImportError
from clerk_app.integrations.egib.gml_reader import EgibGmlReader, WfsParcelReader
from clerk_app.integrations.egib.plan_zones import AppZoneReader, GeoJsonZoneReader

FIXTURES = Path(__file__).parent / "fixtures"


def _copy(tmp_path: Path, name: str, text: str) -> Path:
    target = tmp_path / name
    target.write_text(text, encoding="utf-8")
    return target


def _egib_2021() -> str:
    return (FIXTURES / "egib_2021_schema.gml").read_text(encoding="utf-8")


def test_doctype_is_rejected(tmp_path: Path) -> None:
    text = _egib_2021().replace(
        "<gml:FeatureCollection",
        '<!DOCTYPE gml:FeatureCollection [<!ENTITY x "boom">]>\n<gml:FeatureCollection',
        1,
    )
    path = _copy(tmp_path, "dtd.gml", text)

    with pytest.raises(GmlImportError, match="DOCTYPE") as caught:
        list(EgibGmlReader(path))
    assert caught.value.path == path
    assert "dtd.gml" in str(caught.value)


def test_doctype_after_a_long_comment_is_still_rejected(tmp_path: Path) -> None:
    # Beyond the first 64 KiB sniffed: lxml's docinfo check must catch it.
    padding = "<!--" + "x" * 70_000 + "-->\n"
    text = _egib_2021().replace(
        "<gml:FeatureCollection",
        padding + "<!DOCTYPE r SYSTEM 'http://x.invalid/r.dtd'>\n<gml:FeatureCollection",
        1,
    )
    text = text.replace('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n', "", 1)
    path = _copy(tmp_path, "late_dtd.gml", '<?xml version="1.0"?>\n' + text)

    with pytest.raises(GmlImportError, match="DOCTYPE"):
        list(EgibGmlReader(path))


def test_truncated_file_names_the_line(tmp_path: Path) -> None:
    text = _egib_2021()
    path = _copy(tmp_path, "cut.gml", text[: len(text) * 2 // 3])

    with pytest.raises(GmlImportError, match="uszkodzony lub niekompletny") as caught:
        list(EgibGmlReader(path))
    assert caught.value.line is not None and caught.value.line > 1


def test_gml_that_is_not_egib(tmp_path: Path) -> None:
    with pytest.raises(GmlImportError, match="to nie jest plik EGiB"):
        list(EgibGmlReader(FIXTURES / "app_2_0_zones.gml"))


def test_xml_that_is_not_a_feature_collection(tmp_path: Path) -> None:
    path = _copy(tmp_path, "invoice.xml", "<?xml version='1.0'?><faktura><poz>1</poz></faktura>")

    with pytest.raises(GmlImportError, match="FeatureCollection"):
        list(EgibGmlReader(path))


def test_not_xml_at_all(tmp_path: Path) -> None:
    path = tmp_path / "scan.gml"
    path.write_bytes(b"%PDF-1.7 binary")

    with pytest.raises(GmlImportError, match="to nie jest plik XML"):
        list(EgibGmlReader(path))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(GmlImportError, match="nie można otworzyć pliku"):
        list(EgibGmlReader(tmp_path / "brak.gml"))


def test_unknown_crs_stops_the_import_naming_the_feature(tmp_path: Path) -> None:
    text = _egib_2021().replace("urn:ogc:def:crs:EPSG::2180", "urn:ogc:def:crs:EPSG::999999")
    path = _copy(tmp_path, "crs.gml", text)

    with pytest.raises(GmlImportError, match="Nieznany układ współrzędnych") as caught:
        list(EgibGmlReader(path))
    assert caught.value.feature == "061304_5.0012.AR_3.809/1"
    assert caught.value.line is not None


def test_unparseable_srs_name(tmp_path: Path) -> None:
    text = _egib_2021().replace("urn:ogc:def:crs:EPSG::2180", "układ lokalny 1965")
    with pytest.raises(GmlImportError, match="układ lokalny 1965"):
        list(EgibGmlReader(_copy(tmp_path, "local.gml", text)))


def test_coordinates_outside_poland_reject_the_feature(tmp_path: Path) -> None:
    # Zone 6 numbers declared as zone 8 land in Belarus/Ukraine whichever axis comes first.
    text = (FIXTURES / "egib_2015_schema.gml").read_text(encoding="utf-8")
    text = text.replace(
        'gml:id="geom.a" srsName="urn:ogc:def:crs:EPSG::2177"',
        'gml:id="geom.a" srsName="urn:ogc:def:crs:EPSG::2179"',
    )
    reader = EgibGmlReader(_copy(tmp_path, "outside.gml", text))
    parcels = [r.parcel_id for r in reader if hasattr(r, "parcel_id")]

    assert parcels == ["221101_1.0001.741"]
    (rejected,) = reader.summary.rejected
    assert rejected.feature == "221101_1.0001.138/28"
    assert "poza obszarem Polski" in rejected.reason


def test_missing_srs_name_rejects_the_feature(tmp_path: Path) -> None:
    text = _egib_2021().replace(' srsName="urn:ogc:def:crs:EPSG::2180" srsDimension="2"', "")
    reader = EgibGmlReader(_copy(tmp_path, "nosrs.gml", text))
    list(reader)

    assert any("srsName" in r.reason for r in reader.summary.rejected)


def test_garbage_coordinates_reject_the_feature(tmp_path: Path) -> None:
    text = _egib_2021().replace("400000 700000 400000", "400000 siedemset 400000", 1)
    reader = EgibGmlReader(_copy(tmp_path, "nan.gml", text))
    list(reader)

    assert reader.summary.rejected[0].feature == "061304_5.0012.AR_3.809/1"
    assert "współrzędnych" in reader.summary.rejected[0].reason


def test_egib_file_is_not_a_wfs_parcel_layer() -> None:
    with pytest.raises(GmlImportError, match="dzialki"):
        list(WfsParcelReader(FIXTURES / "egib_2015_schema.gml"))


def test_app_reader_refuses_egib() -> None:
    with pytest.raises(GmlImportError, match="to nie jest plik APP"):
        list(AppZoneReader(FIXTURES / "egib_2015_schema.gml"))


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    with pytest.raises(GmlImportError, match="rozmiar"):
        list(EgibGmlReader(FIXTURES / "egib_2021_schema.gml", max_bytes=1_000))


def test_broken_geojson(tmp_path: Path) -> None:
    path = _copy(tmp_path, "broken.geojson", '{"type": "FeatureCollection", "features": [')
    with pytest.raises(GmlImportError, match="GeoJSON"):
        list(GeoJsonZoneReader(path, symbol_attribute="symbol"))
