"""``clerk-app case open|show`` and ``clerk-app audit verify`` as scripts use them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, update

from clerk_app.config import Settings
from clerk_app.models import (
    AuditEvent,
    Channel,
    Direction,
    Office,
    OrgUnit,
    RegisterEntry,
    Role,
    User,
    UserRole,
)
from clerk_app.services import audit
from clerk_app.services.app_context import open_context
from clerk_app.services.jrwa_store import import_jrwa_plan
from clerk_app.services.users import hash_password, os_login

YEAR = date.today().year


def run(db_url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-m", "clerk_app", "--database-url", db_url, *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=300,
    )


def prepare(settings: Settings, *, with_os_user: bool, password: str | None = None) -> None:
    """An office with the UA unit, the JRWA plan and one registered letter."""
    ctx = open_context(settings, auto_upgrade=True)
    try:
        with ctx.db.session(write=True) as session:
            office = Office(name="Urząd Gminy")
            session.add(office)
            session.flush()
            unit = OrgUnit(office_id=office.id, symbol="UA", name="Urbanistyka")
            session.add(unit)
            session.flush()
            import_jrwa_plan(session, YEAR)
            entry = RegisterEntry(
                direction=Direction.INCOMING,
                register_symbol="RPW",
                year=YEAR,
                seq_no=1,
                number=f"RPW/1/{YEAR}",
                received_on=date.today(),
                title="Wniosek o wypis i wyrys dla działki 3/4",
                channel=Channel.EPUAP,
            )
            session.add(entry)
            session.flush()
            audit.record(session, None, "register", "register_entry", entry.id, "Rejestracja")
            if with_os_user:
                user = User(
                    login=os_login(),
                    full_name="Marek Kowalski",
                    position="inspektor",
                    unit_id=unit.id,
                    password_hash=hash_password(password) if password else None,
                )
                user.roles = [UserRole(role=Role.CASE_CLERK), UserRole(role=Role.MANAGER)]
                session.add(user)
    finally:
        ctx.close()


@pytest.fixture
def office_db(settings: Settings, db_url: str, cli_password: str | None) -> str:
    # The embedded default creates the OS account itself; on the server it exists and
    # signs in (CLERK_USER / CLERK_PASSWORD, which the commands inherit).
    prepare(settings, with_os_user=not settings.is_embedded, password=cli_password)
    return db_url


def test_case_open_from_args_and_from_json_then_show(office_db: str, tmp_path: Path) -> None:
    by_hand = run(office_db, "case", "open", "--unit", "UA", "--jrwa", "6727", "--title", "Wypis")
    assert by_hand.returncode == 0, by_hand.stderr
    assert by_hand.stdout.strip() == f"UA.6727.1.{YEAR}"

    request = {
        "unit": "UA",
        "jrwa": "6727",
        "from_entry": f"RPW/1/{YEAR}",
        "deadline": "seven_days",
    }
    from_entry = run(office_db, "case", "open", "--input", "-", "--json", stdin=json.dumps(request))
    assert from_entry.returncode == 0, from_entry.stderr
    opened = json.loads(from_entry.stdout)
    assert opened["sign"] == f"UA.6727.2.{YEAR}"
    assert opened["title"] == "Wniosek o wypis i wyrys dla działki 3/4"
    assert opened["deadline_kind"] == "seven_days" and opened["origin_entry_id"] is not None

    shown = run(office_db, "case", "show", opened["sign"], "--json")
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert data["case"]["sign"] == opened["sign"]
    assert [e["number"] for e in data["entries"]] == [f"RPW/1/{YEAR}"]
    assert [r["action"] for r in data["history"]] == ["register", "open"]
    assert data["history"][1]["document_id"] == f"RPW/1/{YEAR}"
    assert data["deadline"]["term"]["kind"] == "seven_days"

    pdf = tmp_path / "metryka.pdf"
    text = run(office_db, "case", "show", opened["sign"], "--pdf", str(pdf))
    assert text.returncode == 0, text.stderr
    assert f"Sprawa {opened['sign']}: Wniosek o wypis" in text.stdout
    assert "Metryka sprawy:" in text.stdout and f"[RPW/1/{YEAR}]" in text.stdout
    assert pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--unit", "UA", "--jrwa", "9999", "--title", "x"], "klasy „9999” nie ma w wykazie"),
        (["--unit", "UA", "--jrwa", "67", "--title", "x"], "nie jest klasą końcową"),
        (["--unit", "XX", "--jrwa", "6727", "--title", "x"], "nie ma komórki o symbolu „XX”"),
        (["--jrwa", "6727", "--title", "x"], "Komórka (--unit): pole jest wymagane"),
        (["--unit", "UA", "--jrwa", "6727", "--opened-on", "2026-02-30"], "Data założenia"),
    ],
)
def test_case_open_refuses_bad_input_in_polish(
    office_db: str, settings: Settings, args: list[str], message: str
) -> None:
    # In-process (the subprocess path is covered above): five interpreters cost ~10 s.
    from clerk_app.cli import build_parser
    from clerk_app.errors import ClerkError

    parsed = build_parser().parse_args(["case", "open", *args])
    with pytest.raises(ClerkError) as refused:  # main() prints it and exits with 2
        parsed.handler(parsed, settings)
    assert message in str(refused.value)


def test_case_show_of_an_unknown_sign(office_db: str) -> None:
    result = run(office_db, "case", "show", "UA.6727.99.2026")
    assert result.returncode == 2 and "nie ma sprawy" in result.stderr


def test_audit_verify_reports_the_first_tampered_event(office_db: str, settings: Settings) -> None:
    first = run(office_db, "case", "open", "--unit", "UA", "--jrwa", "6727", "--title", "Wypis")
    assert first.returncode == 0, first.stderr
    clean = run(office_db, "audit", "verify", "--json")
    assert clean.returncode == 0, clean.stderr
    report = json.loads(clean.stdout)
    assert report["ok"] is True and report["checked"] >= 2

    ctx = open_context(settings)
    try:
        with ctx.db.session(write=True) as session:
            opened = session.scalars(select(AuditEvent).where(AuditEvent.action == "open")).one()
            session.execute(
                update(AuditEvent).where(AuditEvent.id == opened.id).values(summary="nic")
            )
            tampered_id = opened.id
    finally:
        ctx.close()
    broken = run(office_db, "audit", "verify", "--json")
    assert broken.returncode == 1
    assert json.loads(broken.stdout)["first_broken_id"] == tampered_id
    text = run(office_db, "audit", "verify")
    assert text.returncode == 1
    assert f"pierwsze niezgodne zdarzenie nr {tampered_id}" in text.stdout


def test_the_command_runs_as_the_os_account_or_the_given_user(
    settings: Settings, db_url: str
) -> None:
    prepare(settings, with_os_user=False)
    result = run(db_url, "audit", "verify")
    if settings.is_embedded:
        assert result.returncode == 0, result.stderr  # the account is created on first use
        return
    # The office server never guesses who you are from the OS account.
    assert result.returncode == 2
    assert "podaj --user" in result.stderr and "Traceback" not in result.stderr
    ctx = open_context(settings)
    try:
        with ctx.db.session(write=True) as session:
            user = User(
                login="k.kierownik", full_name="Kierownik", password_hash=hash_password("x" * 12)
            )
            user.roles = [UserRole(role=Role.MANAGER)]
            session.add(user)
    finally:
        ctx.close()
    # The password on the first line of standard input, as the register commands take it.
    signed = run(db_url, "--user", "k.kierownik", "audit", "verify", stdin="x" * 12 + "\n")
    assert signed.returncode == 0, signed.stderr
    wrong = run(db_url, "--user", "k.kierownik", "audit", "verify", stdin="zle-haslo\n")
    assert wrong.returncode == 2 and "Nieprawidłowy login lub hasło" in wrong.stderr
