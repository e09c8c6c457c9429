"""Permissions are enforced here, in the services, not only hidden in the UI.

A refused call raises ``PermissionDenied`` and leaves an audit event written in
its own transaction (the refused operation's transaction is rolled back).
"""

from __future__ import annotations

from clerk_app.errors import PermissionDenied
from clerk_app.models import Role
from clerk_app.services import audit
from clerk_app.services.database import Database
from clerk_app.services.users import CurrentUser

ROLE_NAMES = {
    Role.REGISTRY_CLERK: "pracownik kancelarii",
    Role.CASE_CLERK: "referent",
    Role.PLANNER: "planista",
    Role.MANAGER: "kierownik",
    Role.ADMIN: "administrator",
}


def require(
    db: Database,
    user: CurrentUser,
    allowed: set[Role] | frozenset[Role],
    action: str,
    object_type: str = "",
    object_id: str | int = "",
) -> None:
    """Raise (and audit) unless the user holds one of the allowed roles."""
    if user.roles & allowed:
        return
    deny(
        db,
        user,
        action,
        object_type,
        object_id,
        "wymaga roli: " + ", ".join(sorted(ROLE_NAMES[r] for r in allowed)),
    )


def deny(
    db: Database,
    user: CurrentUser,
    action: str,
    object_type: str,
    object_id: str | int,
    why: str,
) -> None:
    with db.session(write=True) as session:
        audit.record(
            session,
            user,
            "permission_denied",
            object_type or "system",
            object_id,
            summary=f"{action}: {why}",
        )
    raise PermissionDenied(f"Brak uprawnień: {action} ({why}).")
