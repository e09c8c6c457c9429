"""Append-only, hash-chained audit events; the case history is derived from them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clerk_app.models.base import Base
from clerk_app.models.types import BigIntPK, UtcDateTime, utc_now


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    user_login: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    object_type: Mapped[str] = mapped_column(String(50))
    object_id: Mapped[str] = mapped_column(String(60))
    summary: Mapped[str] = mapped_column(String(500), default="")
    details: Mapped[str] = mapped_column(Text, default="{}")  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """The single row holding the chain's last hash; locked while an event is appended,
    so concurrent clerks extend the chain one after another."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    last_event_id: Mapped[int] = mapped_column(BigIntPK, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
