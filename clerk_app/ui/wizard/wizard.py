"""The first-run wizard (QWizard): database, office, units, first administrator, JRWA, demo.

Pages only collect answers and show the services' Polish messages; the
database work runs in background jobs (``clerk_app.ui.workers.Job``) through
``clerk_app.services.setup_office``: the connection test, and at the end one
call that writes everything (or nothing) and then saves the settings.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import IntEnum
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from clerk_app.errors import ClerkError
from clerk_app.services.schema import SchemaState
from clerk_app.services.setup_office import (
    SERVER_ADMIN_ROLES,
    AdminSpec,
    ConnectionProbe,
    DatabaseChoice,
    FirstRunResult,
    JrwaChoice,
    JrwaSource,
    OfficeDetails,
    OfficeSetup,
    ProgressFn,
    UnitSpec,
    complete_first_run,
    embedded_roles,
    load_jrwa_choice,
    probe_server,
    read_logo,
    server_url,
    validate_admin,
    validate_office,
    validate_units,
)
from clerk_app.services.users import os_login
from clerk_app.ui.workers import Job

ERROR_STYLE = "color: #b00020;"
OK_STYLE = "color: #1b5e20;"
DEFAULT_UNITS = (("OR", "Referat Organizacyjny"),)


class PageId(IntEnum):
    INTRO = 0
    DATABASE = 1
    OFFICE = 2
    UNITS = 3
    ADMIN = 4
    JRWA = 5
    FINISH = 6


def _message_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _show(label: QLabel, text: str, ok: bool = False) -> None:
    label.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
    label.setText(text)


class IntroPage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Welcome to Kancelaria"))
        self.setSubTitle(
            self.tr(
                "A few questions prepare the program for your office. Everything can be "
                "changed later in the settings."
            )
        )
        self.own_radio = QRadioButton(self.tr("Set up my office"))
        self.demo_radio = QRadioButton(
            self.tr("Try the program with a sample office and example letters (demo data)")
        )
        self.own_radio.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.own_radio)
        group.addButton(self.demo_radio)
        note = QLabel(
            self.tr(
                "Demo data fill the register with made-up letters and cases; use them for "
                "training only, never in the database of a working office."
            )
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.own_radio)
        layout.addWidget(self.demo_radio)
        layout.addSpacing(12)
        layout.addWidget(note)
        layout.addStretch(1)

    @property
    def demo(self) -> bool:
        return self.demo_radio.isChecked()


class DatabasePage(QWizardPage):
    """Embedded database or office server; the server must pass a connection test."""

    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Database"))
        self.setSubTitle(self.tr("Where the register, cases and attachments are kept."))
        self.probe: ConnectionProbe | None = None
        self._probed: DatabaseChoice | None = None
        self.job: Job | None = None

        self.embedded_radio = QRadioButton(
            self.tr("This computer only (embedded database, no server needed)")
        )
        self.server_radio = QRadioButton(
            self.tr("Office PostgreSQL server (several workstations share one register)")
        )
        self.embedded_radio.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.embedded_radio)
        group.addButton(self.server_radio)
        where = QLabel(self.tr("Data folder: {0}").format(str(data_dir)))
        where.setWordWrap(True)

        self.host_edit = QLineEdit()
        self.host_edit.setPlaceholderText(self.tr("e.g. serwer.urzad.local or 192.168.1.10"))
        self.port_spin = QSpinBox()
        self.port_spin.setRange(1, 65535)
        self.port_spin.setValue(5432)
        self.database_edit = QLineEdit("kancelaria")
        self.user_edit = QLineEdit("kancelaria")
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.schema_edit = QLineEdit()
        self.schema_edit.setPlaceholderText(self.tr("optional, default: public"))
        self.password_file_check = QCheckBox(
            self.tr(
                "No system password store (keyring) found: keep the database password in "
                "the data folder, readable by this user only"
            )
        )
        self.test_button = QPushButton(self.tr("Test connection"))
        self.status_label = _message_label()

        self.server_box = QGroupBox(self.tr("Server"))
        form = QFormLayout(self.server_box)
        form.addRow(self.tr("Server:"), self.host_edit)
        form.addRow(self.tr("Port:"), self.port_spin)
        form.addRow(self.tr("Database:"), self.database_edit)
        form.addRow(self.tr("User:"), self.user_edit)
        form.addRow(self.tr("Password:"), self.password_edit)
        form.addRow(self.tr("Schema:"), self.schema_edit)
        form.addRow(self.password_file_check)
        form.addRow(self.test_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.embedded_radio)
        layout.addWidget(where)
        layout.addWidget(self.server_radio)
        layout.addWidget(self.server_box)
        layout.addWidget(self.status_label)
        layout.addStretch(1)

        self.embedded_radio.toggled.connect(self._mode_changed)
        self.test_button.clicked.connect(self.test_connection)
        for edit in (
            self.host_edit,
            self.database_edit,
            self.user_edit,
            self.password_edit,
            self.schema_edit,
        ):
            edit.textChanged.connect(self._parameters_changed)
        self.port_spin.valueChanged.connect(self._parameters_changed)
        self._mode_changed()

    def _keyring_available(self) -> bool:
        from clerk_app.services.secret_store import SecretStore

        return SecretStore.keyring_available()

    @Slot()
    def _mode_changed(self) -> None:
        server = self.server_radio.isChecked()
        self.server_box.setEnabled(server)
        self.password_file_check.setVisible(server and not self._keyring_available())
        self.status_label.clear()
        self.completeChanged.emit()

    @Slot()
    def _parameters_changed(self) -> None:
        if self.probe is not None or self.status_label.text():
            self.probe = None
            self._probed = None
            self.status_label.clear()
            self.completeChanged.emit()

    def choice(self) -> DatabaseChoice:
        if self.embedded_radio.isChecked():
            return DatabaseChoice()
        return DatabaseChoice(
            embedded=False,
            host=self.host_edit.text().strip(),
            port=self.port_spin.value(),
            database=self.database_edit.text().strip(),
            user=self.user_edit.text().strip(),
            password=self.password_edit.text(),
            schema=self.schema_edit.text().strip(),
        )

    @property
    def joins_existing_office(self) -> bool:
        return (
            not self.embedded_radio.isChecked()
            and self.probe is not None
            and (self.probe.has_office)
        )

    @Slot()
    def test_connection(self) -> None:
        choice = self.choice()
        try:
            server_url(choice)
        except ClerkError as exc:
            _show(self.status_label, str(exc))
            return
        self.test_button.setEnabled(False)
        self.status_label.setStyleSheet("")
        self.status_label.setText(self.tr("Connecting…"))
        self.job = Job(
            lambda _progress, _cancelled: probe_server(choice),
            self.tr("Connecting to the database server…"),
            self,
        )
        self.job.finished.connect(lambda probe: self._probe_done(choice, probe))
        self.job.failed.connect(self._probe_failed)

    def _probe_done(self, choice: DatabaseChoice, probe: ConnectionProbe) -> None:
        self.test_button.setEnabled(True)
        if choice != self.choice():
            return  # the fields changed while connecting: test again
        if probe.state is SchemaState.TOO_NEW:
            _show(
                self.status_label,
                self.tr(
                    "The database was set up by a newer version of Kancelaria. Install the "
                    "current version on this computer first."
                ),
            )
            return
        demo = self._demo_chosen()
        if probe.has_office and demo:
            _show(
                self.status_label,
                self.tr(
                    "This database already holds the office “{0}”: demo data go only to an "
                    "empty database."
                ).format(probe.office_name),
            )
            return
        if probe.has_office:
            text = self.tr(
                "Connected: {0}. The office “{1}” already works in this database: this "
                "workstation will join it."
            ).format(probe.description, probe.office_name)
        else:
            text = self.tr(
                "Connected: {0}. The database is empty: the wizard will create the tables."
            ).format(probe.description)
        _show(self.status_label, text, ok=True)
        self.probe = probe
        self._probed = choice
        self.completeChanged.emit()

    @Slot(str)
    def _probe_failed(self, message: str) -> None:
        self.test_button.setEnabled(True)
        _show(self.status_label, message)

    def _demo_chosen(self) -> bool:
        wizard = self.wizard()
        return isinstance(wizard, FirstRunWizard) and wizard.intro_page.demo

    def isComplete(self) -> bool:
        if self.embedded_radio.isChecked():
            return True
        return self.probe is not None and self._probed == self.choice()

    def validatePage(self) -> bool:
        needs_file = (
            self.server_radio.isChecked()
            and bool(self.password_edit.text())
            and not self._keyring_available()
        )
        if needs_file and not self.password_file_check.isChecked():
            _show(
                self.status_label,
                self.tr(
                    "The password cannot be kept without a system password store: tick the "
                    "option to keep it in the data folder, or install a keyring."
                ),
            )
            return False
        return True

    def nextId(self) -> int:
        if self._demo_chosen() or self.joins_existing_office:
            return PageId.FINISH
        return PageId.OFFICE


class OfficePage(QWizardPage):
    """Name, address and logo for letterheads."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Office"))
        self.setSubTitle(self.tr("As printed in the letterhead of every letter."))
        self.details: OfficeDetails | None = None
        self.logo: bytes | None = None
        self.name_edit = QLineEdit()
        self.short_name_edit = QLineEdit()
        self.street_edit = QLineEdit()
        self.building_edit = QLineEdit()
        self.postal_code_edit = QLineEdit()
        self.postal_code_edit.setInputMask("")
        self.postal_code_edit.setPlaceholderText("00-000")
        self.city_edit = QLineEdit()
        self.teryt_edit = QLineEdit()
        self.nip_edit = QLineEdit()
        self.regon_edit = QLineEdit()
        self.phone_edit = QLineEdit()
        self.email_edit = QLineEdit()
        self.epuap_edit = QLineEdit()
        self.ade_edit = QLineEdit()
        self.logo_edit = QLineEdit()
        self.logo_edit.setReadOnly(True)
        self.logo_edit.setPlaceholderText(self.tr("PNG or JPEG, optional"))
        self.logo_button = QPushButton(self.tr("Choose…"))
        self.logo_clear = QPushButton(self.tr("Remove"))
        self.logo_preview = QLabel()
        self.error_label = _message_label()

        logo_row = QHBoxLayout()
        logo_row.addWidget(self.logo_edit, 1)
        logo_row.addWidget(self.logo_button)
        logo_row.addWidget(self.logo_clear)
        address = QHBoxLayout()
        address.addWidget(self.street_edit, 3)
        address.addWidget(self.building_edit, 1)
        town = QHBoxLayout()
        town.addWidget(self.postal_code_edit, 1)
        town.addWidget(self.city_edit, 3)

        form = QFormLayout()
        form.addRow(self.tr("Office name:"), self.name_edit)
        form.addRow(self.tr("Short name:"), self.short_name_edit)
        form.addRow(self.tr("Street and number:"), address)
        form.addRow(self.tr("Postal code and town:"), town)
        form.addRow(self.tr("TERYT commune code:"), self.teryt_edit)
        form.addRow(self.tr("NIP:"), self.nip_edit)
        form.addRow(self.tr("REGON:"), self.regon_edit)
        form.addRow(self.tr("Phone:"), self.phone_edit)
        form.addRow(self.tr("E-mail:"), self.email_edit)
        form.addRow(self.tr("ePUAP box:"), self.epuap_edit)
        form.addRow(self.tr("e-Delivery address:"), self.ade_edit)
        form.addRow(self.tr("Logo:"), logo_row)
        form.addRow("", self.logo_preview)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addStretch(1)

        self.registerField("officeName*", self.name_edit)
        self.registerField("officeCity*", self.city_edit)
        self.logo_button.clicked.connect(self._choose_logo)
        self.logo_clear.clicked.connect(lambda: self.set_logo_path(None))

    @Slot()
    def _choose_logo(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Office logo"), "", self.tr("Images (*.png *.jpg *.jpeg)")
        )
        if path:
            self.set_logo_path(Path(path))

    def set_logo_path(self, path: Path | None) -> None:
        self.error_label.clear()
        self.logo = None
        self.logo_preview.clear()
        self.logo_edit.setText("" if path is None else str(path))
        if path is None:
            return
        try:
            self.logo = read_logo(path)
        except ClerkError as exc:
            _show(self.error_label, str(exc))
            self.logo_edit.clear()
            return
        pixmap = QPixmap()
        if pixmap.loadFromData(self.logo):
            self.logo_preview.setPixmap(
                pixmap.scaled(
                    160,
                    80,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )

    def validatePage(self) -> bool:
        try:
            self.details = validate_office(
                OfficeDetails(
                    name=self.name_edit.text(),
                    city=self.city_edit.text(),
                    short_name=self.short_name_edit.text(),
                    street=self.street_edit.text(),
                    building=self.building_edit.text(),
                    postal_code=self.postal_code_edit.text(),
                    teryt=self.teryt_edit.text(),
                    nip=self.nip_edit.text(),
                    regon=self.regon_edit.text(),
                    phone=self.phone_edit.text(),
                    email=self.email_edit.text(),
                    epuap_address=self.epuap_edit.text(),
                    ade=self.ade_edit.text(),
                )
            )
        except ClerkError as exc:
            _show(self.error_label, str(exc))
            return False
        self.error_label.clear()
        return True


class UnitsPage(QWizardPage):
    """Organisational units with the symbols used in case signs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Organisational units"))
        self.setSubTitle(
            self.tr(
                "Each unit's symbol starts its case signs, e.g. UA in UA.6730.12.2026; a "
                "sub-unit is joined with a hyphen (GK-A)."
            )
        )
        self.units: tuple[UnitSpec, ...] = ()
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels([self.tr("Symbol"), self.tr("Name")])
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.add_button = QPushButton(self.tr("Add unit"))
        self.remove_button = QPushButton(self.tr("Remove unit"))
        self.error_label = _message_label()
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.error_label)
        self.add_button.clicked.connect(lambda: self.add_unit())
        self.remove_button.clicked.connect(self.remove_selected)
        for symbol, name in DEFAULT_UNITS:
            self.add_unit(symbol, name)

    def add_unit(self, symbol: str = "", name: str = "") -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(symbol))
        self.table.setItem(row, 1, QTableWidgetItem(name))
        if not symbol:
            self.table.setCurrentCell(row, 0)
        return row

    @Slot()
    def remove_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectedIndexes()}, reverse=True)
        for row in rows:
            self.table.removeRow(row)

    def _rows(self) -> list[UnitSpec]:
        def text(row: int, column: int) -> str:
            item = self.table.item(row, column)
            return item.text() if item is not None else ""

        return [UnitSpec(text(r, 0), text(r, 1)) for r in range(self.table.rowCount())]

    def validatePage(self) -> bool:
        try:
            self.units = validate_units(self._rows())
        except ClerkError as exc:
            _show(self.error_label, str(exc))
            return False
        self.error_label.clear()
        return True


class AdminPage(QWizardPage):
    """The first administrator; on the embedded database it is this computer's account."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("First administrator"))
        self.admin: AdminSpec | None = None
        self.login_edit = QLineEdit()
        self.full_name_edit = QLineEdit()
        self.position_edit = QLineEdit()
        self.email_edit = QLineEdit()
        self.unit_combo = QComboBox()
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat_edit = QLineEdit()
        self.repeat_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.error_label = _message_label()
        self.form = QFormLayout()
        self.form.addRow(self.tr("Login:"), self.login_edit)
        self.form.addRow(self.tr("Full name:"), self.full_name_edit)
        self.form.addRow(self.tr("Position:"), self.position_edit)
        self.form.addRow(self.tr("E-mail:"), self.email_edit)
        self.form.addRow(self.tr("Unit:"), self.unit_combo)
        self.form.addRow(self.tr("Password:"), self.password_edit)
        self.form.addRow(self.tr("Repeat password:"), self.repeat_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        self.registerField("adminFullName*", self.full_name_edit)

    def _embedded(self) -> bool:
        wizard = self.wizard()
        return not isinstance(wizard, FirstRunWizard) or wizard.database_page.choice().embedded

    def initializePage(self) -> None:
        embedded = self._embedded()
        if embedded:
            self.setSubTitle(
                self.tr(
                    "On this computer you work under your system account, without a "
                    "password; it receives every role."
                )
            )
            self.login_edit.setText(os_login())
        else:
            self.setSubTitle(
                self.tr(
                    "Signs in with this login and password and manages users, units and "
                    "the file plan."
                )
            )
        self.login_edit.setReadOnly(embedded)
        self.form.setRowVisible(self.password_edit, not embedded)
        self.form.setRowVisible(self.repeat_edit, not embedded)
        wizard = self.wizard()
        current = self.unit_combo.currentData()
        self.unit_combo.clear()
        self.unit_combo.addItem(self.tr("(none)"), None)
        if isinstance(wizard, FirstRunWizard):
            for unit in wizard.units_page.units:
                self.unit_combo.addItem(f"{unit.symbol} – {unit.name}", unit.symbol)
        index = self.unit_combo.findData(current)
        self.unit_combo.setCurrentIndex(max(index, 0))

    def validatePage(self) -> bool:
        embedded = self._embedded()
        try:
            self.admin = validate_admin(
                AdminSpec(
                    login=self.login_edit.text(),
                    full_name=self.full_name_edit.text(),
                    position=self.position_edit.text(),
                    email=self.email_edit.text(),
                    password=None if embedded else self.password_edit.text() or None,
                    unit_symbol=self.unit_combo.currentData(),
                ),
                password_required=not embedded,
                repeated_password=None if embedded else self.repeat_edit.text(),
            )
        except ClerkError as exc:
            _show(self.error_label, str(exc))
            return False
        self.error_label.clear()
        return True


class JrwaPage(QWizardPage):
    """The file plan (JRWA): the shipped commune subset, the office's own CSV, or later."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("File plan (JRWA)"))
        self.setSubTitle(self.tr("Cases are opened in the end classes of the uniform file plan."))
        self.jrwa: JrwaChoice | None = None
        self.classes = 0
        self.shipped_radio = QRadioButton(
            self.tr("The commune office plan shipped with the program (a selection of classes)")
        )
        self.file_radio = QRadioButton(self.tr("The office's own plan from a CSV file:"))
        self.none_radio = QRadioButton(self.tr("Import the plan later"))
        self.shipped_radio.setChecked(True)
        group = QButtonGroup(self)
        for radio in (self.shipped_radio, self.file_radio, self.none_radio):
            group.addButton(radio)
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText(self.tr("symbol;title;category_lead;category_other"))
        self.browse_button = QPushButton(self.tr("Choose…"))
        self.year_spin = QSpinBox()
        self.year_spin.setRange(2000, 2100)
        self.year_spin.setValue(date.today().year)
        self.error_label = _message_label()
        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(self.browse_button)
        year_row = QFormLayout()
        year_row.addRow(self.tr("Valid from year:"), self.year_spin)
        layout = QVBoxLayout(self)
        layout.addWidget(self.shipped_radio)
        layout.addWidget(self.file_radio)
        layout.addLayout(file_row)
        layout.addWidget(self.none_radio)
        layout.addLayout(year_row)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        self.browse_button.clicked.connect(self._choose_file)
        self.path_edit.textEdited.connect(lambda _text: self.file_radio.setChecked(True))

    @Slot()
    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("JRWA file plan"), "", self.tr("CSV files (*.csv)")
        )
        if path:
            self.path_edit.setText(path)
            self.file_radio.setChecked(True)

    def choice(self) -> JrwaChoice:
        if self.file_radio.isChecked():
            text = self.path_edit.text().strip()
            return JrwaChoice(JrwaSource.FILE, Path(text) if text else None, self.year_spin.value())
        source = JrwaSource.SHIPPED if self.shipped_radio.isChecked() else JrwaSource.NONE
        return JrwaChoice(source, None, self.year_spin.value())

    def validatePage(self) -> bool:
        choice = self.choice()
        try:
            plan = load_jrwa_choice(choice)
        except ClerkError as exc:
            _show(self.error_label, str(exc))
            return False
        self.jrwa = choice
        self.classes = 0 if plan is None else sum(1 for _ in plan.walk())
        self.error_label.clear()
        return True


class FinishPage(QWizardPage):
    """Summary; Finish writes everything in a background job and then closes the wizard."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Ready"))
        self.setFinalPage(True)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label = _message_label()
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        self.job: Job | None = None
        self.done = False

    def _wizard(self) -> FirstRunWizard:
        wizard = self.wizard()
        assert isinstance(wizard, FirstRunWizard)
        return wizard

    def initializePage(self) -> None:
        wizard = self._wizard()
        database = wizard.database_page
        lines = []
        if database.choice().embedded:
            lines.append(self.tr("Database: embedded, in the data folder on this computer."))
        elif database.probe is not None:
            lines.append(self.tr("Database: {0}").format(database.probe.description))
        if wizard.intro_page.demo:
            lines.append(
                self.tr(
                    "Demo data: the sample office “Urząd Gminy Zielona Dolina” with units, "
                    "clerks, letters and cases. Demo clerks sign in with the password "
                    "demo-haslo-2026."
                )
            )
        elif database.joins_existing_office and database.probe is not None:
            lines.append(
                self.tr("This workstation joins the office “{0}”.").format(
                    database.probe.office_name
                )
            )
        else:
            setup = wizard.office_setup()
            lines.append(self.tr("Office: {0}, {1}").format(setup.office.name, setup.office.city))
            lines.append(self.tr("Units: {0}").format(", ".join(u.symbol for u in setup.units)))
            lines.append(
                self.tr("Administrator: {0} ({1})").format(setup.admin.full_name, setup.admin.login)
            )
            if setup.jrwa.source is JrwaSource.NONE:
                lines.append(self.tr("File plan: to be imported later."))
            else:
                lines.append(
                    self.tr("File plan: {0} classes, valid from {1}.").format(
                        wizard.jrwa_page.classes, setup.jrwa.valid_from_year
                    )
                )
        lines.append("")
        lines.append(self.tr("Press Finish to save."))
        self.summary_label.setText("\n".join(lines))
        self.error_label.clear()

    def validatePage(self) -> bool:
        if self.done:
            return True
        if self.job is not None and not self.job.done:
            return False  # still saving
        wizard = self._wizard()
        self.error_label.clear()
        wizard.set_busy(True)
        run = wizard.first_run_call()
        self.job = Job(lambda progress, _cancelled: run(progress), self.tr("Saving…"), self)
        self.job.finished.connect(self._saved)
        self.job.failed.connect(self._failed)
        return False

    def _saved(self, result: FirstRunResult) -> None:
        wizard = self._wizard()
        wizard.set_busy(False)
        wizard.result_info = result
        self.done = True
        wizard.completed.emit(result)
        wizard.accept()

    @Slot(str)
    def _failed(self, message: str) -> None:
        self._wizard().set_busy(False)
        _show(self.error_label, message)


