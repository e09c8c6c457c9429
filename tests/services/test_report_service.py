"""Managers' reports: numbers checked against a small office whose answers are worked out
by hand (KPA deadlines with holidays, pauses, art. 36 notices, Polish name order)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from clerk_app.errors import PermissionDenied, ValidationError
from clerk_app.models import (
    Assignment,
    AuditEvent,
    Case,
    CasePause,
    CaseStatus,
    Channel,
    Correspondent,
    CorrespondentKind,
    Direction,
    JrwaClass,
    Office,
    OrgUnit,
    RegisterEntry,
    Role,
    User,
    UserRole,
)
from clerk_app.services import audit
from clerk_app.services.app_context import AppContext
from clerk_app.services.jrwa_store import import_jrwa_plan
from clerk_app.services.reports import (
    EmptyReportError,
    ReportCancelled,
    ReportParams,
    ReportService,
)
from clerk_app.services.reports.base import polish_key
from clerk_app.services.users import CurrentUser, UserService

TODAY = date(2026, 6, 15)
MAY = ReportParams(date_from=date(2026, 5, 1), date_to=date(2026, 5, 31), today=TODAY)


@dataclass
class SmallOffice:
    manager: CurrentUser
    clerk: CurrentUser
    signs: dict[str, str]


def _user(session, login: str, name: str, unit: OrgUnit, role: Role) -> User:  # type: ignore[no-untyped-def]
    user = User(login=login, full_name=name, position="referent", unit_id=unit.id)
    user.roles = [UserRole(role=role)]
    session.add(user)
    session.flush()
    return user


@pytest.fixture
def office(ctx: AppContext) -> SmallOffice:
    manager = UserService(ctx.db).create_user("kierownik", "Ewa Kierownik", [Role.MANAGER])
    clerk = UserService(ctx.db).create_user("referent", "Piotr Referent", [Role.CASE_CLERK])
    signs: dict[str, str] = {}
    with ctx.db.session(write=True) as s:
        office = Office(name="Urząd Gminy Zielona Dolina")
        s.add(office)
        s.flush()
        ua = OrgUnit(office_id=office.id, symbol="UA", name="Referat Urbanistyki")
        org = OrgUnit(office_id=office.id, symbol="OR", name="Referat Organizacyjny")
        s.add_all([ua, org])
        s.flush()
        import_jrwa_plan(s, 2025)
        jrwa = {c.symbol: c for c in s.scalars(select(JrwaClass))}
        luczak = _user(s, "l.luczak", "Łukasz Łuczak", ua, Role.CASE_CLERK)
        lis = _user(s, "l.lis", "Lena Lis", ua, Role.CASE_CLERK)
        zajac = _user(s, "z.zajac", "Zofia Zając", org, Role.CASE_CLERK)
        kowalski = Correspondent(
            kind=CorrespondentKind.PERSON,
            first_name="Jan",
            last_name="Kowalski",
            street="Polna",
            building="5",
            postal_code="62-035",
            city="Zielona Dolina",
            display_name="Jan Kowalski",
            search_key="kowalski jan",
        )
        nowak = Correspondent(
            kind=CorrespondentKind.PERSON,
            display_name="Anna Nowak",
            search_key="nowak anna",
        )
        s.add_all([kowalski, nowak])
        s.flush()
        seq = {"RPW": 0, "WYCH": 0}

        def entry(direction: Direction, channel: Channel, on: date | None, unit: OrgUnit, **kw):  # type: ignore[no-untyped-def]
            symbol = "RPW" if direction is Direction.INCOMING else "WYCH"
            seq[symbol] += 1
            row = RegisterEntry(
                direction=direction,
                register_symbol=symbol,
                year=2026,
                seq_no=seq[symbol],
                number=f"{symbol}/{seq[symbol]}/2026",
                received_on=on if direction is Direction.INCOMING else None,
                sent_on=on if direction is Direction.OUTGOING else None,
                channel=channel,
                assigned_unit_id=unit.id,
                title=kw.pop("title", "Pismo"),
                **kw,
            )
            s.add(row)
            s.flush()
            return row

        inc, out = Direction.INCOMING, Direction.OUTGOING
        e1 = entry(
            inc,
            Channel.PAPER,
            date(2026, 5, 4),
            ua,
            correspondent_id=kowalski.id,
            letter_ref="12/2026",
            letter_date=date(2026, 4, 28),
        )
        e2 = entry(
            inc,
            Channel.PAPER,
            date(2026, 4, 1),
            ua,
            correspondent_id=nowak.id,
            unknown_fields="letter_ref",
        )
        e3 = entry(inc, Channel.EPUAP, date(2026, 5, 10), ua)
        e4 = entry(inc, Channel.EPUAP, date(2026, 5, 14), org, correspondent_id=kowalski.id)
        entry(inc, Channel.EMAIL, date(2026, 5, 31), org)
        entry(inc, Channel.PAPER, date(2026, 6, 1), ua)
        entry(inc, Channel.IN_PERSON, date(2026, 5, 2), org)
        entry(out, Channel.REGISTERED_ZPO, date(2026, 5, 10), ua)
        o2 = entry(out, Channel.EPUAP, date(2026, 5, 29), org, correspondent_id=nowak.id)
        entry(out, Channel.EPUAP, date(2026, 6, 2), org)
        # Not sent yet: dated by registration in the office's time zone (UTC+2 in May).
        entry(
            out,
            Channel.EDORECZENIA,
            None,
            org,
            registered_at=datetime(2026, 5, 20, 10, 0, tzinfo=UTC),
        )
        entry(
            out,
            Channel.EDORECZENIA,
            None,
            org,
            registered_at=datetime(2026, 5, 31, 23, 30, tzinfo=UTC),  # 1 June in Warsaw
        )

        counters: dict[tuple[str, str, int], int] = {}

        def case(
            key: str,
            unit: OrgUnit,
            symbol: str,
            handler: User,
            opened: date,
            kind: str,
            origin: RegisterEntry | None = None,
            **kw,
        ) -> Case:  # type: ignore[no-untyped-def]
            number = counters[(unit.symbol, symbol, opened.year)] = (
                counters.get((unit.symbol, symbol, opened.year), 0) + 1
            )
            row = Case(
                sign=f"{unit.symbol}.{symbol}.{number}.{opened.year}",
                unit_id=unit.id,
                jrwa_class_id=jrwa[symbol].id,
                year=opened.year,
                seq_no=number,
                title=kw.pop("title", f"Sprawa {key}"),
                status=CaseStatus.CLOSED if kw.get("closed_on") else CaseStatus.OPEN,
                handler_id=handler.id,
                opened_on=opened,
                deadline_kind=kind,
                origin_entry_id=origin.id if origin else None,
                **kw,
            )
            s.add(row)
            s.flush()
            signs[key] = row.sign
            return row

        case(
            "c1",
            ua,
            "6727",
            luczak,
            date(2026, 5, 4),
            "one_month",
            e1,
            closed_on=date(2026, 5, 20),
            outcome="Wydano wypis",
            title="Wypis – działka 12/3",
        )
        case(
            "c2",
            ua,
            "6727",
            luczak,
            date(2026, 4, 1),
            "one_month",
            e2,
            closed_on=date(2026, 5, 12),
            outcome="Wydano wypis",
        )
        case("c3", ua, "6727", luczak, date(2026, 5, 10), "seven_days", e3)
        case("c4", ua, "6730", lis, date(2026, 6, 1), "one_month")
        case(
            "c5", ua, "6730", lis, date(2026, 6, 5), "seven_days", delay_notice_on=date(2026, 6, 10)
        )
        c6 = case("c6", ua, "6730", lis, date(2026, 6, 1), "fourteen_days")
        c7 = case(
            "c7",
            org,
            "0152",
            zajac,
            date(2026, 5, 15),
            "appeal_or_complaint",
            e4,
            title="Skarga na opieszałość referatu",
        )
        c8 = case(
            "c8",
            org,
            "0150",
            zajac,
            date(2026, 5, 20),
            "one_month",
            closed_on=date(2026, 5, 28),
            outcome="Wniosek uwzględniony",
        )
        case(
            "c9",
            org,
            "0152",
            zajac,
            date(2025, 11, 10),
            "one_month",
            closed_on=date(2025, 12, 1),
            outcome="Skarga bezzasadna",
        )
        s.add(
            CasePause(
                case_id=c6.id,
                reason="awaiting_party",
                started_on=date(2026, 6, 3),
                ended_on=date(2026, 6, 5),
            )
        )
        s.add(
            Assignment(
                case_id=c7.id,
                to_user_id=zajac.id,
                assigned_at=datetime(2026, 5, 15, 10, 0, tzinfo=UTC),
            )
        )
        o2.case_id = c8.id
        audit.record(s, manager, "open", "case", c7.id, summary="Założenie sprawy")
        audit.record(
            s,
            manager,
            "assign",
            "case",
            c7.id,
            summary="Dekretacja na: Zofia Zając",
            details={"document": "RPW/4/2026"},
        )
    return SmallOffice(manager, clerk, signs)


def _service(ctx: AppContext, office: SmallOffice) -> ReportService:
    return ReportService(ctx.db, office.manager)


def test_register_counts_each_channel_in_the_period(ctx: AppContext, office: SmallOffice) -> None:
    report = _service(ctx, office).build("register", MAY)
    table = {row[0]: row[1:] for row in report.rows}
    assert table == {
        "papier (poczta)": (1, 0, 1),
        "ePUAP": (2, 1, 3),
        "e-mail": (1, 0, 1),
        "osobiście": (1, 0, 1),
        "list polecony ZPO": (0, 1, 1),
        "e-Doręczenia": (0, 1, 1),
    }
    assert report.totals == ("Razem", 5, 3, 8)
    assert report.chart is not None
    assert dict(report.chart.series)["wpływające"] == tuple(
        float(row[1])
        for row in report.rows  # type: ignore[arg-type]
    )
    assert report.period == "od 01.05.2026 do 31.05.2026"


def test_register_of_one_unit(ctx: AppContext, office: SmallOffice) -> None:
    report = _service(ctx, office).build(
        "register", ReportParams(date_from=date(2026, 5, 1), date_to=date(2026, 5, 31), unit="ua")
    )
    assert report.totals == ("Razem", 2, 1, 3)
    assert report.parameters == ("Komórka: UA – Referat Urbanistyki",)


def test_cases_per_clerk(ctx: AppContext, office: SmallOffice) -> None:
    report = _service(ctx, office).build("clerks", MAY)
    # Polish alphabet: Lis, Łuczak, Zając (an ASCII sort would put Ł after Z).
    assert [row[0] for row in report.rows] == ["Lena Lis", "Łukasz Łuczak", "Zofia Zając"]
    by_name = {row[0]: row[1:] for row in report.rows}
    # unit, opened, closed, average days, closed late, open now, overdue now
    assert by_name["Łukasz Łuczak"] == ("UA", 2, 2, 28.5, 1, 1, 1)
    assert by_name["Lena Lis"] == ("UA", 0, 0, None, 0, 3, 1)
    assert by_name["Zofia Zając"] == ("OR", 2, 1, 8.0, 0, 1, 0)
    assert report.totals == ("Razem", "", 4, 3, round((16 + 41 + 8) / 3, 1), 1, 5, 2)


def test_overdue_and_at_risk(ctx: AppContext, office: SmallOffice) -> None:
    report = _service(ctx, office).build("overdue", ReportParams(today=TODAY))
    signs = office.signs
    rows = {row[0]: row for row in report.rows}
    assert [row[0] for row in report.rows] == [signs["c3"], signs["c5"], signs["c7"], signs["c6"]]
    # sign, title, handler, start, kind, paused, due, days left, days overdue, notice
    c3 = rows[signs["c3"]]
    assert c3[2:4] == ("Łukasz Łuczak", date(2026, 5, 10))
    assert c3[5:] == (0, date(2026, 5, 18), None, 28, "BRAK – należy zawiadomić")
    assert rows[signs["c5"]][5:] == (0, date(2026, 6, 12), None, 3, "tak, 10.06.2026")
    # Started on receipt (14 May); a month ends on Sunday 14 June, so Monday 15 June.
    c7 = rows[signs["c7"]]
    assert c7[3] == date(2026, 5, 14)
    assert c7[5:] == (0, date(2026, 6, 15), 0, None, "BRAK – należy zawiadomić")
    # Two paused days push the deadline from 15 to 17 June.
    assert rows[signs["c6"]][5:9] == (2, date(2026, 6, 17), 2, None)
    assert report.notes == (
        "Po terminie: 2; zagrożone: 2; bez wymaganego zawiadomienia o zwłoce (art. 36 KPA): 3.",
    )
    only_or = _service(ctx, office).build("overdue", ReportParams(today=TODAY, unit="OR"))
    assert [row[0] for row in only_or.rows] == [signs["c7"]]


def test_case_list_of_a_unit_class_and_year(ctx: AppContext, office: SmallOffice) -> None:
    report = _service(ctx, office).build(
        "case-list", ReportParams(year=2026, unit="UA", jrwa="6727", today=TODAY)
    )
    assert len(report.sections) == 1
    section = report.sections[0]
    assert "UA – Referat Urbanistyki" in section.heading and "6727" in section.heading
    assert [row[0] for row in section.rows] == ["1", "2", "3"]
    first = section.rows[0]
    assert first[1] == f"Wypis – działka 12/3 ({office.signs['c1']})"
    assert first[2] == "Jan Kowalski, znak: 12/2026, z dnia 28.04.2026"
    assert first[3:] == (date(2026, 5, 4), date(2026, 5, 20), "Wydano wypis")
    assert section.rows[1][2] == "Anna Nowak, znak: brak danych"
    every = _service(ctx, office).build("case-list", ReportParams(year=2026, today=TODAY))
    assert [s.heading.split(";")[0] for s in every.sections] == [
        "Komórka: OR – Referat Organizacyjny",
        "Komórka: OR – Referat Organizacyjny",
        "Komórka: UA – Referat Urbanistyki",
        "Komórka: UA – Referat Urbanistyki",
    ]
    assert every.row_count == 8


def test_jrwa_statistics_year_on_year(ctx: AppContext, office: SmallOffice) -> None:
    report = _service(ctx, office).build("jrwa-stats", ReportParams(year=2026, today=TODAY))
    table = {(row[0], row[4]): (row[2], row[5], row[6], row[7]) for row in report.rows}
    assert table == {
        ("0150", "OR"): ("A", 0, 1, 1),
        ("0152", "OR"): ("A", 1, 1, 0),
        ("6727", "UA"): (table[("6727", "UA")][0], 0, 3, 3),
        ("6730", "UA"): (table[("6730", "UA")][0], 0, 3, 3),
    }
    assert report.totals is not None and report.totals[5:] == (1, 8, 7)


def test_complaints_register(ctx: AppContext, office: SmallOffice) -> None:
    report = _service(ctx, office).build("complaints", MAY)
    assert len(report.rows) == 2
    c7, c8 = report.rows
    assert c7[:8] == (
        1,
        date(2026, 5, 14),
        "Jan Kowalski",
        "Polna 5, 62-035 Zielona Dolina",
        "Skarga na opieszałość referatu",
        date(2026, 5, 15),
        "Zofia Zając",
        date(2026, 6, 15),
    )
    assert c7[8] is None
    assert c8[1] == date(2026, 5, 20)
    assert c8[8:12] == (date(2026, 5, 28), "Wniosek uwzględniony", date(2026, 5, 29), "Anna Nowak")
    assert c8[12].startswith("Wnioski")
    only_complaints = _service(ctx, office).build(
        "complaints", ReportParams(date_from=MAY.date_from, date_to=MAY.date_to, jrwa="0152")
    )
    assert [row[4] for row in only_complaints.rows] == ["Skarga na opieszałość referatu"]


def test_case_history_from_the_audit_trail(ctx: AppContext, office: SmallOffice) -> None:
    report = _service(ctx, office).build("case-history", ReportParams(case=office.signs["c7"]))
    assert [(row[0], row[2], row[3], row[4]) for row in report.rows] == [
        (1, "Ewa Kierownik", "Założenie sprawy", ""),
        (2, "Ewa Kierownik", "Dekretacja na: Zofia Zając", "RPW/4/2026"),
    ]
    assert f"Znak sprawy: {office.signs['c7']}" in report.parameters
    with pytest.raises(EmptyReportError, match="nie ma żadnej czynności"):
        _service(ctx, office).build("case-history", ReportParams(case=office.signs["c1"]))
    with pytest.raises(ValidationError, match=r"nie ma sprawy o znaku „XX\.1\.1\.2026”"):
        _service(ctx, office).build("case-history", ReportParams(case="XX.1.1.2026"))


def test_archive_hand_over_list(ctx: AppContext, office: SmallOffice) -> None:
    old = _service(ctx, office).build("archive", ReportParams(year=2025, unit="OR", today=TODAY))
    assert old.rows == ((1, "OR.0152", "Skargi (2025)", "2025", "A", 1, "", "spraw: 1"),)
    current = _service(ctx, office).build("archive", ReportParams(year=2026, unit="UA"))
    rows = current.rows
    assert [row[1] for row in rows] == ["UA.6727", "UA.6730"]
    assert rows[0][3] == "2026"
    assert rows[0][7] == f"spraw: 3; UWAGA – sprawy w toku: {office.signs['c3']}"
    assert current.sections[0].totals == ("Razem", "", "", "", "", 2, "", "spraw: 6")


def test_an_empty_period_is_a_clear_message(ctx: AppContext, office: SmallOffice) -> None:
    service = _service(ctx, office)
    empty = ReportParams(date_from=date(2020, 1, 1), date_to=date(2020, 1, 31), today=TODAY)
    with pytest.raises(EmptyReportError, match=r"od 01\.01\.2020 do 31\.01\.2020.*żadnego pisma"):
        service.build("register", empty)
    with pytest.raises(EmptyReportError, match="Rejestr skarg i wniosków"):
        service.build("complaints", empty)
    with pytest.raises(EmptyReportError, match="Spis spraw: brak spraw"):
        service.build("case-list", ReportParams(year=2019))


def test_bad_parameters_name_the_field(ctx: AppContext, office: SmallOffice) -> None:
    service = _service(ctx, office)
    with pytest.raises(ValidationError, match=r"Data „do” \(01\.05\.2026\) jest wcześniejsza"):
        service.build(
            "register", ReportParams(date_from=date(2026, 5, 2), date_to=date(2026, 5, 1))
        )
    with pytest.raises(ValidationError, match="Data „od”"):
        service.build("clerks", ReportParams(date_to=date(2026, 5, 1)))
    with pytest.raises(ValidationError, match="Komórka: nie ma komórki o symbolu „XYZ”"):
        service.build("overdue", ReportParams(unit="XYZ"))
    with pytest.raises(ValidationError, match="nieznana nazwa „nope”"):
        service.build("nope", ReportParams())


def test_reports_are_for_managers_and_are_audited(ctx: AppContext, office: SmallOffice) -> None:
    with pytest.raises(PermissionDenied, match="Brak uprawnień"):
        ReportService(ctx.db, office.clerk).build("overdue", ReportParams(today=TODAY))
    _service(ctx, office).build("overdue", ReportParams(today=TODAY))
    with ctx.db.session() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.object_type == "report").order_by(AuditEvent.id)
        ).all()
    assert [(e.action, e.user_login, e.object_id) for e in events] == [
        ("permission_denied", "referent", "overdue"),
        ("report", "kierownik", "overdue"),
    ]
    assert "wierszy: 4" in events[1].summary


def test_cancelling_stops_the_build(ctx: AppContext, office: SmallOffice) -> None:
    with pytest.raises(ReportCancelled, match="przerwano"):
        _service(ctx, office).build("register", MAY, None, lambda: True)
    finished: list[tuple[int, int]] = []
    _service(ctx, office).build(
        "register", MAY, lambda d, t: finished.append((d, t)), lambda: False
    )
    assert finished[-1][0] == finished[-1][1]


def test_polish_alphabetical_order() -> None:
    names = ["Żak", "Zając", "Łuczak", "Lis", "Ćwik", "Cichy", "Śliwa", "Sowa", "Ąbek", "Adam"]
    assert sorted(names, key=polish_key) == [
        "Adam",
        "Ąbek",
        "Cichy",
        "Ćwik",
        "Lis",
        "Łuczak",
        "Sowa",
        "Śliwa",
        "Zając",
        "Żak",
    ]
