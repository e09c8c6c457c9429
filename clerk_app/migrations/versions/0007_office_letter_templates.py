"""office copies of letter templates with their versions

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import clerk_app.models.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "office_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_office_template_office_id_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_template")),
        sa.UniqueConstraint("office_id", "name", name=op.f("uq_office_template_office_id_name")),
    )
    op.create_table(
        "office_template_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_at", clerk_app.models.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["app_user.id"],
            name=op.f("fk_office_template_version_created_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["office_template.id"],
            name=op.f("fk_office_template_version_template_id_office_template"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_template_version")),
        sa.UniqueConstraint(
            "template_id",
            "version",
            name=op.f("uq_office_template_version_template_id_version"),
        ),
    )


def downgrade() -> None:
    op.drop_table("office_template_version")
    op.drop_table("office_template")
