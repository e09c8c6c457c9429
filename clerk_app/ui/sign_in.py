"""Sign-in for the shared PostgreSQL database (the embedded default uses the OS account)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from clerk_app.errors import AuthenticationFailed
from clerk_app.services.users import CurrentUser


class SignInDialog(QDialog):
    def __init__(
        self,
        sign_in: Callable[[str, str], CurrentUser],
        database: str,
        last_login: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._sign_in = sign_in
        self.user: CurrentUser | None = None
        self.setWindowTitle(self.tr("Sign in – Kancelaria"))
        self.login_edit = QLineEdit(last_login)
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Database:"), QLabel(database))
        form.addRow(self.tr("Login:"), self.login_edit)
        form.addRow(self.tr("Password:"), self.password_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._try_sign_in)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        (self.password_edit if last_login else self.login_edit).setFocus()

    def _try_sign_in(self) -> None:
        try:
            self.user = self._sign_in(self.login_edit.text(), self.password_edit.text())
        except AuthenticationFailed as exc:
            self.error_label.setText(str(exc))
            self.password_edit.clear()
            self.password_edit.setFocus()
            return
        self.accept()
