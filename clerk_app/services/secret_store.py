"""Secrets (database and certificate passwords) live in the OS keyring.

Only when the user explicitly allows it (``insecure_secret_file = true`` in the
settings) and no keyring exists are they kept in ``secrets.json`` beside the
settings, readable by the user alone.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os

from clerk_app.config import APP_NAME, Settings
from clerk_app.errors import SecretStoreUnavailable

log = logging.getLogger("clerk_app.secrets")

SECRETS_FILE = "secrets.json"


class SecretStore:
    def __init__(self, settings: Settings) -> None:
        self._file = settings.data_dir / SECRETS_FILE
        self._file_allowed = settings.insecure_secret_file

    @staticmethod
    def keyring_available() -> bool:
        import keyring  # costs ~50 ms: only when a secret is really needed
        from keyring.backends.fail import Keyring as FailKeyring

        backend = keyring.get_keyring()
        return not isinstance(backend, FailKeyring) and backend.priority > 0

    def get(self, name: str) -> str | None:
        if self.keyring_available():
            import keyring

            return keyring.get_password(APP_NAME, name)
        if self._file_allowed:
            return self._read_file().get(name)
        return None

    def set(self, name: str, value: str) -> None:
        if self.keyring_available():
            import keyring

            keyring.set_password(APP_NAME, name, value)
            return
        if not self._file_allowed:
            raise SecretStoreUnavailable(
                "Brak systemowego magazynu haseł (keyring). Zainstaluj go albo pozwól "
                "przechowywać hasła w pliku danych: insecure_secret_file = true w settings.toml."
            )
        log.warning("No OS keyring: storing secret %r in %s as the user allowed", name, self._file)
        data = self._read_file()
        data[name] = value
        self._write_file(data)

    def delete(self, name: str) -> None:
        if self.keyring_available():
            import keyring
            import keyring.errors

            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                keyring.delete_password(APP_NAME, name)
            return
        if self._file_allowed:
            data = self._read_file()
            if data.pop(name, None) is not None:
                self._write_file(data)

    def _read_file(self) -> dict[str, str]:
        if not self._file.exists():
            return {}
        data = json.loads(self._file.read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in data.items()}

    def _write_file(self, data: dict[str, str]) -> None:
        self._file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._file.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
        os.replace(tmp, self._file)


def database_secret_name(url_username: str, host: str, database: str) -> str:
    return f"db:{url_username}@{host}/{database}"
