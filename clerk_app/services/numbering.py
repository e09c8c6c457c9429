"""Gap-free counters for register and case numbers.

The increment runs inside the caller's transaction: the row stays locked until
commit (PostgreSQL row lock; SQLite writers hold the database lock from BEGIN
IMMEDIATE), and a rollback returns the number, so numbers never repeat or skip.
"""

from __future__ import annotations

from sqlalchemy import insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from clerk_app.models import NumberSequence


def next_number(session: Session, key: str, year: int) -> int:
    bump = (
        update(NumberSequence)
        .where(NumberSequence.key == key, NumberSequence.year == year)
        .values(last_value=NumberSequence.last_value + 1)
        .returning(NumberSequence.last_value)
    )
    value = session.execute(bump).scalar()
    if value is None:
        session.execute(_insert_ignore(session, key, year))
        value = session.execute(bump).scalar_one()
    return int(value)


def _insert_ignore(session: Session, key: str, year: int):  # type: ignore[no-untyped-def]
    values = {"key": key, "year": year, "last_value": 0}
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(NumberSequence).values(values).on_conflict_do_nothing()
    if session.get_bind().dialect.name == "sqlite":
        return sqlite.insert(NumberSequence).values(values).on_conflict_do_nothing()
    return insert(NumberSequence).values(values)
