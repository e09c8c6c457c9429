"""Assignment (dekretacja) of register items and cases, with stand-ins for absent clerks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerk_app.errors import ValidationError
from clerk_app.models import Assignment, StandIn, User
from clerk_app.services import audit
from clerk_app.services.users import CurrentUser


@dataclass(frozen=True)
class Routed:
    user_id: int | None
    instead_of_user_id: int | None  # the absent clerk, when a stand-in rule applied


def resolve_stand_in(session: Session, user_id: int | None, on: date) -> Routed:
    """Follow stand-in rules (also chains: A covers B who covers C) for the given day."""
    if user_id is None:
        return Routed(None, None)
    seen = {user_id}
    current = user_id
    while True:
        rule = session.scalar(
            select(StandIn)
            .where(
                StandIn.absent_user_id == current, StandIn.date_from <= on, StandIn.date_to >= on
            )
            .order_by(StandIn.id.desc())
            .limit(1)
        )
        if rule is None or rule.substitute_id in seen:
            break
        seen.add(rule.substitute_id)
        current = rule.substitute_id
    return Routed(current, user_id if current != user_id else None)


def record_assignment(
    session: Session,
    actor: CurrentUser | None,
    *,
    on: date,
    entry_id: int | None = None,
    case_id: int | None = None,
    to_unit_id: int | None = None,
    to_user_id: int | None = None,
    instruction: str = "",
) -> Assignment:
    """Deactivate the previous assignment of the item/case and record the new one (audited)."""
    if (entry_id is None) == (case_id is None):
        raise ValueError("assign exactly one of entry_id or case_id")
    if to_unit_id is None and to_user_id is None:
        raise ValidationError("Dekretacja: wskaż komórkę albo pracownika.")
    routed = resolve_stand_in(session, to_user_id, on)
    previous = select(Assignment).where(Assignment.active.is_(True))
    previous = previous.where(
        Assignment.entry_id == entry_id if entry_id is not None else Assignment.case_id == case_id
    )
    for old in session.scalars(previous):
        old.active = False
    assignment = Assignment(
        entry_id=entry_id,
        case_id=case_id,
        assigned_by_id=actor.id if actor else None,
        to_unit_id=to_unit_id,
        to_user_id=routed.user_id,
        instead_of_user_id=routed.instead_of_user_id,
        instruction=instruction.strip(),
    )
    session.add(assignment)
    session.flush()
    target = session.get(User, routed.user_id) if routed.user_id else None
    who = target.full_name if target else ""
    summary = f"dekretacja: {who}".strip() if who else "dekretacja na komórkę"
    if routed.instead_of_user_id:
        absent = session.get(User, routed.instead_of_user_id)
        summary += f" (zastępstwo za: {absent.full_name if absent else '?'})"
    audit.record(
        session,
        actor,
        "assign",
        "register_entry" if entry_id is not None else "case",
        entry_id if entry_id is not None else case_id or 0,
        summary=summary,
        details={
            "to_unit_id": to_unit_id,
            "to_user_id": routed.user_id,
            "instead_of_user_id": routed.instead_of_user_id,
            "instruction": instruction,
        },
    )
    return assignment


def add_stand_in(
    session: Session,
    actor: CurrentUser | None,
    absent_user_id: int,
    substitute_id: int,
    date_from: date,
    date_to: date,
    note: str = "",
) -> StandIn:
    if absent_user_id == substitute_id:
        raise ValidationError("Zastępstwo: pracownik nie może zastępować samego siebie.")
    if date_to < date_from:
        raise ValidationError("Zastępstwo: data końca jest wcześniejsza niż data początku.")
    rule = StandIn(
        absent_user_id=absent_user_id,
        substitute_id=substitute_id,
        date_from=date_from,
        date_to=date_to,
        note=note,
    )
    session.add(rule)
    session.flush()
    audit.record(
        session,
        actor,
        "stand_in",
        "user",
        absent_user_id,
        summary=f"zastępstwo {date_from}–{date_to}",
        details={"substitute_id": substitute_id},
    )
    return rule
