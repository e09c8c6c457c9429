"""A migration that fails half-way leaves the database exactly as it was, and says so."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, inspect, text

from clerk_app.config import Settings
from clerk_app.models import Office
from clerk_app.services import schema
from clerk_app.services.app_context import open_context

FAILING = "9990_fails_half_way"

MIGRATION = '''"""A release whose migration breaks after some DDL and a data change."""

import sqlalchemy as sa
from alembic import op

revision = "{revision}"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("upgrade_scratch", sa.Column("id", sa.Integer, primary_key=True))
    op.add_column("office", sa.Column("motto", sa.String(50), nullable=True))
    op.execute("UPDATE office SET name = 'zmieniona w połowie'")
    raise RuntimeError("bug in the migration")


def downgrade() -> None:
    pass
'''


@pytest.fixture
def broken_release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The shipped migrations plus one that fails, as a newer program would bring them."""
    shipped = Path(schema.__file__).parent.parent / "migrations"
    copy = tmp_path / "migrations"
    shutil.copytree(shipped, copy, ignore=shutil.ignore_patterns("__pycache__"))
    head = schema.script_head()
    (copy / "versions" / f"{FAILING}.py").write_text(
        MIGRATION.format(revision=FAILING, down=head), encoding="utf-8"
    )

    def config():  # type: ignore[no-untyped-def]
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(copy))
        return cfg

    monkeypatch.setattr(schema, "_alembic_config", config)
    monkeypatch.setattr(schema, "HEAD", FAILING)
    assert head is not None
    return head


def snapshot(engine: Engine) -> dict[str, Any]:
    """Every table with its columns, the office rows and the schema revision."""
    with engine.connect() as conn:
        insp = inspect(conn)
        tables = {t: sorted(c["name"] for c in insp.get_columns(t)) for t in insp.get_table_names()}
        offices = conn.execute(text("SELECT id, name FROM office ORDER BY id")).all()
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return {"tables": tables, "offices": [tuple(r) for r in offices], "revision": revision}


def test_failed_upgrade_rolls_back_and_says_so(
    settings: Settings, broken_release: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Today's database, written by the current program.
    monkeypatch.setattr(schema, "HEAD", broken_release)
    ctx = open_context(settings, auto_upgrade=True)
    with ctx.db.session(write=True) as session:
        session.add(Office(name="Urząd Gminy Zielona Dolina"))
    ctx.close()
    engine = create_engine(ctx.db.engine.url)
    before = snapshot(engine)
    dump_before = _sqlite_dump(settings)
    engine.dispose()

    # The newer program starts on it: the upgrade fails half-way.
    monkeypatch.setattr(schema, "HEAD", FAILING)
    with pytest.raises(schema.MigrationFailed) as failure:
        open_context(settings, auto_upgrade=True)

    message = str(failure.value)
    assert "nie powiodła się" in message and "zmiany wycofano" in message
    assert f"wersja {broken_release}" in message
    engine = create_engine(ctx.db.engine.url)
    try:
        assert snapshot(engine) == before
        assert "upgrade_scratch" not in before["tables"]
    finally:
        engine.dispose()
    if settings.is_embedded:
        assert _sqlite_dump(settings) == dump_before  # byte for byte the same content
        copies = list(settings.backups_dir.glob("*-pre-upgrade-*.sqlite"))
        assert len(copies) == 1 and str(copies[0]) in message


def test_a_rollback_that_did_not_happen_is_repaired_from_the_copy(
    settings: Settings, broken_release: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should the embedded file still be half-upgraded, the pre-upgrade copy is put back."""
    if not settings.is_embedded:
        pytest.skip("the pre-upgrade copy is the embedded database's safety net")
    monkeypatch.setattr(schema, "HEAD", broken_release)
    ctx = open_context(settings, auto_upgrade=True)
    with ctx.db.session(write=True) as session:
        session.add(Office(name="Urząd Gminy Zielona Dolina"))
    ctx.close()
    dump_before = _sqlite_dump(settings)

    def half_done(engine: Engine, revision: str = "head") -> None:
        # What a migration outside the transaction would leave: committed DDL and a new stamp.
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE upgrade_scratch (id INTEGER PRIMARY KEY)"))
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": FAILING})
        raise RuntimeError("bug in the migration")

    monkeypatch.setattr(schema, "HEAD", FAILING)
    monkeypatch.setattr(schema, "upgrade", half_done)
    with pytest.raises(schema.MigrationFailed, match="zmiany wycofano"):
        open_context(settings, auto_upgrade=True)
    assert _sqlite_dump(settings) == dump_before


def _sqlite_dump(settings: Settings) -> list[str]:
    if settings.sqlite_path is None:
        return []
    conn = sqlite3.connect(settings.sqlite_path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()
