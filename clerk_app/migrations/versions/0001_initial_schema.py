"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 14:23:10.252106
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import clerk_app.models.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


ORIGIN_FK = "fk_cases_origin_entry_id_register_entry"


def upgrade() -> None:
    # cases and register_entry reference each other: SQLite accepts the forward
    # reference inline, PostgreSQL gets the constraint once both tables exist.
    sqlite = op.get_bind().dialect.name == "sqlite"
    origin_fk_inline = (
        [sa.ForeignKeyConstraint(["origin_entry_id"], ["register_entry.id"], name=ORIGIN_FK)]
        if sqlite
        else []
    )

    op.create_table(
        "blob",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_blob")),
    )
    op.create_table(
        "correspondent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "person",
                "institution",
                name="correspondentkind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=150), nullable=False),
        sa.Column("institution_name", sa.String(length=300), nullable=False),
        sa.Column("pesel", sa.String(length=11), nullable=False),
        sa.Column("nip", sa.String(length=10), nullable=False),
        sa.Column("regon", sa.String(length=14), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("building", sa.String(length=20), nullable=False),
        sa.Column("apartment", sa.String(length=20), nullable=False),
        sa.Column("postal_code", sa.String(length=10), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("epuap_address", sa.String(length=200), nullable=False),
        sa.Column("ade", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=300), nullable=False),
        sa.Column("search_key", sa.String(length=300), nullable=False),
        sa.Column("created_at", clerk_app.models.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_correspondent")),
    )
    with op.batch_alter_table("correspondent", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_correspondent_search_key"), ["search_key"], unique=False
        )

    op.create_table(
        "jrwa_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("valid_from_year", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jrwa_plan")),
        sa.UniqueConstraint("valid_from_year", name=op.f("uq_jrwa_plan_valid_from_year")),
    )
    op.create_table(
        "number_sequence",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "year", name=op.f("pk_number_sequence")),
    )
    op.create_table(
        "office",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("short_name", sa.String(length=100), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("building", sa.String(length=20), nullable=False),
        sa.Column("postal_code", sa.String(length=6), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("teryt", sa.String(length=7), nullable=False),
        sa.Column("nip", sa.String(length=10), nullable=False),
        sa.Column("regon", sa.String(length=14), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("epuap_address", sa.String(length=200), nullable=False),
        sa.Column("ade", sa.String(length=100), nullable=False),
        sa.Column("logo_sha256", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office")),
    )
    op.create_table(
        "jrwa_class",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("symbol", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=400), nullable=False),
        sa.Column("category_lead", sa.String(length=10), nullable=False),
        sa.Column("category_other", sa.String(length=10), nullable=False),
        sa.Column("is_end_class", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["jrwa_class.id"], name=op.f("fk_jrwa_class_parent_id_jrwa_class")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["jrwa_plan.id"], name=op.f("fk_jrwa_class_plan_id_jrwa_plan")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jrwa_class")),
        sa.UniqueConstraint("plan_id", "symbol", name=op.f("uq_jrwa_class_plan_id_symbol")),
    )
    op.create_table(
        "org_unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("symbol", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_org_unit_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["org_unit.id"], name=op.f("fk_org_unit_parent_id_org_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_unit")),
        sa.UniqueConstraint("office_id", "symbol", name=op.f("uq_org_unit_office_id_symbol")),
    )
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=100), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", clerk_app.models.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_unit.id"], name=op.f("fk_app_user_unit_id_org_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("login", name=op.f("uq_app_user_login")),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("occurred_at", clerk_app.models.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_login", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("object_type", sa.String(length=50), nullable=False),
        sa.Column("object_id", sa.String(length=60), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_audit_event_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_event_hash")),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sign", sa.String(length=60), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("jrwa_class_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq_no", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "suspended",
                "awaiting_party",
                "closed",
                name="casestatus",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("handler_id", sa.Integer(), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("deadline_kind", sa.String(length=30), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("origin_entry_id", sa.Integer(), nullable=True),
        sa.Column("created_at", clerk_app.models.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["handler_id"], ["app_user.id"], name=op.f("fk_cases_handler_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["jrwa_class_id"], ["jrwa_class.id"], name=op.f("fk_cases_jrwa_class_id_jrwa_class")
        ),
        *origin_fk_inline,
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_unit.id"], name=op.f("fk_cases_unit_id_org_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("sign", name=op.f("uq_cases_sign")),
        sa.UniqueConstraint(
            "unit_id",
            "jrwa_class_id",
            "year",
            "seq_no",
            name=op.f("uq_cases_unit_id_jrwa_class_id_year_seq_no"),
        ),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_due_on"), ["due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_handler_id"), ["handler_id"], unique=False)

    op.create_table(
        "user_role",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "registry_clerk",
                "case_clerk",
                "planner",
                "manager",
                "admin",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_user_role_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("user_id", "role", name=op.f("pk_user_role")),
    )
    op.create_table(
        "register_entry",
        sa.Column("id", sa.Integer(), nullable=False),
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
        sa.Column("register_symbol", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq_no", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column(
            "registered_at", clerk_app.models.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("sent_on", sa.Date(), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("correspondent_id", sa.Integer(), nullable=True),
        sa.Column("letter_date", sa.Date(), nullable=True),
        sa.Column("letter_ref", sa.String(length=100), nullable=True),
        sa.Column("unknown_fields", sa.String(length=100), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "paper",
                "epuap",
                "edoreczenia",
                "email",
                "in_person",
                "registered_zpo",
                name="channel",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("tracking_no", sa.String(length=40), nullable=False),
        sa.Column("assigned_unit_id", sa.Integer(), nullable=True),
        sa.Column("assigned_user_id", sa.Integer(), nullable=True),
        sa.Column("attachment_count", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("external_id", sa.String(length=100), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "delivery_status",
            sa.Enum(
                "pending",
                "sent",
                "delivered",
                "deemed_delivered",
                "failed",
                name="deliverystatus",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("delivered_on", sa.Date(), nullable=True),
        sa.Column("fee_grosze", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assigned_unit_id"],
            ["org_unit.id"],
            name=op.f("fk_register_entry_assigned_unit_id_org_unit"),
        ),
        sa.ForeignKeyConstraint(
            ["assigned_user_id"],
            ["app_user.id"],
            name=op.f("fk_register_entry_assigned_user_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_register_entry_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["correspondent_id"],
            ["correspondent.id"],
            name=op.f("fk_register_entry_correspondent_id_correspondent"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["app_user.id"],
            name=op.f("fk_register_entry_created_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_entry")),
        sa.UniqueConstraint("external_id", name=op.f("uq_register_entry_external_id")),
        sa.UniqueConstraint("number", name=op.f("uq_register_entry_number")),
        sa.UniqueConstraint(
            "register_symbol",
            "year",
            "seq_no",
            name=op.f("uq_register_entry_register_symbol_year_seq_no"),
        ),
    )
    with op.batch_alter_table("register_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_register_entry_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_register_entry_channel"), ["channel"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_register_entry_direction"), ["direction"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_register_entry_received_on"), ["received_on"], unique=False
        )

    if not sqlite:
        op.create_foreign_key(ORIGIN_FK, "cases", "register_entry", ["origin_entry_id"], ["id"])

    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", clerk_app.models.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_attachment_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_attachment_created_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["register_entry.id"], name=op.f("fk_attachment_entry_id_register_entry")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
    )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachment_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attachment_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attachment_sha256"), ["sha256"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachment_sha256"))
        batch_op.drop_index(batch_op.f("ix_attachment_entry_id"))
        batch_op.drop_index(batch_op.f("ix_attachment_case_id"))

    op.drop_table("attachment")
    with op.batch_alter_table("register_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_register_entry_received_on"))
        batch_op.drop_index(batch_op.f("ix_register_entry_direction"))
        batch_op.drop_index(batch_op.f("ix_register_entry_channel"))
        batch_op.drop_index(batch_op.f("ix_register_entry_case_id"))

    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(ORIGIN_FK, "cases", type_="foreignkey")
    op.drop_table("register_entry")
    op.drop_table("user_role")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_handler_id"))
        batch_op.drop_index(batch_op.f("ix_cases_due_on"))

    op.drop_table("cases")
    op.drop_table("audit_event")
    op.drop_table("app_user")
    op.drop_table("org_unit")
    op.drop_table("jrwa_class")
    op.drop_table("office")
    op.drop_table("number_sequence")
    op.drop_table("jrwa_plan")
    with op.batch_alter_table("correspondent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_correspondent_search_key"))

    op.drop_table("correspondent")
    op.drop_table("blob")
