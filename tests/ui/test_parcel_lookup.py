"""The parcel lookup widget driven with qtbot: search, the candidate list, click to identify,
autocompletion, the parcel sheet PDF and "check online" in the background."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from clerk_app.integrations.uldk import UldkClient
from clerk_app.integrations.uldk.fake_server import FakeParcel, FakeUldkServer
from clerk_app.models import Role
from clerk_app.services.app_context import AppContext
from clerk_app.services.parcel_import import ParcelImporter
from clerk_app.services.parcel_store import ParcelStore
from clerk_app.services.users import CurrentUser, UserService
from clerk_app.ui.pages.parcels_page import ParcelsPage
from clerk_app.ui.parcels.lookup_widget import ParcelLookupWidget
from clerk_app.ui.parcels.map_view import labels_text

# id, easting, northing, side (m), precinct name, commune
SQUARES = [
    ("141201_1.0012.3/4", 600_000, 500_000, 100, "Centrum", "Mińsk Mazowiecki"),
    ("141201_1.0012.3/5", 600_100, 500_000, 100, "Centrum", "Mińsk Mazowiecki"),
    ("141201_1.0012.7", 600_200, 500_000, 100, "Centrum", "Mińsk Mazowiecki"),
    ("141201_1.0013.AR_1.5", 601_000, 500_000, 50, "Zachód", "Mińsk Mazowiecki"),
    ("141201_1.0013.AR_2.5", 601_100, 500_000, 50, "Zachód", "Mińsk Mazowiecki"),
    ("022503_5.0003.134", 216_900, 358_200, 40, "Krzewina", "Bogatynia"),
    ("301903_2.0007.134", 357_150, 582_000, 40, "Krzewina", "Kaczory"),
]


def _layer(path: Path) -> Path:
    members = []
    for n, (pid, x, y, side, precinct, commune) in enumerate(SQUARES):
        ring = [(x, y), (x + side, y), (x + side, y + side), (x, y + side), (x, y)]
        pos = " ".join(f"{b} {a}" for a, b in ring)  # northing first, as EPSG:2180 demands
        members.append(
            f'<wfs:member><ms:dzialki gml:id="d{n}"><ms:geom>'
            '<gml:Polygon srsName="urn:ogc:def:crs:EPSG::2180"><gml:exterior><gml:LinearRing>'
            f"<gml:posList>{pos}</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>"
            f"</ms:geom><ms:ID_DZIALKI>{pid}</ms:ID_DZIALKI>"
            f"<ms:NAZWA_OBREBU>{precinct}</ms:NAZWA_OBREBU>"
            f"<ms:NAZWA_GMINY>{commune}</ms:NAZWA_GMINY>"
            f"<ms:POLE_EWIDENCYJNE>{side * side / 10_000}</ms:POLE_EWIDENCYJNE>"
            "</ms:dzialki></wfs:member>"
        )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<wfs:FeatureCollection '
        'xmlns:ms="http://mapserver.gis.umn.edu/mapserver" '
        'xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:wfs="http://www.opengis.net/wfs/2.0">'
        + "".join(members)
        + "</wfs:FeatureCollection>",
        encoding="utf-8",
    )
    return path


def _zones(path: Path) -> Path:
    def square(x0: float, x1: float) -> list[list[list[float]]]:
        return [[[x0, 499_950], [x1, 499_950], [x1, 500_150], [x0, 500_150], [x0, 499_950]]]

    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2180"}},
                "features": [
                    {
                        "type": "Feature",
                        "id": "mn",
                        "properties": {"SYMBOL": "2MN"},
                        "geometry": {"type": "Polygon", "coordinates": square(599_950, 600_160)},
                    },
                    {
                        "type": "Feature",
                        "id": "kdl",
                        "properties": {"SYMBOL": "1KDL"},
                        "geometry": {"type": "Polygon", "coordinates": square(600_160, 600_400)},
                    },
                ],
            }
        ),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def planner(ctx: AppContext) -> CurrentUser:
    return UserService(ctx.db).create_user("marek", "Marek Planista", [Role.PLANNER])


@pytest.fixture
def store(ctx: AppContext, planner: CurrentUser, tmp_path: Path) -> ParcelStore:
    importer = ParcelImporter(ctx.db, planner)
    importer.import_file(_layer(tmp_path / "dzialki.gml"))
    importer.import_file(_zones(tmp_path / "strefy.geojson"), symbol_attribute="SYMBOL")
    return ParcelStore(ctx.db, office_unit="1412011")


@pytest.fixture
def fake_uldk() -> Iterator[FakeUldkServer]:
    moved = FakeParcel(
        "141201_1.0012.3/4",
        "Centrum Nowe",
        "Mińsk Mazowiecki",
        "miński",
        "mazowieckie",
        "POLYGON((600000 500000,600100 500000,600100 500100,600000 500100,600000 500000))",
    )
    with FakeUldkServer([moved]) as server:
        yield server


@pytest.fixture
def widget(
    qtbot: QtBot, store: ParcelStore, planner: CurrentUser, fake_uldk: FakeUldkServer
) -> Iterator[ParcelLookupWidget]:
    clients: list[UldkClient] = []

    def factory() -> UldkClient:
        client = UldkClient(fake_uldk.url, requests_per_second=1000.0, burst=1000)
        clients.append(client)
        return client

    page = ParcelsPage(store, planner, uldk_factory=factory)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    qtbot.waitExposed(page)
    yield page.lookup
    page.shutdown()


def _search(qtbot: QtBot, widget: ParcelLookupWidget, text: str) -> None:
    widget.search_edit.clear()
    qtbot.keyClicks(widget.search_edit, text)
    qtbot.keyClick(widget.search_edit, Qt.Key.Key_Return)


def test_search_by_precinct_and_number_shows_parcel_map_and_zones(
    qtbot: QtBot, widget: ParcelLookupWidget
) -> None:
    with qtbot.waitSignal(widget.parcel_shown) as shown:
        _search(qtbot, widget, "0012 3/5")
    assert shown.args == ["141201_1.0012.3/5"]
    assert widget.candidates.isHidden()
    assert widget.values["parcel_id"].text() == "141201_1.0012.3/5"
    assert widget.values["commune"].text() == "141201_1 Mińsk Mazowiecki"
    assert widget.values["zones"].text() == "2MN 60,0 %, 1KDL 40,0 %"
    # The map shows the parcel, its neighbours with their numbers and the zone symbols.
    assert widget.map_view.parcel_item is not None
    assert set(widget.map_view.neighbour_items) >= {"141201_1.0012.3/4", "141201_1.0012.7"}
    assert {"3/4", "7", "3/5", "2MN", "1KDL"} <= set(labels_text(widget.map_view))
    metres, pixels = widget.map_view.scale_bar()
    assert metres > 0 and 40 < pixels <= 120


def test_ambiguous_input_lists_candidates_with_their_commune(
    qtbot: QtBot, widget: ParcelLookupWidget
) -> None:
    _search(qtbot, widget, "krzewina 134")
    assert widget.candidates.isVisible()
    labels = [widget.candidates.item(i).text() for i in range(widget.candidates.count())]
    assert len(labels) == 2
    assert any("gm. Bogatynia" in label for label in labels)
    assert any("gm. Kaczory" in label for label in labels)
    assert "2" in widget.message.text()

    # Same number on two sheets: both listed, the clerk picks the second one.
    _search(qtbot, widget, "13 5")
    assert widget.candidates.count() == 2
    second = widget.candidates.item(1)
    rect = widget.candidates.visualItemRect(second)
    with qtbot.waitSignal(widget.parcel_shown) as shown:
        qtbot.mouseClick(widget.candidates.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert shown.args == ["141201_1.0013.AR_2.5"]
    assert widget.values["number"].text() == "5 (AR_2)"


def test_click_on_the_map_identifies_a_neighbour(qtbot: QtBot, widget: ParcelLookupWidget) -> None:
    _search(qtbot, widget, "141201_1.0012.3/4")
    assert widget.values["parcel_id"].text() == "141201_1.0012.3/4"
    point = widget.map_view.from_map(600_130, 500_050)  # inside 3/5
    assert widget.map_view.viewport().rect().contains(point)

    qtbot.mouseMove(widget.map_view.viewport(), point)
    with qtbot.waitSignal(widget.parcel_shown) as shown:
        qtbot.mouseClick(widget.map_view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert shown.args == ["141201_1.0012.3/5"]
    assert widget.values["parcel_id"].text() == "141201_1.0012.3/5"


def test_cursor_coordinates_use_the_geodetic_order(
    qtbot: QtBot, widget: ParcelLookupWidget
) -> None:
    _search(qtbot, widget, "0012 3/4")
    point = widget.map_view.from_map(600_050, 500_050)
    qtbot.mouseMove(widget.map_view.viewport(), point + QPoint(1, 0))
    qtbot.mouseMove(widget.map_view.viewport(), point)
    text = widget.coords_label.text()
    assert text.startswith("X 5000") and "Y 6000" in text


def test_bad_input_and_unknown_parcel_give_messages(
    qtbot: QtBot, widget: ParcelLookupWidget
) -> None:
    _search(qtbot, widget, "031201_1.0001.5")
    assert "województwa" in widget.message.text()
    _search(qtbot, widget, "141201_1.0099.5")
    assert "Nie znaleziono" in widget.message.text()
    assert widget.online_button.isEnabled()  # ULDK may know it


def test_autocompletion_from_the_local_store(qtbot: QtBot, widget: ParcelLookupWidget) -> None:
    qtbot.keyClicks(widget.search_edit, "141201_1.0012.3")
    qtbot.waitUntil(lambda: widget.completer.model().rowCount() == 2, timeout=2_000)
    model = widget.completer.model()
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == [
        "141201_1.0012.3/4",
        "141201_1.0012.3/5",
    ]
    widget.completer.popup().hide()


def test_copy_id_and_parcel_sheet_pdf(
    qtbot: QtBot, widget: ParcelLookupWidget, tmp_path: Path
) -> None:
    from pypdf import PdfReader

    _search(qtbot, widget, "0012 3/5")
    qtbot.mouseClick(widget.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "141201_1.0012.3/5"

    written = widget.export_pdf(tmp_path / "karta.pdf")
    assert written is not None
    text = PdfReader(str(written)).pages[0].extract_text()
    assert "Karta działki 141201_1.0012.3/5" in text
    assert "1KDL: 40,0 %" in text
    assert "Mińsk Mazowiecki" in text


def test_check_online_in_the_background_then_save(
    qtbot: QtBot, widget: ParcelLookupWidget, store: ParcelStore
) -> None:
    _search(qtbot, widget, "0012 3/4")
    assert not widget.save_button.isEnabled()
    qtbot.mouseClick(widget.online_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: widget.last_check is not None, timeout=10_000)
    items = [widget.differences.item(i).text() for i in range(widget.differences.count())]
    assert "obręb: Centrum → Centrum Nowe" in items
    assert widget.differences.isVisible()
    assert widget.save_button.isEnabled()

    qtbot.mouseClick(widget.save_button, Qt.MouseButton.LeftButton)
    assert widget.values["precinct"].text() == "0012 Centrum Nowe"
    details = store.get("141201_1.0012.3/4")
    assert details is not None and details.summary.source == "uldk"


def test_registry_clerk_cannot_open_register_data(
    qtbot: QtBot, ctx: AppContext, store: ParcelStore
) -> None:
    clerk = UserService(ctx.db).create_user("anna", "Anna", [Role.REGISTRY_CLERK])
    widget = ParcelLookupWidget(store, clerk)
    qtbot.addWidget(widget)
    widget.search_edit.setText("0012 3/4")
    widget.search()
    assert widget.values["parcel_id"].text() == "141201_1.0012.3/4"
    assert not widget.sensitive_button.isEnabled()
    assert not widget.online_button.isEnabled()  # no ULDK configured: offline only
