"""The first-run wizard driven like a user would: both database choices, errors in Polish."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QTableWidgetItem, QWizard
from pytestqt.qtbot import QtBot
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from clerk_app.config import load_settings
from clerk_app.models import Role
from clerk_app.services.app_context import open_context
from clerk_app.services.schema import SchemaState
from clerk_app.services.setup_office import DatabaseChoice, FirstRunResult, probe_server
from clerk_app.services.users import UserService, os_login
from clerk_app.ui.wizard import needs_first_run
from clerk_app.ui.wizard.wizard import FirstRunWizard, PageId

LOCAL_PG = os.environ.get("CLERK_TEST_DATABASE_URL") or (
    "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PNG_1PX = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)
JOB_TIMEOUT_MS = 240_000  # demo data on a busy 2-core CI machine


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A fresh schema on the local PostgreSQL server, used through options=-csearch_path."""
    admin = create_engine(LOCAL_PG)
    schema = f"wiz_{uuid.uuid4().hex[:16]}"
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield schema
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def make_wizard(qtbot: QtBot, data_dir: Path) -> FirstRunWizard:
    wizard = FirstRunWizard(data_dir, "pl")
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def press_next(wizard: FirstRunWizard) -> None:
    wizard.button(QWizard.WizardButton.NextButton).click()


def fill_server(wizard: FirstRunWizard, schema: str, **changes: object) -> None:
    url = make_url(LOCAL_PG)
    page = wizard.database_page
    page.server_radio.click()
    values: dict[str, object] = {
        "host": url.host or "127.0.0.1",
        "port": url.port or 5432,
        "database": url.database or "test",
        "user": url.username or "postgres",
        "password": url.password or "",
        "schema": schema,
    }
    values.update(changes)
    page.host_edit.setText(str(values["host"]))
    page.port_spin.setValue(int(values["port"]))  # type: ignore[call-overload]
    page.database_edit.setText(str(values["database"]))
    page.user_edit.setText(str(values["user"]))
    page.password_edit.setText(str(values["password"]))
    page.schema_edit.setText(str(values["schema"]))


def run_connection_test(qtbot: QtBot, wizard: FirstRunWizard) -> str:
    page = wizard.database_page
    page.test_button.click()
    assert page.job is not None
    qtbot.waitUntil(lambda: page.job is not None and page.job.done, timeout=JOB_TIMEOUT_MS)
    qtbot.waitUntil(lambda: page.test_button.isEnabled(), timeout=JOB_TIMEOUT_MS)
    return page.status_label.text()


def fill_office_pages(wizard: FirstRunWizard, logo: Path, *, server: bool) -> None:
    office = wizard.office_page
    assert wizard.currentId() == PageId.OFFICE
    office.name_edit.setText("Urząd Gminy Brzezina")
    office.street_edit.setText("Rynek")
    office.building_edit.setText("1")
    office.postal_code_edit.setText("62-100")
    office.city_edit.setText("Brzezina")
    office.email_edit.setText("sekretariat@brzezina.example.pl")
    office.set_logo_path(logo)
    assert office.logo == PNG_1PX
    press_next(wizard)

    assert wizard.currentId() == PageId.UNITS
    units = wizard.units_page
    units.add_button.click()
    row = units.table.rowCount() - 1
    units.table.setItem(row, 0, QTableWidgetItem("UA"))
    units.table.setItem(row, 1, QTableWidgetItem("Referat Urbanistyki i Architektury"))
    press_next(wizard)

    assert wizard.currentId() == PageId.ADMIN
    admin = wizard.admin_page
    if server:
        admin.login_edit.setText("t.zielinski")
    else:
        assert admin.login_edit.text() == os_login() and admin.login_edit.isReadOnly()
    admin.full_name_edit.setText("Tomasz Zieliński")
    admin.unit_combo.setCurrentIndex(admin.unit_combo.findData("OR"))
    if server:
        admin.password_edit.setText("bardzo-tajne-1")
        admin.repeat_edit.setText("bardzo-tajne-1")
    press_next(wizard)

    assert wizard.currentId() == PageId.JRWA
    assert wizard.jrwa_page.shipped_radio.isChecked()
    press_next(wizard)
    assert wizard.currentId() == PageId.FINISH


def finish(qtbot: QtBot, wizard: FirstRunWizard) -> FirstRunResult:
    with qtbot.waitSignal(wizard.completed, timeout=JOB_TIMEOUT_MS) as blocker:
        wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.result() == QWizard.DialogCode.Accepted
    result = blocker.args[0]
    assert isinstance(result, FirstRunResult)
    return result


