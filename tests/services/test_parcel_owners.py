"""Owners imported from EGiB GML into parcel_owner: only on request, replaced on re-import,
shown through the audited sensitive view and in ``clerk-app parcels show --sensitive``."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from clerk_app import cli_parcels
from clerk_app.config import Settings
from clerk_app.models import AuditEvent, ParcelOwner, Role
from clerk_app.services.app_context import AppContext
from clerk_app.services.parcel_import import ParcelImporter
from clerk_app.services.parcel_store import OwnerInfo, ParcelStore
from clerk_app.services.users import CurrentUser, UserService

FIXTURES = Path(__file__).parents[1] / "integrations" / "egib" / "fixtures"
OWNERS_FILE = FIXTURES / "egib_2021_owners.gml"


@pytest.fixture
def admin(ctx: AppContext) -> CurrentUser:
    return UserService(ctx.db).os_account_user("tomasz")


def _owner_rows(ctx: AppContext) -> int:
    with ctx.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(ParcelOwner)) or 0)


def test_owners_are_imported_on_request_with_shares_and_addresses(
    ctx: AppContext, admin: CurrentUser
) -> None:
    result = ParcelImporter(ctx.db, admin).import_file(OWNERS_FILE, owners=True)

    assert (result.imported, result.owners) == (3, 5)
    store = ParcelStore(ctx.db)
    first = store.sensitive(admin, "061304_5.0020.15/1")
    assert first.register_unit == "061304_5.0020.G7"
    assert first.owners == (
        OwnerInfo("Zenobiusz Próbny", "1/2", "Nieistniejąca 7/2, 99-999 Zmyślonowo"),
        OwnerInfo("Apolonia Maria Wymyślona-Zmyślona", "1/2 wsp. małż.", ""),
        OwnerInfo("Bonifacy Wymyślony", "1/2 wsp. małż.", ""),
    )
    second = store.sensitive(admin, "061304_5.0020.15/2")
    assert [(o.name, o.share) for o in second.owners] == [
        ("Gmina Testowa", "1/1"),
        ("Zenobiusz Próbny", "1/1 władanie"),
    ]
    assert store.sensitive(admin, "061304_5.0020.16").owners == ()
    details = store.get("061304_5.0020.15/1")
    assert details is not None and details.has_sensitive
    assert "Próbny" not in repr(details)  # never part of plain results


def test_without_the_request_no_personal_data_is_stored(
    ctx: AppContext, admin: CurrentUser
) -> None:
    result = ParcelImporter(ctx.db, admin).import_file(OWNERS_FILE)

    assert (result.imported, result.owners) == (3, 0)
    assert _owner_rows(ctx) == 0


def test_reimport_replaces_the_owners_instead_of_adding_them(
    ctx: AppContext, admin: CurrentUser, tmp_path: Path
) -> None:
    importer = ParcelImporter(ctx.db, admin)
    importer.import_file(OWNERS_FILE, owners=True)
    # The next export: Zenobiusz sold his half to the commune.
    changed = tmp_path / "egib_2021_owners_later.gml"
    changed.write_text(
        # The first link to os1 is share udz1 (parcel 15/1); possession wl1 comes later.
        OWNERS_FILE.read_text(encoding="utf-8").replace(
            '<egb:osobaFizyczna xlink:href="urn:pzgik:id:PL.PZGiK.9999.EGiB:os1:',
            '<egb:instytucja1 xlink:href="urn:pzgik:id:PL.PZGiK.9999.EGiB:inst1:',
            1,
        ),
        encoding="utf-8",
    )

    again = importer.import_file(changed, owners=True)

    assert (again.updated, again.owners) == (3, 5)
    assert _owner_rows(ctx) == 5
    owners = ParcelStore(ctx.db).sensitive(admin, "061304_5.0020.15/1").owners
    assert [o.name for o in owners] == [
        "Gmina Testowa",
        "Apolonia Maria Wymyślona-Zmyślona",
        "Bonifacy Wymyślony",
    ]


def test_viewing_owners_is_audited_as_a_personal_data_view(
    ctx: AppContext, admin: CurrentUser
) -> None:
    ParcelImporter(ctx.db, admin).import_file(OWNERS_FILE, owners=True)
    store = ParcelStore(ctx.db)
    store.sensitive(admin, "061304_5.0020.15/1")
    store.sensitive(admin, "061304_5.0020.16")  # no owners: an ordinary sensitive view

    with ctx.db.session() as session:
        events = [
            (e.action, e.object_id, json.loads(e.details).get("owners"))
            for e in session.scalars(
                select(AuditEvent).where(AuditEvent.object_type == "parcel").order_by(AuditEvent.id)
            )
        ]
    assert events == [
        ("view_personal_data", "061304_5.0020.15/1", 3),
        ("parcel_sensitive_view", "061304_5.0020.16", 0),
    ]
    clerk = UserService(ctx.db).create_user("anna", "Anna", [Role.REGISTRY_CLERK])
    from clerk_app.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        store.sensitive(clerk, "061304_5.0020.15/1")


PASSWORD = "bardzo-tajne-haslo-123"


def _run(settings: Settings, *argv: str) -> int:
    parser = argparse.ArgumentParser(prog="clerk-app")
    sub = parser.add_subparsers(dest="command")
    cli_parcels.add_commands(sub)
    args = parser.parse_args(list(argv))
    return int(args.handler(args, settings))


def test_cli_imports_owners_and_shows_them_with_addresses(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    user_args: list[str] = []
    if not settings.is_embedded:
        from clerk_app.services.app_context import open_context

        ctx = open_context(settings, auto_upgrade=True)
        UserService(ctx.db).create_user("tomasz", "Tomasz", [Role.ADMIN], PASSWORD)
        ctx.close()
        user_args = ["--user", "tomasz"]
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n" + PASSWORD + "\n"))

    assert (
        _run(settings, "parcels", "import", str(OWNERS_FILE), "--owners", "--json", *user_args) == 0
    )
    assert json.loads(capsys.readouterr().out)[0]["owners"] == 5

    assert _run(settings, "parcels", "show", "061304_5.0020.15/2", "--sensitive", *user_args) == 0
    out = capsys.readouterr().out
    assert "właściciel: Gmina Testowa 1/1 — 99-998 Testowo 1" in out
    assert "właściciel: Zenobiusz Próbny 1/1 władanie — Nieistniejąca 7/2, 99-999 Zmyślonowo" in out
