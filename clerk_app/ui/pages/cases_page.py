"""The case list: filters (unit, handler, status, JRWA class, year, deadline) over a lazy table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from clerk_app.errors import ClerkError
from clerk_app.models import CaseStatus
from clerk_app.services.app_context import AppContext
from clerk_app.services.export import ExportFormat, ExportResult, export_cases
from clerk_app.services.register_query import (
    CaseFilter,
    CaseQuery,
    DeadlineFilter,
    list_handlers,
    list_units,
)
from clerk_app.services.users import CurrentUser
from clerk_app.ui.hub import Hub
from clerk_app.ui.models.cases_model import DEFAULT_CASE_SORT, CasesTableModel
from clerk_app.ui.models.labels import CASE_STATUSES, DEADLINES, tr
from clerk_app.ui.pages.register_page import make_table
from clerk_app.ui.pages.table_export import TableExport, filter_row
from clerk_app.ui.workers import Job


class CasesPage(QWidget):
    case_opened = Signal(object)  # case id

    def __init__(
        self, ctx: AppContext, user: CurrentUser, hub: Hub, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.user = user
        self.hub = hub
        self.query = CaseQuery(ctx.db, user)
        self.details_dialog: QDialog | None = None
        self._applying = False

        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 18pt; font-weight: 600;")
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.exporter = TableExport(
            self,
            "sprawy",
            self._prepare_export,
            lambda: self.tr("Export the case list"),
            lambda: self.tr("Exporting the case list…"),
        )
        self.unit = QComboBox()
        self.handler = QComboBox()
        self.status = QComboBox()
        self.jrwa = QLineEdit()
        self.jrwa.setMaximumWidth(90)
        self.year = QSpinBox()
        self.year.setRange(1999, 2100)
        self.deadline = QComboBox()
        self.count_label = QLabel()
        self._labels = [QLabel() for _ in range(6)]

        self.model = CasesTableModel(self.query, CaseFilter(), DEFAULT_CASE_SORT, self)
        self.table = make_table(self.model)
        self.table.horizontalHeader().setSortIndicator(
            self.model.sort_column(), Qt.SortOrder.AscendingOrder
        )
        self.table.setSortingEnabled(True)

        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.search, 2)
        top.addWidget(self.exporter.button)
        filters = filter_row(
            self._labels,
            [self.unit, self.handler, self.status, self.jrwa, self.year, self.deadline],
        )
        filters.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)

        self.retranslate()
        self._fill_choices()
        for combo in (self.unit, self.handler, self.status, self.deadline):
            combo.currentIndexChanged.connect(self.apply_filters)
        self.year.valueChanged.connect(self.apply_filters)
        self.jrwa.editingFinished.connect(self.apply_filters)
        self.search.returnPressed.connect(self.apply_filters)
        self.table.doubleClicked.connect(self._on_double_click)
        self.table.activated.connect(self._on_double_click)
        self.hub.changed.connect(self._on_changed)
        self._update_count()

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Cases"))
        self.search.setPlaceholderText(self.tr("Case sign or title…"))
        self.exporter.button.setText(self.tr("Export"))
        self.year.setSpecialValueText(self.tr("all"))
        for label, text in zip(
            self._labels,
            [
                self.tr("Unit:"),
                self.tr("Handler:"),
                self.tr("Status:"),
                self.tr("JRWA class:"),
                self.tr("Year:"),
                self.tr("Deadline:"),
            ],
            strict=True,
        ):
            label.setText(text)
        self._update_count()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            self.model.headerDataChanged.emit(
                Qt.Orientation.Horizontal, 0, self.model.columnCount() - 1
            )
        super().changeEvent(event)

    def _fill_choices(self) -> None:
        self._applying = True
        try:
            self.unit.addItem(self.tr("all"), None)
            for unit in list_units(self.ctx.db):
                self.unit.addItem(unit.label, unit.id)
            self.handler.addItem(self.tr("all"), None)
            for handler in list_handlers(self.ctx.db):
                self.handler.addItem(handler.label, handler.id)
            self.status.addItem(self.tr("all"), None)
            for status, label in CASE_STATUSES.items():
                self.status.addItem(tr(label), status.value)
            self.deadline.addItem(self.tr("all"), None)
            for kind, label in DEADLINES.items():
                self.deadline.addItem(tr(label), kind.value)
            self.year.setValue(self.year.minimum())  # "all"
        finally:
            self._applying = False

    def current_filter(self) -> CaseFilter:
        status = self.status.currentData()
        deadline = self.deadline.currentData()
        year = self.year.value()
        return CaseFilter(
            unit_id=self.unit.currentData(),
            handler_id=self.handler.currentData(),
            status=CaseStatus(status) if status else None,
            jrwa_symbol=self.jrwa.text().strip(),
            year=None if year == self.year.minimum() else year,
            deadline=DeadlineFilter(deadline) if deadline else None,
            prefix=self.search.text().strip(),
        )

    @Slot()
    def apply_filters(self) -> None:
        if self._applying:
            return
        flt = self.current_filter()
        if flt != self.model.filter:
            self.model.set_filter(flt)
        self._update_count()

    def _update_count(self) -> None:
        if hasattr(self, "model"):
            self.count_label.setText(self.tr("%n cases", "", self.model.rowCount()))

    @Slot(QModelIndex)
    def _on_double_click(self, index: QModelIndex) -> None:
        case_id = self.model.row_id(index.row())
        if case_id is not None:
            self.open_case(case_id)

    def open_case(self, case_id: int) -> None:
        """Show the case details dialog (data, deadline, documents, history)."""
        from clerk_app.services.cases import CaseService
        from clerk_app.services.register import RegisterService
        from clerk_app.ui.dialogs.case_details import CaseDetailsDialog

        service = CaseService(self.ctx.db, self.user)
        try:
            detail = service.get_case(case_id)
            history = service.case_history(case_id)
            office = RegisterService(self.ctx.db, self.ctx.blobs, self.user).office_short_name()
        except ClerkError as exc:
            QMessageBox.warning(self, self.tr("Cases"), str(exc))
            return
        dialog = CaseDetailsDialog(detail, history, office, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.details_dialog = dialog
        dialog.show()
        self.case_opened.emit(case_id)

    def export(self, path: Path, fmt: ExportFormat) -> Job:
        return self.exporter.start(path, fmt)

    def _prepare_export(self, path: Path, fmt: ExportFormat) -> Callable[[Any, Any], ExportResult]:
        # The view as it is now; the work runs on a worker and never touches the widgets.
        db, user = self.ctx.db, self.user
        flt, sort = self.model.filter, self.model.sort_spec
        return lambda progress, cancelled: export_cases(
            db, user, flt, sort, path, fmt, progress, cancelled
        )

    @Slot(str, object)
    def _on_changed(self, kind: str, _ids: object) -> None:
        if kind in ("register", "case"):
            self.model.refresh()
            self._update_count()
