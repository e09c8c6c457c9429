"""The Reports page offers the delivery-status report and builds it like the others."""

from __future__ import annotations

from PySide6.QtCore import QDate, QThreadPool
from pytestqt.qtbot import QtBot

from clerk_app.models import Role
from clerk_app.services.app_context import AppContext
from clerk_app.services.reports import ReportData, ReportService
from clerk_app.services.reports.delivery import OUTSTANDING
from clerk_app.services.users import UserService
from clerk_app.ui.pages.reports_page import ReportsPage
from tests.services.test_report_delivery import TODAY, seed_deliveries


def test_delivery_report_from_the_page(ctx: AppContext, qtbot: QtBot) -> None:
    seed_deliveries(ctx)
    boss = UserService(ctx.db).create_user("boss", "Ewa Szefowa", [Role.MANAGER])
    page = ReportsPage(ReportService(ctx.db, boss), open_file=lambda _: None,
                       pool=QThreadPool(), today=TODAY)  # fmt: skip
    qtbot.addWidget(page)
    titles = [page.report_list.item(i).text() for i in range(page.report_list.count())]
    assert "Status doręczeń" in titles
    page.select_report("delivery")
    assert not page.unit_combo.isHidden() and page.case_edit.isHidden()
    page.date_from.setDate(QDate(2026, 5, 1))
    page.date_to.setDate(QDate(2026, 6, 15))
    with qtbot.waitSignal(page.report_ready, timeout=20000) as ready:
        page.build_button.click()
    report = ready.args[0]
    assert isinstance(report, ReportData) and report.name == "delivery"
    first_cells = [page.preview.item(r, 0).text() for r in range(page.preview.rowCount())]
    assert first_cells.count(OUTSTANDING) == 4  # three letters and the section's total
    numbers = [page.preview.item(r, 2).text() for r in range(page.preview.rowCount())]
    assert numbers[:3] == ["WYCH/1/2026", "WYCH/8/2026", "WYCH/2/2026"]
