"""The local store's look-ups on both databases: id, precinct + number (all sheets), precinct
names across communes, address, point (with the spatial index), neighbours, autocompletion,
sensitive data, ULDK check and save, and plan-zone shares."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import shapely
from sqlalchemy import select

from clerk_app.errors import PermissionDenied, ValidationError
from clerk_app.integrations.uldk import UldkClient
from clerk_app.integrations.uldk.fake_server import FakeParcel, FakeUldkServer
from clerk_app.models import AuditEvent, Parcel, ParcelOwner, Role
from clerk_app.services.app_context import AppContext
from clerk_app.services.parcel_import import ParcelImporter
from clerk_app.services.parcel_search_input import SearchKind
from clerk_app.services.parcel_store import ParcelStore, compare_with_uldk
from clerk_app.services.plan_zones import zone_shares, zones_for_parcel
from clerk_app.services.users import CurrentUser, UserService

Square = tuple[str, float, float, float, str, str, str]  # id, x, y, side, precinct, commune, KW


def wfs_gml(squares: list[Square]) -> str:
    """A county WFS layer in PL-1992, northing first, one square parcel per entry."""
    members = []
    for n, (pid, x, y, side, precinct, commune, kw) in enumerate(squares):
        ring = [(x, y), (x + side, y), (x + side, y + side), (x, y + side), (x, y)]
        pos = " ".join(f"{b} {a}" for a, b in ring)
        members.append(
            f"""<wfs:member><ms:dzialki gml:id="d{n}">
