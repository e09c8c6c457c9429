"""Secrets never land in plain-text settings; the file fallback needs the user's explicit yes."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from clerk_app.config import load_settings, write_settings_file
from clerk_app.errors import SecretStoreUnavailable
from clerk_app.services.secret_store import SecretStore


def test_without_keyring_secrets_are_refused_unless_allowed(data_dir: Path) -> None:
    # conftest selects keyring's "fail" backend: no OS keyring, as on a bare server.
    store = SecretStore(load_settings(data_dir=data_dir, env={}))
    assert not store.keyring_available()
    with pytest.raises(SecretStoreUnavailable, match="insecure_secret_file"):
        store.set("db:kancelaria@serwer/urzad", "tajne")
    assert store.get("db:kancelaria@serwer/urzad") is None
    assert not (data_dir / "secrets.json").exists()


def test_explicit_file_fallback_is_private_to_the_user(data_dir: Path) -> None:
    write_settings_file(data_dir / "settings.toml", {"insecure_secret_file": True})
    store = SecretStore(load_settings(data_dir=data_dir, env={}))
    store.set("db:kancelaria@serwer/urzad", "tajne")
    path = data_dir / "secrets.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert store.get("db:kancelaria@serwer/urzad") == "tajne"
    assert "tajne" not in (data_dir / "settings.toml").read_text(encoding="utf-8")
    store.delete("db:kancelaria@serwer/urzad")
    assert store.get("db:kancelaria@serwer/urzad") is None
