"""Gap-free counters for register and case numbers.

The increment runs inside the caller's transaction: the row stays locked until
commit (PostgreSQL row lock; SQLite writers hold the database lock from BEGIN
IMMEDIATE), and a rollback returns the number, so numbers never repeat or skip.
"""

from __future__ import annotations

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session

from clerk_app.models import NumberSequence
from clerk_app.services.upsert import insert_ignore

# Built once: a statement built per call costs more than its execution.
_BUMP = (
    update(NumberSequence)
    .where(NumberSequence.key == bindparam("seq_key"), NumberSequence.year == bindparam("seq_year"))
    .values(last_value=NumberSequence.last_value + 1)
    .returning(NumberSequence.last_value)
)


def next_number(session: Session, key: str, year: int) -> int:
    params = {"seq_key": key, "seq_year": year}
    # On the session's connection (same transaction): an ORM-enabled UPDATE would also
    # search the identity map for counters to synchronise, and no counter is ever loaded.
    connection = session.connection()
    value = connection.execute(_BUMP, params).scalar()
    if value is None:
        connection.execute(
            insert_ignore(session, NumberSequence, {"key": key, "year": year, "last_value": 0})
        )
        value = connection.execute(_BUMP, params).scalar_one()
    return int(value)
