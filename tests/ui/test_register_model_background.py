"""The register model paints its first page before the exact COUNT, which runs in the background."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt, QThreadPool
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from clerk_app.models import Role
from clerk_app.services.app_context import AppContext
from clerk_app.services.demo_data import fill_demo_data
from clerk_app.services.register_query import RegisterFilter, RegisterQuery, SortSpec
from clerk_app.services.users import CurrentUser, UserService
from clerk_app.ui.models.register_model import RegisterTableModel


@pytest.fixture
def office(ctx: AppContext) -> CurrentUser:
    fill_demo_data(ctx.db, today=date(2026, 11, 25), incoming=120)
    return UserService(ctx.db).create_user("kierownik", "Kierownik", [Role.MANAGER])


class CountingQuery(RegisterQuery):
    """Records the COUNTs (from any thread)."""

    counts: list[RegisterFilter]

    def count(self, flt: RegisterFilter) -> int:
        self.counts.append(flt)
        return super().count(flt)


def make_query(ctx: AppContext, user: CurrentUser) -> CountingQuery:
    query = CountingQuery(ctx.db, user)
    query.counts = []
    return query


def test_first_page_first_then_the_count_arrives_as_inserted_rows(
    qtbot: QtBot, qtmodeltester: ModelTester, ctx: AppContext, office: CurrentUser
) -> None:
    pool = QThreadPool()
    model = RegisterTableModel(
        make_query(ctx, office), page_size=25, count_in_background=True, pool=pool
    )
    # The first page is already read (no SQL on the first paint) and is all the model shows.
    assert model.pages_loaded == 1
    assert model.rowCount() == 25 and not model.count_exact
    assert model.data(model.index(0, 0)) == "RPW/120/2026"
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    with qtbot.waitSignal(model.count_changed, timeout=10_000) as counted:
        pass
    assert counted.args == [120]
    assert model.count_exact and model.rowCount() == 120
    assert inserted == [(25, 119)]
    assert model.data(model.index(119, 0)) == "RPW/1/2026"  # read from the end
    qtmodeltester.check(model, force_py=True)
    pool.waitForDone()


def test_a_short_first_page_is_the_count_without_a_count_query(
    qtbot: QtBot, ctx: AppContext, office: CurrentUser
) -> None:
    query = make_query(ctx, office)
    model = RegisterTableModel(query, page_size=200, count_in_background=True)
    assert model.count_exact and model.rowCount() == 120
    model.set_filter(RegisterFilter(prefix="RPW/11"))
    assert model.count_exact and model.rowCount() == 11
    assert query.counts == []


def test_a_newer_filter_wins_over_a_count_still_running(
    qtbot: QtBot, ctx: AppContext, office: CurrentUser
) -> None:
    pool = QThreadPool()
    pool.setMaxThreadCount(1)
    query = make_query(ctx, office)
    model = RegisterTableModel(query, page_size=10, count_in_background=True, pool=pool)
    model.set_filter(RegisterFilter(prefix="RPW/1"))  # 1, 10-19, 100-120: 32 entries
    model.sort(0, Qt.SortOrder.AscendingOrder)  # while the COUNT may still be running
    assert model.wait_for_count(10_000)
    pool.waitForDone()
    assert model.rowCount() == 32
    assert model.sort_spec == SortSpec("number", False)
    numbers = [model.data(model.index(r, 0)) for r in range(model.rowCount())]
    assert numbers[0] == "RPW/1/2026" and numbers[-1] == "RPW/120/2026"
    assert len(set(numbers)) == 32


def test_a_failed_background_count_is_redone_in_the_gui_thread(
    qtbot: QtBot, ctx: AppContext, office: CurrentUser, caplog: Any
) -> None:
    import threading

    main = threading.get_ident()

    class FailingOffThread(RegisterQuery):
        def count(self, flt: RegisterFilter) -> int:
            if threading.get_ident() != main:
                raise RuntimeError("connection lost")
            return super().count(flt)

    pool = QThreadPool()
    model = RegisterTableModel(
        FailingOffThread(ctx.db, office), page_size=25, count_in_background=True, pool=pool
    )
    assert model.wait_for_count(10_000)
    pool.waitForDone()
    assert model.rowCount() == 120
    assert "Counting the rows of a view failed" in caplog.text