@pytest.fixture
def logo(tmp_path: Path) -> Path:
    path = tmp_path / "herb.png"
    path.write_bytes(PNG_1PX)
    return path


def test_embedded_database_office_set_up_through_the_wizard(
    qtbot: QtBot, data_dir: Path, logo: Path
) -> None:
    settings = load_settings(data_dir=data_dir, env={})
    assert needs_first_run(settings)
    wizard = make_wizard(qtbot, data_dir)
    press_next(wizard)
    assert wizard.currentId() == PageId.DATABASE
    assert wizard.database_page.embedded_radio.isChecked()
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    press_next(wizard)
    fill_office_pages(wizard, logo, server=False)
    assert "Brzezina" in wizard.finish_page.summary_label.text()

    result = finish(qtbot, wizard)
    assert result.office_name == "Urząd Gminy Brzezina"
    assert not needs_first_run(load_settings(data_dir=data_dir, env={}))
    ctx = open_context(load_settings(data_dir=data_dir, env={}))
    try:
        # Start-up signs in the OS account: it is the administrator made by the wizard.
        user = UserService(ctx.db).os_account_user()
        assert user.full_name == "Tomasz Zieliński"
        assert user.roles == frozenset(Role)
    finally:
        ctx.close()


def test_postgresql_office_set_up_through_the_wizard(
    qtbot: QtBot, data_dir: Path, logo: Path, pg_schema: str
) -> None:
    wizard = make_wizard(qtbot, data_dir)
    press_next(wizard)
    fill_server(wizard, pg_schema)
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    assert not next_button.isEnabled()  # the server must pass the connection test first
    status = run_connection_test(qtbot, wizard)
    assert "Connected" in status or "Połączono" in status
    assert next_button.isEnabled()
    press_next(wizard)

    # A short administrator password is refused with the field named.
    wizard.office_page.name_edit.setText("Urząd Gminy Brzezina")
    wizard.office_page.city_edit.setText("Brzezina")
    press_next(wizard)
    press_next(wizard)
    admin = wizard.admin_page
    assert not admin.login_edit.isReadOnly()
    admin.login_edit.setText("t.zielinski")
    admin.full_name_edit.setText("Tomasz Zieliński")
    admin.password_edit.setText("krotkie")
    press_next(wizard)
    assert wizard.currentId() == PageId.ADMIN
    assert "Hasło administratora: co najmniej 10 znaków" in admin.error_label.text()
    wizard.back()
    wizard.back()
    fill_office_pages(wizard, logo, server=True)

    finish(qtbot, wizard)
    probe = probe_server(wizard.database_page.choice())
    assert probe.state is SchemaState.CURRENT
    assert probe.office_name == "Urząd Gminy Brzezina"
    settings = load_settings(data_dir=data_dir, env={})
    assert not settings.is_embedded and not needs_first_run(settings)
    assert pg_schema in make_url(settings.database_url).query["options"]
    ctx = open_context(settings)
    try:
        signed_in = UserService(ctx.db).sign_in("t.zielinski", "bardzo-tajne-1")
        assert signed_in.roles == {Role.ADMIN}
    finally:
        ctx.close()


def test_second_workstation_joins_the_office_on_the_server(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, logo: Path, pg_schema: str
) -> None:
    from clerk_app.services.setup_office import (
        AdminSpec,
        OfficeDetails,
        OfficeSetup,
        UnitSpec,
        complete_first_run,
    )

    sample = OfficeSetup(
        OfficeDetails(name="Urząd Gminy Brzezina", city="Brzezina"),
        (UnitSpec("OR", "Referat Organizacyjny"),),
        AdminSpec("t.zielinski", "Tomasz Zieliński", password="bardzo-tajne-1"),
    )
    schema_choice = DatabaseChoice(
        False,
        make_url(LOCAL_PG).host or "",
        make_url(LOCAL_PG).port or 5432,
        make_url(LOCAL_PG).database or "",
        make_url(LOCAL_PG).username or "",
        make_url(LOCAL_PG).password or "",
        pg_schema,
    )
    complete_first_run(tmp_path / "first-pc", schema_choice, setup=sample)

    wizard = make_wizard(qtbot, data_dir)
    press_next(wizard)
    fill_server(wizard, pg_schema)
    status = run_connection_test(qtbot, wizard)
    assert "Urząd Gminy Brzezina" in status
    press_next(wizard)
    assert wizard.currentId() == PageId.FINISH  # no office pages: the office exists
    result = finish(qtbot, wizard)
    assert result.setup is None and result.office_name == "Urząd Gminy Brzezina"


