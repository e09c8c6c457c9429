"""Autogenerate the next Alembic migration from the models.

Usage: python scripts/new_migration.py "add something" [revision id]
It upgrades a scratch SQLite database to head and diffs it against the models;
review the generated file, then set clerk_app.migrations.HEAD to the new id.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from clerk_app.services.database import create_db_engine
from clerk_app.services.schema import _alembic_config, script_head, upgrade


def main() -> None:
    message = sys.argv[1]
    rev_id = sys.argv[2] if len(sys.argv) > 2 else None
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_db_engine(f"sqlite:///{Path(tmp) / 'scratch.sqlite'}")
        if script_head() is not None:
            upgrade(engine)
        cfg = _alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.revision(cfg, message=message, autogenerate=True, rev_id=rev_id)
        engine.dispose()


if __name__ == "__main__":
    main()
