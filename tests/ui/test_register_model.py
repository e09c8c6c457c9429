"""The lazy register and case models: row count from COUNT, pages on demand, Qt model rules."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester

from clerk_app.models import Role
from clerk_app.services.app_context import AppContext
from clerk_app.services.demo_data import fill_demo_data
from clerk_app.services.register_query import CaseQuery, RegisterFilter, RegisterQuery, SortSpec
from clerk_app.services.users import CurrentUser, UserService
from clerk_app.ui.models.cases_model import CasesTableModel
from clerk_app.ui.models.paged_table import ID_ROLE
from clerk_app.ui.models.register_model import RegisterTableModel


@pytest.fixture
def office(ctx: AppContext) -> CurrentUser:
    fill_demo_data(ctx.db, today=date(2026, 11, 25), incoming=120)
    return UserService(ctx.db).create_user("kierownik", "Kierownik", [Role.MANAGER])


def test_register_model_passes_the_model_tester(
    qtmodeltester: ModelTester, ctx: AppContext, office: CurrentUser
) -> None:
    model = RegisterTableModel(RegisterQuery(ctx.db, office), page_size=25)
    assert model.rowCount() == 120
    qtmodeltester.check(model, force_py=True)
    model.sort(2, Qt.SortOrder.AscendingOrder)
    qtmodeltester.check(model, force_py=True)


def test_cases_model_passes_the_model_tester(
    qtmodeltester: ModelTester, ctx: AppContext, office: CurrentUser
) -> None:
    model = CasesTableModel(CaseQuery(ctx.db, office), page_size=10)
    assert model.rowCount() > 20
    qtmodeltester.check(model, force_py=True)


def test_pages_are_loaded_on_demand_and_cached(ctx: AppContext, office: CurrentUser) -> None:
    model = RegisterTableModel(RegisterQuery(ctx.db, office), page_size=20, cached_pages=3)
    assert model.pages_loaded == 0  # only the COUNT so far
    first = model.data(model.index(0, 0))
    assert first == "RPW/120/2026"  # newest number first by default
    for row in range(20):
        model.data(model.index(row, 3))
    assert model.pages_loaded == 1  # one page served the whole screen
    assert model.data(model.index(119, 0)) == "RPW/1/2026"  # the last page, read from the end
    assert model.pages_loaded == 2
    for row in range(0, 120, 20):  # more pages than the cache holds: the oldest is dropped
        model.data(model.index(row, 0))
    loaded = model.pages_loaded
    model.data(model.index(0, 0))
    assert model.pages_loaded == loaded + 1
    assert isinstance(model.data(model.index(5, 0), ID_ROLE), int)


def test_sort_and_filter_reach_sql(ctx: AppContext, office: CurrentUser) -> None:
    query = RegisterQuery(ctx.db, office)
    model = RegisterTableModel(query)
    model.sort(1, Qt.SortOrder.AscendingOrder)  # date received
    assert model.sort_spec == SortSpec("date", False)
    dates = [model.data(model.index(r, 1)) for r in range(model.rowCount())]
    as_dates = [date(int(d[6:]), int(d[3:5]), int(d[:2])) for d in dates]
    assert as_dates == sorted(as_dates)
    assert all(len(d) == 10 and d[2] == "." and d[5] == "." for d in dates)  # dd.mm.yyyy
    model.set_filter(RegisterFilter(prefix="RPW/11"))
    assert model.rowCount() == 11  # 11, 110..119
    assert {model.data(model.index(r, 0)) for r in range(11)} >= {"RPW/11/2026", "RPW/119/2026"}


def test_unknown_fields_show_no_data_and_empty_cells_none(
    ctx: AppContext, office: CurrentUser, polish: object
) -> None:
    model = RegisterTableModel(RegisterQuery(ctx.db, office))
    texts = {
        (r, c): model.data(model.index(r, c))
        for r in range(model.rowCount())
        for c in range(model.columnCount())
    }
    # Demo data marks some letter references unknown (column 5) and leaves notes empty.
    assert "brak danych" in {texts[(r, 5)] for r in range(model.rowCount())}
    assert all(texts[(r, 11)] is None for r in range(model.rowCount()))
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Numer"
    assert model.data(model.index(0, 0), Qt.ItemDataRole.EditRole) is None
    assert model.rowCount(model.index(0, 0)) == 0
    assert not model.index(0, 0).parent().isValid()
    assert model.data(QModelIndex()) is None
