"""Automatic backups from the running program: off the GUI thread, reported in the status bar."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clerk_app.config import Settings, load_settings
from clerk_app.errors import ClerkError
from clerk_app.services import backup
from clerk_app.services.app_context import open_context
from clerk_app.ui.app import window_settings
from clerk_app.ui.auto_backup import AutoBackup, install_auto_backup
from clerk_app.ui.hub import Hub
from clerk_app.ui.main_window import MainWindow
from clerk_app.ui.pages.backup_settings import BackupSettingsBox

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("CLERK_TEST_DATABASE_URL")), reason="backups of the embedded default"
)


@pytest.fixture
def embedded(data_dir: Path) -> Settings:
    settings = load_settings(data_dir=data_dir, env={})
    open_context(settings).close()  # the database exists, as after any start
    return settings


def make_window(qtbot: QtBot, settings: Settings) -> MainWindow:
    window = MainWindow(
        hub=Hub(),
        window_settings=window_settings(settings),
        user_name="Anna Nowak",
        database="SQLite",
        language="en",
        data_dir=str(settings.data_dir),
        log_file="kancelaria.log",
    )
    qtbot.addWidget(window)
    return window


def test_start_makes_a_due_backup_in_the_background_and_says_so(
    qtbot: QtBot, embedded: Settings
) -> None:
    window = make_window(qtbot, embedded)
    gui_thread = threading.get_ident()
    ran_in: list[int] = []

    def backup_if_due(settings: Settings, **kwargs: object) -> backup.BackupInfo | None:
        ran_in.append(threading.get_ident())
        return backup.backup_if_due(settings, **kwargs)  # type: ignore[arg-type]

    auto = AutoBackup(embedded, window.statusBar().showMessage, window, run=backup_if_due)
    started = time.perf_counter()
    auto.start(0)
    assert time.perf_counter() - started < 0.1  # the start is never held up
    qtbot.waitUntil(lambda: "Automatic backup saved" in window.statusBar().currentMessage())
    assert ran_in and ran_in[0] != gui_thread
    assert len(backup.list_backups(embedded)) == 1
    assert backup.list_backups(embedded)[0].name in window.statusBar().currentMessage()

    # The next check finds a fresh backup: nothing new is written.
    auto.check_now()
    qtbot.waitUntil(lambda: not auto.running)
    assert len(backup.list_backups(embedded)) == 1
    auto.shutdown()


def test_a_failed_backup_stays_in_the_status_bar(qtbot: QtBot, embedded: Settings) -> None:
    window = make_window(qtbot, embedded)

    def disk_full(settings: Settings, **kwargs: object) -> None:
        raise ClerkError("Brak miejsca na dysku D:")

    auto = AutoBackup(embedded, window.statusBar().showMessage, window, run=disk_full)
    auto.start(0)
    qtbot.waitUntil(lambda: "Automatic backup failed" in window.statusBar().currentMessage())
    assert "Brak miejsca na dysku D:" in window.statusBar().currentMessage()
    auto.shutdown()


def test_closing_stops_a_backup_in_progress(qtbot: QtBot, embedded: Settings) -> None:
    window = make_window(qtbot, embedded)
    started = threading.Event()

    def slow(settings: Settings, *, progress: object, cancelled: object) -> None:
        started.set()
        while not cancelled():  # type: ignore[operator]
            time.sleep(0.01)
        raise backup.BackupCancelled("przerwano")

    auto = AutoBackup(embedded, window.statusBar().showMessage, window, run=slow)
    auto.start(0)
    qtbot.waitUntil(started.is_set)
    began = time.perf_counter()
    auto.shutdown()
    assert time.perf_counter() - began < 2


def test_settings_section_changes_the_schedule(
    qtbot: QtBot, embedded: Settings, tmp_path: Path
) -> None:
    window = make_window(qtbot, embedded)
    auto = install_auto_backup(window, embedded)
    box = window.settings_page.findChild(BackupSettingsBox)
    assert box is not None and box.interval.value() == 24 and box.keep.value() == 10

    box.folder.setText("wzgledna/sciezka")
    box.save()
    assert "Folder kopii" in box.message.text()  # the field is named; nothing saved
    assert not embedded.settings_path.exists()

    folder = tmp_path / "Kopie urzędu"
    box.interval.setValue(1)
    box.keep.setValue(3)
    box.folder.setText(str(folder))
    with qtbot.waitSignal(box.saved):
        box.save()
    reloaded = load_settings(data_dir=embedded.data_dir, env={})
    assert (reloaded.backup_interval_hours, reloaded.backup_keep) == (1, 3)
    assert reloaded.backups_dir == folder
    # Applied at once: the due backup goes to the new folder.
    qtbot.waitUntil(lambda: len(list(folder.glob("*.kbackup"))) == 1)
    qtbot.waitUntil(lambda: not auto.running)
    auto.shutdown()
    QApplication.processEvents()
