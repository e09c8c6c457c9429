"""Settings precedence: flag > environment > settings file > default."""

from __future__ import annotations

from pathlib import Path

import pytest

from clerk_app.config import ConfigError, load_settings, write_settings_file


def test_default_is_sqlite_file_in_data_folder(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, env={})
    assert settings.is_embedded
    assert settings.sqlite_path == tmp_path / "kancelaria.sqlite"
    assert settings.sources["database_url"] == "default"
    assert settings.language == "pl"


def test_data_dir_flag_beats_environment(tmp_path: Path) -> None:
    env = {"CLERK_DATA_DIR": str(tmp_path / "from-env")}
    assert load_settings(data_dir=tmp_path / "flag", env=env).data_dir == tmp_path / "flag"
    assert load_settings(env=env).data_dir == tmp_path / "from-env"


def test_data_dir_default_comes_from_platformdirs(isolated_environment: Path) -> None:
    settings = load_settings(env={})
    assert settings.sources["data_dir"] == "default"
    assert "Kancelaria" in settings.data_dir.parts


@pytest.mark.parametrize(
    ("flag", "env", "file", "expected", "source"),
    [
        ("sqlite:///flag.db", "sqlite:///env.db", "sqlite:///file.db", "sqlite:///flag.db", "flag"),
        (None, "sqlite:///env.db", "sqlite:///file.db", "sqlite:///env.db", "env"),
        (None, None, "sqlite:///file.db", "sqlite:///file.db", "file"),
        (None, None, None, None, "default"),
    ],
)
def test_database_url_precedence(
    tmp_path: Path,
    flag: str | None,
    env: str | None,
    file: str | None,
    expected: str | None,
    source: str,
) -> None:
    if file:
        write_settings_file(tmp_path / "settings.toml", {"database_url": file})
    environ = {"CLERK_DATABASE_URL": env} if env else {}
    settings = load_settings(data_dir=tmp_path, database_url=flag, env=environ)
    assert settings.database_url == (
        expected or f"sqlite:///{tmp_path.as_posix()}/kancelaria.sqlite"
    )
    assert settings.sources["database_url"] == source


def test_language_precedence_and_validation(tmp_path: Path) -> None:
    write_settings_file(tmp_path / "settings.toml", {"language": "en"})
    assert load_settings(data_dir=tmp_path, env={}).language == "en"
    assert load_settings(data_dir=tmp_path, env={"CLERK_LANGUAGE": "pl"}).language == "pl"
    with pytest.raises(ConfigError, match="Nieznany język"):
        load_settings(data_dir=tmp_path, language="de", env={})


def test_postgresql_url_gets_psycopg_driver(tmp_path: Path) -> None:
    settings = load_settings(
        data_dir=tmp_path, database_url="postgresql://clerk@db.urzad.local/urzad", env={}
    )
    assert settings.database_url == "postgresql+psycopg://clerk@db.urzad.local/urzad"
    assert not settings.is_embedded


@pytest.mark.parametrize(
    ("url", "message"),
    [("mysql://x@y/z", "nie jest obsługiwana"), ("not a url", "nieprawidłowy")],
)
def test_bad_database_url_is_named(tmp_path: Path, url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(data_dir=tmp_path, database_url=url, env={})


def test_broken_settings_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "settings.toml").write_text("language = ", encoding="utf-8")
    with pytest.raises(ConfigError, match="uszkodzony"):
        load_settings(data_dir=tmp_path, env={})


def test_settings_file_round_trip_escapes_quotes(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    write_settings_file(
        path,
        {
            "database_url": 'sqlite:///C:\\dane\\"x".db',
            "backup_keep": 3,
            "insecure_secret_file": True,
        },
    )
    settings = load_settings(data_dir=tmp_path, env={})
    assert settings.database_url == 'sqlite:///C:\\dane\\"x".db'
    assert settings.backup_keep == 3
    assert settings.insecure_secret_file is True