<ms:geom><gml:Polygon srsName="urn:ogc:def:crs:EPSG::2180"><gml:exterior><gml:LinearRing>
<gml:posList>{pos}</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ms:geom>
<ms:ID_DZIALKI>{pid}</ms:ID_DZIALKI><ms:NAZWA_OBREBU>{precinct}</ms:NAZWA_OBREBU>
<ms:NAZWA_GMINY>{commune}</ms:NAZWA_GMINY>
<ms:POLE_EWIDENCYJNE>{side * side / 10000}</ms:POLE_EWIDENCYJNE>
<ms:KW>{kw}</ms:KW></ms:dzialki></wfs:member>"""
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<wfs:FeatureCollection xmlns:ms="http://mapserver.gis.umn.edu/mapserver" '
        'xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:wfs="http://www.opengis.net/wfs/2.0">\n'
        + "\n".join(members)
        + "\n</wfs:FeatureCollection>\n"
    )


SQUARES: list[Square] = [
    # A row of three 100 m squares in precinct 0012 of the office's commune.
    ("141201_1.0012.3/4", 600_000, 500_000, 100, "Centrum", "Mińsk Mazowiecki", "WA1M/00000001/1"),
    ("141201_1.0012.3/5", 600_100, 500_000, 100, "Centrum", "Mińsk Mazowiecki", ""),
    ("141201_1.0012.7", 600_200, 500_000, 100, "Centrum", "Mińsk Mazowiecki", ""),
    # Numbering restarts per sheet: 5 on sheets 1 and 2.
    ("141201_1.0013.AR_1.5", 601_000, 500_000, 50, "Zachód", "Mińsk Mazowiecki", ""),
    ("141201_1.0013.AR_2.5", 601_100, 500_000, 50, "Zachód", "Mińsk Mazowiecki", ""),
    # One precinct name in two communes.
    ("022503_5.0003.134", 216_900, 358_200, 40, "Krzewina", "Bogatynia", ""),
    ("301903_2.0007.134", 357_150, 582_000, 40, "Krzewina", "Kaczory", ""),
]
ZONES = {
    "type": "FeatureCollection",
    "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2180"}},
    "features": [
        {
            "type": "Feature",
            "id": "mn",
            "properties": {"SYMBOL": "2MN"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [
                        [599_950, 499_950],
                        [600_160, 499_950],
                        [600_160, 500_150],
                        [599_950, 500_150],
                        [599_950, 499_950],
                    ]
                ],
            },
        },
        {
            "type": "Feature",
            "id": "kdl",
            "properties": {"SYMBOL": "1KDL"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [
                        [600_160, 499_950],
                        [600_400, 499_950],
                        [600_400, 500_150],
                        [600_160, 500_150],
                        [600_160, 499_950],
                    ]
                ],
            },
        },
    ],
}


@pytest.fixture
def planner(ctx: AppContext) -> CurrentUser:
    return UserService(ctx.db).create_user("marek", "Marek Planista", [Role.PLANNER])


@pytest.fixture
def store(ctx: AppContext, planner: CurrentUser, tmp_path: Path) -> ParcelStore:
    layer = tmp_path / "dzialki.gml"
    layer.write_text(wfs_gml(SQUARES), encoding="utf-8")
    zones = tmp_path / "strefy.geojson"
    zones.write_text(json.dumps(ZONES), encoding="utf-8")
    importer = ParcelImporter(ctx.db, planner)
    importer.import_file(layer)
    importer.import_file(zones, symbol_attribute="SYMBOL", plan_id="MPZP-1")
    return ParcelStore(ctx.db, office_unit="1412011")


def _ids(summaries: object) -> list[str]:
    return [s.parcel_id for s in summaries]  # type: ignore[attr-defined]


def test_full_id_typed_loosely_finds_the_parcel(store: ParcelStore) -> None:
    result = store.search("141201 1 . 12 . 3/4")
    assert result.input.kind is SearchKind.PARCEL_ID
    assert _ids(result.candidates) == ["141201_1.0012.3/4"]
    (only,) = result.candidates
    assert only.commune_label == "gm. Mińsk Mazowiecki"
    assert only.area_ha == pytest.approx(1.0)


def test_precinct_and_number_resolve_in_the_office_commune(store: ParcelStore) -> None:
    assert _ids(store.search("0012 3/4").candidates) == ["141201_1.0012.3/4"]
    assert _ids(store.search("12 7").candidates) == ["141201_1.0012.7"]


def test_number_on_several_sheets_lists_every_candidate(store: ParcelStore) -> None:
    both = ["141201_1.0013.AR_1.5", "141201_1.0013.AR_2.5"]
    assert _ids(store.search("13 5").candidates) == both
    # Even a full id typed without its sheet must not pick one silently.
    assert _ids(store.search("141201_1.0013.5").candidates) == both
    assert _ids(store.search("13 AR_2 5").candidates) == ["141201_1.0013.AR_2.5"]


def test_repeated_precinct_name_lists_both_communes(store: ParcelStore) -> None:
    result = store.search("krzewina 134")
    assert result.input.kind is SearchKind.NAME_NUMBER
    assert {c.commune_label for c in result.candidates} == {"gm. Bogatynia", "gm. Kaczory"}


def test_point_in_pl1992_either_order_and_on_a_shared_boundary(store: ParcelStore) -> None:
    # Geodetic order (X = northing first), as printed on Polish maps.
    assert _ids(store.search("500050 600050").candidates) == ["141201_1.0012.3/4"]
    assert _ids(store.search("600050 500050").candidates) == ["141201_1.0012.3/4"]
    on_edge = store.at_point(600_100, 500_050)
    assert _ids(on_edge) == ["141201_1.0012.3/4", "141201_1.0012.3/5"]
    assert store.at_point(600_050, 499_000) == []


def test_point_outside_poland_is_a_clear_error(store: ParcelStore) -> None:
    with pytest.raises(ValidationError, match="poza Polską"):
        store.search("10.5 10.5")


def test_unknown_parcel_says_so(store: ParcelStore) -> None:
    result = store.search("0099 1")
    assert result.candidates == ()
    assert "Nie znaleziono" in result.message


def test_neighbours_are_the_touching_parcels(store: ParcelStore) -> None:
    assert _ids(store.neighbours("141201_1.0012.3/5")) == ["141201_1.0012.3/4", "141201_1.0012.7"]
    assert _ids(store.neighbours("141201_1.0012.3/4")) == ["141201_1.0012.3/5"]


def test_autocompletion_from_ids_and_precinct_names(store: ParcelStore) -> None:
    assert store.autocomplete("141201_1.0012.") == [
        "141201_1.0012.3/4",
        "141201_1.0012.3/5",
        "141201_1.0012.7",
    ]
    assert store.autocomplete("1412011.0013") == [
        "141201_1.0013.AR_1.5",
        "141201_1.0013.AR_2.5",
    ]
    assert store.autocomplete("krz") == ["Krzewina"]
    assert store.autocomplete("z") == []


def test_zone_shares_of_a_parcel(ctx: AppContext, store: ParcelStore) -> None:
    whole = zones_for_parcel(ctx.db, "141201_1.0012.3/4")
    assert [(z.symbol, round(z.share, 4)) for z in whole.zones] == [("2MN", 1.0)]
    split = zones_for_parcel(ctx.db, "141201_1.0012.3/5")
    assert [(z.symbol, round(z.share, 4)) for z in split.zones] == [("2MN", 0.6), ("1KDL", 0.4)]
    assert split.zones[0].percent_label == "60,0 %"
    assert split.uncovered_share == pytest.approx(0.0)
    assert split.parcel_area_m2 == pytest.approx(10_000.0)


def test_zone_shares_drop_slivers_and_report_uncovered_part() -> None:
    from clerk_app.services.parcel_store import ZoneShape

    parcel = shapely.to_wkb(shapely.box(0, 0, 100, 100))
    zones = [
        ZoneShape("a", "1U", "", "p", "", "", shapely.to_wkb(shapely.box(-10, -10, 50, 110))),
        ZoneShape("b", "2R", "", "p", "", "", shapely.to_wkb(shapely.box(99.99, 0, 200, 100))),
    ]
    shares, uncovered = zone_shares(parcel, zones)
    assert [(s.symbol, s.share) for s in shares] == [("1U", pytest.approx(0.5))]
    assert uncovered == pytest.approx(0.5)


def test_sensitive_data_needs_a_role_and_every_view_is_audited(
    ctx: AppContext, store: ParcelStore, planner: CurrentUser
) -> None:
    details = store.get("141201_1.0012.3/4")
    assert details is not None and details.has_sensitive
    with ctx.db.session(write=True) as session:
        pk = session.scalar(select(Parcel.id).where(Parcel.parcel_id == "141201_1.0012.3/4"))
        assert pk is not None
        session.add(ParcelOwner(parcel_pk=pk, name="Jan Kowalski", share="1/1", address="Polna 1"))

    seen = store.sensitive(planner, "141201_1.0012.3/4")
    assert seen.land_register_no == "WA1M/00000001/1"
    assert [o.name for o in seen.owners] == ["Jan Kowalski"]

    clerk = UserService(ctx.db).create_user("anna", "Anna", [Role.REGISTRY_CLERK])
    with pytest.raises(PermissionDenied):
        store.sensitive(clerk, "141201_1.0012.3/4")
    with ctx.db.session() as session:
        events = [
            (e.user_login, e.action)
            for e in session.scalars(
                select(AuditEvent).where(AuditEvent.object_id == "141201_1.0012.3/4")
            )
        ]
    # Owners are personal data: the view is logged as one.
    assert events == [("marek", "view_personal_data"), ("anna", "permission_denied")]


@pytest.fixture
def uldk() -> Iterator[tuple[FakeUldkServer, UldkClient]]:
    parcels = [
        # Same as the local one but shifted 2 m east and in another precinct name.
        FakeParcel(
            "141201_1.0012.3/4",
            "Centrum Nowe",
            "Mińsk Mazowiecki",
            "miński",
            "mazowieckie",
            "POLYGON((600002 500000,600102 500000,600102 500100,600002 500100,600002 500000))",
        ),
        FakeParcel(
            "141201_1.0012.9",
            "Centrum",
            "Mińsk Mazowiecki",
            "miński",
            "mazowieckie",
            "POLYGON((600300 500000,600400 500000,600400 500100,600300 500000))",
        ),
    ]
    with FakeUldkServer(parcels) as server:
        client = UldkClient(server.url, requests_per_second=1000.0, burst=1000)
        yield server, client
        client.close()


def test_check_online_shows_differences_and_save_updates_the_store(
    ctx: AppContext,
    store: ParcelStore,
    planner: CurrentUser,
    uldk: tuple[FakeUldkServer, UldkClient],
) -> None:
    _server, client = uldk
    check = store.check_online(client, "141201_1.0012.3/4")
    assert check.ok
    fields = {d.field: d for d in check.differences}
    assert fields["obręb"].local == "Centrum" and fields["obręb"].remote == "Centrum Nowe"
    assert "granice" in fields
    assert "powiat" in fields  # the local layer had no county name

    assert check.remote is not None
    saved = store.save_from_uldk(planner, check.remote)
    assert not saved.created
    after = store.get("141201_1.0012.3/4")
    assert after is not None
    assert after.summary.precinct_name == "Centrum Nowe"
    assert after.summary.source == "uldk"
    assert after.bbox[0] == pytest.approx(600_002)
    assert compare_with_uldk(after, check.remote) == []

    new = store.check_online(client, "141201_1.0012.9")
    assert new.remote is not None and "nie ma w lokalnej bazie" in new.message
    assert store.save_from_uldk(planner, new.remote).created
    assert _ids(store.at_point(600_390, 500_010)) == ["141201_1.0012.9"]


def test_check_online_when_the_service_is_down(
    store: ParcelStore, uldk: tuple[FakeUldkServer, UldkClient]
) -> None:
    from clerk_app.integrations.uldk.fake_server import Quirk

    server, client = uldk
    server.inject(Quirk.HTML_PAGE)
    check = store.check_online(client, "141201_1.0012.3/4")
    assert not check.ok and "HTML" in check.message
    # The local store still answers.
    assert _ids(store.search("0012 3/4").candidates) == ["141201_1.0012.3/4"]


def test_address_search(ctx: AppContext, planner: CurrentUser) -> None:
    ParcelImporter(ctx.db, planner).import_file(
        Path(__file__).parents[1] / "integrations" / "egib" / "fixtures" / "egib_2015_schema.gml"
    )
    store = ParcelStore(ctx.db)
    assert _ids(store.search("ul. Polna 7").candidates) == ["221101_1.0001.138/28"]
    assert _ids(store.search("Polna 71").candidates) == []
    result = store.search("Testowo 7")  # a name + number: precinct name or address
    assert _ids(result.candidates) == ["221101_1.0001.138/28"]
