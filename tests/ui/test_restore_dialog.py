"""Opening a .kbackup: the clerk sees what it holds and whether it is intact, then restores."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox
from pytestqt.qtbot import QtBot

from clerk_app.config import Settings, load_settings
from clerk_app.models import Office
from clerk_app.services import backup
from clerk_app.services.app_context import open_context
from clerk_app.services.users import UserService
from clerk_app.ui.dialogs.restore import RestoreDialog, restore_at_start

# Archives hold the embedded database: the same on a PostgreSQL run, so run once.
embedded_only = pytest.mark.skipif(
    bool(os.environ.get("CLERK_TEST_DATABASE_URL")), reason="embedded database only"
)


@pytest.fixture
def embedded(data_dir: Path) -> Settings:
    return load_settings(data_dir=data_dir, env={})


def make_archive(settings: Settings, office: str, logins: list[str]) -> Path:
    ctx = open_context(settings)
    try:
        with ctx.db.session(write=True) as session:
            session.add(Office(name=office))
        for login in logins:
            UserService(ctx.db).os_account_user(login)
        with ctx.db.session(write=True) as session:
            ctx.blobs.put(session, b"skan wniosku")
        return backup.create_backup(settings).path
    finally:
        ctx.close()


def logins(settings: Settings) -> set[str]:
    ctx = open_context(settings)
    try:
        return {u.login for u in UserService(ctx.db).list_users()}
    finally:
        ctx.close()


def open_dialog(qtbot: QtBot, settings: Settings, archive: Path) -> RestoreDialog:
    dialog = RestoreDialog(settings, archive)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


@embedded_only
def test_shows_what_the_backup_holds_then_restores_after_a_safety_copy(
    qtbot: QtBot, embedded: Settings, tmp_path: Path
) -> None:
    made = make_archive(embedded, "Urząd Gminy Zielona Dolina", ["anna"])
    # The file arrives from elsewhere (e-mail, USB stick) under a name with spaces.
    archive = tmp_path / "kopia z pendrive'a.kbackup"
    shutil.copy(made, archive)
    ctx = open_context(embedded)
    UserService(ctx.db).os_account_user("marek")  # life went on after the backup
    ctx.close()

    dialog = open_dialog(qtbot, embedded, archive)
    assert not dialog.restore_button.isEnabled()  # not before it is verified
    qtbot.waitUntil(dialog.restore_button.isEnabled, timeout=10000)
    assert dialog.values["office"].text() == "Urząd Gminy Zielona Dolina"
    assert dialog.values["file"].text() == str(archive)
    assert "1" in dialog.values["attachments"].text()
    assert dialog.values["created"].text()[:2].isdigit()
    assert "Verified" in dialog.verification.text()

    with qtbot.waitSignal(dialog.accepted, timeout=20000):
        dialog.restore_button.click()
    assert dialog.outcome is not None and dialog.outcome.safety_copy is not None
    assert logins(embedded) == {"anna"}
    # The data from before the restore are an archive of their own, with marek in it.
    assert dialog.outcome.safety_copy.exists()
    assert "The data from before are in" in dialog.restored_message()
    backup.restore_backup(embedded, dialog.outcome.safety_copy)
    assert logins(embedded) == {"anna", "marek"}


@embedded_only
@pytest.mark.parametrize("damage", ["truncated", "not a zip"])
def test_a_damaged_backup_is_refused_and_nothing_changes(
    qtbot: QtBot, embedded: Settings, tmp_path: Path, damage: str
) -> None:
    made = make_archive(embedded, "Urząd", ["anna"])
    archive = tmp_path / "uszkodzona.kbackup"
    data = made.read_bytes()
    archive.write_bytes(data[: len(data) // 2] if damage == "truncated" else b"PK\x03\x04 nope")
    before = embedded.sqlite_path.read_bytes() if embedded.sqlite_path else b""

    dialog = open_dialog(qtbot, embedded, archive)
    qtbot.waitUntil(lambda: "cannot be restored" in dialog.verification.text(), timeout=10000)
    assert not dialog.restore_button.isEnabled()
    dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    assert dialog.result() == QDialog.DialogCode.Rejected and dialog.outcome is None
    assert embedded.sqlite_path is not None and embedded.sqlite_path.read_bytes() == before


@embedded_only
def test_hostile_file_name_is_shown_as_plain_harmless_text(
    qtbot: QtBot, embedded: Settings, tmp_path: Path
) -> None:
    made = make_archive(embedded, "<b>Urząd</b>", [])
    archive = tmp_path / "<img src=x>\u202egpj.kbackup"
    shutil.copy(made, archive)
    dialog = open_dialog(qtbot, embedded, archive)
    qtbot.waitUntil(dialog.restore_button.isEnabled, timeout=10000)
    shown = dialog.values["file"].text()
    assert "\u202e" not in shown and "<img src=x>" in shown  # text, never markup
    assert dialog.values["office"].text() == "<b>Urząd</b>"
    assert all(label.textFormat().name == "PlainText" for label in dialog.values.values())


@embedded_only
def test_a_backup_from_a_newer_version_cannot_be_restored(
    qtbot: QtBot, embedded: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = make_archive(embedded, "Urząd", [])
    real = backup.inspect_backup

    def from_the_future(path: Path, progress: object = None, cancelled: object = None) -> object:
        from dataclasses import replace

        return replace(real(path), schema_revision="9999", from_newer_version=True)

    dialog = RestoreDialog(embedded, archive, inspect=from_the_future)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: "newer version" in dialog.verification.text(), timeout=10000)
    assert not dialog.restore_button.isEnabled()


def test_the_office_server_is_pointed_to_pg_restore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: said.append(text))
    server = load_settings(
        data_dir=tmp_path, database_url="postgresql+psycopg://k@serwer/urzad", env={}
    )
    assert restore_at_start(server, tmp_path / "x.kbackup") is None
    assert "pg_restore" in said[0]