class FirstRunWizard(QWizard):
    completed = Signal(object)  # FirstRunResult, after everything is saved

    def __init__(self, data_dir: Path, language: str = "pl", parent: QWidget | None = None):
        super().__init__(parent)
        self.data_dir = data_dir
        self.language = language
        self.result_info: FirstRunResult | None = None
        self.setWindowTitle(self.tr("Kancelaria – first start"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, False)
        self.intro_page = IntroPage()
        self.database_page = DatabasePage(data_dir)
        self.office_page = OfficePage()
        self.units_page = UnitsPage()
        self.admin_page = AdminPage()
        self.jrwa_page = JrwaPage()
        self.finish_page = FinishPage()
        for page_id, page in (
            (PageId.INTRO, self.intro_page),
            (PageId.DATABASE, self.database_page),
            (PageId.OFFICE, self.office_page),
            (PageId.UNITS, self.units_page),
            (PageId.ADMIN, self.admin_page),
            (PageId.JRWA, self.jrwa_page),
            (PageId.FINISH, self.finish_page),
        ):
            self.setPage(page_id, page)
        self.setStartId(PageId.INTRO)
        self.resize(720, 600)

    def set_busy(self, busy: bool) -> None:
        for button in (
            QWizard.WizardButton.BackButton,
            QWizard.WizardButton.FinishButton,
            QWizard.WizardButton.CancelButton,
        ):
            self.button(button).setEnabled(not busy)

    def office_setup(self) -> OfficeSetup:
        office, admin, jrwa = self.office_page.details, self.admin_page.admin, self.jrwa_page.jrwa
        assert office is not None and admin is not None and jrwa is not None
        embedded = self.database_page.choice().embedded
        return OfficeSetup(
            office=office,
            units=self.units_page.units,
            admin=admin,
            admin_roles=embedded_roles() if embedded else SERVER_ADMIN_ROLES,
            jrwa=jrwa,
            logo=self.office_page.logo,
        )

    def first_run_call(self) -> Callable[[ProgressFn], FirstRunResult]:
        """The service call for the answers given, to run in a background job."""
        choice = self.database_page.choice()
        demo = self.intro_page.demo
        setup = None if demo or self.database_page.joins_existing_office else self.office_setup()
        in_file = self.database_page.password_file_check.isChecked()
        data_dir, language = self.data_dir, self.language

        def run(progress: ProgressFn) -> FirstRunResult:
            return complete_first_run(
                data_dir,
                choice,
                setup=setup,
                demo=demo,
                language=language,
                store_password_in_file=in_file,
                progress=progress,
            )

        return run

    def reject(self) -> None:
        if self.finish_page.job is not None and not self.finish_page.job.done:
            return  # saving: closing now would leave the outcome unknown
        super().reject()
