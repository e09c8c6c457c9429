"""Electronic inbox (ePUAP, e-Doręczenia) and outbox ledgers for exactly-once delivery.

A message is stored (raw bytes, parsed document, attachments, register entry)
in one transaction before it is acknowledged; the digest recognises a message
that the service hands out again after a crash, so it is only acknowledged.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clerk_app.models.base import Base
from clerk_app.models.types import UtcDateTime, utc_now


class InboxMessage(Base):
    __tablename__ = "inbox_message"
    __table_args__ = (UniqueConstraint("channel", "digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))  # epuap | edoreczenia
    box: Mapped[str] = mapped_column(String(200))  # box address the message came to
    external_id: Mapped[str] = mapped_column(String(200), default="")  # id given by the service
    digest: Mapped[str] = mapped_column(String(100))  # service digest or SHA-256 of the content
    raw_sha256: Mapped[str] = mapped_column(String(64))  # raw response in the blob store
    kind: Mapped[str] = mapped_column(String(20), default="document")  # document | upp | upd
    state: Mapped[str] = mapped_column(String(20), default="stored")  # stored | confirmed
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("register_entry.id"), index=True)
    error: Mapped[str] = mapped_column(Text, default="")  # why it needs attention, if it does
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    confirm_attempts: Mapped[int] = mapped_column(Integer, default=0)


class OutboxMessage(Base):
    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("register_entry.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))  # epuap | edoreczenia
    recipient: Mapped[str] = mapped_column(String(200))  # box address or ADE
    operation: Mapped[str] = mapped_column(String(20), default="nadaj")  # nadaj | dorecz
    state: Mapped[str] = mapped_column(String(20), default="queued")
    # queued | sent | delivered | failed
    external_id: Mapped[str] = mapped_column(String(200), default="")
    upp_sha256: Mapped[str | None] = mapped_column(String(64))
    upd_sha256: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
