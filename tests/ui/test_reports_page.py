"""The reports page builds a report in the background, previews it, saves and opens it."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QDate, Qt, QThreadPool
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from clerk_app.models import (
    Case,
    Channel,
    Direction,
    JrwaClass,
    Office,
    OrgUnit,
    RegisterEntry,
    Role,
)
from clerk_app.services.app_context import AppContext
from clerk_app.services.jrwa_store import import_jrwa_plan
from clerk_app.services.reports import (
    CATALOGUE,
    Column,
    ReportCancelled,
    ReportData,
    ReportParams,
    ReportService,
    Section,
)
from clerk_app.services.users import UserService
from clerk_app.ui.dialogs.pdf_preview_dialog import PdfPreviewDialog
from clerk_app.ui.pages.reports_page import ReportsPage

TODAY = date(2026, 6, 15)


def seed_office(ctx: AppContext) -> None:
    """A tiny office: unit UA, 4 letters in April 2026 (3 paper, 1 ePUAP), one late case."""
    with ctx.db.session(write=True) as s:
        office = Office(name="Urząd Gminy Zielona Dolina")
        s.add(office)
        s.flush()
        unit = OrgUnit(office_id=office.id, symbol="UA", name="Referat Urbanistyki")
        s.add(unit)
        s.flush()
        import_jrwa_plan(s, 2026)
        jrwa = s.scalar(select(JrwaClass).where(JrwaClass.symbol == "6727"))
        assert jrwa is not None
        channels = [Channel.PAPER, Channel.PAPER, Channel.EPUAP, Channel.PAPER]
        for no, channel in enumerate(channels, start=1):
            s.add(
                RegisterEntry(
                    direction=Direction.INCOMING,
                    register_symbol="RPW",
                    year=2026,
                    seq_no=no,
                    number=f"RPW/{no}/2026",
                    received_on=date(2026, 4, no * 5),
                    title="Wniosek o wypis",
                    channel=channel,
                    assigned_unit_id=unit.id,
                )
            )
        s.add(
            Case(
                sign="UA.6727.1.2026",
                unit_id=unit.id,
                jrwa_class_id=jrwa.id,
                year=2026,
                seq_no=1,
                title="Wypis i wyrys – działka 7/1",
                opened_on=date(2026, 4, 1),
                deadline_kind="seven_days",
            )
        )


@pytest.fixture
def page(ctx: AppContext, qtbot: QtBot) -> ReportsPage:
    seed_office(ctx)
    boss = UserService(ctx.db).create_user("boss", "Ewa Szefowa", [Role.MANAGER])
    opened: list[Path] = []
    widget = ReportsPage(
        ReportService(ctx.db, boss), open_file=opened.append, pool=QThreadPool(), today=TODAY
    )
    widget.opened = opened  # type: ignore[attr-defined]
    qtbot.addWidget(widget)
    return widget


def test_register_report_is_built_previewed_and_saved(
    page: ReportsPage, qtbot: QtBot, tmp_path: Path
) -> None:
    page.select_report("register")
    assert page.date_from.isVisible() or not page.isVisible()
    assert page.case_edit.isHidden()  # the case sign belongs to the case history only
    page.date_from.setDate(QDate(2026, 3, 1))
    page.date_to.setDate(QDate(2026, 6, 15))
    with qtbot.waitSignal(page.report_ready, timeout=20000) as ready:
        page.build_button.click()
    report = ready.args[0]
    assert isinstance(report, ReportData) and report.name == "register"
    assert report.totals == ("Razem", 4, 0, 4)
    cells = [
        [page.preview.item(r, c).text() for c in range(page.preview.columnCount())]
        for r in range(page.preview.rowCount())
    ]
    assert cells == [
        ["papier (poczta)", "3", "0", "3"],
        ["ePUAP", "1", "0", "1"],
        ["Razem", "4", "0", "4"],
    ]
    assert "Rejestr przesyłek" in page.status.text()
    assert page.csv_button.isEnabled()

    target = tmp_path / "rejestr.csv"
    with qtbot.waitSignal(page.saved, timeout=20000):
        page.save_to(target)
    assert target.read_text("utf-8-sig").splitlines()[0] == "Kanał;Wpływające;Wychodzące;Razem"

    with qtbot.waitSignal(page.saved, timeout=20000):
        page.open_button.click()
    qtbot.waitUntil(lambda: len(page.opened) == 1)  # type: ignore[attr-defined]
    opened = page.opened[0]  # type: ignore[attr-defined]
    assert opened.suffix == ".pdf" and opened.read_bytes().startswith(b"%PDF")


def test_an_empty_period_says_so(page: ReportsPage, qtbot: QtBot) -> None:
    page.select_report("register")
    page.date_from.setDate(QDate(2019, 1, 1))
    page.date_to.setDate(QDate(2019, 1, 31))
    with qtbot.waitSignal(page.message, timeout=20000) as shown:
        page.build_button.click()
        qtbot.waitUntil(lambda: "żadnego pisma" in page.status.text(), timeout=20000)
    assert "nie zarejestrowano żadnego pisma" in str(shown.args[0]) + page.status.text()
    assert page.report is None and not page.pdf_button.isEnabled()
    assert page.build_button.isEnabled()


class _SlowService:
    """Stands in for ReportService: a build that runs until it is cancelled."""

    def __init__(self) -> None:
        self.started = threading.Event()

    def catalogue(self):  # type: ignore[no-untyped-def]
        return CATALOGUE

    def units(self) -> list[tuple[str, str]]:
        return [("UA", "Referat Urbanistyki")]

    def office_name(self) -> str:
        return ""

    def build(self, name, params, progress=None, cancelled=None):  # type: ignore[no-untyped-def]
        self.started.set()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if cancelled is not None and cancelled():
                raise ReportCancelled()
            if progress is not None:
                progress(1, 10)
            time.sleep(0.02)
        return ReportData(
            name, "x", "y", (Column("A"),), (Section("", (("a",),)),), datetime.now(UTC)
        )


def test_progress_appears_after_half_a_second_and_cancel_stops(qtbot: QtBot) -> None:
    service = _SlowService()
    widget = ReportsPage(service, pool=QThreadPool(), today=TODAY)  # type: ignore[arg-type]
    qtbot.addWidget(widget)
    widget.select_report("overdue")
    widget.unit_combo.setCurrentIndex(1)
    assert widget.params() == ReportParams(unit="UA", today=TODAY)
    widget.build_button.click()
    assert service.started.wait(5)
    assert widget.job is not None and widget.job.dialog is None  # not before 0.5 s
    qtbot.waitUntil(lambda: widget.job is not None and widget.job.dialog is not None, timeout=3000)
    dialog = widget.job.dialog
    assert isinstance(dialog, QProgressDialog)
    with qtbot.waitSignal(widget.message, timeout=5000) as shown:
        cancel = dialog.findChild(QPushButton)
        assert cancel is not None
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert shown.args == ["Przygotowanie raportu przerwano."]
    assert widget.report is None


def add_cases(ctx: AppContext, count: int) -> None:
    """``count`` more cases of UA / 6727 in 2026: a case list several pages long."""
    with ctx.db.session(write=True) as s:
        unit = s.scalar(select(OrgUnit).where(OrgUnit.symbol == "UA"))
        jrwa = s.scalar(select(JrwaClass).where(JrwaClass.symbol == "6727"))
        assert unit is not None and jrwa is not None
        s.add_all(
            Case(
                sign=f"UA.6727.{no}.2026",
                unit_id=unit.id,
                jrwa_class_id=jrwa.id,
                year=2026,
                seq_no=no,
                title=f"Wypis i wyrys – działka {no}/3, obręb Żółkiewka",
                opened_on=date(2026, 4, 2),
            )
            for no in range(2, count + 2)
        )


def dark_share(image: QImage) -> float:
    """Share of pixels that are clearly not paper-white (text, table lines)."""
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    width, height, stride = gray.width(), gray.height(), gray.bytesPerLine()
    pixels = bytes(gray.constBits())
    dark = sum(
        1 for row in range(height) for value in pixels[row * stride : row * stride + width]
        if value < 128
    )  # fmt: skip
    return dark / (width * height)


def test_a_report_is_previewed_and_printed_page_for_page(
    ctx: AppContext, page: ReportsPage, qtbot: QtBot, tmp_path: Path
) -> None:
    add_cases(ctx, 150)
    page.select_report("case-list")
    page.year_spin.setValue(2026)
    assert not page.print_button.isEnabled()  # nothing built yet
    with qtbot.waitSignal(page.report_ready, timeout=20000):
        page.build_button.click()
    assert page.print_button.isEnabled()

    with qtbot.waitSignal(page.preview_shown, timeout=30000) as shown:
        qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    dialog = shown.args[0]
    assert isinstance(dialog, PdfPreviewDialog) and dialog is page.preview_dialog
    assert dialog.isVisible() and "Spis spraw" in dialog.windowTitle()
    report = page.report
    assert report is not None
    # The preview holds the whole report PDF: several pages, each with print on it.
    built = PdfReader(page._temp_pdf(report))
    pages = dialog.page_count
    assert pages == len(built.pages) >= 3
    assert dialog.preview.page_label.text() == f"Page 1 of {pages}"
    assert "UA.6727.151.2026" in built.pages[-1].extract_text()
    for index in range(pages):
        assert dark_share(dialog.preview.page_image(index, dpi=48)) > 0.002
    assert f"pages: {pages}" in page.status.text()

    # Print…: the clerk "chooses" a PDF-file printer in the print dialog.
    target = tmp_path / "wydruk.pdf"

    def file_printer() -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(target))
        return printer

    dialog.preview.ask_printer = file_printer  # type: ignore[method-assign]
    qtbot.mouseClick(dialog.preview.print_button, Qt.MouseButton.LeftButton)
    printed = PdfReader(target)
    assert len(printed.pages) == pages
    assert all(sheet.images for sheet in printed.pages)  # each sheet carries its page

    # A second preview replaces the first window instead of piling them up.
    with qtbot.waitSignal(page.preview_shown, timeout=30000) as again:
        page.print_button.click()
    assert again.args[0] is page.preview_dialog and again.args[0] is not dialog
    qtbot.waitUntil(lambda: not dialog.isVisible())
    dialog.buttons.rejected.emit()
    assert page.preview_dialog is not None


def test_the_preview_button_speaks_polish(
    page: ReportsPage, polish: QApplication, qtbot: QtBot
) -> None:
    assert page.print_button.text() == "Podgląd i drukowanie…"
