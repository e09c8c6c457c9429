"""Keep the register's sort keys current, inside the flush that changes their source.

Mapper events rather than code in each service: registration, correction,
assignment, case linking, ePUAP intake and the demo all write entries through the
ORM, and none of them can forget a key; the hot Core INSERT of an incoming entry takes its
keys from :func:`keys_for_insert`, the same functions. A rename of a correspondent, unit, user
or case sign rewrites the keys of its entries in the same transaction. (Core
``update(RegisterEntry)`` statements bypass these events: they must not touch the
source columns below.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, event, inspect, select, update
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.orm.util import identity_key

from clerk_app.models.cases import Case
from clerk_app.models.correspondents import Correspondent
from clerk_app.models.office import OrgUnit
from clerk_app.models.register import RegisterEntry
from clerk_app.models.register_sort import assignee_key, name_key, sort_key
from clerk_app.models.users import User


def _changed(target: Any, *names: str) -> bool:
    state = inspect(target)
    return any(state.attrs[name].history.has_changes() for name in names)


def assignee_sort_key(connection: Connection, unit_id: int | None, user_id: int | None) -> bytes:
    """The assignee key (also for a Core UPDATE of ``assigned_unit_id`` / ``assigned_user_id``)."""
    unit = (
        connection.scalar(select(OrgUnit.symbol).where(OrgUnit.id == unit_id))
        if unit_id is not None
        else None
    )
    handler = (
        connection.scalar(select(User.full_name).where(User.id == user_id))
        if user_id is not None
        else None
    )
    return assignee_key(unit, handler)


def held_display_name(session: Session, correspondent_id: int) -> str | None:
    """The name of a correspondent the session holds with its name loaded (ePUAP intake has
    just created or found it), else None: no SELECT. A pending rename is flushed together
    with the entry, so the loaded value is the one the database will hold."""
    held = session.identity_map.get(identity_key(Correspondent, correspondent_id))
    if held is None:
        return None
    name = inspect(held).dict.get("display_name")
    return None if name is None else str(name)


def _sender_name(connection: Connection, entry: RegisterEntry) -> str | None:
    if entry.correspondent_id is None:
        return None
    session = inspect(entry).session
    name = held_display_name(session, entry.correspondent_id) if session is not None else None
    if name is not None:
        return name
    return connection.scalar(
        select(Correspondent.display_name).where(Correspondent.id == entry.correspondent_id)
    )


def _case_sign(connection: Connection, case_id: int | None) -> str | None:
    if case_id is None:
        return None
    return connection.scalar(select(Case.sign).where(Case.id == case_id))


def _fill(connection: Connection, entry: RegisterEntry, everything: bool) -> None:
    if everything or _changed(entry, "title"):
        entry.title_sort = sort_key(entry.title)
    if everything or _changed(entry, "notes"):
        entry.notes_sort = sort_key(entry.notes)
    if everything or _changed(entry, "correspondent_id"):
        entry.sender_sort = name_key(_sender_name(connection, entry))
    if everything or _changed(entry, "assigned_unit_id", "assigned_user_id"):
        entry.assignee_sort = assignee_sort_key(
            connection, entry.assigned_unit_id, entry.assigned_user_id
        )
    if everything or _changed(entry, "case_id"):
        entry.case_sign_sort = name_key(_case_sign(connection, entry.case_id))


def keys_for_insert(
    connection: Connection, values: Mapping[str, Any], sender_name: str | None
) -> dict[str, bytes]:
    """The sort keys of an entry written by a Core INSERT (the mapper events do not see it):
    the same keys ``before_insert`` computes. ``sender_name``: the correspondent's display
    name, which the caller has just checked (no second SELECT)."""
    return {
        "title_sort": sort_key(values.get("title")),
        "notes_sort": sort_key(values.get("notes") or ""),
        "sender_sort": name_key(sender_name if values.get("correspondent_id") else None),
        "assignee_sort": assignee_sort_key(
            connection, values.get("assigned_unit_id"), values.get("assigned_user_id")
        ),
        "case_sign_sort": name_key(_case_sign(connection, values.get("case_id"))),
    }


@event.listens_for(RegisterEntry, "before_insert")
def _entry_inserted(_mapper: Mapper[Any], connection: Connection, entry: RegisterEntry) -> None:
    _fill(connection, entry, everything=True)


@event.listens_for(RegisterEntry, "before_update")
def _entry_updated(_mapper: Mapper[Any], connection: Connection, entry: RegisterEntry) -> None:
    _fill(connection, entry, everything=False)


@event.listens_for(Correspondent, "after_update")
def _correspondent_renamed(
    _mapper: Mapper[Any], connection: Connection, correspondent: Correspondent
) -> None:
    if _changed(correspondent, "display_name"):
        connection.execute(
            update(RegisterEntry)
            .where(RegisterEntry.correspondent_id == correspondent.id)
            .values(sender_sort=name_key(correspondent.display_name))
        )


@event.listens_for(Case, "after_update")
def _case_resigned(_mapper: Mapper[Any], connection: Connection, case: Case) -> None:
    if _changed(case, "sign"):
        connection.execute(
            update(RegisterEntry)
            .where(RegisterEntry.case_id == case.id)
            .values(case_sign_sort=name_key(case.sign))
        )


def _refresh_assignees(connection: Connection, column: Any, value: int) -> None:
    """Recompute the assignee key of every (unit, handler) pair that involves ``value``."""
    e = RegisterEntry
    pairs = connection.execute(
        select(e.assigned_unit_id, e.assigned_user_id).where(column == value).distinct()
    ).all()
    for unit_id, user_id in pairs:
        connection.execute(
            update(e)
            .where(
                e.assigned_unit_id.is_(None) if unit_id is None else e.assigned_unit_id == unit_id,
                e.assigned_user_id.is_(None) if user_id is None else e.assigned_user_id == user_id,
            )
            .values(assignee_sort=assignee_sort_key(connection, unit_id, user_id))
        )


@event.listens_for(OrgUnit, "after_update")
def _unit_renamed(_mapper: Mapper[Any], connection: Connection, unit: OrgUnit) -> None:
    if _changed(unit, "symbol"):
        _refresh_assignees(connection, RegisterEntry.assigned_unit_id, unit.id)


@event.listens_for(User, "after_update")
def _user_renamed(_mapper: Mapper[Any], connection: Connection, user: User) -> None:
    if _changed(user, "full_name"):
        _refresh_assignees(connection, RegisterEntry.assigned_user_id, user.id)
