"""Report 9, delivery status: receipts outstanding, deemed deliveries, failed e-deliveries.

The small office below is worked out by hand; the totals are also checked against
counts taken straight from the register table.
"""

from __future__ import annotations

import argparse
import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from clerk_app import cli_reports
from clerk_app.config import Settings
from clerk_app.documents.report_export import report_bytes
from clerk_app.models import (
    Case,
    Channel,
    Correspondent,
    CorrespondentKind,
    DeliveryStatus,
    Direction,
    JrwaClass,
    Office,
    OrgUnit,
    OutboxMessage,
    RegisterEntry,
    Role,
)
from clerk_app.services.app_context import AppContext
from clerk_app.services.jrwa_store import import_jrwa_plan
from clerk_app.services.reports import EmptyReportError, ReportParams, ReportService
from clerk_app.services.reports.delivery import DEEMED, E_CHANNELS, FAILED, OUTSTANDING
from clerk_app.services.users import CurrentUser, UserService, os_login

TODAY = date(2026, 6, 15)
PERIOD = ReportParams(date_from=date(2026, 5, 1), date_to=date(2026, 6, 15), today=TODAY)
SEND_ERROR = "e-Doręczenia: HTTP 503 – usługa chwilowo niedostępna"


def seed_deliveries(ctx: AppContext) -> None:
    """Outgoing letters of units UA and OR in every delivery state worth reporting."""
    with ctx.db.session(write=True) as s:
        office = Office(name="Urząd Gminy Zielona Dolina")
        s.add(office)
        s.flush()
        ua = OrgUnit(office_id=office.id, symbol="UA", name="Referat Urbanistyki")
        org = OrgUnit(office_id=office.id, symbol="OR", name="Referat Organizacyjny")
        s.add_all([ua, org])
        s.flush()
        import_jrwa_plan(s, 2026)
        jrwa = s.scalar(select(JrwaClass).where(JrwaClass.symbol == "6727"))
        assert jrwa is not None
        case = Case(sign="UA.6727.1.2026", unit_id=ua.id, jrwa_class_id=jrwa.id, year=2026,
                    seq_no=1, title="Wypis i wyrys", opened_on=date(2026, 4, 1),
                    deadline_kind="one_month")  # fmt: skip
        żak = Correspondent(kind=CorrespondentKind.PERSON, first_name="Józef",
                            last_name="Żak", display_name="Józef Żak", search_key="zak jozef",
                            street="ul. Polna", building="5", apartment="2",
                            postal_code="62-035", city="Zielona Dolina")  # fmt: skip
        firma = Correspondent(kind=CorrespondentKind.INSTITUTION, display_name="Łąkopol sp. z o.o.",
                              search_key="lakopol", ade="AE:PL-12345-67890-ABCDE-12")  # fmt: skip
        s.add_all([case, żak, firma])
        s.flush()
        letters = [
            # number, channel, sent_on, status, delivered_on, unit, case, addressee
            (1, Channel.REGISTERED_ZPO, date(2026, 5, 4), DeliveryStatus.SENT, None, ua, case, żak),
            (2, Channel.EPUAP, date(2026, 6, 10), DeliveryStatus.SENT, None, ua, case, firma),
            (3, Channel.PAPER, date(2026, 5, 5), DeliveryStatus.SENT, None, ua, None, żak),
            (4, Channel.REGISTERED_ZPO, date(2026, 5, 6), DeliveryStatus.DEEMED_DELIVERED,
             date(2026, 5, 27), ua, case, żak),
            (5, Channel.EDORECZENIA, None, DeliveryStatus.FAILED, None, ua, case, firma),
            (6, Channel.REGISTERED_ZPO, date(2026, 5, 7), DeliveryStatus.DELIVERED,
             date(2026, 5, 9), ua, case, żak),
            (7, Channel.REGISTERED_ZPO, date(2026, 4, 20), DeliveryStatus.SENT, None, ua, case,
             żak),
            (8, Channel.REGISTERED_ZPO, date(2026, 5, 8), DeliveryStatus.SENT, None, org, None,
             żak),
            (9, Channel.PAPER, date(2026, 5, 11), DeliveryStatus.FAILED, None, ua, None, żak),
        ]  # fmt: skip
        for no, channel, sent_on, status, delivered_on, unit, in_case, who in letters:
            entry = RegisterEntry(
                direction=Direction.OUTGOING, register_symbol="WYCH", year=2026, seq_no=no,
                number=f"WYCH/{no}/2026", sent_on=sent_on, channel=channel,
                delivery_status=status, delivered_on=delivered_on, assigned_unit_id=unit.id,
                case_id=in_case.id if in_case else None, correspondent_id=who.id,
                tracking_no=f"(00)0059000{no:02d}" if channel is Channel.REGISTERED_ZPO else "",
                registered_at=datetime(2026, 5, 20, 9, 0, tzinfo=UTC), title="Pismo",
            )  # fmt: skip
            s.add(entry)
            s.flush()
            if channel in E_CHANNELS and status is DeliveryStatus.FAILED:
                message = OutboxMessage(
                    entry_id=entry.id,
                    channel="edoreczenia",
                    recipient=firma.ade,
                    state="failed",
                    error=SEND_ERROR,
                )
                s.add(message)


@pytest.fixture
def manager(ctx: AppContext) -> CurrentUser:
    seed_deliveries(ctx)
    return UserService(ctx.db).create_user("kierownik", "Ewa Kierownik", [Role.MANAGER])


