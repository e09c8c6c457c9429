"""The shipped migrations build the schema the models describe, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from clerk_app.config import Settings
from clerk_app.errors import DatabaseOutdated, DatabaseTooNew
from clerk_app.migrations import HEAD
from clerk_app.models import Base
from clerk_app.models.autogen import include_object
from clerk_app.services.database import Database
from clerk_app.services.schema import (
    SchemaState,
    backup_sqlite,
    ensure_current,
    schema_state,
    script_head,
    upgrade,
)


def test_head_constant_matches_migration_scripts() -> None:
    assert script_head() == HEAD


def test_upgrade_from_empty_matches_models(settings: Settings) -> None:
    db = Database.open(settings)
    try:
        assert schema_state(db.engine) is SchemaState.EMPTY
        upgrade(db.engine)
        assert schema_state(db.engine) is SchemaState.CURRENT
        tables = set(inspect(db.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        with db.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(
                    conn, opts={"compare_type": True, "include_object": include_object}
                ),
                Base.metadata,
            )
        assert diff == []
    finally:
        db.dispose()


def test_database_newer_than_program_is_refused(settings: Settings) -> None:
    db = Database.open(settings)
    try:
        upgrade(db.engine)
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = 'ffff9999'"))
        with pytest.raises(DatabaseTooNew, match="nowszą niż ten program"):
            ensure_current(
                db.engine,
                auto_upgrade=True,
                sqlite_path=settings.sqlite_path,
                backups_dir=settings.backups_dir,
            )
    finally:
        db.dispose()


def test_shared_database_is_not_upgraded_behind_the_admins_back(settings: Settings) -> None:
    db = Database.open(settings)
    try:
        with pytest.raises(DatabaseOutdated, match="clerk-app db upgrade"):
            ensure_current(
                db.engine, auto_upgrade=False, sqlite_path=None, backups_dir=settings.backups_dir
            )
        assert schema_state(db.engine) is SchemaState.EMPTY
    finally:
        db.dispose()


def test_sqlite_backup_copy_is_a_consistent_database(tmp_path, data_dir) -> None:  # type: ignore[no-untyped-def]
    from clerk_app.config import load_settings

    settings = load_settings(data_dir=data_dir, env={})
    db = Database.open(settings)
    upgrade(db.engine)
    with db.session(write=True) as session:
        session.execute(text("INSERT INTO jrwa_plan (valid_from_year, name) VALUES (2026, 'x')"))
    assert settings.sqlite_path is not None
    copy = backup_sqlite(settings.sqlite_path, settings.backups_dir, "pre-upgrade")
    db.dispose()
    import sqlite3

    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT name FROM jrwa_plan").fetchall() == [("x",)]
    assert not list(settings.backups_dir.glob("*.partial"))


def test_embedded_database_of_an_older_version_is_backed_up_and_upgraded(data_dir) -> None:  # type: ignore[no-untyped-def]
    from clerk_app.config import load_settings

    settings = load_settings(data_dir=data_dir, env={})
    db = Database.open(settings)
    try:
        upgrade(db.engine, "0001")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO jrwa_plan (valid_from_year, name) VALUES (2025, 'old')"))
        assert schema_state(db.engine) is SchemaState.OUTDATED
        before = ensure_current(
            db.engine,
            auto_upgrade=True,
            sqlite_path=settings.sqlite_path,
            backups_dir=settings.backups_dir,
        )
        assert before is SchemaState.OUTDATED
        assert schema_state(db.engine) is SchemaState.CURRENT
        backups = list(settings.backups_dir.glob("*pre-upgrade*.sqlite"))
        assert len(backups) == 1
        import sqlite3

        with sqlite3.connect(backups[0]) as conn:
            assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM jrwa_plan")).scalar() == "old"
    finally:
        db.dispose()


def test_every_migration_upgrades_a_database_with_data(settings: Settings) -> None:
    """Step through each revision on both databases; data written at 0001 survives."""
    db = Database.open(settings)
    try:
        upgrade(db.engine, "0001")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO office (name, short_name, street, building, "
                    "postal_code, city, teryt, nip, regon, phone, email, "
                    "epuap_address, ade) VALUES ('Urząd', '', '', '', '', '', '', "
                    "'', '', '', '', '', '')"
                )
            )
        upgrade(db.engine)
        assert schema_state(db.engine) is SchemaState.CURRENT
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM office")).scalar() == "Urząd"
            books = conn.execute(text("SELECT symbol FROM register_book ORDER BY symbol"))
            assert [b for (b,) in books] == ["RPW", "WYCH"]
    finally:
        db.dispose()
