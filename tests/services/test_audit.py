"""The audit chain shows any change after the fact, and refused calls are recorded."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update

from clerk_app.errors import PermissionDenied
from clerk_app.models import AuditEvent, Role
from clerk_app.services import audit
from clerk_app.services.app_context import AppContext
from clerk_app.services.permissions import require
from clerk_app.services.users import CurrentUser, UserService


def write_events(ctx: AppContext, actor: CurrentUser, count: int = 5) -> list[int]:
    ids = []
    for i in range(count):
        with ctx.db.session(write=True) as session:
            event = audit.record(
                session,
                actor,
                "update",
                "case",
                "UA.6727.41.2026",
                summary=f"zmiana {i}",
                details={"pole": "tytuł", "nr": i},
            )
            ids.append(event.id)
    return ids


@pytest.fixture
def actor(ctx: AppContext) -> CurrentUser:
    return UserService(ctx.db).os_account_user("anna")


def test_untouched_chain_verifies(ctx: AppContext, actor: CurrentUser) -> None:
    write_events(ctx, actor)
    with ctx.db.session() as session:
        result = audit.verify_chain(session)
        assert result.ok and result.checked == 5
        history = audit.events_for(session, "case", "UA.6727.41.2026")
    assert [e.summary for e in history] == [f"zmiana {i}" for i in range(5)]


@pytest.mark.parametrize("tamper", ["edit", "delete_middle", "delete_last", "rollback_head"])
def test_tampering_is_detected_at_the_first_broken_link(
    ctx: AppContext, actor: CurrentUser, tamper: str
) -> None:
    ids = write_events(ctx, actor)
    with ctx.db.session(write=True) as session:
        if tamper == "edit":
            session.execute(
                update(AuditEvent)
                .where(AuditEvent.id == ids[2])
                .values(summary="nic się nie stało")
            )
        elif tamper == "delete_middle":
            session.execute(delete(AuditEvent).where(AuditEvent.id == ids[2]))
        elif tamper == "delete_last":
            session.execute(delete(AuditEvent).where(AuditEvent.id == ids[4]))
        else:
            session.execute(
                update(AuditEvent).where(AuditEvent.id == ids[1]).values(details='{"nr":99}')
            )
    with ctx.db.session() as session:
        result = audit.verify_chain(session)
    assert not result.ok
    expected = {
        "edit": ids[2],
        "delete_middle": ids[3],
        "delete_last": None,
        "rollback_head": ids[1],
    }[tamper]
    assert result.first_broken_id == expected


def test_refused_call_raises_and_is_audited(ctx: AppContext) -> None:
    planner = UserService(ctx.db).create_user("m.kowalski", "Marek", [Role.PLANNER])
    with pytest.raises(PermissionDenied, match="administrator"):
        require(ctx.db, planner, {Role.ADMIN}, "zarządzanie użytkownikami")
    with ctx.db.session() as session:
        events = session.scalars(select(AuditEvent)).all()
    assert [(e.action, e.user_login) for e in events] == [("permission_denied", "m.kowalski")]
