"""The register page driven like a clerk: filter, sort, open, saved views, export, refresh."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clerk_app.models import Channel, Direction, Role
from clerk_app.models.register_sort import sort_key
from clerk_app.services.app_context import AppContext
from clerk_app.services.demo_data import fill_demo_data
from clerk_app.services.export import ExportFormat, ExportResult
from clerk_app.services.users import CurrentUser, UserService
from clerk_app.ui.dialogs.entry_details import EntryDetailsDialog
from clerk_app.ui.hub import Hub
from clerk_app.ui.pages.register_page import RegisterPage


@pytest.fixture
def clerk(ctx: AppContext) -> CurrentUser:
    fill_demo_data(ctx.db, today=date(2026, 11, 25), incoming=80)
    return UserService(ctx.db).create_user(
        "anna.k", "Anna Kancelaria", [Role.REGISTRY_CLERK, Role.MANAGER]
    )


@pytest.fixture
def page(qtbot: QtBot, ctx: AppContext, clerk: CurrentUser, tmp_path: Path) -> RegisterPage:
    state = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    widget = RegisterPage(ctx, clerk, Hub(), state)
    qtbot.addWidget(widget)
    widget.resize(1200, 600)
    widget.show()
    return widget


def column(page: RegisterPage, col: int) -> list[str | None]:
    model = page.model
    return [model.data(model.index(r, col)) for r in range(model.rowCount())]


def test_filters_narrow_the_table(page: RegisterPage, qtbot: QtBot) -> None:
    assert page.model.rowCount() == 80
    page.channel.setCurrentIndex(page.channel.findData(Channel.EPUAP.value))
    epuap = page.model.rowCount()
    assert 0 < epuap < 80
    assert set(column(page, 8)) == {"ePUAP"}
    page.direction.setCurrentIndex(page.direction.findData(Direction.OUTGOING.value))
    assert all(n and n.startswith("WYCH/") for n in column(page, 0))
    page.clear_button.click()
    assert page.model.rowCount() == 80
    # Typing a number prefix filters after a short pause.
    qtbot.keyClicks(page.search, "RPW/7")
    qtbot.waitUntil(lambda: page.model.rowCount() == 11)
    assert set(column(page, 0)) == {f"RPW/{n}/2026" for n in [7, *range(70, 80)]}


def test_clicking_a_header_sorts_in_sql(page: RegisterPage, qtbot: QtBot) -> None:
    header = page.table.horizontalHeader()
    at = QPoint(header.sectionViewportPosition(2) + 5, header.height() // 2)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert page.model.sort_spec.column == "title"
    titles = [t for t in column(page, 2) if t]
    ordered = sorted(titles, key=sort_key)
    # Polish alphabetical order on both databases (Ł after L, Ś after S), either direction.
    assert titles in (ordered, sorted(titles, key=sort_key, reverse=True))
    at = QPoint(header.sectionViewportPosition(3) + 5, header.height() // 2)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert page.model.sort_spec.column == "sender"
    senders = [s for s in column(page, 3) if s and s not in ("no data", "brak danych")]
    initials = [s[0] for s in senders]
    assert senders in (
        sorted(senders, key=sort_key),
        sorted(senders, key=sort_key, reverse=True),
    )
    assert len(set(initials)) > 3, initials
    header.setSortIndicator(1, Qt.SortOrder.DescendingOrder)
    dates = column(page, 1)
    parsed = [date(int(d[6:]), int(d[3:5]), int(d[:2])) for d in dates if d]
    assert parsed == sorted(parsed, reverse=True)


def test_double_click_opens_the_entry(page: RegisterPage, qtbot: QtBot) -> None:
    rect = page.table.visualRect(page.model.index(0, 2))
    # A real double click starts with a press: QTest's DClick alone has none.
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    dialog = page.details_dialog
    assert isinstance(dialog, EntryDetailsDialog)
    assert dialog.values["number"] == page.model.data(page.model.index(0, 0))
    dialog.close()


def test_scanned_number_opens_the_entry(page: RegisterPage, qtbot: QtBot) -> None:
    with qtbot.waitSignal(page.entry_opened) as opened:
        qtbot.keyClicks(page.search, "RPW/12/2026")
        qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert isinstance(opened.args[0], int)
    assert isinstance(page.details_dialog, EntryDetailsDialog)
    assert page.details_dialog.values["number"] == "RPW/12/2026"


def test_saved_view_round_trip(page: RegisterPage, qtbot: QtBot, ctx: AppContext) -> None:
    page.channel.setCurrentIndex(page.channel.findData(Channel.PAPER.value))
    page.attention.setChecked(False)
    page.table.horizontalHeader().setSortIndicator(3, Qt.SortOrder.AscendingOrder)
    expected = column(page, 0)
    page.save_view("Papier wg nadawcy")
    page.clear_filters()
    page.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.DescendingOrder)
    assert page.model.rowCount() == 80
    # A fresh page (as after a restart) lists the view and restores filter and sort.
    again = RegisterPage(ctx, page.user, Hub())
    qtbot.addWidget(again)
    at = again.views_combo.findText("Papier wg nadawcy")
    assert at > 0
    again.views_combo.setCurrentIndex(at)
    again.views_combo.activated.emit(at)
    assert again.channel.currentData() == Channel.PAPER.value
    assert again.model.sort_spec.column == "sender"
    assert again.table.horizontalHeader().sortIndicatorSection() == 3
    assert column(again, 0) == expected


def test_export_runs_in_the_background(page: RegisterPage, qtbot: QtBot, tmp_path: Path) -> None:
    page.channel.setCurrentIndex(page.channel.findData(Channel.EMAIL.value))
    expected = column(page, 0)
    target = tmp_path / "rejestr.csv"
    job = page.export(target, ExportFormat.CSV)
    with qtbot.waitSignal(job.finished, timeout=10_000) as done:
        pass
    result = done.args[0]
    assert isinstance(result, ExportResult) and result.rows == len(expected)
    with target.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    assert rows[0][0] == "Numer"
    assert [r[0] for r in rows[1:]] == expected
    assert page.exporter.jobs == set()


def test_hub_change_refreshes_the_view(
    page: RegisterPage, ctx: AppContext, clerk: CurrentUser
) -> None:
    from clerk_app.services.register import RegisterService
    from clerk_app.services.register_types import IncomingDraft

    before = page.model.rowCount()
    result = RegisterService(ctx.db, ctx.blobs, clerk).register_incoming(
        IncomingDraft(
            received_on=date.today(),
            channel=Channel.PAPER,
            title="Wniosek o wydanie zaświadczenia",
            unknown=frozenset({"sender", "letter_date", "letter_ref"}),
        )
    )
    assert page.model.rowCount() == before  # not yet told
    page.hub.changed.emit("register", [result.entry_id])
    assert page.model.rowCount() == before + 1
    assert page.count_label.text().startswith(str(before + 1))


def test_polish_texts(page: RegisterPage, polish: QApplication, qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: page.heading.text() == "Rejestr")
    assert page.clear_button.text() == "Wyczyść filtry"


def test_words_in_the_search_box_use_full_text_search(page: RegisterPage, qtbot: QtBot) -> None:
    pytest.importorskip("clerk_app.services.search")
    senders = [s for s in column(page, 3) if s and "Wiśniewsk" in s]
    assert senders  # the demo office has letters from the Wiśniewskis
    qtbot.keyClicks(page.search, "wisniewsk")
    qtbot.waitUntil(lambda: page.model.filter.ids is not None)
    shown = column(page, 3)
    assert shown and len(shown) >= len(senders)
    assert page.model.filter.prefix == ""


def test_main_window_shows_the_register_and_cases_pages(
    qtbot: QtBot, ctx: AppContext, clerk: CurrentUser, tmp_path: Path
) -> None:
    from clerk_app.ui.main_window import MainWindow
    from clerk_app.ui.pages.cases_page import CasesPage

    window = MainWindow(
        hub=Hub(),
        window_settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat),
        user_name=clerk.full_name,
        database=ctx.db.describe(),
        language="en",
        data_dir=str(tmp_path),
        log_file=str(tmp_path / "k.log"),
        ctx=ctx,
        user=clerk,
    )
    qtbot.addWidget(window)
    assert isinstance(window.pages["register"], RegisterPage)
    # Other pages are built when first shown; each then is the working page, not "coming".
    from clerk_app.ui.pages.epuap_page import EpuapPage
    from clerk_app.ui.pages.letters_page import LettersPage
    from clerk_app.ui.pages.parcels_page import ParcelsPage
    from clerk_app.ui.pages.reports_page import ReportsPage

    expected = {
        "cases": CasesPage,
        "parcels": ParcelsPage,
        "epuap": EpuapPage,
        "letters": LettersPage,
        "reports": ReportsPage,
    }
    for key, page_type in expected.items():
        window.show_page(key)
        assert isinstance(window.pages[key], page_type)
        assert window.stack.currentWidget() is window.pages[key]
    window.show_page("register")
    register = window.pages["register"]
    assert isinstance(register, RegisterPage) and register.model.rowCount() == 80
    # A write announced on the hub reaches the open pages.
    window.hub.changed.emit("case", [1])
