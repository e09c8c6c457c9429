"""The register and case views read pages in SQL: filters, sort, paging from both ends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from clerk_app.errors import ValidationError
from clerk_app.models import (
    AuditEvent,
    Case,
    CaseStatus,
    Channel,
    Correspondent,
    CorrespondentKind,
    Direction,
    JrwaClass,
    JrwaPlan,
    Office,
    OrgUnit,
    RegisterEntry,
    Role,
)
from clerk_app.services.app_context import AppContext
from clerk_app.services.register_query import (
    CaseColumn,
    CaseFilter,
    CaseQuery,
    DeadlineFilter,
    EntryState,
    RegisterColumn,
    RegisterFilter,
    RegisterQuery,
    SortSpec,
)
from clerk_app.services.saved_views import SavedViewService
from clerk_app.services.users import CurrentUser, UserService

TODAY = date.today()
SENDERS = ["Żak Zofia", "Wiśniewski Jan", "Łuczak Anna", "Adamski Piotr", "Ćwik Ewa"]


def seed(ctx: AppContext, entries: int = 30) -> dict[str, object]:
    users = UserService(ctx.db)
    registry = users.create_user("anna", "Anna Nowak", [Role.REGISTRY_CLERK])
    clerk = users.create_user("marek", "Marek Kowalski", [Role.CASE_CLERK])
    manager = users.create_user("ewa", "Ewa Wiśniewska", [Role.MANAGER])
    with ctx.db.session(write=True) as s:
        office = Office(name="Urząd")
        s.add(office)
        s.flush()
        ua = OrgUnit(office_id=office.id, symbol="UA", name="Architektura")
        gk = OrgUnit(office_id=office.id, symbol="GK", name="Komunalny")
        s.add_all([ua, gk])
        s.flush()
        from clerk_app.models import User

        s.get(User, clerk.id).unit_id = ua.id  # type: ignore[union-attr]
        plan = JrwaPlan(valid_from_year=2020, name="JRWA")
        s.add(plan)
        s.flush()
        cls = JrwaClass(plan_id=plan.id, symbol="6730", title="WZ", is_end_class=True)
        cls2 = JrwaClass(plan_id=plan.id, symbol="7021", title="Pas", is_end_class=True)
        s.add_all([cls, cls2])
        people = [
            Correspondent(kind=CorrespondentKind.PERSON, display_name=n, search_key=n.lower())
            for n in SENDERS
        ]
        s.add_all(people)
        s.flush()
        cases = []
        for i in range(6):
            case = Case(
                sign=f"{'UA' if i % 2 == 0 else 'GK'}.6730.{i + 1}.2026",
                unit_id=ua.id if i % 2 == 0 else gk.id,
                jrwa_class_id=cls.id if i < 4 else cls2.id,
                year=2026 if i < 5 else 2025,
                seq_no=i + 1,
                title=f"Sprawa {i}",
                status=CaseStatus.CLOSED if i == 5 else CaseStatus.OPEN,
                handler_id=clerk.id if i % 2 == 0 else manager.id,
                opened_on=TODAY - timedelta(days=40),
                # 0: overdue, 1: due in 3 days (at risk), 2: in 30 days, ...
                due_on=TODAY + timedelta(days=[-5, 3, 30, 60, -1, -10][i]),
            )
            s.add(case)
            cases.append(case)
        s.flush()
        for i in range(entries):
            outgoing = i % 10 == 9
            s.add(
                RegisterEntry(
                    direction=Direction.OUTGOING if outgoing else Direction.INCOMING,
                    register_symbol="WYCH" if outgoing else "RPW",
                    year=2026,
                    seq_no=i + 1,
                    number=f"{'WYCH' if outgoing else 'RPW'}/{i + 1}/2026",
                    registered_at=datetime(2026, 1, 1, tzinfo=UTC),
                    received_on=None if outgoing else date(2026, 1, 1) + timedelta(days=i),
                    sent_on=date(2026, 1, 1) + timedelta(days=i) if outgoing else None,
                    title=None if i == 3 else f"Pismo {i:02d}",
                    unknown_fields="title" if i == 3 else "",
                    correspondent_id=people[i % len(people)].id,
                    channel=[Channel.PAPER, Channel.EPUAP, Channel.EMAIL][i % 3],
                    assigned_unit_id=None if i % 4 == 0 else (ua.id if i % 2 else gk.id),
                    assigned_user_id=clerk.id if i % 4 == 1 else None,
                    case_id=cases[i % 6].id if i % 5 == 0 else None,
                    needs_attention=i == 7,
                )
            )
    return {"registry": registry, "clerk": clerk, "manager": manager, "ua": ua.id, "gk": gk.id}


@pytest.fixture
def seeded(ctx: AppContext) -> dict[str, object]:
    return seed(ctx)


def who(seeded: dict[str, object], key: str) -> CurrentUser:
    user = seeded[key]
    assert isinstance(user, CurrentUser)
    return user


def all_numbers(q: RegisterQuery, flt: RegisterFilter, sort: SortSpec) -> list[str]:
    return [r.number for r in q.page(flt, sort, 0, 1000)]


def test_count_and_filters(ctx: AppContext, seeded: dict[str, object]) -> None:
    q = RegisterQuery(ctx.db, who(seeded, "registry"))
    assert q.count(RegisterFilter()) == 27  # incoming by default
    assert q.count(RegisterFilter(direction=None)) == 30
    assert q.count(RegisterFilter(direction=Direction.OUTGOING)) == 3
    assert q.count(RegisterFilter(channel=Channel.EPUAP, direction=None)) == 10
    assert q.count(RegisterFilter(needs_attention=True)) == 1
    flt = RegisterFilter(date_from=date(2026, 1, 5), date_to=date(2026, 1, 10), direction=None)
    rows = q.page(flt, SortSpec("date"), 0, 100)
    assert [r.number for r in rows] == [f"RPW/{n}/2026" for n in range(5, 10)] + ["WYCH/10/2026"]
    assert q.count(flt) == 6
    ua = seeded["ua"]
    assert isinstance(ua, int)
    in_ua = q.page(RegisterFilter(unit_id=ua, direction=None), SortSpec("number"), 0, 100)
    assert in_ua and all(r.assigned_unit == "UA" for r in in_ua)
    clerk = who(seeded, "clerk")
    mine = q.page(RegisterFilter(handler_id=clerk.id, direction=None), SortSpec("number"), 0, 99)
    assert {r.assigned_user for r in mine} == {"Marek Kowalski"}
    unassigned = q.page(RegisterFilter(state=EntryState.UNASSIGNED), SortSpec("number"), 0, 99)
    assert unassigned and all(r.assigned_unit is None and r.case_sign is None for r in unassigned)
    in_case = q.page(RegisterFilter(state=EntryState.IN_CASE), SortSpec("number"), 0, 99)
    assert in_case and all(r.case_sign for r in in_case)
    # Overdue: the linked case is open and past its due date (cases 0 and 4; 5 is closed).
    overdue = q.page(RegisterFilter(overdue=True, direction=None), SortSpec("number"), 0, 99)
    assert {r.case_sign for r in overdue} == {"UA.6730.1.2026", "UA.6730.5.2026"}
    assert q.count(RegisterFilter(prefix="rpw/1")) == 10  # RPW/1, RPW/11..19 (10 is WYCH)
    assert q.count(RegisterFilter(prefix="pismo 2", direction=None)) == 10


def test_unknown_fields_and_joined_names(ctx: AppContext, seeded: dict[str, object]) -> None:
    q = RegisterQuery(ctx.db, who(seeded, "registry"))
    row = q.page(RegisterFilter(prefix="RPW/4/"), SortSpec("number"), 0, 1)[0]
    assert row.title is None and row.unknown_fields == {"title"}
    assert row.sender == SENDERS[3]


@pytest.mark.parametrize("column", list(RegisterColumn))
def test_every_column_sorts_both_ways_with_stable_pages(
    ctx: AppContext, seeded: dict[str, object], column: RegisterColumn
) -> None:
    q = RegisterQuery(ctx.db, who(seeded, "registry"))
    flt = RegisterFilter(direction=None)
    total = q.count(flt)
    for descending in (False, True):
        sort = SortSpec(column.value, descending)
        whole = all_numbers(q, flt, sort)
        assert sorted(whole) == sorted(all_numbers(q, flt, SortSpec("number")))
        # Pages of 7 read from the front and (back half) from the end give the same order.
        paged = []
        for offset in range(0, total, 7):
            paged += [r.number for r in q.page(flt, sort, offset, 7, total)]
        assert paged == whole
        ascending = all_numbers(q, flt, SortSpec(column.value, not descending))
        assert whole == list(reversed(ascending))


def test_sort_by_sender_follows_polish_alphabet(ctx: AppContext, seeded: dict[str, object]) -> None:
    q = RegisterQuery(ctx.db, who(seeded, "registry"))
    rows = q.page(RegisterFilter(direction=None), SortSpec("sender"), 0, 100)
    order = list(dict.fromkeys(r.sender for r in rows))
    # On both databases: Ć after C, Ł after L, Ż last.
    assert order == ["Adamski Piotr", "Ćwik Ewa", "Łuczak Anna", "Wiśniewski Jan", "Żak Zofia"]


def test_date_sort_and_number_sort(ctx: AppContext, seeded: dict[str, object]) -> None:
    q = RegisterQuery(ctx.db, who(seeded, "registry"))
    newest = q.page(RegisterFilter(), SortSpec("date", descending=True), 0, 3)
    assert [r.received_on for r in newest] == [
        date(2026, 1, 29),
        date(2026, 1, 28),
        date(2026, 1, 27),
    ]
    # Numbers sort by serial, not as text: RPW/2 before RPW/10.
    numbers = all_numbers(q, RegisterFilter(), SortSpec("number"))
    assert numbers[:3] == ["RPW/1/2026", "RPW/2/2026", "RPW/3/2026"]


def test_last_page_read_from_the_end(ctx: AppContext, seeded: dict[str, object]) -> None:
    q = RegisterQuery(ctx.db, who(seeded, "registry"))
    flt = RegisterFilter(direction=None)
    total = q.count(flt)
    last = q.page(flt, SortSpec("number"), total - 4, 10, total)
    assert [r.number for r in last] == [
        "RPW/29/2026",
        "WYCH/10/2026",
        "WYCH/20/2026",
        "WYCH/30/2026",
    ]
    assert q.page(flt, SortSpec("number"), total, 10, total) == []


def test_case_clerk_sees_only_his_unit_and_his_items(
    ctx: AppContext, seeded: dict[str, object]
) -> None:
    clerk = who(seeded, "clerk")
    q = RegisterQuery(ctx.db, clerk)
    rows = q.page(RegisterFilter(direction=None), SortSpec("number"), 0, 100)
    assert rows and all(r.assigned_unit == "UA" or r.assigned_user == clerk.full_name for r in rows)
    assert q.count(RegisterFilter(direction=None)) < 30
    hidden = RegisterQuery(ctx.db, who(seeded, "registry")).page(
        RegisterFilter(state=EntryState.UNASSIGNED), SortSpec("number"), 0, 1
    )[0]
    with pytest.raises(ValidationError, match="niedostępny"):
        q.entry(hidden.id)


def test_opening_an_entry_is_audited(ctx: AppContext, seeded: dict[str, object]) -> None:
    q = RegisterQuery(ctx.db, who(seeded, "registry"))
    entry_id = q.number_lookup("RPW/2/2026")
    assert entry_id is not None
    details = q.entry(entry_id)
    assert details.row.number == "RPW/2/2026"
    with ctx.db.session() as s:
        views = s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "view", AuditEvent.object_id == str(entry_id))
        )
    assert views == 1


def test_case_query_filters_and_days_left(ctx: AppContext, seeded: dict[str, object]) -> None:
    q = CaseQuery(ctx.db, who(seeded, "manager"))
    assert q.count(CaseFilter()) == 6
    overdue = q.page(CaseFilter(deadline=DeadlineFilter.OVERDUE), SortSpec("due"), 0, 10)
    assert [(c.sign, c.days_left) for c in overdue] == [
        ("UA.6730.1.2026", -5),
        ("UA.6730.5.2026", -1),
    ]
    at_risk = q.page(CaseFilter(deadline=DeadlineFilter.AT_RISK), SortSpec("due"), 0, 10)
    assert [c.sign for c in at_risk] == ["GK.6730.2.2026"]
    assert q.count(CaseFilter(jrwa_symbol="70")) == 2
    assert q.count(CaseFilter(year=2025)) == 1
    assert q.count(CaseFilter(status=CaseStatus.CLOSED)) == 1
    closed = q.page(CaseFilter(status=CaseStatus.CLOSED), SortSpec("sign"), 0, 1)[0]
    assert closed.days_left is None
    ua = seeded["ua"]
    assert q.count(CaseFilter(unit_id=ua if isinstance(ua, int) else None)) == 3
    total = q.count(CaseFilter())
    for column in CaseColumn:
        whole = [c.sign for c in q.page(CaseFilter(), SortSpec(column.value, True), 0, 100)]
        paged = []
        for offset in range(0, total, 4):
            paged += [
                c.sign for c in q.page(CaseFilter(), SortSpec(column.value, True), offset, 4, total)
            ]
        assert paged == whole
    # A case clerk sees his unit's cases and those he handles.
    mine = CaseQuery(ctx.db, who(seeded, "clerk")).page(CaseFilter(), SortSpec("sign"), 0, 100)
    assert {c.unit for c in mine} == {"UA"}


def test_saved_views_are_per_user_and_replaced_by_name(
    ctx: AppContext, seeded: dict[str, object]
) -> None:
    anna = SavedViewService(ctx.db, who(seeded, "registry"))
    marek = SavedViewService(ctx.db, who(seeded, "clerk"))
    flt = RegisterFilter(channel=Channel.EPUAP, date_from=date(2026, 1, 2))
    anna.save("register", "ePUAP", {"filter": flt.to_dict(), "sort": {"column": "date"}})
    anna.save("register", "ePUAP", {"filter": flt.to_dict(), "sort": {"column": "title"}})
    views = anna.list("register")
    assert [v.name for v in views] == ["ePUAP"]
    assert RegisterFilter.from_dict(views[0].definition["filter"]) == flt
    assert views[0].definition["sort"] == {"column": "title"}
    assert marek.list("register") == []
    with pytest.raises(ValidationError, match="Widok"):
        marek.delete(views[0].id)
    with pytest.raises(ValidationError, match="Nazwa widoku"):
        anna.save("register", "  ", {})
    anna.delete(views[0].id)
    assert anna.list("register") == []
