"""The main window: navigation on the left, one page per capability, status bar below."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QByteArray, QCoreApplication, QEvent, QSettings, QSize
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from clerk_app import __version__
from clerk_app.ui.hub import Hub
from clerk_app.ui.icons import icon
from clerk_app.ui.pages.placeholder import ComingPage
from clerk_app.ui.pages.settings_page import SettingsPage

if TYPE_CHECKING:
    from clerk_app.services.app_context import AppContext
    from clerk_app.services.users import CurrentUser


@dataclass(frozen=True)
class PageSpec:
    key: str
    icon: str
    title: str
    description: str


PAGES = [
    PageSpec(
        "register",
        "fa5s.inbox",
        QT_TRANSLATE_NOOP("Pages", "Register"),
        QT_TRANSLATE_NOOP(
            "Pages",
            "Incoming and outgoing correspondence: registration, numbering, assignment and search.",
        ),
    ),
    PageSpec(
        "cases",
        "fa5s.folder-open",
        QT_TRANSLATE_NOOP("Pages", "Cases"),
        QT_TRANSLATE_NOOP(
            "Pages",
            "Cases with signs from the file plan, handlers, KPA deadlines and the case history.",
        ),
    ),
    PageSpec(
        "parcels",
        "fa5s.map-marked-alt",
        QT_TRANSLATE_NOOP("Pages", "Parcels"),
        QT_TRANSLATE_NOOP(
            "Pages", "Cadastral parcel look-up with the map, neighbours and local plan zones."
        ),
    ),
    PageSpec(
        "letters",
        "fa5s.file-signature",
        QT_TRANSLATE_NOOP("Pages", "Letters"),
        QT_TRANSLATE_NOOP(
            "Pages",
            "Official letters and KPA templates rendered to PDF and registered as outgoing.",
        ),
    ),
    PageSpec(
        "epuap",
        "fa5s.envelope-open-text",
        QT_TRANSLATE_NOOP("Pages", "ePUAP inbox"),
        QT_TRANSLATE_NOOP(
            "Pages",
            "Documents from the office's ePUAP box and "
            "e-Doręczenia, synchronised into the register.",
        ),
    ),
    PageSpec(
        "reports",
        "fa5s.chart-bar",
        QT_TRANSLATE_NOOP("Pages", "Reports"),
        QT_TRANSLATE_NOOP(
            "Pages",
            "Register for a period, cases per clerk, overdue cases and case lists per JRWA class.",
        ),
    ),
]


class MainWindow(QMainWindow):
    def __init__(
        self,
        *,
        hub: Hub,
        window_settings: QSettings,
        user_name: str,
        database: str,
        language: str,
        data_dir: str,
        log_file: str,
        ctx: AppContext | None = None,
        user: CurrentUser | None = None,
    ) -> None:
        super().__init__()
        self.hub = hub
        self._window_settings = window_settings
        self._user_name = user_name
        self._database = database

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setIconSize(QSize(22, 22))
        self.nav.setFixedWidth(190)
        self.stack = QStackedWidget()
        self.pages: dict[str, QWidget] = {}
        # Pages are built when first shown, so start-up pays only for the first one.
        self._pending: dict[str, PageSpec] = {}
        self._services = (ctx, user)
        for spec in PAGES:
            self._add_page(spec.key, spec.icon, QWidget())
            self._pending[spec.key] = spec
        self.settings_page = SettingsPage(language, data_dir, database, log_file)
        self._add_page("settings", "fa5s.cog", self.settings_page)
        self.nav.currentRowChanged.connect(self._show_row)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._db_label = QLabel()
        self._user_label = QLabel()
        self.statusBar().addPermanentWidget(self._db_label)
        self.statusBar().addPermanentWidget(self._user_label)

        # Ctrl+1..7 jump between pages without the mouse.
        for row in range(self.nav.count()):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{row + 1}"), self)
            shortcut.activated.connect(lambda r=row: self.nav.setCurrentRow(r))

        self.resize(1200, 800)
        geometry = window_settings.value("main_window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        self.nav.setCurrentRow(0)
        self.retranslate()

    _TITLES = {spec.key: spec.title for spec in PAGES} | {
        "settings": QT_TRANSLATE_NOOP("Pages", "Settings")
    }

    def _make_page(
        self, spec: PageSpec, ctx: AppContext | None, user: CurrentUser | None
    ) -> QWidget:
        """The working page when the services are given, else the "coming" description."""
        if ctx is None or user is None:
            return ComingPage(spec.title, spec.description)
        if spec.key == "register":
            from clerk_app.ui.pages.register_page import RegisterPage

            return RegisterPage(ctx, user, self.hub, self._window_settings)
        if spec.key == "cases":
            from clerk_app.ui.pages.cases_page import CasesPage

            return CasesPage(ctx, user, self.hub)
        if spec.key == "parcels":
            from clerk_app.integrations.uldk import UldkClient
            from clerk_app.services.parcel_store import ParcelStore, office_commune
            from clerk_app.ui.pages.parcels_page import ParcelsPage

            store = ParcelStore(ctx.db, office_unit=office_commune(ctx.db))
            return ParcelsPage(store, user, uldk_factory=UldkClient)
        if spec.key == "epuap":
            from clerk_app.services.inbox.outbox import OutboxService
            from clerk_app.services.inbox.service import InboxService
            from clerk_app.ui.pages.epuap_page import EpuapPage

            page = EpuapPage(InboxService(ctx, user), outbox=OutboxService(ctx, user))
            page.registered.connect(lambda numbers: self.hub.changed.emit("register", numbers))
            return page
        if spec.key == "letters":
            from clerk_app.ui.pages.letters_page import LettersPage

            return LettersPage(ctx, user, self.hub)
        if spec.key == "reports":
            from clerk_app.services.reports import ReportService
            from clerk_app.ui.pages.reports_page import ReportsPage

            return ReportsPage(ReportService(ctx.db, user))
        return ComingPage(spec.title, spec.description)

    def _show_row(self, row: int) -> None:
        key = list(self.pages)[row]
        spec = self._pending.pop(key, None)
        if spec is not None:
            placeholder = self.pages[key]
            page = self._make_page(spec, *self._services)
            self.stack.insertWidget(row, page)
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
            self.pages[key] = page
        self.stack.setCurrentIndex(row)

    def _add_page(self, key: str, icon_name: str, page: QWidget) -> None:
        item = QListWidgetItem(icon(icon_name), "")
        item.setData(256, key)
        self.nav.addItem(item)
        self.stack.addWidget(page)
        self.pages[key] = page

    def show_page(self, key: str) -> None:
        self.nav.setCurrentRow(list(self.pages).index(key))

    def current_page_key(self) -> str:
        return list(self.pages)[self.stack.currentIndex()]

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Kancelaria {0}").format(__version__))
        for row, key in enumerate(self.pages):
            self.nav.item(row).setText(QCoreApplication.translate("Pages", self._TITLES[key]))
        self._db_label.setText(self.tr("Database: {0}").format(self._database))
        self._user_label.setText(self.tr("User: {0}").format(self._user_name))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        for page in self.pages.values():
            shutdown = getattr(page, "shutdown", None)
            if callable(shutdown):
                shutdown()  # background syncs and look-ups stop with the window
        self._window_settings.setValue("main_window/geometry", self.saveGeometry())
        self._window_settings.sync()
        super().closeEvent(event)
