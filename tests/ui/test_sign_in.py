"""Sign-in to the office server: a wrong password says so and keeps the dialog open."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from clerk_app.models import Role
from clerk_app.services.app_context import AppContext
from clerk_app.services.users import UserService
from clerk_app.ui.sign_in import SignInDialog


def test_sign_in_dialog(qtbot: QtBot, ctx: AppContext) -> None:
    users = UserService(ctx.db)
    users.create_user("e.wisniewska", "Ewa Wiśniewska", [Role.MANAGER], "kierowniczka-2026")
    dialog = SignInDialog(users.sign_in, ctx.db.describe(), last_login="e.wisniewska")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.password_edit, "zle-haslo")
    dialog.buttons.accepted.emit()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "Nieprawidłowy login lub hasło" in dialog.error_label.text()
    assert dialog.password_edit.text() == ""
    qtbot.keyClicks(dialog.password_edit, "kierowniczka-2026")
    dialog.buttons.accepted.emit()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.user is not None and dialog.user.full_name == "Ewa Wiśniewska"
