"""``clerk-app report``: list, build to PDF/CSV/XLSX by suffix, clear errors."""

from __future__ import annotations

import argparse
import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from clerk_app import cli_reports
from clerk_app.config import Settings
from clerk_app.errors import ValidationError
from clerk_app.models import (
    Case,
    Channel,
    Direction,
    JrwaClass,
    Office,
    OrgUnit,
    RegisterEntry,
    Role,
)
from clerk_app.services.app_context import AppContext
from clerk_app.services.jrwa_store import import_jrwa_plan
from clerk_app.services.reports import CATALOGUE, EmptyReportError
from clerk_app.services.users import UserService, os_login

TODAY = date(2026, 6, 15)


def seed_office(ctx: AppContext) -> None:
    """A tiny office: unit UA, 4 letters in April 2026 (3 paper, 1 ePUAP), one late case."""
    with ctx.db.session(write=True) as s:
        office = Office(name="Urząd Gminy Zielona Dolina")
        s.add(office)
        s.flush()
        unit = OrgUnit(office_id=office.id, symbol="UA", name="Referat Urbanistyki")
        s.add(unit)
        s.flush()
        import_jrwa_plan(s, 2026)
        jrwa = s.scalar(select(JrwaClass).where(JrwaClass.symbol == "6727"))
        assert jrwa is not None
        channels = [Channel.PAPER, Channel.PAPER, Channel.EPUAP, Channel.PAPER]
        for no, channel in enumerate(channels, start=1):
            s.add(
                RegisterEntry(
                    direction=Direction.INCOMING,
                    register_symbol="RPW",
                    year=2026,
                    seq_no=no,
                    number=f"RPW/{no}/2026",
                    received_on=date(2026, 4, no * 5),
                    title="Wniosek o wypis",
                    channel=channel,
                    assigned_unit_id=unit.id,
                )
            )
        s.add(
            Case(
                sign="UA.6727.1.2026",
                unit_id=unit.id,
                jrwa_class_id=jrwa.id,
                year=2026,
                seq_no=1,
                title="Wypis i wyrys – działka 7/1",
                opened_on=date(2026, 4, 1),
                deadline_kind="seven_days",
            )
        )


def run(settings: Settings, *argv: str) -> int:
    parser = argparse.ArgumentParser(prog="clerk-app")
    cli_reports.add_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["report", *argv])
    return int(args.handler(args, settings))


@pytest.fixture
def demo(ctx: AppContext, cli_password: str | None) -> AppContext:
    seed_office(ctx)
    UserService(ctx.db).create_user(os_login(), "Kierownik z konsoli", [Role.MANAGER], cli_password)
    return ctx


def test_list_names_every_report(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(settings, "list", "--json") == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in listed] == [s.name for s in CATALOGUE]
    assert {"name": "overdue", "title": "Sprawy po terminie i zagrożone"}.items() <= listed[
        2
    ].items()
    assert run(settings, "list") == 0
    assert "case-list      Spis spraw" in capsys.readouterr().out


def test_register_to_csv(
    demo: AppContext, settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "rejestr.csv"
    code = run(settings, "register", "--from", "2026-04-01", "--to", "2026-04-30", "-o", str(out))
    assert code == 0
    assert "Zapisano raport „Rejestr przesyłek za okres" in capsys.readouterr().out
    rows = list(csv.reader(io.StringIO(out.read_text("utf-8-sig")), delimiter=";"))
    assert rows == [
        ["Kanał", "Wpływające", "Wychodzące", "Razem"],
        ["papier (poczta)", "3", "0", "3"],
        ["ePUAP", "1", "0", "1"],
        ["Razem", "4", "0", "4"],
    ]


def test_overdue_to_pdf_and_json(
    demo: AppContext, settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "zalegle.pdf"
    assert run(settings, "overdue", "--today", "2026-06-15", "-o", str(out), "--json") == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["report"] == "overdue" and summary["rows"] == 1
    text = PdfReader(out).pages[0].extract_text()
    assert "Sprawy po terminie i zagrożone przekroczeniem terminu (KPA)" in text
    assert "stan na 15.06.2026" in text
    assert "UA.6727.1.2026" in text and "Wypis i wyrys – działka 7/1" in text
    assert run(settings, "jrwa-stats", "--year", "2026", "--unit", "UA", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["columns"][0] == "Symbol JRWA"
    assert data["sections"][0]["rows"] == [
        ["6727", "Wypisy i wyrysy z dokumentów planistycznych", "B5", "Bc", "UA", 0, 1, 1]
    ]


def test_errors_are_clear_and_leave_no_file(
    demo: AppContext, settings: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "pusty.pdf"
    with pytest.raises(EmptyReportError, match="nie zarejestrowano żadnego pisma"):
        run(settings, "register", "--from", "2019-01-01", "--to", "2019-01-31", "-o", str(out))
    assert not out.exists()
    with pytest.raises(ValidationError, match=r"podaj plik \.pdf, \.csv albo \.xlsx"):
        run(settings, "overdue", "-o", str(tmp_path / "x.docx"))
    with pytest.raises(ValidationError, match="„2026-13-01” nie jest datą"):
        run(settings, "register", "--from", "2026-13-01", "--to", "2026-12-31")
