"""``clerk-app letter render|merge|templates`` (handlers driven through their own parser).

Letters use the office's copy of a template wherever an office database exists; only
``--data`` on an installation without one (or ``--shipped-template``) uses the shipped text.
"""

from __future__ import annotations

import argparse
import io
import json
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from clerk_app.cli import main
from clerk_app.cli_letters import add_commands
from clerk_app.config import DB_FILE, Settings, load_settings
from clerk_app.errors import ClerkError, ValidationError
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
from clerk_app.models.letter_templates import OfficeTemplateVersion
from clerk_app.services.app_context import open_context
from clerk_app.services.cases import CaseService
from clerk_app.services.jrwa_store import import_jrwa_plan
from clerk_app.services.kpa_deadlines import DeadlineKind
from clerk_app.services.templates import TemplateService, shipped_source
from clerk_app.services.users import CurrentUser, hash_password, os_login

YEAR = date.today().year
CERTIFICATE_DATA = {
    "office": {"name": "Urząd Gminy Ząbki", "street": "ul. Wojska Polskiego 10",
               "postal_code": "05-091", "city": "Ząbki"},
    "case": {"sign": "GK.6730.3.2026", "title": "Zaświadczenie"},
    "issued_on": "2026-11-25",
    "addressee": {"name": "Łucja Świątek", "street": "ul. Żytnia 2", "postal_code": "05-091",
                  "city": "Ząbki"},
    "signatory": {"name": "Grzegorz Źdźbło", "position": "Burmistrz"},
    "certified_fact": "działka nr 12/3 nie jest objęta ochroną konserwatorską",
}  # fmt: skip
MARKER = "Pieczęć urzędu: Łódź-Śródmieście, pokój 12."


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
def case_sign(settings: Settings, cli_password: str | None) -> str:
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
                        unit_id=unit.id,
                        password_hash=hash_password(cli_password) if cli_password else None,
                        )  # fmt: skip
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


def data_file(tmp_path: Path) -> Path:
    source = tmp_path / "dane.json"
    source.write_text(json.dumps(CERTIFICATE_DATA, ensure_ascii=False), encoding="utf-8")
    return source


def office_copy(settings: Settings, name: str) -> None:
    """An administrator saves an office copy of ``name`` carrying ``MARKER`` (and an office)."""
    ctx = open_context(settings, auto_upgrade=True)
    try:
        with ctx.db.session(write=True) as session:
            if session.scalar(select(func.count()).select_from(Office)) == 0:
                session.add(Office(name="Urząd Gminy Ząbki", city="Ząbki"))
            admin = User(login="a.źródło", full_name="Anna Źródło")
            admin.roles = [UserRole(role=Role.ADMIN)]
            session.add(admin)
            session.flush()
            me = CurrentUser(admin.id, admin.login, admin.full_name, frozenset({Role.ADMIN}))
        source = shipped_source(name).replace("=== body\n", f"=== body\n{MARKER}\n\n", 1)
        source = source.replace("\ntitle: ", "\ntitle: Wzór urzędu – ", 1)
        TemplateService(ctx.db, me).save(name, source, base_version=0)
    finally:
        ctx.close()


def test_render_from_json_data_needs_no_database(tmp_path: Path) -> None:
    # No database configured and none in the data folder: the shipped template, and no
    # database file appears as a side effect.
    bare = load_settings(data_dir=tmp_path / "bez-bazy", env={})
    out = tmp_path / "zaswiadczenie.pdf"
    assert run(bare, "letter", "render", "--template", "kpa_certificate", "--data",
               str(data_file(tmp_path)), "-o", str(out)) == 0  # fmt: skip
    text = text_of(out)
    assert "ZAŚWIADCZENIE" in text
    assert "działka nr 12/3 nie jest objęta ochroną konserwatorską" in text
    assert "Ząbki, 25 listopada 2026 r." in text
    assert not (tmp_path / "bez-bazy" / DB_FILE).exists()


