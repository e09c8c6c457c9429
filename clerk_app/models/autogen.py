"""Which database objects Alembic's autogenerate compares with the models.

The search index (FTS5 / tsvector and their triggers) and the spatial index
(SQLite R*Tree tables, PostgreSQL GiST expression indexes) are written as plain
DDL in their migrations; they are not models, so the comparison skips them.
"""

from __future__ import annotations

from typing import Any

from clerk_app.models import search

SPATIAL_TABLE_PREFIXES = ("parcel_rtree", "plan_zone_rtree")
SPATIAL_INDEXES = frozenset({"ix_parcel_bbox", "ix_plan_zone_bbox"})


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    if type_ == "table" and name and name.startswith(SPATIAL_TABLE_PREFIXES):
        return False
    if type_ == "index" and name in SPATIAL_INDEXES:
        return False
    return search.include_object(obj, name, type_, reflected, compare_to)
