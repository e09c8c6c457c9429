"""full-text search: attachment text, search index and the triggers that keep it current

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 10:00:00.000000

The index objects are not models (FTS5 on SQLite, tsvector + GIN on PostgreSQL);
their DDL lives in ``clerk_app.models.search``. Existing entries and cases are
indexed here, so an upgraded register is searchable at once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from clerk_app.models import search as search_schema

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _run(statements: list[str]) -> None:
    bind = op.get_bind()
    for statement in statements:
        # exec_driver_sql: the DDL holds ':' and '$' that text() would take for parameters.
        bind.exec_driver_sql(statement)


def upgrade() -> None:
    # Before the triggers exist: a SQLite batch operation would drop them again.
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("extracted_text", sa.Text(), server_default="", nullable=False)
        )

    dialect = op.get_bind().dialect.name
    _run(search_schema.create_statements(dialect))
    _run(search_schema.fill_statements(dialect))


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    _run(search_schema.drop_statements(dialect))
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_column("extracted_text")
