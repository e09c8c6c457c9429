"""The case list page: filters by unit, status, JRWA class, year and deadline; days left."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clerk_app.models import CaseStatus, Role
from clerk_app.services.app_context import AppContext
from clerk_app.services.demo_data import fill_demo_data
from clerk_app.services.register_query import DeadlineFilter
from clerk_app.services.users import CurrentUser, UserService
from clerk_app.ui.hub import Hub
from clerk_app.ui.pages.cases_page import CasesPage


@pytest.fixture
def manager(ctx: AppContext) -> CurrentUser:
    fill_demo_data(ctx.db, today=date.today(), incoming=100)
    return UserService(ctx.db).create_user("kier", "Kierownik", [Role.MANAGER])


@pytest.fixture
def page(qtbot: QtBot, ctx: AppContext, manager: CurrentUser) -> CasesPage:
    widget = CasesPage(ctx, manager, Hub())
    qtbot.addWidget(widget)
    widget.show()
    return widget


def col(page: CasesPage, c: int) -> list[str | None]:
    return [page.model.data(page.model.index(r, c)) for r in range(page.model.rowCount())]


def test_filters_and_deadlines(page: CasesPage, qtbot: QtBot) -> None:
    total = page.model.rowCount()
    assert total > 10
    page.status.setCurrentIndex(page.status.findData(CaseStatus.CLOSED.value))
    closed = page.model.rowCount()
    assert 0 < closed < total
    assert set(col(page, 6)) == {"closed"} and set(col(page, 5)) == {None}
    page.status.setCurrentIndex(0)
    page.deadline.setCurrentIndex(page.deadline.findData(DeadlineFilter.OVERDUE.value))
    overdue = col(page, 5)
    assert overdue and all(d is not None and int(d) < 0 for d in overdue)
    page.deadline.setCurrentIndex(0)
    page.unit.setCurrentIndex(page.unit.findText("UA", Qt.MatchFlag.MatchStartsWith))
    assert all(s and s.startswith("UA.") for s in col(page, 0))
    page.unit.setCurrentIndex(0)
    qtbot.keyClicks(page.jrwa, "67")
    qtbot.keyClick(page.jrwa, Qt.Key.Key_Return)
    assert all(s and s.split(".")[1].startswith("67") for s in col(page, 0))
    page.jrwa.clear()
    qtbot.keyClick(page.jrwa, Qt.Key.Key_Return)
    page.year.setValue(date.today().year + 1)
    assert page.model.rowCount() == 0
    page.year.setValue(page.year.minimum())
    assert page.model.rowCount() == total


def test_sort_by_due_date_and_open_case(page: CasesPage, qtbot: QtBot) -> None:
    page.table.horizontalHeader().setSortIndicator(4, Qt.SortOrder.DescendingOrder)
    assert page.model.sort_spec.column == "due" and page.model.sort_spec.descending
    due = [date(int(d[6:]), int(d[3:5]), int(d[:2])) for d in col(page, 4) if d]
    assert due == sorted(due, reverse=True)
    with qtbot.waitSignal(page.case_opened) as opened:
        page.table.activated.emit(page.model.index(0, 0))
    assert isinstance(opened.args[0], int)
