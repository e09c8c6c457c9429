"""The register page: filter bar, search, saved views, export, the lazy table, intake."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QEvent, QModelIndex, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clerk_app.errors import ClerkError
from clerk_app.models import Channel, Direction
from clerk_app.services.app_context import AppContext
from clerk_app.services.export import ExportFormat, ExportResult, export_register
from clerk_app.services.register_query import (
    EntryState,
    RegisterFilter,
    RegisterQuery,
    SortSpec,
    list_handlers,
    list_units,
)
from clerk_app.services.saved_views import SavedViewService
from clerk_app.services.users import CurrentUser
from clerk_app.ui.hub import Hub
from clerk_app.ui.models.labels import CHANNELS, DIRECTIONS, ENTRY_STATES, tr
from clerk_app.ui.models.register_model import DEFAULT_REGISTER_SORT, RegisterTableModel
from clerk_app.ui.pages.table_export import TableExport, filter_row
from clerk_app.ui.workers import Job

log = logging.getLogger("clerk_app.ui.register")

NO_DATE = QDate(2000, 1, 1)  # the date edits' "no date" value
SEARCH_DELAY_MS = 300
SEARCH_LIMIT = 500
NUMBER_LIKE = re.compile(r"^[A-Za-z]{1,20}/\d")


def make_table(model: Any) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    # Uniform row heights: the view never measures rows, so a million rows cost nothing.
    vertical = table.verticalHeader()
    vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vertical.setDefaultSectionSize(table.fontMetrics().height() + 8)
    vertical.setVisible(False)
    horizontal = table.horizontalHeader()
    horizontal.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    horizontal.setStretchLastSection(True)
    horizontal.setSortIndicatorShown(True)
    horizontal.setSectionsClickable(True)
    return table


def date_edit() -> QDateEdit:
    edit = QDateEdit()
    edit.setDisplayFormat("dd.MM.yyyy")
    edit.setCalendarPopup(True)
    edit.setMinimumDate(NO_DATE)
    edit.setSpecialValueText(" ")  # shown for NO_DATE: no bound
    edit.setDate(NO_DATE)
    return edit


def date_of(edit: QDateEdit) -> date | None:
    value = edit.date()
    return None if value == NO_DATE else value.toPython()  # type: ignore[return-value]


def set_combo(combo: QComboBox, value: Any) -> None:
    at = combo.findData(value)
    combo.setCurrentIndex(at if at >= 0 else 0)


class RegisterPage(QWidget):
    entry_opened = Signal(object)  # entry id

    def __init__(
        self,
        ctx: AppContext,
        user: CurrentUser,
        hub: Hub,
        state: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.user = user
        self.hub = hub
        self.state = state
        self.query = RegisterQuery(ctx.db, user)
        self.views = SavedViewService(ctx.db, user)
        self.details_dialog: QWidget | None = None
        self.intake_dialog: QWidget | None = None
        self._applying = False

        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 18pt; font-weight: 600;")
        self.new_button = QPushButton()
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.views_combo = QComboBox()
        self.save_view_button = QPushButton()
        self.delete_view_button = QPushButton()
        self.exporter = TableExport(
            self,
            "rejestr",
            self._prepare_export,
            lambda: self.tr("Export the register"),
            lambda: self.tr("Exporting the register…"),
        )
        self.exporter.exported.connect(self._on_exported)

        self.direction = QComboBox()
        self.date_from = date_edit()
        self.date_to = date_edit()
        self.channel = QComboBox()
        self.entry_state = QComboBox()
        self.unit = QComboBox()
        self.handler = QComboBox()
        self.overdue = QCheckBox()
        self.attention = QCheckBox()
        self.clear_button = QPushButton()
        self.count_label = QLabel()
        self._filter_labels = [QLabel() for _ in range(7)]

        # The first page paints before the exact COUNT, which runs on a worker thread.
        self.model = RegisterTableModel(
            self.query, RegisterFilter(), DEFAULT_REGISTER_SORT, self, count_in_background=True
        )
        self.model.count_changed.connect(self._update_count)
        self.table = make_table(self.model)
        self.table.horizontalHeader().setSortIndicator(
            self.model.sort_column(), Qt.SortOrder.DescendingOrder
        )
        self.table.setSortingEnabled(True)

        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.new_button)
        top.addWidget(self.search, 2)
        top.addWidget(self.views_combo, 1)
        top.addWidget(self.save_view_button)
        top.addWidget(self.delete_view_button)
        top.addWidget(self.exporter.button)
        filters = filter_row(
            self._filter_labels,
            [
                self.direction,
                self.date_from,
                self.date_to,
                self.channel,
                self.entry_state,
                self.unit,
                self.handler,
            ],
        )
        filters.addWidget(self.overdue)
        filters.addWidget(self.attention)
        filters.addWidget(self.clear_button)
        filters.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)

        self.retranslate()
        self._fill_choices()
        self._load_views()

        for combo in (self.direction, self.channel, self.entry_state, self.unit, self.handler):
            combo.currentIndexChanged.connect(self.apply_filters)
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(self.apply_filters)
        for box in (self.overdue, self.attention):
            box.toggled.connect(self.apply_filters)
        self.clear_button.clicked.connect(self.clear_filters)
        self.search.textEdited.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self._on_search_enter)
        self.table.doubleClicked.connect(self._on_double_click)
        self.table.activated.connect(self._on_double_click)
        self.views_combo.activated.connect(self._on_view_chosen)
        self.save_view_button.clicked.connect(self._ask_save_view)
        self.delete_view_button.clicked.connect(self._delete_current_view)
        self.new_button.clicked.connect(self.open_intake)
        QShortcut(QKeySequence("Ctrl+N"), self, self.open_intake)
        QShortcut(QKeySequence("Ctrl+F"), self, self.search.setFocus)
        self.hub.changed.connect(self._on_changed)
        self._update_count()

    # --- texts ------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Register"))
        self.new_button.setText(self.tr("New entry (Ctrl+N)"))
        self.search.setPlaceholderText(self.tr("Search: number, title, sender… (Ctrl+F)"))
        self.save_view_button.setText(self.tr("Save view"))
        self.delete_view_button.setText(self.tr("Delete view"))
        self.exporter.button.setText(self.tr("Export"))
        for label, text in zip(
            self._filter_labels,
            [
                self.tr("Register:"),
                self.tr("From:"),
                self.tr("To:"),
                self.tr("Channel:"),
                self.tr("Status:"),
                self.tr("Unit:"),
                self.tr("Handler:"),
            ],
            strict=True,
        ):
            label.setText(text)
        self.overdue.setText(self.tr("Overdue"))
        self.attention.setText(self.tr("Needs attention"))
        self.clear_button.setText(self.tr("Clear filters"))
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
            self.direction.addItem(tr(DIRECTIONS[Direction.INCOMING]), Direction.INCOMING.value)
            self.direction.addItem(tr(DIRECTIONS[Direction.OUTGOING]), Direction.OUTGOING.value)
            self.direction.addItem(self.tr("Both"), None)
            self.channel.addItem(self.tr("all"), None)
            for channel in Channel:
                self.channel.addItem(tr(CHANNELS[channel]), channel.value)
            self.entry_state.addItem(self.tr("all"), None)
            for state, label in ENTRY_STATES.items():
                self.entry_state.addItem(tr(label), state.value)
            self.unit.addItem(self.tr("all"), None)
            self.units = list_units(self.ctx.db)
            for unit in self.units:
                self.unit.addItem(unit.label, unit.id)
            self.handler.addItem(self.tr("all"), None)
            self.handlers = list_handlers(self.ctx.db)
            for handler in self.handlers:
                self.handler.addItem(handler.label, handler.id)
        finally:
            self._applying = False

    # --- filters ------------------------------------------------------------------------------

    def current_filter(self) -> RegisterFilter:
        direction = self.direction.currentData()
        channel = self.channel.currentData()
        state = self.entry_state.currentData()
        text = self.search.text().strip()
        # A register number (or its beginning, "RPW/12") filters by prefix; words go to search.
        ids = self._search_ids(text) if text and not NUMBER_LIKE.match(text) else None
        return RegisterFilter(
            date_from=date_of(self.date_from),
            date_to=date_of(self.date_to),
            direction=Direction(direction) if direction else None,
            channel=Channel(channel) if channel else None,
            state=EntryState(state) if state else None,
            unit_id=self.unit.currentData(),
            handler_id=self.handler.currentData(),
            overdue=self.overdue.isChecked(),
            needs_attention=self.attention.isChecked(),
            prefix=text if ids is None else "",
            ids=ids,
        )

    def show_filter(self, flt: RegisterFilter) -> None:
        """Put a filter into the widgets (saved views), then apply it once."""
        self._applying = True
        try:
            set_combo(self.direction, flt.direction.value if flt.direction else None)
            self.date_from.setDate(QDate(flt.date_from) if flt.date_from else NO_DATE)
            self.date_to.setDate(QDate(flt.date_to) if flt.date_to else NO_DATE)
            set_combo(self.channel, flt.channel.value if flt.channel else None)
            set_combo(self.entry_state, flt.state.value if flt.state else None)
            set_combo(self.unit, flt.unit_id)
            set_combo(self.handler, flt.handler_id)
            self.overdue.setChecked(flt.overdue)
            self.attention.setChecked(flt.needs_attention)
            self.search.setText(flt.prefix)
        finally:
            self._applying = False

    @Slot()
    def apply_filters(self) -> None:
        if self._applying:
            return
        self.model.set_filter(self.current_filter())
        self._update_count()

    @Slot()
    def clear_filters(self) -> None:
        self.show_filter(RegisterFilter())
        self.apply_filters()

    @Slot()
    def _update_count(self) -> None:
        if not hasattr(self, "model"):
            return
        if self.model.count_exact:
            self.count_label.setText(self.tr("%n entries", "", self.model.rowCount()))
        else:
            self.count_label.setText(self.tr("Counting entries…"))

    def _search_ids(self, text: str) -> tuple[int, ...] | None:
        """Full-text search hits when the search service is installed, else None (prefix)."""
        try:
            from clerk_app.services import search as search_service
        except ImportError:
            return None
        find = getattr(search_service, "search", None)
        if find is None:
            return None
        try:
            hits = find(self.ctx.db, self.user, text, SEARCH_LIMIT)
        except ClerkError as exc:
            self.count_label.setText(str(exc))
            return None
        ids = []
        for hit in hits:
            kind = getattr(hit, "object_type", None) or getattr(hit, "kind", "register_entry")
            entry_id = getattr(hit, "entry_id", None)
            if entry_id is None and kind in ("register_entry", "entry", "register"):
                entry_id = getattr(hit, "object_id", None) or getattr(hit, "id", None)
            if entry_id is not None:
                ids.append(int(entry_id))
        return tuple(dict.fromkeys(ids))

    @Slot()
    def _on_search_enter(self) -> None:
        """A scanned sticker (exact register number) opens the entry at once."""
        self._search_timer.stop()
        entry_id = self.query.number_lookup(self.search.text())
        if entry_id is not None:
            self.open_entry(entry_id)
            return
        self.apply_filters()

    # --- saved views ------------------------------------------------------------------------

    def _load_views(self, select_name: str | None = None) -> None:
        self.views_combo.clear()
        self.views_combo.addItem(self.tr("Saved views…"), None)
        for view in self.views.list("register"):
            self.views_combo.addItem(view.name, view.id)
            if view.name == select_name:
                self.views_combo.setCurrentIndex(self.views_combo.count() - 1)
        self._saved = {v.id: v for v in self.views.list("register")}

    def save_view(self, name: str) -> None:
        definition = {
            "filter": self.current_filter().to_dict(),
            "sort": {
                "column": self.model.sort_spec.column,
                "descending": self.model.sort_spec.descending,
            },
        }
        # Search hits are not stored: the prefix is, and is searched again when applied.
        definition["filter"]["ids"] = None
        definition["filter"]["prefix"] = self.search.text().strip()
        self.views.save("register", name, definition)
        self._load_views(select_name=name.strip())

    def apply_view(self, view_id: int) -> None:
        view = self._saved.get(view_id)
        if view is None:
            return
        flt = RegisterFilter.from_dict(view.definition.get("filter", {}))
        sort_data = view.definition.get("sort") or {}
        sort = SortSpec(
            str(sort_data.get("column", DEFAULT_REGISTER_SORT.column)),
            bool(sort_data.get("descending", False)),
        )
        self.show_filter(flt)
        self.model.set_view(self.current_filter(), sort)
        self.table.horizontalHeader().setSortIndicator(
            self.model.sort_column(),
            Qt.SortOrder.DescendingOrder if sort.descending else Qt.SortOrder.AscendingOrder,
        )
        self._update_count()

    @Slot(int)
    def _on_view_chosen(self, index: int) -> None:
        view_id = self.views_combo.itemData(index)
        if view_id is not None:
            self.apply_view(int(view_id))

    @Slot()
    def _ask_save_view(self) -> None:
        name, ok = QInputDialog.getText(self, self.tr("Save view"), self.tr("View name:"))
        if ok:
            try:
                self.save_view(name)
            except ClerkError as exc:
                QMessageBox.warning(self, self.tr("Save view"), str(exc))

    @Slot()
    def _delete_current_view(self) -> None:
        view_id = self.views_combo.currentData()
        if view_id is None:
            return
        try:
            self.views.delete(int(view_id))
        except ClerkError as exc:
            QMessageBox.warning(self, self.tr("Delete view"), str(exc))
        self._load_views()

    # --- export ------------------------------------------------------------------------------

    def export(self, path: Path, fmt: ExportFormat) -> Job:
        """Export the current view in the background; progress shows after ~0.5 s."""
        return self.exporter.start(path, fmt)

    def _prepare_export(self, path: Path, fmt: ExportFormat) -> Callable[[Any, Any], ExportResult]:
        # The view as it is now; the work runs on a worker and never touches the widgets.
        db, user = self.ctx.db, self.user
        flt, sort = self.model.filter, self.model.sort_spec
        return lambda progress, cancelled: export_register(
            db, user, flt, sort, path, fmt, progress, cancelled
        )

    @Slot(object)
    def _on_exported(self, result: object) -> None:
        if not isinstance(result, ExportResult):
            return
        if result.cancelled:
            self.count_label.setText(self.tr("Export cancelled."))
        else:
            self.count_label.setText(
                self.tr("Exported %n entries to {0}", "", result.rows).format(result.path)
            )

    # --- entries ----------------------------------------------------------------------------

    @Slot(QModelIndex)
    def _on_double_click(self, index: QModelIndex) -> None:
        entry_id = self.model.row_id(index.row())
        if entry_id is not None:
            self.open_entry(entry_id)

    def open_entry(self, entry_id: int) -> None:
        from clerk_app.ui.dialogs.entry_details import EntryDetailsDialog

        try:
            details = self.query.entry(entry_id)
        except ClerkError as exc:
            QMessageBox.warning(self, self.tr("Register"), str(exc))
            return
        dialog = EntryDetailsDialog(details, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.details_dialog = dialog
        dialog.show()
        self.entry_opened.emit(entry_id)

    @Slot()
    def open_intake(self) -> None:
        from clerk_app.ui.dialogs.intake import IntakeDialog

        if self.intake_dialog is not None:
            self.intake_dialog.raise_()
            self.intake_dialog.activateWindow()
            return
        try:
            from clerk_app.services.correspondents import CorrespondentService
            from clerk_app.services.register import RegisterService
        except ImportError:
            QMessageBox.warning(
                self, self.tr("Register"), self.tr("Registration is not available yet.")
            )
            return
        service = RegisterService(self.ctx.db, self.ctx.blobs, self.user)
        correspondents = CorrespondentService(self.ctx.db, self.user)
        dialog = IntakeDialog(
            register=service.register_incoming,
            suggest=correspondents.suggest,
            units=self.units,
            handlers=self.handlers,
            state=self.state,
            sticker_dir=self.ctx.settings.data_dir / "naklejki",
            office_name=service.office_short_name(),
            parent=self,
        )
        dialog.registered.connect(self._on_registered)
        dialog.finished.connect(self._on_intake_closed)
        self.intake_dialog = dialog
        dialog.show()

    @Slot(object)
    def _on_registered(self, entry_id: object) -> None:
        self.hub.changed.emit("register", [entry_id])

    @Slot(int)
    def _on_intake_closed(self, _code: int) -> None:
        if self.intake_dialog is not None:
            self.intake_dialog.deleteLater()
        self.intake_dialog = None

    @Slot(str, object)
    def _on_changed(self, kind: str, _ids: object) -> None:
        if kind in ("register", "case"):
            self.model.refresh()
            self._update_count()
