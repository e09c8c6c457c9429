"""Cases: opening, signs, numbering, assignment, the pause ledger, deadlines, lists, history."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select

from clerk_app.errors import ValidationError
from clerk_app.models import (
    Assignment,
    AuditEvent,
    Case,
    CaseStatus,
    Channel,
    ClosedYear,
    Correspondent,
    CorrespondentKind,
    Direction,
    NumberSequence,
    Office,
    OrgUnit,
    RegisterEntry,
    Role,
    StandIn,
    User,
    UserRole,
)
from clerk_app.services import audit
from clerk_app.services.app_context import AppContext
from clerk_app.services.case_sign import CaseSign
from clerk_app.services.cases import CaseService, overdue_clause
from clerk_app.services.jrwa_store import import_jrwa_plan
from clerk_app.services.kpa_deadlines import DeadlineKind, DeadlineState
from clerk_app.services.users import CurrentUser


@dataclass
class Office_:
    units: dict[str, int]
    users: dict[str, CurrentUser]


class Clock:
    def __init__(self, today: date) -> None:
        self.today = today

    def __call__(self) -> date:
        return self.today


USERS = [
    ("a.nowak", "Anna Nowak", "inspektor – kancelaria", "OR", {Role.REGISTRY_CLERK}),
    ("m.kowalski", "Marek Kowalski", "inspektor ds. planowania", "UA", {Role.CASE_CLERK}),
    ("j.wisniewski", "Jan Wiśniewski", "podinspektor", "UA", {Role.CASE_CLERK}),
    ("k.lewandowska", "Katarzyna Lewandowska", "referent", "GK", {Role.CASE_CLERK}),
    ("e.wisniewska", "Ewa Wiśniewska", "kierownik referatu", "UA", {Role.MANAGER}),
]


@pytest.fixture
def office(ctx: AppContext) -> Office_:
    with ctx.db.session(write=True) as session:
        office = Office(name="Urząd Gminy Zielona Dolina")
        session.add(office)
        session.flush()
        units = {}
        for symbol, name in [("UA", "Referat Urbanistyki"), ("GK", "Gospodarka"), ("OR", "Org")]:
            unit = OrgUnit(office_id=office.id, symbol=symbol, name=name)
            session.add(unit)
            session.flush()
            units[symbol] = unit.id
        users = {}
        for login, name, position, unit_symbol, roles in USERS:
            user = User(login=login, full_name=name, position=position, unit_id=units[unit_symbol])
            user.roles = [UserRole(role=r) for r in sorted(roles)]
            session.add(user)
            session.flush()
            users[login] = CurrentUser(user.id, login, name, frozenset(roles))
        import_jrwa_plan(session, 2025)
    return Office_(units, users)


def add_entry(
    ctx: AppContext,
    seq: int,
    received_on: date,
    title: str = "Wniosek o wypis i wyrys",
    direction: Direction = Direction.INCOMING,
) -> int:
    symbol = "RPW" if direction is Direction.INCOMING else "WYCH"
    with ctx.db.session(write=True) as session:
        sender = Correspondent(
            kind=CorrespondentKind.PERSON,
            first_name="Jan",
            last_name="Wiśniewski",
            display_name="Jan Wiśniewski",
            search_key="wisniewski jan",
        )
        session.add(sender)
        session.flush()
        entry = RegisterEntry(
            direction=direction,
            register_symbol=symbol,
            year=received_on.year,
            seq_no=seq,
            number=f"{symbol}/{seq}/{received_on.year}",
            received_on=received_on if direction is Direction.INCOMING else None,
            sent_on=received_on if direction is Direction.OUTGOING else None,
            title=title,
            correspondent_id=sender.id,
            letter_date=date(2026, 1, 28),
            letter_ref="AB.1.2026",
            channel=Channel.PAPER,
        )
        session.add(entry)
        session.flush()
        audit.record(
            session, None, "register", "register_entry", entry.id, summary="Rejestracja pisma"
        )
        return entry.id


def service(ctx: AppContext, office: Office_, login: str, today: date) -> CaseService:
    return CaseService(ctx.db, office.users[login], today=Clock(today))


def open_ua(svc: CaseService, office: Office_, opened_on: date, **kw: object) -> int:
    row = svc.open_case(
        office.units["UA"],
        str(kw.pop("jrwa", "6727")),
        str(kw.pop("title", "Wypis i wyrys – działka 3/4")),
        opened_on,
        kw.pop("kind", DeadlineKind.ONE_MONTH),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )
    return row.id


def test_open_by_hand_gives_a_sign_that_round_trips_and_a_deadline(
    ctx: AppContext, office: Office_
) -> None:
    marek = service(ctx, office, "m.kowalski", date(2026, 3, 2))
    row = marek.open_case(
        office.units["UA"], "6727", " Wypis i wyrys – działka 3/4 ", date(2026, 3, 2), "one_month"
    )
    assert row.sign == "UA.6727.1.2026"
    parsed = CaseSign.parse(row.sign)
    assert (parsed.unit, parsed.jrwa, parsed.number, parsed.year) == ("UA", "6727", 1, 2026)
    assert str(parsed) == row.sign
    assert row.title == "Wypis i wyrys – działka 3/4"
    assert row.jrwa_title == "Wypisy i wyrysy z dokumentów planistycznych"
    assert row.status is CaseStatus.OPEN and row.status_label == "w toku"
    assert row.handler_name == "Marek Kowalski"
    assert row.due_on == date(2026, 4, 2)  # one month, a Thursday
    with ctx.db.session() as session:
        events = audit.events_for(session, "case", row.id)
    assert [e.action for e in events] == ["open"]
    assert "UA.6727.1.2026" in events[0].summary


def test_opening_from_an_entry_links_it_and_counts_from_receipt(
    ctx: AppContext, office: Office_
) -> None:
    entry_id = add_entry(ctx, 1, date(2026, 1, 30))
    marek = service(ctx, office, "m.kowalski", date(2026, 2, 2))
    row = marek.open_case(
        office.units["UA"], "6727", "", date(2026, 2, 2), "one_month", origin_entry_id=entry_id
    )
    assert row.title == "Wniosek o wypis i wyrys"  # taken from the letter
    assert row.origin_entry_id == entry_id
    # 30 January + 1 month = 28 February 2026, a Saturday -> Monday 2 March (art. 57 § 5).
    assert row.due_on == date(2026, 3, 2)
    with ctx.db.session() as session:
        entry = session.get(RegisterEntry, entry_id)
        assert entry is not None and entry.case_id == row.id
    already = re.escape("RPW/1/2026 jest już w sprawie UA.6727.1.2026")
    with pytest.raises(ValidationError, match=already):
        marek.open_case(
            office.units["UA"], "6727", "x", date(2026, 2, 2), "one_month", origin_entry_id=entry_id
        )
    detail = marek.get_case(row.sign)
    assert [e.number for e in detail.entries] == ["RPW/1/2026"]
    assert detail.entries[0].sender == "Jan Wiśniewski"


def test_numbers_run_per_unit_class_and_year_and_restart_yearly(
    ctx: AppContext, office: Office_
) -> None:
    marek = service(ctx, office, "m.kowalski", date(2026, 3, 2))
    kasia = service(ctx, office, "k.lewandowska", date(2026, 3, 2))
    signs = [
        marek.open_case(office.units["UA"], "6727", "a", date(2026, 3, 2), "one_month").sign,
        marek.open_case(office.units["UA"], "6727", "b", date(2026, 3, 2), "one_month").sign,
        marek.open_case(office.units["UA"], "6730", "c", date(2026, 3, 2), "two_months").sign,
        kasia.open_case(office.units["GK"], "6727", "d", date(2026, 3, 2), "one_month").sign,
        marek.open_case(office.units["UA"], "6727", "e", date(2027, 1, 4), "one_month").sign,
        marek.open_case(office.units["UA"], "6727", "f", date(2025, 12, 31), "one_month").sign,
        marek.open_case(
            office.units["UA"],
            "6727",
            "g",
            date(2026, 3, 2),
            "seven_days",
            subgroup=2,
            with_initials=True,
        ).sign,
    ]
    assert signs == [
        "UA.6727.1.2026",
        "UA.6727.2.2026",
        "UA.6730.1.2026",
        "GK.6727.1.2026",
        "UA.6727.1.2027",
        "UA.6727.1.2025",
        "UA.6727.3.2.2026.MK",
    ]
    last = CaseSign.parse(signs[-1])
    assert (last.number, last.subnumber, last.initials) == (3, 2, "MK")


@pytest.mark.parametrize(
    ("jrwa", "opened_on", "message"),
    [
        ("9999", date(2026, 3, 2), "klasy „9999” nie ma w wykazie akt obowiązującym w roku 2026"),
        ("67", date(2026, 3, 2), "nie jest klasą końcową.*np. 6720, 6721"),
        ("", date(2026, 3, 2), "Symbol JRWA: pole jest wymagane"),
        ("6727", date(2024, 5, 6), "brak wykazu akt obowiązującego w roku 2024"),
        ("6727", date(2025, 5, 6), "rok 2025 jest zamknięty"),
    ],
)
def test_bad_class_and_closed_year_are_refused_and_nothing_is_saved(
    ctx: AppContext, office: Office_, jrwa: str, opened_on: date, message: str
) -> None:
    with ctx.db.session(write=True) as session:
        session.add(ClosedYear(year=2025))
    marek = service(ctx, office, "m.kowalski", date(2026, 3, 2))
    with pytest.raises(ValidationError, match=message):
        marek.open_case(office.units["UA"], jrwa, "Wypis", opened_on, "one_month")
    with ctx.db.session() as session:
        assert session.scalar(select(func.count(Case.id))) == 0
        assert session.scalar(select(func.count()).select_from(NumberSequence)) == 0


def test_a_failure_after_numbering_returns_the_number(ctx: AppContext, office: Office_) -> None:
    with ctx.db.session(write=True) as session:
        ua = session.get(OrgUnit, office.units["UA"])
        assert ua is not None
        bad = OrgUnit(office_id=ua.office_id, parent_id=ua.id, symbol="U A", name="Zły symbol")
        session.add(bad)
        session.flush()
        bad_id = bad.id
    marek = service(ctx, office, "m.kowalski", date(2026, 3, 2))
    with pytest.raises(ValidationError, match="symbol komórki „U A”"):
        marek.open_case(bad_id, "6727", "Wypis", date(2026, 3, 2), "one_month")
    with ctx.db.session() as session:
        assert session.scalar(select(func.count()).select_from(NumberSequence)) == 0
        assert session.scalar(select(func.count(Case.id))) == 0


def test_bad_deadline_input_is_named(ctx: AppContext, office: Office_) -> None:
    marek = service(ctx, office, "m.kowalski", date(2026, 3, 2))
    with pytest.raises(ValidationError, match="Rodzaj terminu: nieznana wartość „soon”"):
        marek.open_case(office.units["UA"], "6727", "x", date(2026, 3, 2), "soon")
    with pytest.raises(ValidationError, match="liczba dni"):
        marek.open_case(office.units["UA"], "6727", "x", date(2026, 3, 2), "custom_days")
    with pytest.raises(ValidationError, match="Tytuł sprawy: pole jest wymagane"):
        marek.open_case(office.units["UA"], "6727", "  ", date(2026, 3, 2), "one_month")
    row = marek.open_case(
        office.units["UA"], "6727", "x", date(2026, 3, 2), "custom_days", deadline_days=21
    )
    assert row.due_on == date(2026, 3, 23)


def test_assignment_goes_to_the_stand_in_of_an_absent_clerk(
    ctx: AppContext, office: Office_
) -> None:
    marek_id = office.users["m.kowalski"].id
    jan_id = office.users["j.wisniewski"].id
    with ctx.db.session(write=True) as session:
        session.add(
            StandIn(
                absent_user_id=jan_id,
                substitute_id=marek_id,
                date_from=date(2026, 3, 1),
                date_to=date(2026, 3, 14),
            )
        )
    marek = service(ctx, office, "m.kowalski", date(2026, 3, 2))
    case_id = open_ua(marek, office, date(2026, 3, 2))
    anna = service(ctx, office, "a.nowak", date(2026, 3, 2))
    row = anna.assign(case_id, jan_id, "Proszę przygotować wypis")
    assert row.handler_id == marek_id and row.handler_name == "Marek Kowalski"
    with ctx.db.session() as session:
        active = session.scalars(
            select(Assignment).where(Assignment.case_id == case_id, Assignment.active.is_(True))
        ).all()
        assert len(active) == 1
        assert active[0].instead_of_user_id == jan_id
        assert active[0].instruction == "Proszę przygotować wypis"
    # After the absence the case goes to Jan himself.
    later = service(ctx, office, "a.nowak", date(2026, 3, 16))
    assert later.assign(case_id, jan_id).handler_id == jan_id
    history = service(ctx, office, "e.wisniewska", date(2026, 3, 16)).case_history(case_id)
    assert any("zastępstwo za: Jan Wiśniewski" in r.what_done for r in history.rows)


def test_pause_and_resume_move_the_stored_deadline(ctx: AppContext, office: Office_) -> None:
    clock = Clock(date(2026, 3, 2))
    marek = CaseService(ctx.db, office.users["m.kowalski"], today=clock)
    case_id = open_ua(marek, office, date(2026, 3, 2))
    clock.today = date(2026, 3, 10)
    row = marek.suspend(case_id, date(2026, 3, 10), "postępowanie przed sądem")
    assert row.status is CaseStatus.SUSPENDED and row.due_on == date(2026, 4, 2)
    with pytest.raises(ValidationError, match="już wstrzymany od 2026-03-10"):
        marek.await_party(case_id, date(2026, 3, 11))
    status = marek.deadline_status(case_id, date(2026, 3, 15))
    assert status is not None and status.state is DeadlineState.PAUSED and status.paused_days == 5

    clock.today = date(2026, 3, 20)
    with pytest.raises(ValidationError, match="Data wznowienia"):
        marek.resume(case_id, date(2026, 3, 9))
    row = marek.resume(case_id, date(2026, 3, 20))
    # 2 April + 10 paused days = Sunday 12 April -> Monday 13 April.
    assert row.status is CaseStatus.OPEN and row.due_on == date(2026, 4, 13)
    with pytest.raises(ValidationError, match="nie jest wstrzymany"):
        marek.resume(case_id, date(2026, 3, 21))

    row = marek.await_party(case_id, date(2026, 3, 23), "wezwanie do uzupełnienia braków")
    assert row.status is CaseStatus.AWAITING_PARTY
    clock.today = date(2026, 3, 30)
    row = marek.resume(case_id, date(2026, 3, 30))
    assert row.due_on == date(2026, 4, 20)  # 17 paused days in all
    detail = marek.get_case(case_id)
    assert [(p.reason, p.started_on, p.ended_on) for p in detail.pauses] == [
        ("suspension", date(2026, 3, 10), date(2026, 3, 20)),
        ("awaiting_party", date(2026, 3, 23), date(2026, 3, 30)),
    ]
    with ctx.db.session() as session:
        assert session.scalar(select(Case.due_on).where(Case.id == case_id)) == date(2026, 4, 20)


def test_delay_notice_sets_the_new_date_and_silences_the_reminder(
    ctx: AppContext, office: Office_
) -> None:
    clock = Clock(date(2026, 3, 2))
    marek = CaseService(ctx.db, office.users["m.kowalski"], today=clock)
    case_id = open_ua(marek, office, date(2026, 3, 2))
    clock.today = date(2026, 3, 30)
    status = marek.deadline_status(case_id)
    assert status is not None and status.at_risk and status.delay_notice_due
    with pytest.raises(ValidationError, match="późniejszy niż obecny termin"):
        marek.record_delay_notice(case_id, date(2026, 3, 30), date(2026, 4, 1))
    with pytest.raises(ValidationError, match="późniejszy niż data zawiadomienia"):
        marek.record_delay_notice(case_id, date(2026, 3, 30), date(2026, 3, 30))
    row = marek.record_delay_notice(
        case_id, date(2026, 3, 30), date(2026, 4, 30), "opinia konserwatora"
    )
    assert row.delay_notice_on == date(2026, 3, 30) and row.due_on == date(2026, 4, 30)
    status = marek.deadline_status(case_id)
    assert status is not None and not status.at_risk and not status.delay_notice_due
    # A pause after the notice still pushes the new date.
    marek.await_party(case_id, date(2026, 4, 1))
    clock.today = date(2026, 4, 8)
    assert marek.resume(case_id, date(2026, 4, 8)).due_on == date(2026, 5, 7)


def test_overdue_and_at_risk_list_for_monday(ctx: AppContext, office: Office_) -> None:
    clock = Clock(date(2026, 1, 5))
    marek = CaseService(ctx.db, office.users["m.kowalski"], today=clock)
    overdue = open_ua(marek, office, date(2026, 1, 5), title="Zaległa")
    settled_late = open_ua(marek, office, date(2026, 1, 5), title="Zakończona")
    paused = open_ua(marek, office, date(2026, 1, 5), title="Zawieszona")
    clock.today = date(2026, 1, 20)
    marek.suspend(paused, date(2026, 1, 20))
    clock.today = date(2026, 2, 5)
    at_risk = open_ua(marek, office, date(2026, 2, 5), title="Zagrożona")
    clock.today = date(2026, 2, 20)
    marek.close(settled_late, date(2026, 2, 20), "Wydano wypis")
    clock.today = date(2026, 3, 1)
    open_ua(marek, office, date(2026, 3, 1), title="W terminie")
    kasia = service(ctx, office, "k.lewandowska", date(2026, 3, 2))
    kasia.open_case(office.units["GK"], "7021", "Pas drogowy", date(2026, 1, 5), "one_month")

    ewa = service(ctx, office, "e.wisniewska", date(2026, 3, 2))
    rows = ewa.overdue_and_at_risk(date(2026, 3, 2), unit_id=office.units["UA"])
    assert [(r.case_id, r.days_left) for r in rows] == [(overdue, -25), (at_risk, 3)]
    first = rows[0]
    assert first.overdue and first.delay_notice_due and first.days_overdue == 25
    assert first.handler_name == "Marek Kowalski"
    assert first.deadline_label.startswith("1 miesiąc")
    assert rows[1].at_risk and not rows[1].overdue
    everything = ewa.overdue_and_at_risk(date(2026, 3, 2))
    assert {r.unit_symbol for r in everything} == {"UA", "GK"}
    # A case clerk sees the list of the cases she may handle only.
    assert [r.unit_symbol for r in kasia.overdue_and_at_risk(date(2026, 3, 2))] == ["GK"]
    # The stored due_on supports the SQL overdue filter of views.
    with ctx.db.session() as session:
        ids = set(session.scalars(select(Case.id).where(overdue_clause(date(2026, 3, 2)))))
    assert overdue in ids and paused not in ids and settled_late not in ids


def test_close_and_reopen(ctx: AppContext, office: Office_) -> None:
    marek = service(ctx, office, "m.kowalski", date(2026, 3, 20))
    case_id = open_ua(marek, office, date(2026, 3, 2))
    marek.suspend(case_id, date(2026, 3, 10))
    with pytest.raises(ValidationError, match="Sposób załatwienia"):
        marek.close(case_id, date(2026, 3, 20), " ")
    row = marek.close(case_id, date(2026, 3, 20), "Wydano wypis i wyrys")
    assert row.status is CaseStatus.CLOSED and row.closed_on == date(2026, 3, 20)
    detail = marek.get_case(case_id)
    assert detail.pauses[0].ended_on == date(2026, 3, 20)  # the pause ends with the case
    assert detail.deadline is not None and detail.deadline.state is DeadlineState.SETTLED_IN_TIME
    with pytest.raises(ValidationError, match="jest zakończona"):
        marek.suspend(case_id, date(2026, 3, 21))
    with pytest.raises(ValidationError, match="Przyczyna ponownego otwarcia"):
        marek.reopen(case_id, date(2026, 3, 25), "")
    row = marek.reopen(case_id, date(2026, 3, 25), "uchylenie w trybie odwołania")
    assert row.status is CaseStatus.OPEN and row.closed_on is None and row.outcome == ""


def test_case_list_has_the_spis_spraw_columns(ctx: AppContext, office: Office_) -> None:
    entry_id = add_entry(ctx, 1, date(2026, 2, 2))
    marek = service(ctx, office, "m.kowalski", date(2026, 3, 2))
    first = marek.open_case(
        office.units["UA"], "6727", "", date(2026, 2, 3), "one_month", origin_entry_id=entry_id
    )
    marek.close(first.id, date(2026, 2, 20), "Wydano wypis i wyrys")
    open_ua(marek, office, date(2026, 3, 2), title="Wypis z urzędu")
    open_ua(marek, office, date(2026, 3, 2), jrwa="6730", title="Inna klasa")
    open_ua(marek, office, date(2027, 1, 4), title="Inny rok")

    listing = service(ctx, office, "e.wisniewska", date(2026, 3, 2)).case_list(
        office.units["UA"], "6727", 2026
    )
    assert (listing.unit_symbol, listing.jrwa_symbol, listing.year) == ("UA", "6727", 2026)
    assert listing.jrwa_title == "Wypisy i wyrysy z dokumentów planistycznych"
    assert [(r.no, r.title) for r in listing.rows] == [
        (1, "Wniosek o wypis i wyrys"),
        (2, "Wypis z urzędu"),
    ]
    row = listing.rows[0]
    assert row.from_whom == "Jan Wiśniewski, znak: AB.1.2026, z dnia 28.01.2026"
    assert (row.started_on, row.settled_on, row.notes) == (
        date(2026, 2, 3),
        date(2026, 2, 20),
        "Wydano wypis i wyrys",
    )
    assert listing.rows[1].from_whom == "" and listing.rows[1].settled_on is None
    with ctx.db.session() as session:
        views = session.scalars(
            select(AuditEvent.object_id).where(AuditEvent.object_type == "case_list")
        ).all()
    assert views == ["UA.6727.2026"]


def test_history_is_derived_from_the_audit_trail(ctx: AppContext, office: Office_) -> None:
    incoming = add_entry(ctx, 1, date(2026, 3, 2))
    reply = add_entry(ctx, 1, date(2026, 3, 20), "Wypis i wyrys", Direction.OUTGOING)
    clock = Clock(date(2026, 3, 2))
    marek = CaseService(ctx.db, office.users["m.kowalski"], today=clock)
    row = marek.open_case(
        office.units["UA"], "6727", "", date(2026, 3, 2), "one_month", origin_entry_id=incoming
    )
    service(ctx, office, "a.nowak", date(2026, 3, 2)).assign(
        row.id, office.users["j.wisniewski"].id, "wg kompetencji"
    )
    jan = CaseService(ctx.db, office.users["j.wisniewski"], today=clock)
    jan.await_party(row.id, date(2026, 3, 5), "wezwanie do uzupełnienia")
    clock.today = date(2026, 3, 12)
    jan.resume(row.id, date(2026, 3, 12))
    linked = jan.link_entry(row.id, reply)
    assert linked.number == "WYCH/1/2026"
    assert jan.link_entry(row.id, reply) == linked  # linking twice changes nothing
    jan.close(row.id, date(2026, 3, 20), "Wydano wypis i wyrys")
    jan.get_case(row.id)  # a view: audited, but not an action in the history

    history = service(ctx, office, "e.wisniewska", date(2026, 3, 20)).case_history(row.id)
    assert (history.sign, history.title) == ("UA.6727.1.2026", "Wniosek o wypis i wyrys")
    assert [r.action for r in history.rows] == [
        "register",
        "register",
        "open",
        "assign",
        "pause",
        "resume",
        "link_entry",
        "close",
    ]
    assert [r.no for r in history.rows] == list(range(1, 9))
    by_action = {r.action: r for r in history.rows}
    assert history.rows[0].document_id == "RPW/1/2026"
    assert history.rows[1].document_id == "WYCH/1/2026"
    assert by_action["open"].document_id == "RPW/1/2026"
    assert by_action["open"].person == "Marek Kowalski, inspektor ds. planowania"
    assert by_action["assign"].person_name == "Anna Nowak"
    assert by_action["pause"].position == "podinspektor"
    assert by_action["link_entry"].document_id == "WYCH/1/2026"
    assert "Wydano wypis i wyrys" in by_action["close"].what_done
    assert history.rows[0].person_name.startswith("system")
    with ctx.db.session() as session:
        actions = [e.action for e in audit.events_for(session, "case", row.id)]
    assert actions.count("view") == 2  # get_case and case_history were both audited


def test_get_case_by_sign_and_bad_signs(ctx: AppContext, office: Office_) -> None:
    marek = service(ctx, office, "m.kowalski", date(2026, 3, 2))
    case_id = open_ua(marek, office, date(2026, 3, 2))
    assert marek.get_case(" UA.6727.1.2026 ").case.id == case_id
    assert marek.get_case(str(case_id)).case.sign == "UA.6727.1.2026"
    with pytest.raises(ValidationError, match=re.escape("nie ma sprawy „UA.6727.2.2026”")):
        marek.get_case("UA.6727.2.2026")
    with pytest.raises(ValidationError, match="jest niepełny"):
        marek.get_case("UA.6727")
