"""Test isolation: every test gets its own data folder and its own empty database.

Set CLERK_TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)
to run the suite on PostgreSQL; each test then works in a fresh schema of its own.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

# Before anything imports Qt: no screen, and never the developer's real keyring.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from clerk_app.config import Settings, load_settings

TEST_PG_URL = os.environ.get("CLERK_TEST_DATABASE_URL", "")


def pytest_report_header(config: pytest.Config) -> str:
    return f"database: {'PostgreSQL ' + TEST_PG_URL if TEST_PG_URL else 'SQLite (embedded)'}"


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point data, config and any platformdirs lookup at a temp dir."""
    data_dir = tmp_path / "data"
    monkeypatch.setenv("CLERK_DATA_DIR", str(data_dir))
    monkeypatch.delenv("CLERK_DATABASE_URL", raising=False)
    monkeypatch.delenv("CLERK_LANGUAGE", raising=False)
    monkeypatch.delenv("CLERK_USER", raising=False)
    monkeypatch.delenv("CLERK_PASSWORD", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    return data_dir


@pytest.fixture
def data_dir(isolated_environment: Path) -> Path:
    return isolated_environment


@pytest.fixture
def db_url(data_dir: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a new PostgreSQL schema."""
    if not TEST_PG_URL:
        yield f"sqlite:///{(data_dir / 'kancelaria.sqlite').as_posix()}"
        return
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(TEST_PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = make_url(TEST_PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def settings(data_dir: Path, db_url: str) -> Settings:
    return load_settings(data_dir=data_dir, database_url=db_url, env={})


@pytest.fixture
def ctx(settings: Settings):  # type: ignore[no-untyped-def]
    from clerk_app.services.app_context import open_context

    context = open_context(settings, auto_upgrade=True)
    yield context
    context.close()


CLI_PASSWORD = "haslo-z-konsoli-2026"


@pytest.fixture
def cli_password(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> str | None:
    """CLI commands act as the OS account; on PostgreSQL it signs in like any clerk
    (CLERK_USER / CLERK_PASSWORD): the password to give that account there, None embedded."""
    from clerk_app.services.users import os_login

    if settings.is_embedded:
        return None
    monkeypatch.setenv("CLERK_USER", os_login())
    monkeypatch.setenv("CLERK_PASSWORD", CLI_PASSWORD)
    return CLI_PASSWORD


@pytest.fixture
def cli_user(ctx, cli_password: str | None):  # type: ignore[no-untyped-def]
    """The OS account with every role, able to run CLI commands on either database."""
    from clerk_app.services.users import UserService

    users = UserService(ctx.db)
    user = users.os_account_user()
    if cli_password is not None:
        users.set_password(user.login, cli_password)
    return user
