"""Every command group acts as the same identity: ``--user`` signed in on the office server,
the OS account on the embedded default.

The acting user here holds no role, so each command is refused by its service, and the
refusal is audited under the name of whoever the command really acted as.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from clerk_app.cli import build_parser
from clerk_app.config import Settings
from clerk_app.errors import ClerkError, PermissionDenied
from clerk_app.models import AuditEvent, Case, JrwaClass, Office, OrgUnit
from clerk_app.services.app_context import AppContext
from clerk_app.services.jrwa_store import import_jrwa_plan
from clerk_app.services.users import UserService, os_login

YEAR = date.today().year
PASSWORD = "haslo-bez-uprawnien-1"
SIGN = f"UA.6727.1.{YEAR}"


@pytest.fixture
def office(ctx: AppContext) -> str:
    """An office with a case, and the role-less clerk the commands will act as."""
    with ctx.db.session(write=True) as session:
        office = Office(name="Urząd Gminy")
        session.add(office)
        session.flush()
        unit = OrgUnit(office_id=office.id, symbol="UA", name="Urbanistyka")
        session.add(unit)
        session.flush()
        import_jrwa_plan(session, YEAR)
        jrwa = session.scalars(select(JrwaClass).where(JrwaClass.symbol == "6727")).first()
        assert jrwa is not None
        session.add(
            Case(
                sign=SIGN,
                unit_id=unit.id,
                jrwa_class_id=jrwa.id,
                year=YEAR,
                seq_no=1,
                title="Wypis i wyrys",
                opened_on=date.today(),
                deadline_kind="one_month",
            )
        )
    users = UserService(ctx.db)
    if ctx.settings.is_embedded:
        # The OS account already exists without roles: the embedded default acts as it.
        users.create_user(os_login(), "Konto systemowe", [], None)
        return os_login()
    users.create_user(os_login(), "Konto systemowe", [], None)  # must NOT be the one acting
    users.create_user("b.rol", "Bez Ról", [], PASSWORD)
    return "b.rol"


def commands(tmp_path: Path) -> dict[str, list[str]]:
    item = tmp_path / "item.json"
    item.write_text(
        json.dumps({"channel": "paper", "title": "Pismo", "unknown": ["sender"]}),
        encoding="utf-8",
    )
    parcels = tmp_path / "dzialki.gml"
    parcels.write_text("<gml/>", encoding="utf-8")
    return {
        "register": ["register", "add", "--file", str(item)],
        "parcels": ["parcels", "import", str(parcels)],
        "case": ["case", "open", "--unit", "UA", "--jrwa", "6727", "--title", "Nowa"],
        "audit": ["audit", "verify"],
        "report": ["report", "overdue", "-o", str(tmp_path / "r.csv")],
        "epuap": ["epuap", "send", f"WYCH/1/{YEAR}"],
        "letter": [
            *["letter", "render", "--template", "kpa_summons"],
            *["--case", SIGN, "-o", str(tmp_path / "p.pdf")],
        ],
    }


def run(settings: Settings, argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args, settings))


def last_refusal(ctx: AppContext) -> str:
    with ctx.db.session() as session:
        event = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "permission_denied")
            .order_by(AuditEvent.id.desc())
        ).first()
        assert event is not None, "the refusal was not audited"
        return event.user_login


@pytest.mark.parametrize(
    "group", ["register", "parcels", "case", "audit", "report", "epuap", "letter"]
)
def test_every_command_group_acts_as_the_signed_in_user(
    ctx: AppContext,
    office: str,
    tmp_path: Path,
    group: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    argv = commands(tmp_path)[group]
    if not ctx.settings.is_embedded:
        argv = ["--user", office, *argv]  # the global option, before the command
        monkeypatch.setenv("CLERK_PASSWORD", PASSWORD)
    with pytest.raises(PermissionDenied, match="Brak uprawnień"):
        run(ctx.settings, argv)
    assert last_refusal(ctx) == office


@pytest.mark.parametrize("group", ["case", "report"])
def test_on_the_server_the_user_must_be_named_and_proven(
    ctx: AppContext, office: str, tmp_path: Path, group: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if ctx.settings.is_embedded:
        pytest.skip("the embedded default acts as the OS account without a password")
    argv = commands(tmp_path)[group]
    with pytest.raises(ClerkError, match="podaj --user"):
        run(ctx.settings, argv)  # no guessing from the OS account, although it exists
    monkeypatch.setenv("CLERK_PASSWORD", "zle-haslo-123")
    with pytest.raises(ClerkError, match="Nieprawidłowy login lub hasło"):
        run(ctx.settings, ["--user", office, *argv])
    # CLERK_USER names the user for scheduled jobs, like --user.
    monkeypatch.setenv("CLERK_USER", office)
    monkeypatch.setenv("CLERK_PASSWORD", PASSWORD)
    with pytest.raises(PermissionDenied):
        run(ctx.settings, argv)
    assert last_refusal(ctx) == office


def test_embedded_default_refuses_another_user(ctx: AppContext, office: str) -> None:
    if not ctx.settings.is_embedded:
        pytest.skip("embedded default only")
    with pytest.raises(ClerkError, match="konto systemowe"):
        run(ctx.settings, ["--user", "ktos.inny", "audit", "verify"])
