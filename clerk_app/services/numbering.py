"""Gap-free counters for register and case numbers.

The increment runs inside the caller's transaction: the row stays locked until
commit (PostgreSQL row lock; SQLite writers hold the database lock from BEGIN
IMMEDIATE), and a rollback returns the number, so numbers never repeat or skip.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from clerk_app.models import NumberSequence
from clerk_app.services.upsert import insert_ignore


def next_number(session: Session, key: str, year: int) -> int:
    bump = (
        update(NumberSequence)
        .where(NumberSequence.key == key, NumberSequence.year == year)
        .values(last_value=NumberSequence.last_value + 1)
        .returning(NumberSequence.last_value)
    )
    value = session.execute(bump).scalar()
    if value is None:
        session.execute(
            insert_ignore(session, NumberSequence, {"key": key, "year": year, "last_value": 0})
        )
        value = session.execute(bump).scalar_one()
    return int(value)