def test_wrong_credentials_are_named_in_polish(
    qtbot: QtBot, data_dir: Path, pg_schema: str
) -> None:
    wizard = make_wizard(qtbot, data_dir)
    press_next(wizard)
    fill_server(wizard, pg_schema, user="nie_ma_takiego", password="zle-haslo-123")
    status = run_connection_test(qtbot, wizard)
    assert "nieprawidłowy użytkownik lub hasło" in status
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    assert not (data_dir / "settings.toml").exists()


def test_unreachable_server_is_named_in_polish(
    qtbot: QtBot, data_dir: Path, pg_schema: str
) -> None:
    wizard = make_wizard(qtbot, data_dir)
    press_next(wizard)
    fill_server(wizard, pg_schema, host="127.0.0.1", port=1)
    status = run_connection_test(qtbot, wizard)
    assert status == (
        "Nie można połączyć się z bazą danych 127.0.0.1:1: "
        "serwer nie odpowiada (sprawdź adres, port i sieć)."
    )
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_missing_server_field_is_named_before_connecting(qtbot: QtBot, data_dir: Path) -> None:
    wizard = make_wizard(qtbot, data_dir)
    press_next(wizard)
    fill_server(wizard, "", host="")
    wizard.database_page.test_button.click()
    assert wizard.database_page.job is None
    assert wizard.database_page.status_label.text().startswith("Serwer: wpisz")


def test_office_page_names_the_wrong_field_and_stays(qtbot: QtBot, data_dir: Path) -> None:
    wizard = make_wizard(qtbot, data_dir)
    press_next(wizard)
    press_next(wizard)
    office = wizard.office_page
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    assert not next_button.isEnabled()  # name and town are required
    office.name_edit.setText("Urząd Gminy Brzezina")
    office.city_edit.setText("Brzezina")
    office.postal_code_edit.setText("62100")
    press_next(wizard)
    assert wizard.currentId() == PageId.OFFICE
    assert office.error_label.text() == "Kod pocztowy: wpisz w postaci 00-000."
    office.postal_code_edit.setText("62-100")
    press_next(wizard)
    assert wizard.currentId() == PageId.UNITS

    units = wizard.units_page
    units.add_button.click()
    row = units.table.rowCount() - 1
    units.table.setItem(row, 0, QTableWidgetItem("or"))
    units.table.setItem(row, 1, QTableWidgetItem("Drugi organizacyjny"))
    press_next(wizard)
    assert wizard.currentId() == PageId.UNITS
    assert "Komórka 2, symbol „or”: powtarza symbol komórki 1" in units.error_label.text()


def test_broken_jrwa_file_is_reported_with_its_line(
    qtbot: QtBot, data_dir: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "wykaz.csv"
    bad.write_text(
        "symbol;title;category_lead;category_other\n0;Zarządzanie;;\n00;Organy;X;Bc\n",
        encoding="utf-8",
    )
    wizard = make_wizard(qtbot, data_dir)
    wizard.setStartId(PageId.JRWA)
    wizard.restart()
    page = wizard.jrwa_page
    page.path_edit.setText(str(bad))
    page.file_radio.setChecked(True)
    press_next(wizard)
    assert wizard.currentId() == PageId.JRWA
    assert "Plik JRWA „wykaz.csv” zawiera błędy" in page.error_label.text()
    assert "wiersz 3" in page.error_label.text()


def test_demo_data_on_the_embedded_database(qtbot: QtBot, data_dir: Path) -> None:
    wizard = make_wizard(qtbot, data_dir)
    wizard.intro_page.demo_radio.click()
    press_next(wizard)
    press_next(wizard)
    assert wizard.currentId() == PageId.FINISH  # no office pages for the sample office
    assert "Zielona Dolina" in wizard.finish_page.summary_label.text()
    result = finish(qtbot, wizard)
    assert result.demo and result.office_name == "Urząd Gminy Zielona Dolina"


def test_cancel_saves_nothing(qtbot: QtBot, data_dir: Path) -> None:
    wizard = make_wizard(qtbot, data_dir)
    press_next(wizard)
    wizard.button(QWizard.WizardButton.CancelButton).click()
    assert wizard.result() == QWizard.DialogCode.Rejected
    assert wizard.result_info is None
    assert needs_first_run(load_settings(data_dir=data_dir, env={}))
