"""Importing EGiB, county WFS and plan-zone files into the store: counts, areas, re-import,
failures that leave nothing behind, cancel, permissions."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from clerk_app.errors import PermissionDenied, ValidationError
from clerk_app.models import AuditEvent, ImportBatch, Parcel, PlanZone, Role
from clerk_app.services.app_context import AppContext
from clerk_app.services.parcel_import import (
    ImportCancelledByUser,
    ImportFailed,
    ParcelImporter,
    detect_kind,
)
from clerk_app.services.parcel_store import ParcelStore
from clerk_app.services.users import CurrentUser, UserService

FIXTURES = Path(__file__).parents[1] / "integrations" / "egib" / "fixtures"
# PL-2000 -> PL-1992 changes areas by the projections' scale difference (< 0.5 %).
AREA_TOLERANCE = 0.005


@pytest.fixture
def admin(ctx: AppContext) -> CurrentUser:
    return UserService(ctx.db).os_account_user("tomasz")


@pytest.fixture
def importer(ctx: AppContext, admin: CurrentUser) -> ParcelImporter:
    return ParcelImporter(ctx.db, admin)


def _count(ctx: AppContext, model: type[Parcel] | type[PlanZone] | type[ImportBatch]) -> int:
    with ctx.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_egib_2015_schema_import_with_areas_links_and_audit(
    ctx: AppContext, importer: ParcelImporter
) -> None:
    result = importer.import_file(FIXTURES / "egib_2015_schema.gml")

    assert (result.kind, result.schema) == ("egib", "egib-2015")
    assert (result.imported, result.updated, result.rejected_count) == (2, 0, 0)
    assert result.total_area_ha == pytest.approx(0.59)
    parcel = ParcelStore(ctx.db).get("221101_1.0001.138/28")
    assert parcel is not None
    assert parcel.summary.precinct_name == "Testowo"
    assert parcel.summary.area_ha == pytest.approx(0.5)
    assert parcel.geometry_area_ha == pytest.approx(0.5, rel=AREA_TOLERANCE)
    assert parcel.land_use == (("RIVa", 0.5),)
    assert parcel.addresses == ("ulica Polna 7, Testowo",)
    # The land register number is stored but only flagged, never part of plain results.
    assert parcel.has_sensitive
    assert "GD1A" not in repr(parcel)
    with ctx.db.session() as session:
        batch = session.get(ImportBatch, result.batch_id)
        assert batch is not None
        assert (batch.status, batch.imported, batch.kind) == ("done", 2, "egib")
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "parcels_import"))
        assert event is not None and event.object_id == str(result.batch_id)


def test_egib_2021_schema_import_rejects_repairs_and_skips_archival(
    ctx: AppContext, importer: ParcelImporter
) -> None:
    result = importer.import_file(FIXTURES / "egib_2021_schema.gml")

    assert result.schema == "egib-2021"
    assert (result.imported, result.repaired, result.skipped_archival) == (2, 1, 1)
    (rejected,) = result.rejected
    assert rejected.feature == "061304_5.0012.811" and "geometrii" in rejected.reason
    store = ParcelStore(ctx.db)
    sheet_parcel = store.get("061304_5.0012.AR_3.809/1")
    assert sheet_parcel is not None
    assert (sheet_parcel.summary.sheet, sheet_parcel.summary.number) == ("3", "809/1")
    assert sheet_parcel.summary.unit_name == "Testowa - obszar wiejski"
    assert sheet_parcel.land_use == (("RIIIa", 1.5), ("LsIV", 0.5))
    bow_tie = store.get("061304_5.0012.810/3")
    assert bow_tie is not None and bow_tie.geometry.is_valid
    assert bow_tie.geometry.area == pytest.approx(5_000.0)
    with ctx.db.session() as session:
        batch = session.get(ImportBatch, result.batch_id)
        assert batch is not None and batch.rejected == 1
        assert json.loads(batch.report)[0]["feature"] == "061304_5.0012.811"


def test_wfs_import_in_pl2000_then_reimport_in_pl1992_updates_in_place(
    ctx: AppContext, importer: ParcelImporter
) -> None:
    first = importer.import_file(FIXTURES / "wfs_dzialki_pl2000.gml")
    assert (first.kind, first.imported, first.updated) == ("wfs", 2, 0)
    store = ParcelStore(ctx.db)
    before = store.get("126103_9.0008.3/9")
    assert before is not None
    assert before.summary.precinct_name == "Podgórze"
    assert before.summary.unit_name == "Kraków-Podgórze"
    assert before.geometry.area == pytest.approx(4_000.0, rel=AREA_TOLERANCE)
    assert 500_000 < before.bbox[0] < 650_000 and 200_000 < before.bbox[1] < 300_000

    again = importer.import_file(FIXTURES / "wfs_dzialki_pl1992.gml")

    assert (again.imported, again.updated) == (0, 1)
    assert _count(ctx, Parcel) == 2
    after = store.get("126103_9.0008.3/9")
    assert after is not None
    assert after.batch_id == again.batch_id
    assert after.geometry.symmetric_difference(before.geometry).area < 1.0
    # The PL-1992 layer has no names: re-import keeps those the richer file brought.
    assert after.summary.precinct_name == "Podgórze"


def test_reimport_of_the_same_file_counts_updates_not_new_parcels(
    ctx: AppContext, importer: ParcelImporter
) -> None:
    importer.import_file(FIXTURES / "egib_2021_schema.gml")
    again = importer.import_file(FIXTURES / "egib_2021_schema.gml")
    assert (again.imported, again.updated) == (0, 2)
    assert _count(ctx, Parcel) == 2


def test_app_zones_and_geojson_zones_import_and_reimport(
    ctx: AppContext, importer: ParcelImporter
) -> None:
    app = importer.import_file(FIXTURES / "app_2_0_zones.gml")
    assert (app.kind, app.schema, app.imported) == ("app_zones", "app-2.0", 2)
    geojson = importer.import_file(
        FIXTURES / "mpzp_zones.geojson", symbol_attribute="PRZEZNACZENIE", plan_id="XII/100/2019"
    )
    assert (geojson.kind, geojson.imported, geojson.rejected_count) == ("zones", 2, 1)
    with ctx.db.session() as session:
        zones = {z.symbol: z for z in session.scalars(select(PlanZone))}
    assert set(zones) == {"1SJ", "2SU", "3MN/U", "12KDL"}
    assert zones["1SJ"].plan_name == "Plan ogólny gminy Testowej"
    assert zones["1SJ"].designation.startswith("strefa wielofunkcyjna")
    assert "12,5 m" in zones["1SJ"].provisions
    assert zones["3MN/U"].plan_id == "XII/100/2019"

    again = importer.import_file(
        FIXTURES / "mpzp_zones.geojson", symbol_attribute="PRZEZNACZENIE", plan_id="XII/100/2019"
    )
    assert (again.imported, again.updated) == (0, 2)
    assert _count(ctx, PlanZone) == 4


def test_truncated_file_leaves_no_parcels_and_records_the_failure(
    ctx: AppContext, importer: ParcelImporter, tmp_path: Path
) -> None:
    text = (FIXTURES / "egib_2021_schema.gml").read_text(encoding="utf-8")
    broken = tmp_path / "truncated.gml"
    # Cut after the first parcel: the reader has already yielded records when it fails.
    cut = text.index("</gml:featureMember>", text.index("EGB_DzialkaEwidencyjna")) + 40
    broken.write_text(text[:cut], encoding="utf-8")

    with pytest.raises(ImportFailed, match=r"truncated\.gml"):
        importer.import_file(broken, kind="egib")

    assert _count(ctx, Parcel) == 0
    with ctx.db.session() as session:
        batches = list(session.scalars(select(ImportBatch)))
    assert [(b.status, b.imported) for b in batches] == [("failed", 0)]


def test_cancel_rolls_back_everything(
    ctx: AppContext, importer: ParcelImporter, tmp_path: Path
) -> None:
    from clerk_app.integrations.egib.synthetic import write_synthetic_egib

    big = write_synthetic_egib(tmp_path / "big.gml", 3_000)
    calls = {"n": 0}

    def cancel() -> bool:
        calls["n"] += 1
        return calls["n"] > 3  # after some parcels are already written

    with pytest.raises(ImportCancelledByUser):
        importer.import_file(big.path, cancel=cancel)
    assert _count(ctx, Parcel) == 0
    with ctx.db.session() as session:
        assert [b.status for b in session.scalars(select(ImportBatch))] == ["cancelled"]


def test_synthetic_file_counts_area_and_progress(
    ctx: AppContext, importer: ParcelImporter, tmp_path: Path
) -> None:
    from clerk_app.integrations.egib.synthetic import write_synthetic_egib

    made = write_synthetic_egib(tmp_path / "syn.gml", 1_200)
    seen: list[tuple[int, int]] = []
    result = importer.import_file(
        made.path, progress=lambda done, total: seen.append((done, total))
    )
    assert result.imported == 1_200
    assert result.total_area_ha == pytest.approx(made.total_area_ha, rel=1e-6)
    assert seen and seen[-1][0] == seen[-1][1]
    parcel = ParcelStore(ctx.db).get("146501_1.0001.1")
    assert parcel is not None and parcel.summary.precinct_name == "Obręb 1"


def test_not_egib_file_is_refused_with_a_clear_message(
    ctx: AppContext, importer: ParcelImporter, tmp_path: Path
) -> None:
    other = tmp_path / "other.gml"
    other.write_text('<?xml version="1.0"?><root><a>1</a></root>', encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"Nie rozpoznano rodzaju pliku other\.gml"):
        detect_kind(other)
    with pytest.raises(ImportFailed, match="nie jest kolekcja obiektów GML"):
        importer.import_file(other, kind="egib")
    assert _count(ctx, Parcel) == 0


def test_zone_layer_needs_its_symbol_attribute(importer: ParcelImporter) -> None:
    with pytest.raises(ValidationError, match="Atrybut symbolu strefy"):
        importer.import_file(FIXTURES / "mpzp_zones.geojson")


def test_registry_clerk_may_not_import(ctx: AppContext) -> None:
    clerk = UserService(ctx.db).create_user("anna", "Anna", [Role.REGISTRY_CLERK])
    with pytest.raises(PermissionDenied):
        ParcelImporter(ctx.db, clerk).import_file(FIXTURES / "egib_2015_schema.gml")
    assert _count(ctx, Parcel) == 0


def test_the_spatial_index_covers_imported_parcels_and_survives_a_failed_import(
    ctx: AppContext, importer: ParcelImporter, admin: CurrentUser, tmp_path: Path
) -> None:
    # On SQLite the import fills the R*Tree in one statement instead of per-row triggers;
    # the trigger must be back afterwards, also when the import fails half-way.
    importer.import_file(FIXTURES / "egib_2021_owners.gml")
    store = ParcelStore(ctx.db)
    assert [p.parcel_id for p in store.at_point(500_025, 600_050)] == ["061304_5.0020.15/1"]
    truncated = tmp_path / "truncated.gml"
    text = (FIXTURES / "egib_2021_owners.gml").read_text(encoding="utf-8")
    truncated.write_text(text.replace("15/1", "99").replace("15/2", "98")[: len(text) // 2])
    with pytest.raises(ImportFailed):
        importer.import_file(truncated)
    assert _count(ctx, Parcel) == 3
    # A later single write (ULDK save, ORM) must still reach the spatial index.
    with ctx.db.session(write=True) as session:
        template = session.scalar(select(Parcel).where(Parcel.parcel_id == "061304_5.0020.16"))
        assert template is not None
        session.add(
            Parcel(
                parcel_id="061304_5.0020.17",
                unit_code="061304_5",
                precinct_code="0020",
                number="17",
                geometry_wkb=template.geometry_wkb,
                minx=template.minx,
                miny=template.miny,
                maxx=template.maxx,
                maxy=template.maxy,
            )
        )
    found = {p.parcel_id for p in store.in_bbox((500_210, 600_010, 500_240, 600_090))}
    assert found == {"061304_5.0020.16", "061304_5.0020.17"}


def test_import_hands_back_the_connection_and_collector_as_it_found_them(
    ctx: AppContext, importer: ParcelImporter, tmp_path: Path
) -> None:
    # The import parks older objects outside the cyclic GC and, on SQLite, enlarges the page
    # cache of its connection; both must be undone, also when the import fails half-way.
    def cache_size() -> int:
        with ctx.db.session() as session:
            return int(session.connection().exec_driver_sql("PRAGMA cache_size").scalar() or 0)

    sqlite = ctx.db.engine.dialect.name == "sqlite"
    before = cache_size() if sqlite else 0
    importer.import_file(FIXTURES / "egib_2021_schema.gml")
    assert gc.get_freeze_count() == 0
    text = (FIXTURES / "egib_2015_schema.gml").read_text(encoding="utf-8")
    broken = tmp_path / "cut.gml"
    broken.write_text(text[: len(text) * 3 // 4], encoding="utf-8")
    with pytest.raises(ImportFailed):
        importer.import_file(broken, kind="egib")
    assert gc.get_freeze_count() == 0
    if sqlite:
        # One pooled connection served every session here, so it is the import's own.
        assert ctx.db.engine.pool.checkedin() == 1
        assert cache_size() == before


def test_bulk_insert_fills_left_out_columns_with_their_defaults(ctx: AppContext) -> None:
    from clerk_app.models.types import utc_now
    from clerk_app.services.parcel_bulk_insert import insert_parcels

    def row(number: str, **extra: object) -> dict[str, object]:
        return {
            "parcel_id": f"061304_5.0012.{number}",
            "unit_code": "061304_5",
            "precinct_code": "0012",
            "number": number,
            "geometry_wkb": b"\x01",
            "minx": 1.0,
            "miny": 2,  # an int: the float column's processor still applies
            "maxx": 3.0,
            "maxy": 4.0,
            "updated_at": utc_now(),
        } | extra

    with ctx.db.session(write=True) as session:
        # The first row decides the fast path; rows keyed differently take the slow one.
        insert_parcels(
            session.connection(),
            [row("1", unit_name="Gmina"), row("2"), row("3", county_name="Powiat")],
        )
    with ctx.db.session() as session:
        columns = (Parcel.number, Parcel.unit_name, Parcel.county_name, Parcel.miny)
        stored = session.execute(select(*columns, Parcel.land_use).order_by(Parcel.number)).all()
    assert [tuple(r) for r in stored] == [
        ("1", "Gmina", "", 2.0, "[]"),
        ("2", "", "", 2.0, "[]"),
        ("3", "", "Powiat", 2.0, "[]"),
    ]
