"""Migrations 0005/0006: the register view's orders are read from indexes, not sorted in full."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, inspect

from clerk_app.models import Channel, Direction, Role
from clerk_app.services.app_context import AppContext
from clerk_app.services.demo_data import fill_demo_data
from clerk_app.services.register_query import (
    RegisterColumn,
    RegisterFilter,
    RegisterQuery,
    SortSpec,
)
from clerk_app.services.users import CurrentUser, UserService

NEW_INDEXES = {
    "ix_register_entry_direction_received_on",
    "ix_register_entry_direction_sent_on",
    "ix_register_entry_title",
    "ix_register_entry_correspondent_id",
    "ix_register_entry_letter_date",
    "ix_register_entry_letter_ref",
    "ix_register_entry_attachment_count",
    "ix_register_entry_tracking_no",
    "ix_register_entry_assigned_unit_id",
    "ix_register_entry_assigned_user_id",
    "ix_register_entry_title_sort",
    "ix_register_entry_sender_sort",
    "ix_register_entry_assignee_sort",
    "ix_register_entry_case_sign_sort",
    "ix_register_entry_notes_sort",
}
# Every order of the view is served by one index of register_entry on its own (0006 added
# the text columns' sort keys, which need no join).
INDEXED_ORDERS = list(RegisterColumn)


@pytest.fixture
def manager(ctx: AppContext) -> CurrentUser:
    fill_demo_data(ctx.db, today=date(2026, 11, 25), incoming=80)
    return UserService(ctx.db).create_user("kier", "Kierownik", [Role.MANAGER])


def test_migration_creates_the_register_indexes(ctx: AppContext) -> None:
    with ctx.db.engine.connect() as conn:
        names = {ix["name"] for ix in inspect(conn).get_indexes("register_entry")}
    assert names >= NEW_INDEXES


def _captured_page_sql(
    ctx: AppContext, query: RegisterQuery, flt: RegisterFilter, sort: SortSpec
) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "LIMIT" in statement.upper():
            seen.append((statement, params))

    event.listen(ctx.db.engine, "before_cursor_execute", capture)
    try:
        query.page(flt, sort, 0, 50)
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", capture)
    return seen


def test_sqlite_page_reads_an_index_instead_of_sorting_the_register(
    ctx: AppContext, manager: CurrentUser
) -> None:
    if not ctx.db.is_sqlite:
        pytest.skip("SQLite query plans (PostgreSQL plans from its own statistics)")
    query = RegisterQuery(ctx.db, manager)
    # The default view (one register) and a channel filter: both low-selectivity equalities
    # that the planner must not prefer over the order's index.
    for column, descending, flt in (
        (column, descending, flt)
        for column in INDEXED_ORDERS
        for descending in (False, True)
        for flt in (
            RegisterFilter(),
            RegisterFilter(direction=Direction.INCOMING, channel=Channel.PAPER),
        )
    ):
        captured = _captured_page_sql(ctx, query, flt, SortSpec(column.value, descending))
        assert captured, "the page query was not seen"
        statement, params = captured[-1]
        with ctx.db.engine.connect() as conn:
            raw = conn.connection.driver_connection
            plan = [row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + statement, params)]
        assert not any("TEMP B-TREE FOR ORDER BY" in step for step in plan), (column, plan)


@pytest.mark.parametrize("column", INDEXED_ORDERS, ids=lambda c: c.value)
def test_filtered_pages_are_the_same_rows_whatever_the_plan(
    ctx: AppContext, manager: CurrentUser, column: RegisterColumn
) -> None:
    query = RegisterQuery(ctx.db, manager)
    flt = RegisterFilter(direction=Direction.INCOMING, channel=Channel.PAPER)
    sort = SortSpec(column.value, True)
    total = query.count(flt)
    assert total > 0
    rows = query.page(flt, sort, 0, total + 10)
    assert len(rows) == total
    assert all(r.direction is Direction.INCOMING and r.channel is Channel.PAPER for r in rows)
    # Paging from both ends gives the same rows as one read.
    half = total // 2
    front = query.page(flt, sort, 0, half, total)
    back = query.page(flt, sort, half, total - half, total)
    assert [r.id for r in front + back] == [r.id for r in rows]
