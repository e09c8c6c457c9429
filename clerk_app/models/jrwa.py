"""The uniform file plan (JRWA), versioned per year, imported as a tree."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clerk_app.models.base import Base


class JrwaPlan(Base):
    __tablename__ = "jrwa_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    valid_from_year: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(200))


class JrwaClass(Base):
    __tablename__ = "jrwa_class"
    __table_args__ = (UniqueConstraint("plan_id", "symbol"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("jrwa_plan.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("jrwa_class.id"))
    symbol: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(400))
    # Archival category for the lead unit (e.g. A, B10, BE5) and for other units (usually Bc).
    category_lead: Mapped[str] = mapped_column(String(10), default="")
    category_other: Mapped[str] = mapped_column(String(10), default="")
    is_end_class: Mapped[bool] = mapped_column(Boolean, default=False)
