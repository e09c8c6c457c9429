"""A stored message is durable before the sync confirms it to the service: on SQLite the
store's commit runs with ``synchronous=FULL`` (WAL + NORMAL may lose the last commits on a
power loss); ordinary writes keep NORMAL. PostgreSQL commits are durable already."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, text

from clerk_app.integrations.epuap.sample_letters import crd_letter
from clerk_app.services.app_context import AppContext
from clerk_app.services.inbox.ledger import DatabaseLedger
from clerk_app.services.inbox.memory import MemoryInbox, memory_item
from clerk_app.services.inbox.sync import synchronise
from clerk_app.services.users import CurrentUser, UserService

FULL, NORMAL = 2, 1  # PRAGMA synchronous values


@pytest.fixture
def clerk(ctx: AppContext) -> CurrentUser:
    return UserService(ctx.db).os_account_user("kancelaria")


@pytest.fixture
def commit_levels(ctx: AppContext) -> Iterator[list[int]]:
    """The safety level each commit runs with, read on its connection just before it."""
    levels: list[int] = []

    def on_commit(conn: Any) -> None:
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            levels.append(cursor.execute("PRAGMA synchronous").fetchone()[0])
        finally:
            cursor.close()

    event.listen(ctx.db.engine, "commit", on_commit)
    yield levels
    event.remove(ctx.db.engine, "commit", on_commit)


def test_the_store_commits_with_full_sync_and_other_writes_keep_normal(
    ctx: AppContext, clerk: CurrentUser, commit_levels: list[int]
) -> None:
    if not ctx.db.is_sqlite:
        pytest.skip("PostgreSQL commits are durable (synchronous_commit=on)")
    ledger = DatabaseLedger(ctx.db, ctx.blobs, clerk)
    with ctx.db.session(write=True) as session:
        session.execute(text("SELECT 1"))
    assert commit_levels == [NORMAL]
    commit_levels.clear()
    assert ledger.store(memory_item("pismo_0.xml", crd_letter(0))).new
    assert commit_levels == [FULL]
    commit_levels.clear()
    # The connection goes back to NORMAL for the next ordinary write (one pool connection).
    ledger.mark_confirmed("epuap", memory_item("pismo_0.xml", crd_letter(0)).key)
    with ctx.db.session(write=True) as session:
        session.execute(text("SELECT 1"))
    assert commit_levels == [NORMAL, NORMAL]


def test_a_sync_confirms_only_after_a_full_sync_commit(
    ctx: AppContext, clerk: CurrentUser, commit_levels: list[int]
) -> None:
    if not ctx.db.is_sqlite:
        pytest.skip("PostgreSQL commits are durable (synchronous_commit=on)")
    items = [memory_item(f"pismo_{i}.xml", crd_letter(i)) for i in range(3)]
    inbox = MemoryInbox(items)
    seen: list[tuple[str, list[int]]] = []
    acknowledge = inbox.acknowledge

    def acknowledged(item: Any) -> None:
        seen.append((item.key, list(commit_levels)))
        acknowledge(item)

    inbox.acknowledge = acknowledged  # type: ignore[method-assign]
    result = synchronise(inbox, DatabaseLedger(ctx.db, ctx.blobs, clerk))
    assert result.ok and result.stored == 3
    # Each acknowledgement follows one more FULL commit (its store) than the one before.
    assert [levels.count(FULL) for _, levels in seen] == [1, 2, 3]
    assert all(levels[-1] == FULL for _, levels in seen)


def test_durable_needs_a_write_session(ctx: AppContext) -> None:
    with pytest.raises(ValueError), ctx.db.session(durable=True):
        pass
