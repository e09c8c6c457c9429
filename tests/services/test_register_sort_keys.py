"""The register's text orders read stored sort keys: Polish order, kept current, indexed."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.orm import aliased

from clerk_app.config import Settings
from clerk_app.errors import ValidationError
from clerk_app.models import (
    Case,
    Channel,
    Correspondent,
    CorrespondentKind,
    JrwaClass,
    JrwaPlan,
    Office,
    OrgUnit,
    RegisterEntry,
    Role,
    User,
)
from clerk_app.models.register_sort import assignee_key, sort_key
from clerk_app.services.app_context import AppContext
from clerk_app.services.cases import CaseService
from clerk_app.services.correspondents import CorrespondentService
from clerk_app.services.database import Database
from clerk_app.services.kpa_deadlines import DeadlineKind
from clerk_app.services.register import RegisterService
from clerk_app.services.register_query import (
    RegisterColumn,
    RegisterFilter,
    RegisterQuery,
    SortSpec,
)
from clerk_app.services.register_types import CorrespondentInput, IncomingDraft
from clerk_app.services.schema import upgrade
from clerk_app.services.users import CurrentUser, UserService

TODAY = date(2026, 3, 10)
POLISH_ORDER = [
    "Adamski Piotr",
    "Ćwik Ewa",
    "Lis Jan",
    "Łoś Anna",
    "Nowak Jan",
    "Ńkowski Ian",
    "Sowa Ewa",
    "Śliwa Ola",
    "Zenon Zet",
    "Źdźbło Iwo",
    "Żak Zofia",
]


@pytest.mark.parametrize(
    ("earlier", "later"),
    [
        ("lis", "Łoś"),  # Ł after L …
        ("Luty", "Łabędź"),  # … whatever follows
        ("Szulc", "Śliwa"),  # Ś after S
        ("Zenon", "Źdźbło"),
        ("Źdźbło", "Żaba"),  # Ż last
        ("Ołówek", "Óskar"),  # Ó after O
        ("Pismo 2", "Pismo 10"),  # numbers by value
        ("UA.6730.9.2026", "UA.6730.12.2026"),
        ("Nowak", "Nowak Jan"),  # a shorter name first
        ("Nowak Jan", "Nowakowski"),
        ("„Budimex” S.A.", "Czapla"),  # leading quotes do not count
        ("Müller", "Nowak"),  # other accents as their base letter
        ("Zzz", "Иванов"),  # other scripts last
    ],
)
def test_sort_key_follows_the_polish_alphabet(earlier: str, later: str) -> None:
    assert sort_key(earlier) < sort_key(later)


def test_sort_key_ignores_case_and_puts_no_value_first() -> None:
    assert sort_key("ŁÓDŹ") == sort_key("łódź")
    assert sort_key(None) == sort_key("") == b"" < sort_key("a")
    # The assigned column: unit first, then the handler; nothing assigned first of all.
    assert assignee_key(None, None) < assignee_key(None, "Żak") < assignee_key("GK", "Adamski")
    assert assignee_key("GK", "Żak") < assignee_key("UA", "Adamski")


# ------------------------------------------------------------------ the services keep keys


def stale_keys(db: Database) -> list[tuple[int, str]]:
    """Entries whose stored keys differ from keys computed from the current data."""
    sender = aliased(Correspondent)
    unit = aliased(OrgUnit)
    handler = aliased(User)
    case = aliased(Case)
    e = RegisterEntry
    stmt = (
        select(e, sender.display_name, unit.symbol, handler.full_name, case.sign)
        .outerjoin(sender, sender.id == e.correspondent_id)
        .outerjoin(unit, unit.id == e.assigned_unit_id)
        .outerjoin(handler, handler.id == e.assigned_user_id)
        .outerjoin(case, case.id == e.case_id)
    )
    stale = []
    with db.session() as session:
        for entry, name, symbol, full_name, sign in session.execute(stmt):
            expected = {
                "title_sort": sort_key(entry.title),
                "notes_sort": sort_key(entry.notes),
                "sender_sort": sort_key(name),
                "assignee_sort": assignee_key(symbol, full_name),
                "case_sign_sort": sort_key(sign),
            }
            stale += [(entry.id, k) for k, v in expected.items() if bytes(getattr(entry, k)) != v]
    return stale


@pytest.fixture
def office(ctx: AppContext) -> dict[str, Any]:
    with ctx.db.session(write=True) as s:
        office = Office(name="Urząd")
        s.add(office)
        s.flush()
        units = [OrgUnit(office_id=office.id, symbol=sym, name=sym) for sym in ("UA", "GK")]
        s.add_all(units)
        plan = JrwaPlan(valid_from_year=2020, name="JRWA")
        s.add(plan)
        s.flush()
        s.add(JrwaClass(plan_id=plan.id, symbol="6730", title="WZ", is_end_class=True))
        people = [
            Correspondent(
                kind=CorrespondentKind.PERSON,
                first_name=name.split()[1],
                last_name=name.split()[0],
                display_name=name,
                search_key=name.lower(),
            )
            for name in reversed(POLISH_ORDER)
        ]
        s.add_all(people)
        s.flush()
        unit_ids = {u.symbol: u.id for u in units}
        people_ids = {p.display_name: p.id for p in people}
    users = UserService(ctx.db)
    registry = users.create_user("anna", "Anna Nowak", [Role.REGISTRY_CLERK, Role.CASE_CLERK])
    zofia = users.create_user("zofia", "Zofia Żak", [Role.CASE_CLERK])
    adam = users.create_user("adam", "Adam Adamski", [Role.CASE_CLERK])
    with ctx.db.session(write=True) as s:
        for user in (registry, zofia, adam):
            s.get(User, user.id).unit_id = unit_ids["UA"]  # type: ignore[union-attr]
    service = RegisterService(ctx.db, ctx.blobs, registry, today=lambda: TODAY)
    entries = {
        name: service.register_incoming(
            IncomingDraft(
                received_on=TODAY,
                channel=Channel.PAPER,
                title=f"Pismo od {name}",
                correspondent_id=people_ids[name],
                letter_date=TODAY,
                unknown=frozenset({"letter_ref"}),
                notes=name,
            )
        ).entry_id
        for name in reversed(POLISH_ORDER)
    }
    return {
        "units": unit_ids,
        "people": people_ids,
        "entries": entries,
        "registry": registry,
        "zofia": zofia,
        "adam": adam,
        "service": service,
    }


def view(ctx: AppContext, user: CurrentUser, column: str, descending: bool = False) -> list[int]:
    rows = RegisterQuery(ctx.db, user).page(RegisterFilter(), SortSpec(column, descending), 0, 100)
    return [r.id for r in rows]


@pytest.mark.parametrize("column", ["sender", "title", "notes"])
def test_text_columns_sort_in_polish_order_on_both_databases(
    ctx: AppContext, office: dict[str, Any], column: str
) -> None:
    entries = office["entries"]
    expected = [entries[name] for name in POLISH_ORDER]
    assert view(ctx, office["registry"], column) == expected
    assert view(ctx, office["registry"], column, descending=True) == expected[::-1]
    assert stale_keys(ctx.db) == []


def test_correction_assignment_and_case_link_move_the_entry(
    ctx: AppContext, office: dict[str, Any]
) -> None:
    service: RegisterService = office["service"]
    registry: CurrentUser = office["registry"]
    entries = office["entries"]
    adamski, zak = entries["Adamski Piotr"], entries["Żak Zofia"]

    service.correct_entry(adamski, {"title": "Źródło – wniosek"}, "literówka")
    assert view(ctx, registry, "title")[-1] == adamski  # Ź after P

    service.correct_entry(zak, {"correspondent_id": office["people"]["Ćwik Ewa"]}, "pomyłka")
    assert view(ctx, registry, "sender")[1:3] == sorted([zak, entries["Ćwik Ewa"]])

    # Assigned column: nothing assigned first, then by unit symbol, then by handler.
    service.assign(adamski, unit_id=office["units"]["UA"], user_id=office["zofia"].id)
    service.assign(zak, unit_id=office["units"]["UA"], user_id=office["adam"].id)
    service.assign(entries["Lis Jan"], unit_id=office["units"]["GK"])
    assert view(ctx, registry, "assigned")[-3:] == [entries["Lis Jan"], zak, adamski]

    cases = CaseService(ctx.db, registry, today=lambda: TODAY)
    ua = office["units"]["UA"]
    first = cases.open_case(ua, "6730", "Pierwsza", TODAY, DeadlineKind.ONE_MONTH)
    second = cases.open_case(ua, "6730", "Druga", TODAY, DeadlineKind.ONE_MONTH)
    cases.link_entry(second.id, adamski)
    cases.link_entry(first.id, zak)
    # UA.6730.1.2026 before UA.6730.2.2026; entries without a case first.
    assert view(ctx, registry, "case_sign")[-2:] == [zak, adamski]
    assert stale_keys(ctx.db) == []


def test_registration_with_a_new_sender_and_an_assignment_writes_every_key(
    ctx: AppContext, office: dict[str, Any]
) -> None:
    """The entry is one Core INSERT (no mapper event): its keys must still be complete."""
    service: RegisterService = office["service"]
    zofia: CurrentUser = office["zofia"]
    created = service.register_incoming(
        IncomingDraft(
            received_on=TODAY,
            channel=Channel.PAPER,
            title="Łąka – wniosek",
            new_correspondent=CorrespondentInput(
                kind=CorrespondentKind.PERSON, first_name="Łucja", last_name="Ćma"
            ),
            letter_date=TODAY,
            unknown=frozenset({"letter_ref"}),
            notes="Żółw",
            assigned_user_id=zofia.id,
            instruction="Proszę o odpowiedź",
        )
    )
    with ctx.db.session() as session:
        entry = session.get(RegisterEntry, created.entry_id)
        assert entry is not None
        assert entry.assigned_unit_id == office["units"]["UA"]
        assert entry.assigned_user_id == zofia.id
        assert bytes(entry.assignee_sort) == assignee_key("UA", "Zofia Żak")
        assert bytes(entry.sender_sort) == sort_key("Łucja Ćma")
        assert bytes(entry.title_sort) == sort_key("Łąka – wniosek")
        assert bytes(entry.notes_sort) == sort_key("Żółw")
    assert stale_keys(ctx.db) == []


def test_renaming_a_correspondent_reorders_its_entries_in_the_same_transaction(
    ctx: AppContext, office: dict[str, Any]
) -> None:
    registry: CurrentUser = office["registry"]
    people = office["people"]
    entries = office["entries"]
    correspondents = CorrespondentService(ctx.db, registry)
    renamed = correspondents.update(
        people["Adamski Piotr"],
        CorrespondentInput(CorrespondentKind.PERSON, first_name="Żaneta", last_name="Adamska"),
    )
    assert renamed.display_name == "Żaneta Adamska"  # the view shows (and sorts) this
    expected = [entries[name] for name in POLISH_ORDER[1:]] + [entries["Adamski Piotr"]]
    assert view(ctx, registry, "sender") == expected
    assert stale_keys(ctx.db) == []

    # Bad input names the field and changes nothing (name and key stay as they were).
    with pytest.raises(ValidationError, match="Nazwisko"):
        correspondents.update(
            people["Lis Jan"], CorrespondentInput(CorrespondentKind.PERSON, first_name="Jan")
        )
    assert view(ctx, registry, "sender") == expected
    assert stale_keys(ctx.db) == []


def test_renaming_a_unit_a_user_or_a_case_sign_rewrites_their_keys(
    ctx: AppContext, office: dict[str, Any]
) -> None:
    service: RegisterService = office["service"]
    entries = office["entries"]
    service.assign(entries["Lis Jan"], unit_id=office["units"]["UA"], user_id=office["adam"].id)
    service.assign(entries["Sowa Ewa"], unit_id=office["units"]["GK"])
    with ctx.db.session(write=True) as s:
        case = Case(
            sign="GK.6730.1.2026",
            unit_id=office["units"]["GK"],
            jrwa_class_id=s.scalar(select(JrwaClass.id)),
            year=2026,
            seq_no=1,
            title="Sprawa",
            opened_on=TODAY,
        )
        s.add(case)
        s.flush()
        s.get(RegisterEntry, entries["Nowak Jan"]).case_id = case.id  # type: ignore[union-attr]
    with ctx.db.session(write=True) as s:
        s.get(OrgUnit, office["units"]["GK"]).symbol = "ZK"  # type: ignore[union-attr]
        s.get(User, office["adam"].id).full_name = "Adam Źrebiec"  # type: ignore[union-attr]
        s.get(Case, case.id).sign = "ZK.6730.1.2026"  # type: ignore[union-attr]
    assert stale_keys(ctx.db) == []


# ------------------------------------------------------------------ indexes and the migration


TEXT_ORDER_KEYS = {
    RegisterColumn.TITLE: "title_sort",
    RegisterColumn.SENDER: "sender_sort",
    RegisterColumn.ASSIGNED: "assignee_sort",
    RegisterColumn.CASE_SIGN: "case_sign_sort",
    RegisterColumn.NOTES: "notes_sort",
}


@pytest.mark.parametrize("descending", [False, True])
def test_every_text_order_is_an_index_scan_on_postgresql(
    ctx: AppContext, office: dict[str, Any], descending: bool
) -> None:
    if ctx.db.is_sqlite:
        pytest.skip("PostgreSQL plans (SQLite plans: test_register_query_indexes)")
    query = RegisterQuery(ctx.db, office["registry"])
    for column, key in TEXT_ORDER_KEYS.items():
        seen: list[tuple[str, Any]] = []

        def capture(_c: Any, _cur: Any, statement: str, params: Any, *_: Any) -> None:
            if statement.lstrip().upper().startswith("SELECT") and "LIMIT" in statement.upper():
                seen.append((statement, params))  # noqa: B023

        event.listen(ctx.db.engine, "before_cursor_execute", capture)
        try:
            query.page(RegisterFilter(), SortSpec(column.value, descending), 0, 50)
        finally:
            event.remove(ctx.db.engine, "before_cursor_execute", capture)
        statement, params = seen[-1]
        with ctx.db.engine.connect() as conn:
            cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            # A few rows would be seq-scanned and sorted whatever the indexes; with sorting
            # forbidden the plan shows whether an index gives this order at all.
            cursor.execute("SET enable_sort = off")
            cursor.execute("EXPLAIN " + statement, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            cursor.execute("RESET enable_sort")
        assert f"ix_register_entry_{key} on register_entry" in plan, plan
        assert not re.search(r"(^|->)\s*(Incremental )?Sort\b", plan, re.M), plan


def test_migration_fills_keys_of_existing_entries(settings: Settings) -> None:
    db = Database.open(settings)
    request_dispose = db.dispose
    upgrade(db.engine, "0005")
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO correspondent (id, kind, first_name, last_name, institution_name, "
                "pesel, nip, regon, street, building, apartment, postal_code, city, country, "
                "email, phone, epuap_address, ade, display_name, search_key, created_at) "
                "VALUES (501, 'person', '', '', '', '', '', '', '', '', '', '', '', 'PL', '', "
                "'', '', '', 'Łukasz Śliwa', 'sliwa lukasz', CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO register_entry (id, direction, register_symbol, year, seq_no, "
                "number, registered_at, title, correspondent_id, unknown_fields, channel, "
                "tracking_no, attachment_count, notes, version, needs_attention, "
                "attention_reason) VALUES (601, 'incoming', 'RPW', 2026, 1, 'RPW/1/2026', "
                "CURRENT_TIMESTAMP, 'Żądanie', 501, '', 'paper', '', 0, 'Pilne', 1, false, '')"
            )
        )
    try:
        upgrade(db.engine)
        assert stale_keys(db) == []
        with db.session() as s:
            entry = s.get(RegisterEntry, 601)
            assert entry is not None and bytes(entry.sender_sort) == sort_key("Łukasz Śliwa")
            assert bytes(entry.title_sort) == sort_key("Żądanie")
    finally:
        request_dispose()