def test_three_sections_worked_out_by_hand(ctx: AppContext, manager: CurrentUser) -> None:
    report = ReportService(ctx.db, manager).build("delivery", PERIOD)
    assert [s.heading for s in report.sections] == [OUTSTANDING, DEEMED, FAILED]
    outstanding, deemed, failed = report.sections
    # Oldest first; ordinary paper (no receipt) and letters sent before the period are out.
    assert [row[1] for row in outstanding.rows] == ["WYCH/1/2026", "WYCH/8/2026", "WYCH/2/2026"]
    first = outstanding.rows[0]
    assert first[2] == date(2026, 5, 4) and first[3] == "UA.6727.1.2026"
    assert first[4:8] == (
        "Józef Żak", "ul. Polna 5/2, 62-035 Zielona Dolina", "list polecony ZPO", "(00)005900001"
    )  # fmt: skip
    assert first[9] == 42 and "sprawdź zwrot przesyłki (art. 44 KPA)" in str(first[10])
    epuap = outstanding.rows[2]
    assert epuap[5] == "AE:PL-12345-67890-ABCDE-12" and epuap[9] == 5 and epuap[10] == ""
    assert [(r[1], r[8]) for r in deemed.rows] == [("WYCH/4/2026", date(2026, 5, 27))]
    # Never sent: dated by registration; the sending error comes from the outbox.
    assert [(r[1], r[2], r[9], r[10]) for r in failed.rows] == [
        ("WYCH/5/2026", None, 26, SEND_ERROR)
    ]
    assert outstanding.totals is not None and outstanding.totals[1] == "pism: 3"
    assert report.notes == (
        f"{OUTSTANDING}: 3 (dłużej niż 14 dni: 2); doręczenia zastępcze: 1; "
        "nieudane doręczenia elektroniczne: 1.",
    )
    assert report.chart is not None
    waiting = dict(zip(report.chart.categories, dict(report.chart.series)["oczekujące"],
                       strict=True))  # fmt: skip
    assert waiting == {"ePUAP": 1.0, "e-Doręczenia": 0.0, "list polecony ZPO": 2.0}


def test_counts_match_the_register_table(ctx: AppContext, manager: CurrentUser) -> None:
    with ctx.db.session() as session:
        rows = session.execute(
            select(RegisterEntry.channel, RegisterEntry.delivery_status, RegisterEntry.sent_on)
        ).all()
    start, end = PERIOD.date_from, PERIOD.date_to
    assert start is not None and end is not None

    def in_period(sent: date | None) -> bool:
        return (sent or date(2026, 5, 20)) >= start and (sent or date(2026, 5, 20)) <= end

    expected = [
        sum(1 for c, st, d in rows if st is DeliveryStatus.SENT and c is not Channel.PAPER
            and in_period(d)),
        sum(1 for _, st, d in rows if st is DeliveryStatus.DEEMED_DELIVERED and in_period(d)),
        sum(1 for c, st, d in rows if st is DeliveryStatus.FAILED and c in E_CHANNELS
            and in_period(d)),
    ]  # fmt: skip
    report = ReportService(ctx.db, manager).build("delivery", PERIOD)
    assert [len(s.rows) for s in report.sections] == expected


def test_one_unit_uses_the_case_unit_or_the_assignment(
    ctx: AppContext, manager: CurrentUser
) -> None:
    service = ReportService(ctx.db, manager)
    organisation = service.build("delivery", ReportParams(**{**PERIOD.__dict__, "unit": "OR"}))
    assert [r[1] for r in organisation.rows] == ["WYCH/8/2026"]
    assert organisation.parameters[0] == "Komórka: OR – Referat Organizacyjny"
    urbanism = service.build("delivery", ReportParams(**{**PERIOD.__dict__, "unit": "UA"}))
    assert "WYCH/8/2026" not in [r[1] for r in urbanism.rows]


def test_empty_period_is_a_clear_message(ctx: AppContext, manager: CurrentUser) -> None:
    with pytest.raises(EmptyReportError, match=r"Status doręczeń: w okresie od 01\.01\.2025"):
        ReportService(ctx.db, manager).build(
            "delivery", ReportParams(date_from=date(2025, 1, 1), date_to=date(2025, 1, 31))
        )


def test_pdf_csv_and_xlsx_carry_the_sections(ctx: AppContext, manager: CurrentUser) -> None:
    report = ReportService(ctx.db, manager).build("delivery", PERIOD)
    text = " ".join(
        " ".join(p.extract_text().split())
        for p in PdfReader(io.BytesIO(report_bytes(report, ".pdf"))).pages
    )
    for expected in ("Status doręczeń pism wychodzących", OUTSTANDING, DEEMED, FAILED,
                     "Józef Żak", "Łąkopol sp. z o.o.", "pism: 3"):  # fmt: skip
        assert expected in text
    rows = list(csv.reader(io.StringIO(report_bytes(report, ".csv").decode("utf-8-sig")),
                           delimiter=";"))  # fmt: skip
    assert rows[0][:3] == ["Grupa", "Lp.", "Nr w rejestrze"]
    assert [r[0] for r in rows[1:]].count(OUTSTANDING) == 4  # three letters and the total
    assert report_bytes(report, ".xlsx")[:2] == b"PK"


def test_cli_writes_the_report(
    ctx: AppContext,
    settings: Settings,
    cli_password: str | None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    seed_deliveries(ctx)
    UserService(ctx.db).create_user(os_login(), "Kierownik z konsoli", [Role.MANAGER], cli_password)
    parser = argparse.ArgumentParser(prog="clerk-app")
    cli_reports.add_commands(parser.add_subparsers(dest="command"))
    out = tmp_path / "doreczenia.csv"
    args = parser.parse_args(
        ["report", "delivery", "--from", "2026-05-01", "--to", "2026-06-15",
         "--today", "2026-06-15", "-o", str(out)]
    )  # fmt: skip
    assert args.handler(args, settings) == 0
    assert "Status doręczeń" in capsys.readouterr().out
    assert "WYCH/1/2026" in out.read_text("utf-8-sig")
