"""INSERT … ON CONFLICT DO NOTHING for the database in use.

The dialect modules are imported on first use: loading SQLAlchemy's PostgreSQL
dialect costs ~150 ms, which the embedded default should not pay at start-up.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session


def insert_ignore(session: Session, model: Any, values: dict[str, Any]) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(model).values(values).on_conflict_do_nothing()
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(model).values(values).on_conflict_do_nothing()
