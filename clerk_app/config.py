"""Settings with one precedence: command-line flag > environment > settings file > default.

The settings file is ``settings.toml`` in the data folder, so ``--data-dir``
alone isolates a whole installation (tests, a second office, a USB stick).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from clerk_app.errors import ConfigError

APP_NAME = "Kancelaria"
SETTINGS_FILE = "settings.toml"
DB_FILE = "kancelaria.sqlite"

ENV_DATA_DIR = "CLERK_DATA_DIR"
ENV_DATABASE_URL = "CLERK_DATABASE_URL"
ENV_LANGUAGE = "CLERK_LANGUAGE"

LANGUAGES = ("pl", "en")


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    language: str = "pl"
    # Allow secrets in <data_dir>/secrets.json (0600) when no OS keyring exists.
    insecure_secret_file: bool = False
    backup_keep: int = 10
    # Automatic backups of the embedded database: hours between them (0 = off), and where.
    backup_interval_hours: int = 24
    backup_folder: str = ""
    sources: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_embedded(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def settings_path(self) -> Path:
        return self.data_dir / SETTINGS_FILE

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def attachments_dir(self) -> Path:
        return self.data_dir / "attachments"

    @property
    def backups_dir(self) -> Path:
        return Path(self.backup_folder) if self.backup_folder else self.data_dir / "backups"

    @property
    def sqlite_path(self) -> Path | None:
        if not self.is_embedded:
            return None
        database = make_url(self.database_url).database
        return Path(database) if database and database != ":memory:" else None


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False, roaming=True))


def default_database_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / DB_FILE).as_posix()}"


def read_settings_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    import tomllib

    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Plik ustawień {path} jest uszkodzony: {exc}") from exc


def write_settings_file(path: Path, values: Mapping[str, str | int | bool]) -> None:
    """Write flat key = value settings atomically (strings, integers, booleans only)."""
    lines = ["# Kancelaria settings. Secrets are kept in the system keyring, never here."]
    for key, value in sorted(values.items()):
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, int):
            text = str(value)
        else:
            escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
            text = f'"{escaped}"'
        lines.append(f"{key} = {text}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _validate_url(url: str, source: str) -> str:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"Adres bazy danych z {source} jest nieprawidłowy: {url!r}") from exc
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"Baza danych „{parsed.get_backend_name()}” (z {source}) nie jest obsługiwana: "
            "użyj SQLite (domyślnie) albo PostgreSQL (postgresql+psycopg://…)."
        )
    if parsed.get_backend_name() == "postgresql" and parsed.drivername != "postgresql+psycopg":
        parsed = parsed.set(drivername="postgresql+psycopg")
        return parsed.render_as_string(hide_password=False)
    return url


def load_settings(
    data_dir: str | Path | None = None,
    database_url: str | None = None,
    language: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve the settings; arguments are the command-line flags (None = not given)."""
    env = os.environ if env is None else env
    sources: dict[str, str] = {}

    if data_dir is not None:
        resolved_dir, sources["data_dir"] = Path(data_dir), "flag"
    elif env.get(ENV_DATA_DIR):
        resolved_dir, sources["data_dir"] = Path(env[ENV_DATA_DIR]), "env"
    else:
        resolved_dir, sources["data_dir"] = default_data_dir(), "default"
    resolved_dir = resolved_dir.expanduser().absolute()

    file_values = read_settings_file(resolved_dir / SETTINGS_FILE)

    def pick(name: str, flag: Any, env_name: str | None, default: Any) -> Any:
        if flag is not None:
            sources[name] = "flag"
            return flag
        if env_name and env.get(env_name):
            sources[name] = "env"
            return env[env_name]
        if name in file_values:
            sources[name] = "file"
            return file_values[name]
        sources[name] = "default"
        return default

    url = pick("database_url", database_url, ENV_DATABASE_URL, None)
    if url is None:
        url = default_database_url(resolved_dir)
    url = _validate_url(str(url), _source_label(sources["database_url"]))

    lang = str(pick("language", language, ENV_LANGUAGE, "pl"))
    if lang not in LANGUAGES:
        raise ConfigError(
            f"Nieznany język interfejsu „{lang}”: dostępne są {', '.join(LANGUAGES)}."
        )

    insecure = pick("insecure_secret_file", None, None, False)
    keep = pick("backup_keep", None, None, 10)
    if not isinstance(insecure, bool) or not isinstance(keep, int):
        raise ConfigError(
            "Plik ustawień: insecure_secret_file musi być true/false, backup_keep liczbą."
        )
    interval = pick("backup_interval_hours", None, None, 24)
    folder = pick("backup_folder", None, None, "")
    if isinstance(interval, bool) or not isinstance(interval, int) or interval < 0:
        raise ConfigError("Plik ustawień: backup_interval_hours musi być liczbą godzin (0 = wył.).")
    if not isinstance(folder, str) or (folder and not Path(folder).is_absolute()):
        raise ConfigError("Plik ustawień: backup_folder musi być pełną ścieżką folderu.")
    return Settings(
        data_dir=resolved_dir,
        database_url=url,
        language=lang,
        insecure_secret_file=insecure,
        backup_keep=keep,
        backup_interval_hours=interval,
        backup_folder=folder,
        sources=sources,
    )


def _source_label(source: str) -> str:
    return {
        "flag": "opcji --database-url",
        "env": f"zmiennej {ENV_DATABASE_URL}",
        "file": f"pliku {SETTINGS_FILE}",
    }.get(source, "ustawień domyślnych")