def test_the_installed_command_takes_data_next_to_the_global_data_dir(tmp_path: Path) -> None:
    # "--data" once read as an ambiguous prefix of "--data-dir" / "--database-url".
    out = tmp_path / "pismo.pdf"
    argv = ["--data-dir", str(tmp_path / "bez-bazy"), "letter", "render", "--template",
            "kpa_certificate", "--data", str(data_file(tmp_path)), "-o", str(out)]  # fmt: skip
    assert main(argv) == 0
    assert "ZAŚWIADCZENIE" in text_of(out)


def test_render_from_json_data_uses_the_office_copy_when_there_is_a_database(
    tmp_path: Path, settings: Settings, data_dir: Path
) -> None:
    office_copy(settings, "kpa_certificate")
    source = data_file(tmp_path)
    out = tmp_path / "kopia.pdf"
    # A configured database (here --database-url): its office copy.
    assert run(settings, "letter", "render", "--template", "kpa_certificate", "--data",
               str(source), "-o", str(out)) == 0  # fmt: skip
    assert MARKER in text_of(out)
    assert "działka nr 12/3 nie jest objęta ochroną konserwatorską" in text_of(out)
    # Asked for explicitly, the shipped template.
    shipped = tmp_path / "wbudowany.pdf"
    assert run(settings, "letter", "render", "--template", "kpa_certificate", "--data",
               str(source), "--shipped-template", "-o", str(shipped)) == 0  # fmt: skip
    assert MARKER not in text_of(shipped) and "ZAŚWIADCZENIE" in text_of(shipped)
    if settings.is_embedded:
        # Nothing configured, but the embedded database of the data folder exists: used too.
        default = load_settings(data_dir=data_dir, env={})
        assert default.sources["database_url"] == "default"
        assert default.database_url == settings.database_url
        again = tmp_path / "domyslna.pdf"
        assert run(default, "letter", "render", "--template", "kpa_certificate", "--data",
                   str(source), "-o", str(again)) == 0  # fmt: skip
        assert MARKER in text_of(again)


def test_render_from_json_with_missing_part_fails_clearly(tmp_path: Path) -> None:
    bare = load_settings(data_dir=tmp_path / "bez-bazy", env={})
    source = tmp_path / "dane.json"
    source.write_text(json.dumps({"office": {"name": "Urząd"}, "case": {"sign": "X"}}))
    with pytest.raises(ValidationError, match="certified_fact"):
        run(bare, "letter", "render", "--template", "kpa_certificate", "--data",
            str(source), "-o", str(tmp_path / "x.pdf"))  # fmt: skip
    assert not (tmp_path / "x.pdf").exists()


def test_render_from_json_with_an_unreachable_database_says_so(tmp_path: Path) -> None:
    # The office's copy might differ from the shipped text: no silent fallback, but a way out.
    # A server nobody listens on (port 1): connection refused at once.
    broken = load_settings(
        data_dir=tmp_path / "dane",
        database_url="postgresql+psycopg://kancelaria:haslo@127.0.0.1:1/urzad",
        env={},
    )
    out = tmp_path / "x.pdf"
    argv = ["letter", "render", "--template", "kpa_certificate", "--data",
            str(data_file(tmp_path)), "-o", str(out)]  # fmt: skip
    with pytest.raises(
        ClerkError, match=r"Nie można połączyć się z bazą danych.*--shipped-template"
    ):
        run(broken, *argv)
    assert not out.exists()
    assert run(broken, *argv, "--shipped-template") == 0
    assert "ZAŚWIADCZENIE" in text_of(out)


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


