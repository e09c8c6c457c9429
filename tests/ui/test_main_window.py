"""The main window: every navigation entry shows its page, in Polish or English."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from clerk_app.config import Settings
from clerk_app.ui.app import window_settings
from clerk_app.ui.hub import Hub
from clerk_app.ui.i18n import install_language
from clerk_app.ui.main_window import MainWindow

EXPECTED_PL = ["Rejestr", "Sprawy", "Działki", "Pisma", "Skrzynka ePUAP", "Raporty", "Ustawienia"]
EXPECTED_EN = ["Register", "Cases", "Parcels", "Letters", "ePUAP inbox", "Reports", "Settings"]


def make_window(qtbot: QtBot, state: QSettings) -> MainWindow:
    window = MainWindow(
        hub=Hub(),
        window_settings=state,
        user_name="Anna Nowak",
        database="SQLite: /tmp/k.sqlite",
        language="pl",
        data_dir="/tmp/dane",
        log_file="/tmp/dane/logs/kancelaria.log",
    )
    qtbot.addWidget(window)
    return window


def nav_texts(window: MainWindow) -> list[str]:
    return [window.nav.item(i).text() for i in range(window.nav.count())]


def test_every_navigation_entry_shows_its_page(
    qtbot: QtBot, polish: QApplication, settings: Settings
) -> None:
    window = make_window(qtbot, window_settings(settings))
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    assert nav_texts(window) == EXPECTED_PL
    for row, key in enumerate(window.pages):
        window.nav.setCurrentRow(row)
        assert window.stack.currentWidget() is window.pages[key]
        assert window.current_page_key() == key
    # Keyboard: Ctrl+2 goes to cases without the mouse.
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page_key() == "cases"
    status = " ".join(w.text() for w in window.statusBar().findChildren(QLabel))
    assert "Użytkownik: Anna Nowak" in status
    assert "Baza danych: SQLite" in status


def test_language_switch_retranslates_open_window(
    qtbot: QtBot, polish: QApplication, settings: Settings
) -> None:
    window = make_window(qtbot, window_settings(settings))
    assert nav_texts(window) == EXPECTED_PL
    install_language(polish, "en")  # LanguageChange events are posted: wait for them
    qtbot.waitUntil(lambda: nav_texts(window) == EXPECTED_EN)
    assert window.settings_page._heading.text() == "Settings"
    assert "User: Anna Nowak" in window._user_label.text()
    install_language(polish, "pl")
    qtbot.waitUntil(lambda: nav_texts(window) == EXPECTED_PL)
    assert window.settings_page._heading.text() == "Ustawienia"


def test_qt_standard_buttons_speak_polish(polish: QApplication) -> None:
    from PySide6.QtWidgets import QDialogButtonBox

    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "Anuluj"


def test_window_geometry_is_remembered(qtbot: QtBot, settings: Settings) -> None:
    first = make_window(qtbot, window_settings(settings))
    first.show()
    first.resize(720, 540)
    first.move(40, 30)
    first.close()
    second = make_window(qtbot, window_settings(settings))
    assert (second.width(), second.height()) == (720, 540)
