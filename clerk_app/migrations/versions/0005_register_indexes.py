"""register indexes for sorting and filtering the register view

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 15:40:00.000000

Plain ``CREATE INDEX`` only: a batch table rebuild on SQLite would drop the
full-text search triggers of ``register_entry`` (see ``clerk_app.models.search``).
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INDEXES: list[tuple[str, list[str]]] = [
    ("ix_register_entry_direction_received_on", ["direction", "received_on"]),
    ("ix_register_entry_direction_sent_on", ["direction", "sent_on"]),
    ("ix_register_entry_title", ["title"]),
    ("ix_register_entry_correspondent_id", ["correspondent_id"]),
    ("ix_register_entry_letter_date", ["letter_date"]),
    ("ix_register_entry_letter_ref", ["letter_ref"]),
    ("ix_register_entry_attachment_count", ["attachment_count"]),
    ("ix_register_entry_tracking_no", ["tracking_no"]),
    ("ix_register_entry_assigned_unit_id", ["assigned_unit_id"]),
    ("ix_register_entry_assigned_user_id", ["assigned_user_id"]),
]


def upgrade() -> None:
    for name, columns in INDEXES:
        op.create_index(name, "register_entry", columns, unique=False)


def downgrade() -> None:
    for name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name="register_entry")
