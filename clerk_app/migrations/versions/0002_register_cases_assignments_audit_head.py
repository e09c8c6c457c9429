"""register, cases, assignments, audit head

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 14:34:58.647636
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import clerk_app.models.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "last_event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "register_book",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("symbol", sa.String(length=20), nullable=False),
        sa.Column(
            "direction",
            sa.Enum(
                "incoming",
                "outgoing",
                name="direction",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("number_format", sa.String(length=60), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_book")),
        sa.UniqueConstraint("symbol", name=op.f("uq_register_book_symbol")),
    )
    op.create_table(
        "closed_year",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("closed_at", clerk_app.models.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["app_user.id"], name=op.f("fk_closed_year_closed_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_closed_year")),
    )
    op.create_table(
        "saved_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("view", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_saved_view_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_view")),
    )
    with op.batch_alter_table("saved_view", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_saved_view_user_id"), ["user_id"], unique=False)

    op.create_table(
        "stand_in",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("absent_user_id", sa.Integer(), nullable=False),
        sa.Column("substitute_id", sa.Integer(), nullable=False),
        sa.Column("date_from", sa.Date(), nullable=False),
        sa.Column("date_to", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("created_at", clerk_app.models.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["absent_user_id"], ["app_user.id"], name=op.f("fk_stand_in_absent_user_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["substitute_id"], ["app_user.id"], name=op.f("fk_stand_in_substitute_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stand_in")),
    )
    with op.batch_alter_table("stand_in", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stand_in_absent_user_id"), ["absent_user_id"], unique=False
        )

    op.create_table(
        "case_pause",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_pause_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_case_pause_created_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_pause")),
    )
    with op.batch_alter_table("case_pause", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_pause_case_id"), ["case_id"], unique=False)

    op.create_table(
        "assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("to_unit_id", sa.Integer(), nullable=True),
        sa.Column("to_user_id", sa.Integer(), nullable=True),
        sa.Column("instead_of_user_id", sa.Integer(), nullable=True),
        sa.Column("instruction", sa.Text(), nullable=False),
        sa.Column("assigned_at", clerk_app.models.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"], ["app_user.id"], name=op.f("fk_assignment_assigned_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_assignment_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["register_entry.id"], name=op.f("fk_assignment_entry_id_register_entry")
        ),
        sa.ForeignKeyConstraint(
            ["instead_of_user_id"],
            ["app_user.id"],
            name=op.f("fk_assignment_instead_of_user_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["to_unit_id"], ["org_unit.id"], name=op.f("fk_assignment_to_unit_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["to_user_id"], ["app_user.id"], name=op.f("fk_assignment_to_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment")),
    )
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignment_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignment_entry_id"), ["entry_id"], unique=False)

    op.create_table(
        "register_entry_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.Column("changed_at", clerk_app.models.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["app_user.id"],
            name=op.f("fk_register_entry_version_changed_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["register_entry.id"],
            name=op.f("fk_register_entry_version_entry_id_register_entry"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_entry_version")),
        sa.UniqueConstraint(
            "entry_id", "version", name=op.f("uq_register_entry_version_entry_id_version")
        ),
    )
    with op.batch_alter_table("register_entry_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_register_entry_version_entry_id"), ["entry_id"], unique=False
        )

    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index("ix_audit_event_object", ["object_type", "object_id"], unique=False)

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subgroup", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("initials", sa.String(length=10), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("deadline_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("custom_due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("delay_notice_on", sa.Date(), nullable=True))
        batch_op.drop_constraint(
            batch_op.f("uq_cases_unit_id_jrwa_class_id_year_seq_no"), type_="unique"
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_cases_unit_id_jrwa_class_id_year_seq_no_subgroup"),
            ["unit_id", "jrwa_class_id", "year", "seq_no", "subgroup"],
        )

    with op.batch_alter_table("register_entry", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("needs_attention", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("attention_reason", sa.String(length=500), nullable=False, server_default="")
        )
        batch_op.create_index(
            batch_op.f("ix_register_entry_needs_attention"), ["needs_attention"], unique=False
        )
    books = sa.table(
        "register_book",
        sa.column("symbol", sa.String),
        sa.column("direction", sa.String),
        sa.column("name", sa.String),
        sa.column("number_format", sa.String),
        sa.column("active", sa.Boolean),
    )
    op.bulk_insert(
        books,
        [
            {
                "symbol": "RPW",
                "direction": "incoming",
                "name": "Rejestr przesyłek wpływających",
                "number_format": "{symbol}/{n}/{year}",
                "active": True,
            },
            {
                "symbol": "WYCH",
                "direction": "outgoing",
                "name": "Rejestr przesyłek wychodzących",
                "number_format": "{symbol}/{n}/{year}",
                "active": True,
            },
        ],
    )


def downgrade() -> None:

    with op.batch_alter_table("register_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_register_entry_needs_attention"))
        batch_op.drop_column("attention_reason")
        batch_op.drop_column("needs_attention")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_cases_unit_id_jrwa_class_id_year_seq_no_subgroup"), type_="unique"
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_cases_unit_id_jrwa_class_id_year_seq_no"),
            ["unit_id", "jrwa_class_id", "year", "seq_no"],
        )
        batch_op.drop_column("delay_notice_on")
        batch_op.drop_column("custom_due_on")
        batch_op.drop_column("deadline_days")
        batch_op.drop_column("initials")
        batch_op.drop_column("subgroup")

    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_object")

    with op.batch_alter_table("register_entry_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_register_entry_version_entry_id"))

    op.drop_table("register_entry_version")
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_entry_id"))
        batch_op.drop_index(batch_op.f("ix_assignment_case_id"))

    op.drop_table("assignment")
    with op.batch_alter_table("case_pause", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_pause_case_id"))

    op.drop_table("case_pause")
    with op.batch_alter_table("stand_in", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stand_in_absent_user_id"))

    op.drop_table("stand_in")
    with op.batch_alter_table("saved_view", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_view_user_id"))

    op.drop_table("saved_view")
    op.drop_table("closed_year")
    op.drop_table("register_book")
    op.drop_table("audit_head")
