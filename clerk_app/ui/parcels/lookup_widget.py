"""The parcel lookup widget: one search box, candidates, attributes, map, online check, PDF.

Offline first: everything answers from the local store through :class:`ParcelStore`; ULDK is
asked only on "check online", in a background worker, and its answer can be saved. The widget
holds no session and runs no SQL or HTTP itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QStringListModel, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication, QHideEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCompleter,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from clerk_app.errors import ClerkError
from clerk_app.integrations.uldk import UldkClient
from clerk_app.services.parcel_store import (
    SENSITIVE_ROLES,
    STORE_WRITERS,
    OnlineCheck,
    ParcelStore,
    ParcelSummary,
)
from clerk_app.services.plan_zones import ParcelMap, parcel_map
from clerk_app.services.users import CurrentUser
from clerk_app.ui.parcels.map_view import ParcelMapView
from clerk_app.ui.parcels.workers import CallRunnable, ResultRelay

log = logging.getLogger("clerk_app.ui.parcels")

_COMPLETION_DELAY_MS = 150
_ID_ROLE = Qt.ItemDataRole.UserRole

_FIELDS = (
    "parcel_id",
    "number",
    "precinct",
    "commune",
    "region",
    "area",
    "land_use",
    "addresses",
    "zones",
    "source",
    "sensitive",
    "owners",
)


def _ha(value: float | None) -> str:
    return "—" if value is None else f"{value:.4f} ha".replace(".", ",")


class ParcelLookupWidget(QWidget):
    parcel_shown = Signal(str)

    def __init__(
        self,
        store: ParcelStore,
        user: CurrentUser,
        *,
        uldk_factory: Callable[[], UldkClient] | None = None,
        thread_pool: QThreadPool | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._user = user
        self._uldk_factory = uldk_factory
        self._uldk: UldkClient | None = None
        self._pool = thread_pool or QThreadPool.globalInstance()
        self.current: ParcelMap | None = None
        self.last_check: OnlineCheck | None = None
        self.missing_id: str | None = None
        """A full id typed that the local store does not know (ULDK may)."""

        self.search_edit = QLineEdit()
        self.search_edit.setClearButtonEnabled(True)
        self._completions = QStringListModel(self)
        self.completer = QCompleter(self._completions, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.search_edit.setCompleter(self.completer)
        self._completion_timer = QTimer(self)
        self._completion_timer.setSingleShot(True)
        self._completion_timer.setInterval(_COMPLETION_DELAY_MS)
        self._completion_timer.timeout.connect(self.update_completions)
        self.search_edit.textEdited.connect(lambda _text: self._completion_timer.start())
        self.search_edit.returnPressed.connect(self.search)
        self.search_button = QPushButton()
        self.search_button.clicked.connect(self.search)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setObjectName("parcelMessage")

        self.candidates = QListWidget()
        self.candidates.setObjectName("parcelCandidates")
        self.candidates.itemActivated.connect(self._candidate_chosen)
        self.candidates.itemClicked.connect(self._candidate_chosen)
        self.candidates.hide()

        self.values: dict[str, QLabel] = {}
        self._field_labels: dict[str, QLabel] = {}
        form = QFormLayout()
        for key in _FIELDS:
            label, value = QLabel(), QLabel("—")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._field_labels[key] = label
            self.values[key] = value
            form.addRow(label, value)
        self.attributes = QGroupBox()
        self.attributes.setLayout(form)

        self.copy_button = QPushButton()
        self.copy_button.clicked.connect(self.copy_id)
        self.pdf_button = QPushButton()
        self.pdf_button.clicked.connect(self._ask_pdf_path)
        self.sensitive_button = QPushButton()
        self.sensitive_button.clicked.connect(self.show_sensitive)
        self.online_button = QPushButton()
        self.online_button.clicked.connect(self.check_online)
        self.save_button = QPushButton()
        self.save_button.clicked.connect(self.save_online)
        self.differences = QListWidget()
        self.differences.setObjectName("parcelDifferences")
        self.differences.setMaximumHeight(110)
        self.differences.hide()
        buttons = QHBoxLayout()
        for button in (self.copy_button, self.pdf_button, self.sensitive_button):
            buttons.addWidget(button)
        online = QHBoxLayout()
        online.addWidget(self.online_button)
        online.addWidget(self.save_button)

        self.map_view = ParcelMapView()
        self.map_view.identify.connect(self.identify_at)
        self.map_view.cursor_moved.connect(self._show_cursor)
        self.coords_label = QLabel()
        self.coords_label.setObjectName("parcelCursor")

        search_row = QHBoxLayout()
        search_row.addWidget(self.search_edit, 1)
        search_row.addWidget(self.search_button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.candidates, 1)
        left_layout.addWidget(self.attributes)
        left_layout.addLayout(buttons)
        left_layout.addLayout(online)
        left_layout.addWidget(self.differences)
        left_layout.addStretch(0)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.map_view, 1)
        right_layout.addWidget(self.coords_label)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(search_row)
        layout.addWidget(self.message)
        layout.addWidget(splitter, 1)

        focus_search = QShortcut(QKeySequence("Ctrl+L"), self)
        focus_search.activated.connect(self._focus_search)
        self._relay = ResultRelay(self)
        self._relay.finished.connect(self._online_checked)
        self._relay.failed.connect(self._online_failed)
        self._update_buttons()
        self.retranslate()

    # -- texts ---------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.search_edit.setPlaceholderText(
            self.tr("Parcel id, precinct and number (0012 3/4), precinct name, address or X Y")
        )
        self.search_button.setText(self.tr("Find"))
        self.attributes.setTitle(self.tr("Parcel"))
        names = {
            "parcel_id": self.tr("Id:"),
            "number": self.tr("Number:"),
            "precinct": self.tr("Precinct:"),
            "commune": self.tr("Commune:"),
            "region": self.tr("County, voivodeship:"),
            "area": self.tr("Area:"),
            "land_use": self.tr("Land use:"),
            "addresses": self.tr("Addresses:"),
            "zones": self.tr("Plan zones:"),
            "source": self.tr("Source:"),
            "sensitive": self.tr("Register data:"),
            "owners": self.tr("Owners:"),
        }
        for key, text in names.items():
            self._field_labels[key].setText(text)
        self.copy_button.setText(self.tr("Copy id"))
        self.pdf_button.setText(self.tr("Parcel sheet PDF…"))
        self.sensitive_button.setText(self.tr("Show owners and land register"))
        self.online_button.setText(self.tr("Check online (ULDK)"))
        self.save_button.setText(self.tr("Save ULDK data locally"))
        self.coords_label.setText(self.tr("X, Y (PL-1992): —"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- search --------------------------------------------------------------------------

    @Slot()
    def _focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    @Slot()
    def update_completions(self) -> None:
        try:
            items = self._store.autocomplete(self.search_edit.text())
        except ClerkError:
            items = []
        self._completions.setStringList(items)

    @Slot()
    def search(self) -> None:
        text = self.search_edit.text()
        self.candidates.clear()
        self.candidates.hide()
        self.missing_id = None
        try:
            result = self._store.search(text)
        except ClerkError as exc:
            self.message.setText(str(exc))
            self._update_buttons()
            return
        if result.input.parcel_id is not None and not result.candidates:
            self.missing_id = str(result.input.parcel_id)
            self.current = None
            self.last_check = None
            self.map_view.clear_map()
            self._update_buttons()
        if len(result.candidates) == 1:
            self.message.setText("")
            self.show_parcel(result.candidates[0].parcel_id)
            return
        if not result.candidates:
            hint = (
                " " + self.tr("Use “Check online” to ask ULDK.")
                if self.missing_id and self._uldk_factory is not None
                else ""
            )
            self.message.setText(result.message + hint)
            return
        self._list_candidates(result.candidates, result.truncated)

    def _list_candidates(self, candidates: tuple[ParcelSummary, ...], truncated: bool) -> None:
        for summary in candidates:
            item = QListWidgetItem(summary.label)
            item.setData(_ID_ROLE, summary.parcel_id)
            self.candidates.addItem(item)
        self.candidates.show()
        self.candidates.setCurrentRow(0)
        text = self.tr("{0} parcels match; choose one.").format(len(candidates))
        if truncated:
            text += " " + self.tr("Only the first ones are listed; type more.")
        self.message.setText(text)

    @Slot(QListWidgetItem)
    def _candidate_chosen(self, item: QListWidgetItem) -> None:
        parcel_id = item.data(_ID_ROLE)
        if parcel_id:
            self.show_parcel(str(parcel_id))

    # -- one parcel ----------------------------------------------------------------------

    def show_parcel(self, parcel_id: str) -> None:
        try:
            data = parcel_map(self._store.db, parcel_id)
        except ClerkError as exc:
            self.message.setText(str(exc))
            return
        self.current = data
        self.missing_id = None
        self.last_check = None
        self.differences.clear()
        self.differences.hide()
        s = data.details.summary
        v = self.values
        v["parcel_id"].setText(s.parcel_id)
        v["number"].setText(s.number + (f" (AR_{s.sheet})" if s.sheet else ""))
        v["precinct"].setText(f"{s.precinct_code} {s.precinct_name}".strip())
        v["commune"].setText(f"{s.unit_code} {s.unit_name}".strip())
        v["region"].setText(", ".join(p for p in (s.county_name, s.voivodeship_name) if p) or "—")
        v["area"].setText(
            self.tr("{0} of record, {1} from the geometry").format(
                _ha(s.area_ha), _ha(data.details.geometry_area_ha)
            )
        )
        v["land_use"].setText(", ".join(f"{c} {_ha(a)}" for c, a in data.details.land_use) or "—")
        v["addresses"].setText("; ".join(data.details.addresses) or "—")
        v["zones"].setText(
            ", ".join(f"{z.symbol} {z.percent_label}" for z in data.shares.zones) or "—"
        )
        v["source"].setText(f"{s.source}, {data.details.updated_at:%Y-%m-%d}")
        v["sensitive"].setText(
            self.tr("stored (shown on request, logged)") if data.details.has_sensitive else "—"
        )
        v["owners"].setText("—")
        self.map_view.show_map(data)
        self._update_buttons()
        self.parcel_shown.emit(s.parcel_id)

    @Slot(float, float)
    def identify_at(self, x: float, y: float) -> None:
        try:
            hits = self._store.at_point(x, y)
        except ClerkError as exc:
            self.message.setText(str(exc))
            return
        if not hits:
            self.message.setText(self.tr("No parcel at this point in the local store."))
            return
        if len(hits) == 1:
            self.message.setText("")
            self.show_parcel(hits[0].parcel_id)
            return
        self.candidates.clear()
        self._list_candidates(tuple(hits), False)

    @Slot(float, float)
    def _show_cursor(self, x: float, y: float) -> None:
        # Polish geodetic order: X is the northing.
        self.coords_label.setText(self.tr("X {0}  Y {1} (PL-1992)").format(f"{y:.2f}", f"{x:.2f}"))

    @Slot()
    def copy_id(self) -> None:
        if self.current is not None:
            QGuiApplication.clipboard().setText(self.current.details.parcel_id)
            self.message.setText(self.tr("Id copied."))

    @Slot()
    def _ask_pdf_path(self) -> None:
        if self.current is None:
            return
        default = self.current.details.parcel_id.replace("/", "_") + ".pdf"
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Save parcel sheet"), default, self.tr("PDF (*.pdf)")
        )
        if path:
            self.export_pdf(Path(path))

    def export_pdf(self, path: Path) -> Path | None:
        from clerk_app.ui.parcels.sheet_pdf import write_parcel_sheet

        if self.current is None:
            return None
        try:
            written = write_parcel_sheet(path, self.current, generated_by=self._user.full_name)
        except OSError as exc:
            self.message.setText(self.tr("Cannot write {0}: {1}").format(str(path), exc.strerror))
            return None
        self.message.setText(self.tr("Parcel sheet saved: {0}").format(str(written)))
        return written

    @Slot()
    def show_sensitive(self) -> None:
        if self.current is None:
            return
        try:
            data = self._store.sensitive(self._user, self.current.details.parcel_id)
        except ClerkError as exc:
            self.message.setText(str(exc))
            return
        parts = [
            self.tr("register unit {0}").format(data.register_unit or "—"),
            self.tr("land register {0}").format(data.land_register_no or "—"),
        ]
        self.values["sensitive"].setText("; ".join(parts))
        # One owner per line: name, share, address (as far as the register export gave it).
        self.values["owners"].setText(
            "\n".join(", ".join(p for p in (o.name, o.share, o.address) if p) for o in data.owners)
            or self.tr("none stored")
        )

    # -- online --------------------------------------------------------------------------

    @Slot()
    def check_online(self) -> None:
        parcel_id = self._target_id()
        if parcel_id is None or self._uldk_factory is None:
            return
        if self._uldk is None:
            self._uldk = self._uldk_factory()
        client, store = self._uldk, self._store
        self.online_button.setEnabled(False)
        self.message.setText(self.tr("Asking ULDK…"))
        self._pool.start(CallRunnable(lambda: store.check_online(client, parcel_id), self._relay))

    @Slot(object)
    def _online_checked(self, check: object) -> None:
        assert isinstance(check, OnlineCheck)
        self._update_buttons()
        if check.parcel_id != self._target_id():
            return  # the clerk has moved on to another parcel
        self.last_check = check
        self.message.setText(check.message)
        self.differences.clear()
        for diff in check.differences:
            self.differences.addItem(f"{diff.field}: {diff.local} → {diff.remote}")
        self.differences.setVisible(bool(check.differences))
        self._update_buttons()

    @Slot(str)
    def _online_failed(self, message: str) -> None:
        self._update_buttons()
        self.message.setText(self.tr("ULDK check failed: {0}").format(message))

    @Slot()
    def save_online(self) -> None:
        check = self.last_check
        if check is None or check.remote is None:
            return
        try:
            saved = self._store.save_from_uldk(self._user, check.remote)
        except ClerkError as exc:
            self.message.setText(str(exc))
            return
        self.show_parcel(saved.parcel_id)
        self.message.setText(self.tr("Saved from ULDK into the local store."))

    def _target_id(self) -> str | None:
        return self.current.details.parcel_id if self.current is not None else self.missing_id

    def _update_buttons(self) -> None:
        has = self.current is not None
        self.copy_button.setEnabled(has)
        self.pdf_button.setEnabled(has)
        self.sensitive_button.setEnabled(
            has
            and bool(self._user.roles & SENSITIVE_ROLES)
            and self.current is not None
            and self.current.details.has_sensitive
        )
        self.online_button.setEnabled(
            self._target_id() is not None and self._uldk_factory is not None
        )
        self.save_button.setEnabled(
            self.last_check is not None
            and self.last_check.remote is not None
            and bool(self.last_check.differences)
            and bool(self._user.roles & STORE_WRITERS)
        )

    def hideEvent(self, event: QHideEvent) -> None:
        self._completion_timer.stop()
        super().hideEvent(event)

    def close_client(self) -> None:
        """Stop pending work and close the ULDK client (the page calls it on shutdown)."""
        self._completion_timer.stop()
        if self._uldk is not None:
            self._uldk.close()
            self._uldk = None
