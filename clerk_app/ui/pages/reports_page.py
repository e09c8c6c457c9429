"""Reports: choose a report and its parameters, build it in the background, preview
the table, then open the PDF, preview and print it in the app, or save it as PDF,
CSV or XLSX.

The page talks only to ``ReportService`` (plain dataclasses back); building and
saving run as background jobs (``clerk_app.ui.workers.Job``) whose progress
dialog with Cancel appears after half a second.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

from PySide6.QtCore import QDate, QEvent, Qt, QThreadPool, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clerk_app.documents.report_export import format_cell, write_report
from clerk_app.services.reports import Param, ReportData, ReportParams, ReportService
from clerk_app.services.reports.base import ColumnKind
from clerk_app.ui.dialogs.pdf_preview_dialog import PdfPreviewDialog
from clerk_app.ui.pdf_preview import PdfError
from clerk_app.ui.workers import Job

PREVIEW_ROWS = 500
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
FileOpener = Callable[[Path], None]


def open_with_system(path: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class ReportsPage(QWidget):
    """``ReportsPage(ReportService(ctx.db, user))``; ``open_file`` and ``pool`` for tests."""

    report_ready = Signal(object)  # ReportData
    saved = Signal(str)  # path of the written file
    message = Signal(str)  # what the status line says (errors too)
    preview_shown = Signal(object)  # the PdfPreviewDialog, once its pages are loaded

    def __init__(
        self,
        service: ReportService,
        parent: QWidget | None = None,
        *,
        open_file: FileOpener = open_with_system,
        pool: QThreadPool | None = None,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._open_file = open_file
        self._pool = pool
        self._today = today or date.today()
        self._specs = list(service.catalogue())
        self.report: ReportData | None = None
        self.job: Job | None = None
        self._office: str | None = None
        self._temp_dir: Path | None = None
        self.preview_dialog: PdfPreviewDialog | None = None

        self._heading = QLabel()
        self._heading.setStyleSheet("font-size: 18pt; font-weight: 600;")
        self.report_list = QListWidget()
        self.report_list.setObjectName("reportList")
        self.report_list.setMaximumWidth(280)
        for spec in self._specs:
            self.report_list.addItem(spec.title)
        self.description = QLabel()
        self.description.setWordWrap(True)

        first_of_month = self._today.replace(day=1)
        self.date_from = QDateEdit(_qdate(first_of_month))
        self.date_to = QDateEdit(_qdate(self._today))
        self.as_of = QDateEdit(_qdate(self._today))
        for edit in (self.date_from, self.date_to, self.as_of):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd.MM.yyyy")
        self.unit_combo = QComboBox()
        self.year_spin = QSpinBox()
        self.year_spin.setRange(1990, 2200)
        self.year_spin.setValue(self._today.year)
        self.jrwa_edit = QLineEdit()
        self.case_edit = QLineEdit()
        self.case_edit.setPlaceholderText("UA.6727.41.2026")

        self._form = QFormLayout()
        self._labels: dict[Param, QLabel] = {}
        self._fields: dict[Param, list[QWidget]] = {}
        period_row = QWidget()
        period_layout = QHBoxLayout(period_row)
        period_layout.setContentsMargins(0, 0, 0, 0)
        self._dash = QLabel("–")
        period_layout.addWidget(self.date_from)
        period_layout.addWidget(self._dash)
        period_layout.addWidget(self.date_to)
        period_layout.addStretch(1)
        for param, widget in (
            (Param.PERIOD, period_row),
            (Param.UNIT, self.unit_combo),
            (Param.YEAR, self.year_spin),
            (Param.JRWA, self.jrwa_edit),
            (Param.CASE, self.case_edit),
            (Param.TODAY, self.as_of),
        ):
            label = QLabel()
            self._labels[param] = label
            self._fields[param] = [label, widget]
            self._form.addRow(label, widget)

        self.build_button = QPushButton()
        self.build_button.setObjectName("buildReport")
        self.build_button.setDefault(True)
        self.open_button = QPushButton()
        self.print_button = QPushButton()
        self.print_button.setObjectName("printReport")
        self.pdf_button = QPushButton()
        self.csv_button = QPushButton()
        self.xlsx_button = QPushButton()
        buttons = QHBoxLayout()
        for button in (
            self.build_button,
            self.open_button,
            self.print_button,
            self.pdf_button,
            self.csv_button,
            self.xlsx_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.status = QLabel()
        self.status.setObjectName("reportStatus")
        self.status.setWordWrap(True)
        self.preview = QTableWidget()
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.setAlternatingRowColors(True)

        left = QVBoxLayout()
        left.addWidget(self.report_list, 1)
        right = QVBoxLayout()
        right.addWidget(self.description)
        right.addLayout(self._form)
        right.addLayout(buttons)
        right.addWidget(self.status)
        right.addWidget(self.preview, 1)
        body = QHBoxLayout()
        body.addLayout(left)
        body.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self._heading)
        layout.addLayout(body, 1)

        self.report_list.currentRowChanged.connect(self._on_report_changed)
        self.build_button.clicked.connect(self.build)
        self.open_button.clicked.connect(self.open_pdf)
        self.print_button.clicked.connect(self.preview_pdf)
        self.pdf_button.clicked.connect(lambda: self._ask_and_save(".pdf"))
        self.csv_button.clicked.connect(lambda: self._ask_and_save(".csv"))
        self.xlsx_button.clicked.connect(lambda: self._ask_and_save(".xlsx"))
        self.message.connect(self.status.setText)
        self.retranslate()
        self._load_units()
        self.report_list.setCurrentRow(0)
        self._set_result(None)

    # -- parameters --

    def _load_units(self) -> None:
        self.unit_combo.clear()
        self.unit_combo.addItem(self.tr("All units"), "")
        for symbol, name in self._service.units():
            self.unit_combo.addItem(f"{symbol} – {name}", symbol)

    def select_report(self, name: str) -> None:
        names = [spec.name for spec in self._specs]
        self.report_list.setCurrentRow(names.index(name))

    @property
    def current_name(self) -> str:
        return self._specs[max(self.report_list.currentRow(), 0)].name

    @Slot(int)
    def _on_report_changed(self, row: int) -> None:
        if row < 0:
            return
        spec = self._specs[row]
        self.description.setText(spec.description)
        for param, widgets in self._fields.items():
            for widget in widgets:
                widget.setVisible(param in spec.params)

    def params(self) -> ReportParams:
        spec = self._specs[max(self.report_list.currentRow(), 0)]
        wanted = spec.params
        return ReportParams(
            date_from=_pydate(self.date_from.date()) if Param.PERIOD in wanted else None,
            date_to=_pydate(self.date_to.date()) if Param.PERIOD in wanted else None,
            unit=(self.unit_combo.currentData() or None) if Param.UNIT in wanted else None,
            year=self.year_spin.value() if Param.YEAR in wanted else None,
            jrwa=(self.jrwa_edit.text().strip() or None) if Param.JRWA in wanted else None,
            case=(self.case_edit.text().strip() or None) if Param.CASE in wanted else None,
            today=_pydate(self.as_of.date()) if Param.TODAY in wanted else self._today,
        )

    # -- building --

    @Slot()
    def build(self) -> None:
        if self.job is not None and not self.job.done:
            return
        name, params = self.current_name, self.params()
        self._set_result(None)
        self.status.setText(self.tr("Preparing the report…"))
        service = self._service

        def work(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> object:
            return service.build(name, params, progress, cancelled)

        self._start(work, self.tr("Preparing the report…"), self._on_built)

    def _start(
        self,
        work: Callable[[Callable[[int, int], None], Callable[[], bool]], object],
        label: str,
        on_done: Callable[[object], None],
    ) -> None:
        self.build_button.setEnabled(False)
        job = Job(work, label, self, self._pool)
        job.finished.connect(on_done)
        job.failed.connect(self._on_failed)
        self.job = job

    @Slot(object)
    def _on_built(self, result: object) -> None:
        self.build_button.setEnabled(True)
        if not isinstance(result, ReportData):
            return
        self._set_result(result)
        shown = min(result.row_count, PREVIEW_ROWS)
        text = self.tr("Ready: {0} – {1}, rows: {2}.").format(
            result.title, result.period, result.row_count
        )
        if shown < result.row_count:
            text += " " + self.tr("The preview shows the first {0}.").format(shown)
        self.message.emit(text)
        self.report_ready.emit(result)

    @Slot(str)
    def _on_failed(self, text: str) -> None:
        self.build_button.setEnabled(True)
        self.status.setStyleSheet("color: #a00000;")
        self.message.emit(text)

    def _set_result(self, report: ReportData | None) -> None:
        self.report = report
        self.status.setStyleSheet("")
        for button in (
            self.open_button,
            self.print_button,
            self.pdf_button,
            self.csv_button,
            self.xlsx_button,
        ):
            button.setEnabled(report is not None)
        self.preview.clear()
        if report is None:
            self.preview.setRowCount(0)
            self.preview.setColumnCount(0)
            return
        multi = len(report.sections) > 1 or any(s.heading for s in report.sections)
        headers = ([self.tr("Group")] if multi else []) + [c.header for c in report.columns]
        self.preview.setColumnCount(len(headers))
        self.preview.setHorizontalHeaderLabels(headers)
        kinds = [c.kind for c in report.columns]
        rows = [
            (section.heading, row)
            for section in report.sections
            for row in (*section.rows, *((section.totals,) if section.totals else ()))
        ][:PREVIEW_ROWS]
        self.preview.setRowCount(len(rows))
        for r, (heading, row) in enumerate(rows):
            cells = ([heading] if multi else []) + [
                format_cell(value, kind) for value, kind in zip(row, kinds, strict=True)
            ]
            for c, text in enumerate(cells):
                self.preview.setItem(r, c, QTableWidgetItem(text))
        for c, kind in enumerate(kinds, start=1 if multi else 0):
            if kind in (ColumnKind.INT, ColumnKind.DECIMAL):
                for r in range(len(rows)):
                    item = self.preview.item(r, c)
                    if item is not None:
                        item.setTextAlignment(RIGHT)
        self.preview.resizeColumnsToContents()

    # -- saving and opening --

    def _office_name(self) -> str:
        if self._office is None:
            self._office = self._service.office_name()
        return self._office

    def save_to(self, path: Path) -> None:
        """Write the built report to ``path`` (format from the suffix) in the background."""
        report = self.report
        if report is None:
            return
        office = self._office_name()
        target = Path(path)

        def work(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> object:
            return write_report(report, target, office)

        self._start(work, self.tr("Saving the report…"), self._on_saved)

    @Slot(object)
    def _on_saved(self, result: object) -> None:
        self.build_button.setEnabled(True)
        self.message.emit(self.tr("Saved: {0}").format(result))
        self.saved.emit(str(result))

    def _ask_and_save(self, suffix: str) -> None:
        if self.report is None:
            return
        filters = {
            ".pdf": self.tr("PDF document (*.pdf)"),
            ".csv": self.tr("CSV for Excel (*.csv)"),
            ".xlsx": self.tr("Excel workbook (*.xlsx)"),
        }
        suggested = f"{self.report.name}-{self._today:%Y-%m-%d}{suffix}"
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save the report"), suggested, filters[suffix]
        )
        if path:
            target = Path(path)
            self.save_to(target if target.suffix.lower() == suffix else target.with_suffix(suffix))

    def _temp_pdf(self, report: ReportData) -> Path:
        if self._temp_dir is None:
            self._temp_dir = Path(tempfile.mkdtemp(prefix="kancelaria-raporty-"))
            # The viewer may still hold the file; remove the folder when the page goes.
            self.destroyed.connect(partial(shutil.rmtree, self._temp_dir, True))
        return self._temp_dir / f"{report.name}-{self._today:%Y-%m-%d}.pdf"

    @Slot()
    def open_pdf(self) -> None:
        """Write the PDF to a temporary file and open it in the system's PDF viewer."""
        if self.report is None:
            return
        self.save_to(self._temp_pdf(self.report))
        job = self.job
        if job is not None:
            job.finished.connect(lambda result: self._open_file(Path(str(result))))

    @Slot()
    def preview_pdf(self) -> None:
        """Build the PDF into a temporary file in the background, then show it with Print…"""
        report = self.report
        if report is None or (self.job is not None and not self.job.done):
            return
        office = self._office_name()
        target = self._temp_pdf(report)

        def work(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> object:
            return write_report(report, target, office)

        self._start(work, self.tr("Preparing the print preview…"), self._on_preview_ready)

    @Slot(object)
    def _on_preview_ready(self, result: object) -> None:
        self.build_button.setEnabled(True)
        report = self.report
        if report is None:
            return
        try:
            dialog = PdfPreviewDialog(Path(str(result)), report.title, self)
        except (OSError, PdfError) as exc:
            self._on_failed(self.tr("The PDF cannot be shown: {0}").format(str(exc)))
            return
        if self.preview_dialog is not None:
            self.preview_dialog.close()
            self.preview_dialog.deleteLater()
        self.preview_dialog = dialog
        dialog.show()
        self.message.emit(
            self.tr("Print preview: {0} – pages: {1}.").format(report.title, dialog.page_count)
        )
        self.preview_shown.emit(dialog)

    # -- language --

    def retranslate(self) -> None:
        self._heading.setText(self.tr("Reports"))
        texts = {
            Param.PERIOD: self.tr("Period:"),
            Param.UNIT: self.tr("Unit:"),
            Param.YEAR: self.tr("Year:"),
            Param.JRWA: self.tr("JRWA symbol:"),
            Param.CASE: self.tr("Case sign:"),
            Param.TODAY: self.tr("Deadlines as of:"),
        }
        for param, label in self._labels.items():
            label.setText(texts[param])
        self.jrwa_edit.setPlaceholderText(self.tr("e.g. 6727; complaints: 0150,0152"))
        self.build_button.setText(self.tr("Prepare report"))
        self.open_button.setText(self.tr("Open PDF"))
        self.print_button.setText(self.tr("Preview and print…"))
        self.pdf_button.setText(self.tr("Save PDF…"))
        self.csv_button.setText(self.tr("Save CSV…"))
        self.xlsx_button.setText(self.tr("Save XLSX…"))
        if self.unit_combo.count():
            self.unit_combo.setItemText(0, self.tr("All units"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
