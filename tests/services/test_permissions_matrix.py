"""Who may do what with a case (issue 3 point 9), enforced by the services.

The table is the specification: each role tries each operation on a case of
the UA unit. A refusal must raise PermissionDenied, leave an audit event and
change nothing; an allowed call must simply work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select

from clerk_app.errors import PermissionDenied
from clerk_app.models import (
    AuditEvent,
    Case,
    CaseStatus,
    Channel,
    Direction,
    Office,
    OrgUnit,
    RegisterEntry,
    Role,
    StandIn,
    User,
    UserRole,
)
from clerk_app.services.app_context import AppContext
from clerk_app.services.cases import CaseService
from clerk_app.services.jrwa_store import import_jrwa_plan
from clerk_app.services.users import CurrentUser

TODAY = date(2026, 3, 10)

# login -> (unit, roles)
PEOPLE = {
    "registry": ("OR", {Role.REGISTRY_CLERK}),
    "clerk_ua": ("UA", {Role.CASE_CLERK}),  # the case's unit
    "clerk_ua_a": ("UA-A", {Role.CASE_CLERK}),  # a sub-unit does not see its parent's cases
    "clerk_gk": ("GK", {Role.CASE_CLERK}),  # another unit
    "stand_in": ("GK", {Role.CASE_CLERK}),  # covers an absent UA clerk today
    "manager": ("UA", {Role.MANAGER}),
    "admin": ("OR", {Role.ADMIN}),
    "planner": ("UA", {Role.PLANNER}),
}

OPS = [
    "open",
    "assign",
    "link_entry",
    "suspend",
    "close",
    "delay_notice",
    "get_case",
    "history",
    "deadline",
    "case_list",
    "overdue_list",
]
Y, N = True, False
MATRIX: dict[str, list[bool]] = {
    # columns in OPS order: open, assign, link, suspend, close, notice,
    # get, history, deadline, list, overdue
    "registry": [N, Y, Y, N, N, N, Y, N, N, N, N],
    "clerk_ua": [Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y],
    "clerk_ua_a": [N, N, N, N, N, N, N, N, N, N, N],
    "clerk_gk": [N, N, N, N, N, N, N, N, N, N, N],
    "stand_in": [Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y],
    "manager": [N, N, N, N, N, N, Y, Y, Y, Y, Y],
    "admin": [N, N, N, N, N, N, N, N, N, N, N],
    "planner": [N, N, N, N, N, N, N, N, N, N, N],
}


@dataclass
class World:
    units: dict[str, int]
    users: dict[str, CurrentUser]
    absent_id: int


@pytest.fixture
def world(ctx: AppContext) -> World:
    with ctx.db.session(write=True) as session:
        office = Office(name="Urząd Gminy")
        session.add(office)
        session.flush()
        units: dict[str, int] = {}
        for symbol in ("UA", "GK", "OR", "UA-A"):
            parent = units["UA"] if symbol == "UA-A" else None
            unit = OrgUnit(office_id=office.id, parent_id=parent, symbol=symbol, name=symbol)
            session.add(unit)
            session.flush()
            units[symbol] = unit.id
        users: dict[str, CurrentUser] = {}
        for login, (unit_symbol, roles) in {
            **PEOPLE,
            "absent": ("UA", {Role.CASE_CLERK}),
        }.items():
            user = User(login=login, full_name=f"Pan {login}", unit_id=units[unit_symbol])
            user.roles = [UserRole(role=r) for r in sorted(roles)]
            session.add(user)
            session.flush()
            users[login] = CurrentUser(user.id, login, user.full_name, frozenset(roles))
        session.add(
            StandIn(
                absent_user_id=users["absent"].id,
                substitute_id=users["stand_in"].id,
                date_from=date(2026, 3, 1),
                date_to=date(2026, 3, 31),
            )
        )
        import_jrwa_plan(session, 2026)
    return World(units, users, users["absent"].id)


def _entry(ctx: AppContext, seq: int) -> int:
    with ctx.db.session(write=True) as session:
        entry = RegisterEntry(
            direction=Direction.INCOMING,
            register_symbol="RPW",
            year=2026,
            seq_no=seq,
            number=f"RPW/{seq}/2026",
            received_on=TODAY,
            title="Pismo",
            channel=Channel.PAPER,
        )
        session.add(entry)
        session.flush()
        return entry.id


def _denials(ctx: AppContext) -> int:
    with ctx.db.session() as session:
        return int(
            session.scalar(
                select(func.count(AuditEvent.id)).where(AuditEvent.action == "permission_denied")
            )
            or 0
        )


def _snapshot(ctx: AppContext) -> tuple[object, ...]:
    with ctx.db.session() as session:
        cases = session.execute(
            select(Case.id, Case.status, Case.handler_id, Case.due_on, Case.delay_notice_on)
        ).all()
        linked = session.scalars(select(RegisterEntry.case_id).order_by(RegisterEntry.id)).all()
    return (tuple(cases), tuple(linked))


def _operation(
    ctx: AppContext, world: World, svc: CaseService, op: str, case_id: int, entry_id: int
) -> Callable[[], object]:
    ua = world.units["UA"]
    return {
        "open": lambda: svc.open_case(ua, "6727", "Nowa sprawa", TODAY, "one_month"),
        "assign": lambda: svc.assign(case_id, world.users["clerk_ua"].id, "wg kompetencji"),
        "link_entry": lambda: svc.link_entry(case_id, entry_id),
        "suspend": lambda: svc.suspend(case_id, TODAY),
        "close": lambda: svc.close(case_id, TODAY, "Załatwiono"),
        "delay_notice": lambda: svc.record_delay_notice(case_id, TODAY, date(2026, 6, 1)),
        "get_case": lambda: svc.get_case(case_id),
        "history": lambda: svc.case_history(case_id),
        "deadline": lambda: svc.deadline_status(case_id),
        "case_list": lambda: svc.case_list(ua, "6727", 2026),
        "overdue_list": lambda: svc.overdue_and_at_risk(TODAY, unit_id=ua),
    }[op]


def test_the_matrix_covers_every_operation() -> None:
    assert all(len(row) == len(OPS) for row in MATRIX.values())
    assert set(MATRIX) == set(PEOPLE)


@pytest.mark.parametrize("who", list(MATRIX))
def test_permission_matrix(ctx: AppContext, world: World, who: str) -> None:
    owner = CaseService(ctx.db, world.users["absent"], today=lambda: TODAY)
    svc = CaseService(ctx.db, world.users[who], today=lambda: TODAY)
    mismatches = []
    for n, (op, allowed) in enumerate(zip(OPS, MATRIX[who], strict=True), start=1):
        case_id = owner.open_case(world.units["UA"], "6730", f"Sprawa {n}", TODAY, "one_month").id
        entry_id = _entry(ctx, n)
        call = _operation(ctx, world, svc, op, case_id, entry_id)
        denials, before = _denials(ctx), _snapshot(ctx)
        try:
            call()
        except PermissionDenied as exc:
            assert str(exc).startswith("Brak uprawnień")
            if allowed:
                mismatches.append(f"{op}: refused ({exc})")
            elif _denials(ctx) != denials + 1:
                mismatches.append(f"{op}: refusal not audited")
            elif _snapshot(ctx) != before:
                mismatches.append(f"{op}: refused call changed data")
        else:
            if not allowed:
                mismatches.append(f"{op}: allowed")
    assert mismatches == [], f"{who}: {mismatches}"


def test_refusal_names_the_unit_and_is_audited_with_the_case(ctx: AppContext, world: World) -> None:
    owner = CaseService(ctx.db, world.users["clerk_ua"], today=lambda: TODAY)
    case = owner.open_case(world.units["UA"], "6727", "Wypis", TODAY, "one_month")
    outsider = CaseService(ctx.db, world.users["clerk_gk"], today=lambda: TODAY)
    with pytest.raises(PermissionDenied, match="należy do komórki UA"):
        outsider.suspend(case.id, TODAY)
    with ctx.db.session() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "permission_denied")
        ).one()
        status = session.scalar(select(Case.status).where(Case.id == case.id))
    assert (event.object_type, event.object_id, event.user_login) == (
        "case",
        str(case.id),
        "clerk_gk",
    )
    assert status is CaseStatus.OPEN


def test_the_stand_in_loses_access_when_the_absence_ends(ctx: AppContext, world: World) -> None:
    owner = CaseService(ctx.db, world.users["absent"], today=lambda: TODAY)
    case = owner.open_case(world.units["UA"], "6727", "Wypis", TODAY, "one_month")
    during = CaseService(ctx.db, world.users["stand_in"], today=lambda: TODAY)
    assert during.get_case(case.id).case.sign == case.sign
    after = CaseService(ctx.db, world.users["stand_in"], today=lambda: date(2026, 4, 1))
    with pytest.raises(PermissionDenied):
        after.get_case(case.id)


def test_a_case_clerk_without_a_unit(ctx: AppContext, world: World) -> None:
    """Unrestricted on the embedded single-clerk database, no cases on the office server."""
    with ctx.db.session(write=True) as session:
        user = User(login="bez.komorki", full_name="Bez Komórki")
        user.roles = [UserRole(role=Role.CASE_CLERK)]
        session.add(user)
        session.flush()
        me = CurrentUser(user.id, user.login, user.full_name, frozenset({Role.CASE_CLERK}))
    svc = CaseService(ctx.db, me, today=lambda: TODAY)
    if ctx.db.is_sqlite:
        assert svc.open_case(world.units["GK"], "6727", "x", TODAY, "one_month").sign == (
            "GK.6727.1.2026"
        )
    else:
        with pytest.raises(PermissionDenied):
            svc.open_case(world.units["GK"], "6727", "x", TODAY, "one_month")
