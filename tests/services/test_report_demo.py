"""Report totals over the demo office match counts taken straight from the tables."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select

from clerk_app.models import Case, CaseStatus, Direction, RegisterEntry, Role
from clerk_app.services.app_context import AppContext
from clerk_app.services.demo_data import fill_demo_data
from clerk_app.services.reports import ReportParams, ReportService
from clerk_app.services.users import UserService

TODAY = date(2026, 6, 15)


def test_register_and_clerk_totals_match_the_database(ctx: AppContext) -> None:
    fill_demo_data(ctx.db, today=TODAY, incoming=150)
    boss = UserService(ctx.db).create_user("boss", "Szefowa", [Role.MANAGER])
    start, end = date(2026, 4, 1), date(2026, 5, 31)
    with ctx.db.session() as session:
        entries = session.execute(
            select(RegisterEntry.direction, RegisterEntry.received_on, RegisterEntry.sent_on)
        ).all()
        cases = session.execute(select(Case.opened_on, Case.closed_on, Case.status)).all()
    incoming = sum(1 for d, r, _ in entries if d is Direction.INCOMING and start <= r <= end)
    outgoing = sum(1 for d, _, s in entries if d is Direction.OUTGOING and s and start <= s <= end)
    opened = sum(1 for o, _, _ in cases if start <= o <= end)
    closed = Counter(
        st is CaseStatus.CLOSED and c is not None and start <= c <= end for _, c, st in cases
    )[True]
    assert incoming > 0 and outgoing > 0 and opened > 0 and closed > 0

    service = ReportService(ctx.db, boss)
    params = ReportParams(date_from=start, date_to=end, today=TODAY)
    register = service.build("register", params)
    assert register.totals == ("Razem", incoming, outgoing, incoming + outgoing)
    clerks = service.build("clerks", params)
    assert clerks.totals is not None
    assert clerks.totals[2:4] == (opened, closed)
    assert sum(row[2] for row in clerks.rows) == opened  # type: ignore[misc]
