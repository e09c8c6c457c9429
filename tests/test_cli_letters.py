"""``clerk-app letter render|merge|templates`` (handlers driven through their own parser)."""

from __future__ import annotations

import argparse
import io
import json
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from clerk_app.cli_letters import add_commands
from clerk_app.config import Settings
from clerk_app.errors import ValidationError
from clerk_app.models import (
    Channel,
    Correspondent,
    CorrespondentKind,
    Direction,
    Office,
    OrgUnit,
    RegisterEntry,
    Role,
    User,
    UserRole,
)
from clerk_app.services.app_context import open_context
from clerk_app.services.cases import CaseService
from clerk_app.services.jrwa_store import import_jrwa_plan
from clerk_app.services.kpa_deadlines import DeadlineKind
from clerk_app.services.users import CurrentUser, os_login

YEAR = date.today().year


def run(settings: Settings, *argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers())
    args = parser.parse_args(list(argv))
    result: int = args.handler(args, settings)
    return result


def text_of(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture
def case_sign(settings: Settings) -> str:
    ctx = open_context(settings, auto_upgrade=True)
    try:
        with ctx.db.session(write=True) as session:
            office = Office(
                name="Urząd Miasta Łódź", street="ul. Piotrkowska", building="104",
                postal_code="90-926", city="Łódź",
            )  # fmt: skip
            session.add(office)
            session.flush()
            unit = OrgUnit(office_id=office.id, symbol="UA", name="Urbanistyka")
            session.add(unit)
            session.flush()
            user = User(login=os_login(), full_name="Żaneta Wójcik", position="referent",
                        unit_id=unit.id)  # fmt: skip
            user.roles = [UserRole(role=Role.CASE_CLERK)]
            session.add(user)
            session.flush()
            me = CurrentUser(user.id, user.login, user.full_name, frozenset({Role.CASE_CLERK}))
            import_jrwa_plan(session, YEAR)
            person = Correspondent(
                kind=CorrespondentKind.PERSON, first_name="Józef", last_name="Łęcki",
                display_name="Józef Łęcki", search_key="lecki jozef", street="ul. Ogrodowa",
                building="1", postal_code="90-001", city="Łódź",
            )  # fmt: skip
            session.add(person)
            session.flush()
            entry = RegisterEntry(
                direction=Direction.INCOMING, register_symbol="RPW", year=YEAR, seq_no=1,
                number=f"RPW/1/{YEAR}", received_on=date.today(), title="Wniosek",
                correspondent_id=person.id, channel=Channel.PAPER,
            )  # fmt: skip
            session.add(entry)
            session.flush()
            entry_id, unit_id = entry.id, unit.id
        row = CaseService(ctx.db, me).open_case(
            unit_id, "6727", "Zaświadczenie o przeznaczeniu działki", date.today(),
            DeadlineKind.SEVEN_DAYS, origin_entry_id=entry_id,
        )  # fmt: skip
        return row.sign
    finally:
        ctx.close()


def test_render_from_json_data_needs_no_database(tmp_path: Path, settings: Settings) -> None:
    data = {
        "office": {"name": "Urząd Gminy Ząbki", "street": "ul. Wojska Polskiego 10",
                   "postal_code": "05-091", "city": "Ząbki"},
        "case": {"sign": "GK.6730.3.2026", "title": "Zaświadczenie"},
        "issued_on": "2026-11-25",
        "addressee": {"name": "Łucja Świątek", "street": "ul. Żytnia 2", "postal_code": "05-091",
                      "city": "Ząbki"},
        "signatory": {"name": "Grzegorz Źdźbło", "position": "Burmistrz"},
        "certified_fact": "działka nr 12/3 nie jest objęta ochroną konserwatorską",
    }  # fmt: skip
    source = tmp_path / "dane.json"
    source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "zaswiadczenie.pdf"
    assert run(settings, "letter", "render", "--template", "kpa_certificate", "--data",
               str(source), "-o", str(out)) == 0  # fmt: skip
    text = text_of(out)
    assert "ZAŚWIADCZENIE" in text
    assert "działka nr 12/3 nie jest objęta ochroną konserwatorską" in text
    assert "Ząbki, 25 listopada 2026 r." in text


def test_render_from_json_with_missing_part_fails_clearly(
    tmp_path: Path, settings: Settings
) -> None:
    source = tmp_path / "dane.json"
    source.write_text(json.dumps({"office": {"name": "Urząd"}, "case": {"sign": "X"}}))
    with pytest.raises(ValidationError, match="certified_fact"):
        run(settings, "letter", "render", "--template", "kpa_certificate", "--data",
            str(source), "-o", str(tmp_path / "x.pdf"))  # fmt: skip
    assert not (tmp_path / "x.pdf").exists()


def test_render_from_case_and_register(tmp_path: Path, settings: Settings, case_sign: str) -> None:
    preview = tmp_path / "podglad.pdf"
    assert run(settings, "letter", "render", "--template", "kpa_certificate", "--case", case_sign,
               "--field", "certified_fact=nieruchomość nie jest obciążona", "-o",
               str(preview)) == 0  # fmt: skip
    assert "nieruchomość nie jest obciążona" in text_of(preview)
    assert "Józef Łęcki" in text_of(preview)
    saved = tmp_path / "zapisane.pdf"
    assert run(settings, "letter", "render", "--template", "kpa_certificate", "--case", case_sign,
               "--field", "certified_fact=nieruchomość nie jest obciążona", "-o", str(saved),
               "--register") == 0  # fmt: skip
    assert "nieruchomość nie jest obciążona" in text_of(saved)
    ctx = open_context(settings)
    try:
        with ctx.db.session() as session:
            count = session.scalar(
                select(func.count()).where(RegisterEntry.direction == Direction.OUTGOING)
            )
    finally:
        ctx.close()
    assert count == 1


def test_merge_writes_letters_labels_and_dispatch_book(
    tmp_path: Path, settings: Settings, case_sign: str
) -> None:
    out = tmp_path / "seria"
    assert run(settings, "letter", "merge", "--template", "kpa_initiation_notice", "--case",
               case_sign, "--form", "dl", "--out-dir", str(out)) == 0  # fmt: skip
    names = {p.name for p in out.iterdir()}
    assert {"do_druku.pdf", "dl.pdf", "ksiazka_nadawcza.pdf"} <= names
    assert "Józef Łęcki" in text_of(out / "dl.pdf")


def test_templates_listing(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(settings, "letter", "templates", "--json") == 0
    names = {item["name"] for item in json.loads(capsys.readouterr().out)}
    assert {"kpa_decision", "kpa_summons", "planning_extract"} <= names
