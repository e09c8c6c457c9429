"""Assignment (dekretacja) of items and cases, stand-ins for absent clerks, pause ledger."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clerk_app.models.base import Base
from clerk_app.models.types import UtcDateTime, utc_now


class Assignment(Base):
    """One decree: who assigned an item or case to which unit/clerk, with what instruction."""

    __tablename__ = "assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("register_entry.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    to_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # Set when a stand-in rule redirected the assignment from the absent clerk.
    instead_of_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    instruction: Mapped[str] = mapped_column(Text, default="")
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class StandIn(Base):
    """While ``absent_user`` is away, ``substitute`` receives their items and cases."""

    __tablename__ = "stand_in"

    id: Mapped[int] = mapped_column(primary_key=True)
    absent_user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    substitute_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    date_from: Mapped[date] = mapped_column(Date)
    date_to: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class CasePause(Base):
    """A period that does not count toward the KPA deadline (art. 35 §5)."""

    __tablename__ = "case_pause"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    reason: Mapped[str] = mapped_column(String(30))  # kpa_deadlines.PauseReason value
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class SavedView(Base):
    """A clerk's named filter and sort of the register or case list."""

    __tablename__ = "saved_view"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    view: Mapped[str] = mapped_column(String(30))  # "register" | "cases"
    name: Mapped[str] = mapped_column(String(100))
    definition: Mapped[str] = mapped_column(Text)  # JSON: filters and sort
