"""parcel store and inbox ledgers

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 14:42:46.000457
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import clerk_app.models.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "import_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column(
            "started_at",
            clerk_app.models.types.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column(
            "finished_at",
            clerk_app.models.types.UtcDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("repaired", sa.Integer(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batch")),
    )
    op.create_table(
        "parcel",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parcel_id", sa.String(length=60), nullable=False),
        sa.Column("unit_code", sa.String(length=10), nullable=False),
        sa.Column("unit_name", sa.String(length=100), nullable=False),
        sa.Column("county_name", sa.String(length=100), nullable=False),
        sa.Column("voivodeship_name", sa.String(length=100), nullable=False),
        sa.Column("precinct_code", sa.String(length=4), nullable=False),
        sa.Column("precinct_name", sa.String(length=100), nullable=False),
        sa.Column("sheet", sa.String(length=20), nullable=False),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("area_ha", sa.Float(), nullable=True),
        sa.Column("land_use", sa.Text(), nullable=False),
        sa.Column("addresses", sa.Text(), nullable=False),
        sa.Column("register_unit", sa.String(length=60), nullable=False),
        sa.Column("land_register_no", sa.String(length=30), nullable=False),
        sa.Column("geometry_wkb", sa.LargeBinary(), nullable=False),
        sa.Column("minx", sa.Float(), nullable=False),
        sa.Column("miny", sa.Float(), nullable=False),
        sa.Column("maxx", sa.Float(), nullable=False),
        sa.Column("maxy", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column(
            "updated_at",
            clerk_app.models.types.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batch.id"],
            name=op.f("fk_parcel_batch_id_import_batch"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parcel")),
        sa.UniqueConstraint("parcel_id", name=op.f("uq_parcel_parcel_id")),
    )
    with op.batch_alter_table("parcel", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_parcel_number"), ["number"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_parcel_precinct_name"), ["precinct_name"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_parcel_unit_code"), ["unit_code"], unique=False)

    op.create_table(
        "plan_zone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zone_key", sa.String(length=200), nullable=False),
        sa.Column("plan_id", sa.String(length=200), nullable=False),
        sa.Column("plan_name", sa.String(length=500), nullable=False),
        sa.Column("symbol", sa.String(length=30), nullable=False),
        sa.Column("designation", sa.String(length=500), nullable=False),
        sa.Column("provisions", sa.Text(), nullable=False),
        sa.Column("geometry_wkb", sa.LargeBinary(), nullable=False),
        sa.Column("minx", sa.Float(), nullable=False),
        sa.Column("miny", sa.Float(), nullable=False),
        sa.Column("maxx", sa.Float(), nullable=False),
        sa.Column("maxy", sa.Float(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column(
            "updated_at",
            clerk_app.models.types.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batch.id"],
            name=op.f("fk_plan_zone_batch_id_import_batch"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_zone")),
        sa.UniqueConstraint("zone_key", name=op.f("uq_plan_zone_zone_key")),
    )
    with op.batch_alter_table("plan_zone", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_zone_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "parcel_owner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parcel_pk", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("share", sa.String(length=30), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["parcel_pk"],
            ["parcel.id"],
            name=op.f("fk_parcel_owner_parcel_pk_parcel"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parcel_owner")),
    )
    with op.batch_alter_table("parcel_owner", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_parcel_owner_parcel_pk"), ["parcel_pk"], unique=False)

    op.create_table(
        "inbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("box", sa.String(length=200), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("digest", sa.String(length=100), nullable=False),
        sa.Column("raw_sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column(
            "received_at",
            clerk_app.models.types.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column(
            "confirmed_at",
            clerk_app.models.types.UtcDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column("confirm_attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["register_entry.id"],
            name=op.f("fk_inbox_message_entry_id_register_entry"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_message")),
        sa.UniqueConstraint("channel", "digest", name=op.f("uq_inbox_message_channel_digest")),
    )
    with op.batch_alter_table("inbox_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inbox_message_entry_id"), ["entry_id"], unique=False)

    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("operation", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("upp_sha256", sa.String(length=64), nullable=True),
        sa.Column("upd_sha256", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            clerk_app.models.types.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column("sent_at", clerk_app.models.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column(
            "delivered_at",
            clerk_app.models.types.UtcDateTime(timezone=True),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["register_entry.id"],
            name=op.f("fk_outbox_message_entry_id_register_entry"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_message_entry_id"), ["entry_id"], unique=False)

    create_spatial_indexes()


SPATIAL_TABLES = ("parcel", "plan_zone")


def create_spatial_indexes() -> None:
    """Bounding-box index: an R*Tree kept by triggers on SQLite, a GiST box index on PostgreSQL."""
    if op.get_bind().dialect.name == "sqlite":
        for table in SPATIAL_TABLES:
            op.execute(
                f"CREATE VIRTUAL TABLE {table}_rtree USING rtree(id, minx, maxx, miny, maxy)"
            )
            op.execute(
                f"CREATE TRIGGER {table}_rtree_insert AFTER INSERT ON {table} BEGIN "
                f"INSERT INTO {table}_rtree "
                "VALUES (new.id, new.minx, new.maxx, new.miny, new.maxy); END"
            )
            op.execute(
                f"CREATE TRIGGER {table}_rtree_update AFTER UPDATE OF minx, maxx, miny, maxy "
                f"ON {table} BEGIN UPDATE {table}_rtree SET minx = new.minx, maxx = new.maxx, "
                "miny = new.miny, maxy = new.maxy WHERE id = new.id; END"
            )
            op.execute(
                f"CREATE TRIGGER {table}_rtree_delete AFTER DELETE ON {table} BEGIN "
                f"DELETE FROM {table}_rtree WHERE id = old.id; END"
            )
    else:
        for table in SPATIAL_TABLES:
            op.execute(
                f"CREATE INDEX ix_{table}_bbox ON {table} "
                "USING gist (box(point(minx, miny), point(maxx, maxy)))"
            )


def drop_spatial_indexes() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in SPATIAL_TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_rtree_{event}")
            op.execute(f"DROP TABLE IF EXISTS {table}_rtree")
    else:
        for table in SPATIAL_TABLES:
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_bbox")


def downgrade() -> None:
    drop_spatial_indexes()

    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_entry_id"))

    op.drop_table("outbox_message")
    with op.batch_alter_table("inbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbox_message_entry_id"))

    op.drop_table("inbox_message")
    with op.batch_alter_table("parcel_owner", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parcel_owner_parcel_pk"))

    op.drop_table("parcel_owner")
    with op.batch_alter_table("plan_zone", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_zone_plan_id"))

    op.drop_table("plan_zone")
    with op.batch_alter_table("parcel", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parcel_unit_code"))
        batch_op.drop_index(batch_op.f("ix_parcel_precinct_name"))
        batch_op.drop_index(batch_op.f("ix_parcel_number"))

    op.drop_table("parcel")
    op.drop_table("import_batch")