def test_letters_from_a_case_use_the_office_copy(
    tmp_path: Path, settings: Settings, case_sign: str
) -> None:
    office_copy(settings, "kpa_certificate")
    preview = tmp_path / "podglad.pdf"
    assert run(settings, "letter", "render", "--template", "kpa_certificate", "--case", case_sign,
               "--field", "certified_fact=nieruchomość nie jest obciążona", "-o",
               str(preview)) == 0  # fmt: skip
    assert MARKER in text_of(preview) and "nieruchomość nie jest obciążona" in text_of(preview)
    saved = tmp_path / "zapisane.pdf"
    assert run(settings, "letter", "render", "--template", "kpa_certificate", "--case", case_sign,
               "--field", "certified_fact=nieruchomość nie jest obciążona", "-o", str(saved),
               "--register") == 0  # fmt: skip
    assert MARKER in text_of(saved)
    with pytest.raises(ValidationError, match="--shipped-template"):
        run(settings, "letter", "render", "--template", "kpa_certificate", "--case", case_sign,
            "--shipped-template", "-o", str(tmp_path / "x.pdf"))  # fmt: skip
    assert not (tmp_path / "x.pdf").exists()


def test_merge_uses_the_office_copy(tmp_path: Path, settings: Settings, case_sign: str) -> None:
    office_copy(settings, "kpa_initiation_notice")
    out = tmp_path / "seria"
    assert run(settings, "letter", "merge", "--template", "kpa_initiation_notice", "--case",
               case_sign, "--out-dir", str(out)) == 0  # fmt: skip
    assert MARKER in text_of(out / "do_druku.pdf")


def test_merge_writes_letters_labels_and_dispatch_book(
    tmp_path: Path, settings: Settings, case_sign: str
) -> None:
    out = tmp_path / "seria"
    assert run(settings, "letter", "merge", "--template", "kpa_initiation_notice", "--case",
               case_sign, "--form", "dl", "--out-dir", str(out)) == 0  # fmt: skip
    names = {p.name for p in out.iterdir()}
    assert {"do_druku.pdf", "dl.pdf", "ksiazka_nadawcza.pdf"} <= names
    assert "Józef Łęcki" in text_of(out / "dl.pdf")


def test_templates_listing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bare = load_settings(data_dir=tmp_path / "bez-bazy", env={})
    assert run(bare, "letter", "templates", "--json") == 0
    listed = json.loads(capsys.readouterr().out)
    assert {"kpa_decision", "kpa_summons", "planning_extract"} <= {i["name"] for i in listed}
    assert not any(i["office_copy"] for i in listed)
    assert not (tmp_path / "bez-bazy" / DB_FILE).exists()


def test_templates_listing_shows_office_copies(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    office_copy(settings, "kpa_certificate")
    assert run(settings, "letter", "templates", "--json") == 0
    listed = {item["name"]: item for item in json.loads(capsys.readouterr().out)}
    assert listed["kpa_certificate"]["office_copy"] is True
    assert listed["kpa_certificate"]["title"] == "Wzór urzędu – Zaświadczenie (art. 217 KPA)"
    assert listed["kpa_summons"]["office_copy"] is False
    assert run(settings, "letter", "templates") == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("kpa_certificate"))
    assert line.endswith("Wzór urzędu – Zaświadczenie (art. 217 KPA) (kopia urzędu)")


def test_an_office_copy_that_no_longer_parses_is_listed_and_reported(
    tmp_path: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    # E.g. saved by an older program whose template language was more lenient.
    office_copy(settings, "kpa_certificate")
    ctx = open_context(settings)
    try:
        with ctx.db.session(write=True) as session:
            version = session.scalars(select(OfficeTemplateVersion)).one()
            version.source = "name: kpa_certificate\n=== body\n{{ nie domknięte"
    finally:
        ctx.close()
    assert run(settings, "letter", "templates", "--json") == 0
    listed = {item["name"]: item for item in json.loads(capsys.readouterr().out)}
    assert listed["kpa_certificate"]["office_copy"] is True
    assert listed["kpa_certificate"]["title"] == "kpa_certificate"
    out = tmp_path / "x.pdf"
    with pytest.raises(ValidationError, match=r"Szablon: .*kpa_certificate \(kopia urzędu"):
        run(settings, "letter", "render", "--template", "kpa_certificate", "--data",
            str(data_file(tmp_path)), "-o", str(out))  # fmt: skip
    assert not out.exists()
