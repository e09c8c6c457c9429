"""The light read path (``Database.read`` + prepared statements), the address search that
scans the office's commune first and folds diacritics, and the importer's pending links kept
in a temporary table; on both databases."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
import shapely
from sqlalchemy import select, text

from clerk_app.models import Parcel
from clerk_app.models.types import utc_now
from clerk_app.services import parcel_import
from clerk_app.services.app_context import AppContext
from clerk_app.services.parcel_import import ParcelImporter
from clerk_app.services.parcel_store import MAX_CANDIDATES, ParcelStore, _address_like
from clerk_app.services.users import CurrentUser, UserService

FIXTURES = Path(__file__).parents[1] / "integrations" / "egib" / "fixtures"


@pytest.fixture
def admin(ctx: AppContext) -> CurrentUser:
    return UserService(ctx.db).os_account_user("tomasz")


def _add(ctx: AppContext, parcels: list[tuple[str, float, list[str]]]) -> None:
    """Store square parcels (id, easting, addresses) directly, 20 m apart on one row."""
    with ctx.db.session(write=True) as session:
        for pid, x, addresses in parcels:
            unit, precinct, number = pid.split(".")
            geometry = shapely.box(x, 500_000, x + 20, 500_020)
            session.add(
                Parcel(
                    parcel_id=pid,
                    unit_code=unit,
                    unit_name="",
                    precinct_code=precinct,
                    precinct_name="",
                    sheet="",
                    number=number,
                    area_ha=0.04,
                    land_use="[]",
                    addresses=json.dumps(addresses, ensure_ascii=False),
                    geometry_wkb=shapely.to_wkb(geometry),
                    minx=x,
                    miny=500_000,
                    maxx=x + 20,
                    maxy=500_020,
                    source="egib",
                    updated_at=utc_now(),
                )
            )


def _ids(summaries: object) -> list[str]:
    return [s.parcel_id for s in summaries]  # type: ignore[attr-defined]


def test_read_path_answers_like_the_session(ctx: AppContext) -> None:
    _add(ctx, [("141201_1.0001.1", 600_000, ["Polna 1, Mińsk"])])
    store = ParcelStore(ctx.db)
    details = store.get("141201_1.0001.1")
    assert details is not None
    # Result processors of the prepared statement still apply (an aware UTC datetime).
    assert isinstance(details.updated_at, datetime) and details.updated_at.tzinfo is not None
    assert details.addresses == ("Polna 1, Mińsk",)
    assert details.bbox == (600_000, 500_000, 600_020, 500_020)
    assert store.get("141201_1.0001.2") is None
    assert _ids(store.at_point(600_010, 500_010)) == ["141201_1.0001.1"]
    assert [s.parcel_id for s in store.in_bbox((599_990, 499_990, 600_030, 500_030))] == [
        "141201_1.0001.1"
    ]
    with ctx.db.read() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
    # A read never holds a write back (no open transaction is left behind).
    with ctx.db.session(write=True) as session:
        session.execute(select(Parcel.id)).all()
    assert store.count() == 1


def test_address_pattern_keeps_foldable_letters_as_wildcards() -> None:
    # "Łąkowa" folds to "lakowa": l, a, o and a may come from ł, ą, ó, ą in the store.
    assert _address_like(["Łąkowa"]) == "%__k_w_%"
    assert _address_like(["Lakowa"]) == "%__k_w_%"
    # The word with the most certain letters is chosen; LIKE wildcards typed are escaped.
    assert _address_like(["7", "Kwiatowa"]) == "%kw__t_w_%"
    assert _address_like(["5%"]) == "%5\\%%"


def test_address_search_folds_diacritics_and_lists_the_office_first(ctx: AppContext) -> None:
    _add(
        ctx,
        [
            ("022503_5.0003.10", 216_900, ["Łąkowa 5, Bogatynia"]),
            ("141201_1.0012.10", 600_000, ["Łąkowa 5, Mińsk Mazowiecki"]),
            ("141201_1.0012.11", 600_040, ["Łąkowa 15, Mińsk Mazowiecki"]),
            ("141201_1.0012.12", 600_080, []),
        ],
    )
    store = ParcelStore(ctx.db, office_unit="1412011")
    assert _ids(store.find_by_address("Lakowa 5")) == ["141201_1.0012.10", "022503_5.0003.10"]
    assert _ids(store.search("ul. ŁĄKOWA 5").candidates) == [
        "141201_1.0012.10",
        "022503_5.0003.10",
    ]
    assert _ids(store.find_by_address("łąkowa 15")) == ["141201_1.0012.11"]
    assert _ids(store.find_by_address("Lakowa 5 Bogatynia")) == ["022503_5.0003.10"]
    assert store.find_by_address("Ląkowa 51") == []
    # Without an office commune every commune is searched in one pass.
    assert _ids(ParcelStore(ctx.db).find_by_address("Lakowa 5")) == [
        "022503_5.0003.10",
        "141201_1.0012.10",
    ]


def test_address_search_stops_in_the_office_commune_when_it_fills_the_list(
    ctx: AppContext,
) -> None:
    own = [(f"141201_1.0012.{n}", 600_000 + 40 * n, ["Polna 1, Mińsk"]) for n in range(1, 56)]
    _add(ctx, [("022503_5.0003.1", 216_900, ["Polna 1, Bogatynia"]), *own])
    store = ParcelStore(ctx.db, office_unit="141201_1")
    found = store.find_by_address("Polna 1")
    assert len(found) == MAX_CANDIDATES
    assert all(s.unit_code == "141201_1" for s in found)
    result = store.search("Polna 1")
    assert all(s.unit_code == "141201_1" for s in result.candidates)


@pytest.mark.parametrize("fixture", ["egib_2015_schema.gml", "egib_2021_schema.gml"])
def test_pending_links_resolve_across_chunks_through_the_temporary_table(
    ctx: AppContext, admin: CurrentUser, monkeypatch: pytest.MonkeyPatch, fixture: str
) -> None:
    """One parcel per chunk: links to objects later in the file wait in the temporary table."""
    importer = ParcelImporter(ctx.db, admin)
    store = ParcelStore(ctx.db)
    importer.import_file(FIXTURES / fixture)
    expected = {pid: store.get(pid) for pid in _all_ids(ctx)}
    with ctx.db.session(write=True) as session:
        session.execute(Parcel.__table__.delete())
    monkeypatch.setattr(parcel_import, "CHUNK", 1)
    result = importer.import_file(FIXTURES / fixture)
    assert result.imported == len(expected)
    for pid, before in expected.items():
        after = store.get(pid)
        assert before is not None and after is not None
        assert (after.summary.precinct_name, after.land_use, after.addresses) == (
            before.summary.precinct_name,
            before.land_use,
            before.addresses,
        )
        assert after.has_sensitive == before.has_sensitive
    # The temporary table went with the import; a second import on the same connection works.
    assert importer.import_file(FIXTURES / fixture).updated == len(expected)


def _all_ids(ctx: AppContext) -> list[str]:
    with ctx.db.session() as session:
        return list(session.scalars(select(Parcel.parcel_id).order_by(Parcel.parcel_id)))
