"""The parcel widget shows imported owners (name, share, address) only on request."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clerk_app.services.app_context import AppContext
from clerk_app.services.parcel_import import ParcelImporter
from clerk_app.services.parcel_store import ParcelStore
from clerk_app.services.users import UserService
from clerk_app.ui.parcels.lookup_widget import ParcelLookupWidget

OWNERS_FILE = (
    Path(__file__).parents[1] / "integrations" / "egib" / "fixtures" / "egib_2021_owners.gml"
)


def test_owners_appear_in_the_attributes_after_the_logged_request(
    qtbot: QtBot, ctx: AppContext
) -> None:
    admin = UserService(ctx.db).os_account_user("tomasz")
    ParcelImporter(ctx.db, admin).import_file(OWNERS_FILE, owners=True)
    widget = ParcelLookupWidget(ParcelStore(ctx.db), admin)
    qtbot.addWidget(widget)

    widget.search_edit.setText("061304_5.0020.15/2")
    widget.search()
    assert widget.values["owners"].text() == "—"  # nothing personal before the request
    assert widget.sensitive_button.isEnabled()

    qtbot.mouseClick(widget.sensitive_button, Qt.MouseButton.LeftButton)

    assert widget.values["owners"].text().splitlines() == [
        "Gmina Testowa, 1/1, 99-998 Testowo 1",
        "Zenobiusz Próbny, 1/1 władanie, Nieistniejąca 7/2, 99-999 Zmyślonowo",
    ]
    assert "061304_5.0020.G8" in widget.values["sensitive"].text()
