"""The case details dialog opened from the case list: data, deadline, documents, history, PDF."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from clerk_app.models import Role
from clerk_app.services.app_context import AppContext
from clerk_app.services.cases import CaseService
from clerk_app.services.demo_data import fill_demo_data
from clerk_app.services.kpa_deadlines import DeadlineKind
from clerk_app.services.users import CurrentUser, UserService
from clerk_app.ui.dialogs.case_details import CaseDetailsDialog
from clerk_app.ui.hub import Hub
from clerk_app.ui.pages.cases_page import CasesPage


@pytest.fixture
def manager(ctx: AppContext) -> CurrentUser:
    fill_demo_data(ctx.db, today=date.today(), incoming=60)
    return UserService(ctx.db).create_user("kier", "Kierownik", [Role.MANAGER])


@pytest.fixture
def case_id(ctx: AppContext, manager: CurrentUser) -> int:
    """A case opened through the service by its unit's clerk, so its history has events."""
    clerks = {u.id: u for u in UserService(ctx.db).list_users() if Role.CASE_CLERK in u.roles}
    page = CasesPage(ctx, manager, Hub())
    viewer = CaseService(ctx.db, manager)
    for row in range(page.model.rowCount()):
        template = viewer.get_case(page.model.row_id(row) or 0).case
        if template.handler_id in clerks:
            break
    else:
        pytest.fail("demo data without a case handled by a case clerk")
    page.deleteLater()
    row = CaseService(ctx.db, clerks[template.handler_id]).open_case(
        template.unit_id,
        template.jrwa_symbol,
        "Wypis i wyrys – działka 3/4",
        date.today(),
        DeadlineKind.ONE_MONTH,
    )
    return row.id


def show_case(page: CasesPage, case_id: int) -> int:
    """Filter the list down to the case and return its row."""
    page.search.setText(CaseService(page.ctx.db, page.user).get_case(case_id).case.sign)
    page.apply_filters()
    assert page.model.rowCount() == 1
    return 0


def test_double_click_opens_the_case_with_its_history(
    qtbot: QtBot, ctx: AppContext, manager: CurrentUser, case_id: int
) -> None:
    page = CasesPage(ctx, manager, Hub())
    qtbot.addWidget(page)
    page.show()
    row = show_case(page, case_id)
    with qtbot.waitSignal(page.case_opened) as opened:
        page._on_double_click(page.model.index(row, 0))
    assert opened.args == [case_id]
    dialog = page.details_dialog
    assert isinstance(dialog, CaseDetailsDialog)  # a child of the page, deleted on close
    sign = page.model.data(page.model.index(0, 0))
    assert dialog.values["sign"] == sign
    assert sign in dialog.windowTitle()
    assert dialog.values["deadline"]  # deadline status or "no deadline"
    assert dialog.history_table.rowCount() >= 1  # at least the opening of the case
    assert dialog.history_table.item(0, 0).text() == "1"
    assert "Wypis" in dialog.values["title"]
    assert "day" in dialog.values["deadline"]
    detail = CaseService(ctx.db, manager).get_case(case_id)
    assert dialog.entries.rowCount() == len(detail.entries)
    dialog.close()


def test_print_history_saves_the_pdf_and_opens_it(
    qtbot: QtBot, ctx: AppContext, manager: CurrentUser, case_id: int, tmp_path: Path
) -> None:
    service = CaseService(ctx.db, manager)
    opened: list[Path] = []
    dialog = CaseDetailsDialog(
        service.get_case(case_id),
        service.case_history(case_id),
        "Urząd Gminy",
        opener=opened.append,
    )
    qtbot.addWidget(dialog)
    target = tmp_path / "metryka.pdf"
    assert dialog.print_history(target) == target
    assert target.read_bytes().startswith(b"%PDF")
    assert opened == [target]
    assert dialog.error_label.text() == ""
    # A folder that cannot be written: a Polish message, nothing opened.
    blocked = tmp_path / "plik"
    blocked.write_text("x")
    assert dialog.print_history(blocked / "metryka.pdf") is None
    assert "metryki" in dialog.error_label.text()
    assert opened == [target]


def test_dialog_in_polish(
    qtbot: QtBot, ctx: AppContext, manager: CurrentUser, case_id: int, polish: object
) -> None:
    service = CaseService(ctx.db, manager)
    dialog = CaseDetailsDialog(service.get_case(case_id), service.case_history(case_id))
    qtbot.addWidget(dialog)
    assert dialog.tabs.tabText(2).startswith("Historia")
    assert dialog.print_button.text().startswith("Drukuj")
    assert "dni" in dialog.values["deadline"] or "dzień" in dialog.values["deadline"]
