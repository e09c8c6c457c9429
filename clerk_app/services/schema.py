"""Bring a database to the program's schema version with the shipped Alembic migrations."""

from __future__ import annotations

import logging
import shutil
import sqlite3
from datetime import datetime
from enum import Enum
from pathlib import Path

from sqlalchemy import Engine, inspect, text

from clerk_app.errors import ClerkError, DatabaseOutdated, DatabaseTooNew
from clerk_app.migrations import HEAD

log = logging.getLogger("clerk_app.db")


class MigrationFailed(ClerkError):
    """An upgrade failed; the database was left (or put back) as it was before."""


class SchemaState(Enum):
    EMPTY = "empty"
    CURRENT = "current"
    OUTDATED = "outdated"
    TOO_NEW = "too_new"


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def schema_state(engine: Engine) -> SchemaState:
    revision = current_revision(engine)
    if revision is None:
        return SchemaState.EMPTY
    if revision == HEAD:
        return SchemaState.CURRENT
    if revision in _known_revisions():
        return SchemaState.OUTDATED
    return SchemaState.TOO_NEW


def _alembic_config():  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent.parent / "migrations"))
    return cfg


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def script_head() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    log.info("Database upgraded to %s", revision)


def backup_sqlite(db_path: Path, backups_dir: Path, reason: str) -> Path:
    """Copy the SQLite file with the online backup API (consistent even under WAL)."""
    backups_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = backups_dir / f"{db_path.stem}-{reason}-{stamp}.sqlite"
    tmp = target.with_suffix(".partial")
    src = sqlite3.connect(db_path)
    try:
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    shutil.move(tmp, target)
    return target


def ensure_current(
    engine: Engine, *, auto_upgrade: bool, sqlite_path: Path | None, backups_dir: Path
) -> SchemaState:
    """Create or upgrade the schema as allowed; refuse a database newer than the program.

    Returns the state found before any upgrade.
    """
    state = schema_state(engine)
    if state is SchemaState.TOO_NEW:
        raise DatabaseTooNew(
            f"Baza danych ma wersję schematu „{current_revision(engine)}”, nowszą niż ten program "
            f"(„{HEAD}”). Zainstaluj aktualną wersję Kancelarii."
        )
    if state in (SchemaState.EMPTY, SchemaState.OUTDATED) and not auto_upgrade:
        raise DatabaseOutdated(
            "Baza danych wymaga aktualizacji schematu. Administrator powinien wykonać "
            "polecenie: clerk-app db upgrade"
        )
    copy: Path | None = None
    if state is SchemaState.OUTDATED and sqlite_path is not None:
        copy = backup_sqlite(sqlite_path, backups_dir, "pre-upgrade")
        log.info("Backup before upgrade: %s", copy)
    if state in (SchemaState.EMPTY, SchemaState.OUTDATED):
        before = current_revision(engine)
        try:
            upgrade(engine, HEAD)  # this program's schema, never beyond it
        except Exception as exc:
            log.exception("Upgrade from %s to %s failed", before, HEAD)
            raise _rolled_back(engine, before, sqlite_path, copy) from exc
    return state


def _rolled_back(
    engine: Engine, before: str | None, sqlite_path: Path | None, copy: Path | None
) -> MigrationFailed:
    """Make sure the failed upgrade left nothing behind and say so in words a clerk can pass on.

    The whole upgrade runs in one transaction (PostgreSQL's DDL is transactional, and the
    SQLite engine issues its own BEGIN), so the rollback normally restores everything; should
    the revision still differ, the embedded database is put back from the pre-upgrade copy.
    """
    where = f"Kopia bazy sprzed aktualizacji: {copy}. " if copy is not None else ""
    try:
        after = current_revision(engine)
    except Exception:  # the connection itself broke: the copy is the safe state
        log.exception("Could not read the revision after the failed upgrade")
        after = "?"
    if after != before and sqlite_path is not None and copy is not None:
        engine.dispose()
        _copy_back(copy, sqlite_path)
        after = current_revision(engine)
        log.warning("Database restored from %s after the failed upgrade", copy)
    if after != before:
        return MigrationFailed(
            f"Aktualizacja bazy danych do wersji {HEAD} nie powiodła się i nie udało się jej "
            f"wycofać. {where}Nie pracuj na tej bazie; szczegóły są w pliku dziennika."
        )
    return MigrationFailed(
        f"Aktualizacja bazy danych do wersji {HEAD} nie powiodła się; zmiany wycofano i baza "
        f"jest taka jak przed aktualizacją (wersja {before or 'pusta'}). {where}"
        "Szczegóły są w pliku dziennika: przekaż go administratorowi lub dostawcy programu."
    )


def _copy_back(copy: Path, db_path: Path) -> None:
    # The online backup API overwrites the whole file consistently, WAL included.
    src = sqlite3.connect(copy)
    try:
        dst = sqlite3.connect(db_path)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
