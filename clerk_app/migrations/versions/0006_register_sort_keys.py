"""register sort keys: byte keys for the view's text orders, each indexed with the id

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 10:00:00.000000

Plain ``ADD COLUMN`` + ``CREATE INDEX``: a batch table rebuild on SQLite would drop
the full-text search triggers of ``register_entry`` (see ``clerk_app.models.search``).
Existing entries get their keys here, computed by the same function the program uses.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from clerk_app.models.register_sort import assignee_key, name_key, sort_key

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

COLUMNS = ("title_sort", "sender_sort", "assignee_sort", "case_sign_sort", "notes_sort")
BATCH = 5000

_ROWS = sa.text(
    "SELECT e.id, e.title, e.notes, cr.display_name AS sender, u.symbol AS unit, "
    "h.full_name AS handler, c.sign AS case_sign FROM register_entry e "
    "LEFT JOIN correspondent cr ON cr.id = e.correspondent_id "
    "LEFT JOIN org_unit u ON u.id = e.assigned_unit_id "
    "LEFT JOIN app_user h ON h.id = e.assigned_user_id "
    "LEFT JOIN cases c ON c.id = e.case_id "
    "WHERE e.id > :after ORDER BY e.id LIMIT :batch"
)
_UPDATE = sa.text(
    "UPDATE register_entry SET title_sort = :title_sort, sender_sort = :sender_sort, "
    "assignee_sort = :assignee_sort, case_sign_sort = :case_sign_sort, "
    "notes_sort = :notes_sort WHERE id = :id"
).bindparams(*(sa.bindparam(c, type_=sa.LargeBinary) for c in COLUMNS))


def _keys(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "title_sort": sort_key(row.title),
        "sender_sort": name_key(row.sender),
        "assignee_sort": assignee_key(row.unit, row.handler),
        "case_sign_sort": name_key(row.case_sign),
        "notes_sort": sort_key(row.notes),
    }


def upgrade() -> None:
    for column in COLUMNS:
        op.add_column(
            "register_entry",
            sa.Column(column, sa.LargeBinary(), server_default=sa.text("''"), nullable=False),
        )
    bind = op.get_bind()
    after = 0
    while True:
        rows = bind.execute(_ROWS, {"after": after, "batch": BATCH}).all()
        if not rows:
            break
        bind.execute(_UPDATE, [_keys(r) for r in rows])
        after = rows[-1].id
    # After the backfill: one sorted build per index instead of 5 updates per row.
    for column in COLUMNS:
        op.create_index(f"ix_register_entry_{column}", "register_entry", [column, "id"])


def downgrade() -> None:
    for column in reversed(COLUMNS):
        op.drop_index(f"ix_register_entry_{column}", table_name="register_entry")
        op.drop_column("register_entry", column)
