"""Cases (sprawy) with signs built from the unit symbol and the JRWA class."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clerk_app.models.base import Base
from clerk_app.models.enums import CaseStatus
from clerk_app.models.types import UtcDateTime, str_enum, utc_now


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("unit_id", "jrwa_class_id", "year", "seq_no", "subgroup"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sign: Mapped[str] = mapped_column(String(60), unique=True)  # e.g. UA.6727.41.2026
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    jrwa_class_id: Mapped[int] = mapped_column(ForeignKey("jrwa_class.id"))
    year: Mapped[int] = mapped_column(Integer)
    seq_no: Mapped[int] = mapped_column(Integer)
    subgroup: Mapped[int] = mapped_column(Integer, default=0)  # 0 = none (UNIT.JRWA.NR.NR2.YEAR)
    initials: Mapped[str] = mapped_column(String(10), default="")  # handler's, after the year
    title: Mapped[str] = mapped_column(String(500))
    status: Mapped[CaseStatus] = mapped_column(str_enum(CaseStatus), default=CaseStatus.OPEN)
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(Text, default="")
    deadline_kind: Mapped[str] = mapped_column(String(30), default="")  # DeadlineKind value
    deadline_days: Mapped[int | None] = mapped_column(Integer)  # for custom day periods
    custom_due_on: Mapped[date | None] = mapped_column(Date)  # for a custom date
    # Computed by the deadline engine on every change, so "overdue" filters in SQL.
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    delay_notice_on: Mapped[date | None] = mapped_column(Date)  # art. 36 notice sent
    # The register entry that started the case, if any (use_alter: the FKs form a cycle).
    origin_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("register_entry.id", use_alter=True)
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
