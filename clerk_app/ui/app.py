"""GUI start-up: early checks and handlers first, then the database, the user, the window."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from clerk_app.config import Settings
from clerk_app.errors import ClerkError
from clerk_app.logging_setup import setup_logging
from clerk_app.services.app_context import AppContext
from clerk_app.ui.crash import install_crash_handler, install_qt_message_handler
from clerk_app.ui.hub import Hub
from clerk_app.ui.i18n import install_language
from clerk_app.ui.main_window import MainWindow
from clerk_app.ui.single_instance import SingleInstance

log = logging.getLogger("clerk_app.ui")


def window_settings(settings: Settings) -> QSettings:
    """Per-data-folder UI state (geometry, last login): never the user's global registry."""
    return QSettings(str(settings.data_dir / "window.ini"), QSettings.Format.IniFormat)


def run_gui(
    settings: Settings,
    *,
    demo: bool = False,
    quit_after_start: bool = False,
    restore: Path | None = None,
) -> int:
    started = time.perf_counter()
    log_file = setup_logging(settings.log_dir)
    install_crash_handler(log_file)
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("Kancelaria")
    app.setOrganizationName("Kancelaria")
    QGuiApplication.setDesktopFileName("kancelaria")
    install_qt_message_handler()
    install_language(app, settings.language)

    instance = None
    if settings.is_embedded:
        instance = SingleInstance(str(settings.data_dir))
        if instance.notify_running():
            log.info("Another instance owns %s; asked it to come to the front", settings.data_dir)
            if restore is not None:
                QMessageBox.information(
                    None,
                    "Kancelaria",
                    QCoreApplication.translate(
                        "RestoreAtStart",
                        "Kancelaria is already open. Close it, then open the backup again.",
                    ),
                )
            return 0
        instance.listen()

    # A double-clicked backup: offered before anything opens the database it would replace.
    status_message = None
    if restore is not None:
        from clerk_app.ui.dialogs.restore import restore_at_start

        status_message = restore_at_start(settings, restore)

    # First start: the wizard sets up the office (demo data brings its own office instead).
    from clerk_app.ui.wizard import needs_first_run

    if not demo and not quit_after_start and needs_first_run(settings):
        from clerk_app.ui.wizard import run_first_run_wizard

        configured = run_first_run_wizard(settings)
        if configured is None:
            return 1
        settings = configured

    from clerk_app.services.app_context import open_context
    from clerk_app.services.users import UserService

    try:
        ctx = open_context(settings)
        if demo:
            _fill_demo_if_empty(ctx)
        users = UserService(ctx.db)
        ui_state = window_settings(settings)
        if settings.is_embedded:
            user = users.os_account_user()
        else:
            from clerk_app.ui.sign_in import SignInDialog

            dialog = SignInDialog(
                users.sign_in, ctx.db.describe(), str(ui_state.value("last_login", ""))
            )
            if dialog.exec() != SignInDialog.DialogCode.Accepted or dialog.user is None:
                return 1
            user = dialog.user
            ui_state.setValue("last_login", user.login)
    except ClerkError as exc:
        log.error("Start-up failed: %s", exc)
        QMessageBox.critical(None, "Kancelaria", str(exc))
        return 2

    # The demo's ePUAP box: the local simulator in this process, stopped at exit.
    demo_epuap = _start_demo_epuap(settings) if demo else None
    hub = Hub()
    window = MainWindow(
        hub=hub,
        window_settings=ui_state,
        user_name=user.full_name,
        database=ctx.db.describe(),
        language=settings.language,
        data_dir=str(settings.data_dir),
        log_file=str(log_file),
        ctx=ctx,
        user=user,
    )

    def switch_language(code: str) -> None:
        install_language(app, code)
        _save_language(settings, code)
        hub.language_changed.emit(code)

    window.settings_page.language_selected.connect(switch_language)
    if instance is not None:
        instance.activation_requested.connect(lambda: (window.raise_(), window.activateWindow()))
    auto_backup = None
    if settings.is_embedded:
        from clerk_app.ui.auto_backup import install_auto_backup

        auto_backup = install_auto_backup(window, settings)
    window.show()
    log.info(
        "Main window shown %.0f ms after start-up began", (time.perf_counter() - started) * 1000
    )
    if status_message:
        window.statusBar().showMessage(status_message)
    if quit_after_start:
        QTimer.singleShot(0, window.close)
    try:
        code = app.exec()
    finally:
        if demo_epuap is not None:
            demo_epuap.stop()
    if auto_backup is not None:
        auto_backup.shutdown()
    ctx.close()
    if instance is not None:
        instance.close()
    return code


def _fill_demo_if_empty(ctx: AppContext) -> None:
    from clerk_app.services.demo_data import fill_demo_data, has_register_data

    if has_register_data(ctx.db):
        return
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        fill_demo_data(ctx.db)
    finally:
        QApplication.restoreOverrideCursor()


def _start_demo_epuap(settings: Settings) -> Any:
    from clerk_app.services.inbox.demo_simulator import start_demo_simulator

    try:
        return start_demo_simulator(settings)
    except (ClerkError, OSError) as exc:
        log.warning("Demo ePUAP simulator not started: %s", exc)
        return None


def _save_language(settings: Settings, code: str) -> None:
    from clerk_app.config import read_settings_file, write_settings_file

    values = read_settings_file(settings.settings_path)
    values["language"] = code
    write_settings_file(settings.settings_path, values)
