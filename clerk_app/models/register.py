"""Incoming and outgoing register entries (rejestr przesyłek) and their numbering."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from clerk_app.models.base import Base
from clerk_app.models.enums import Channel, DeliveryStatus, Direction
from clerk_app.models.types import UtcDateTime, str_enum, utc_now

# Byte sort keys of the view's text columns (see ``clerk_app.models.register_sort``).
SORT_KEY_COLUMNS = ("title_sort", "sender_sort", "assignee_sort", "case_sign_sort", "notes_sort")


def _sort_key_column() -> Mapped[bytes]:
    return mapped_column(LargeBinary, default=b"", server_default=text("''"))


class RegisterEntry(Base):
    """One row of the incoming or outgoing register.

    Title, sender, letter date and reference may be NULL only when the clerk
    marked them "brak danych"; ``unknown_fields`` lists those names.
    """

    __tablename__ = "register_entry"
    __table_args__ = (
        UniqueConstraint("register_symbol", "year", "seq_no"),
        # One register sorted by its date (the register view's default filter is a direction).
        Index("ix_register_entry_direction_received_on", "direction", "received_on"),
        Index("ix_register_entry_direction_sent_on", "direction", "sent_on"),
        # The view's text orders: one index per sort key, id as the pager's tiebreak.
        *(Index(f"ix_register_entry_{key}", key, "id") for key in SORT_KEY_COLUMNS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[Direction] = mapped_column(str_enum(Direction), index=True)
    register_symbol: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    seq_no: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(40), unique=True)  # e.g. RPW/123/2026
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    received_on: Mapped[date | None] = mapped_column(Date, index=True)
    sent_on: Mapped[date | None] = mapped_column(Date)
    title: Mapped[str | None] = mapped_column(String(500), index=True)
    correspondent_id: Mapped[int | None] = mapped_column(ForeignKey("correspondent.id"), index=True)
    letter_date: Mapped[date | None] = mapped_column(Date, index=True)
    letter_ref: Mapped[str | None] = mapped_column(String(100), index=True)
    unknown_fields: Mapped[str] = mapped_column(String(100), default="")
    channel: Mapped[Channel] = mapped_column(str_enum(Channel), index=True)
    tracking_no: Mapped[str] = mapped_column(String(40), default="", index=True)
    assigned_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    assigned_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    attachment_count: Mapped[int] = mapped_column(Integer, default=0, index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # ePUAP / e-Doręczenia message id: a redelivered message is recognised by it.
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Set for items a clerk must look at (unreadable e-document, signature that fails).
    needs_attention: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    attention_reason: Mapped[str] = mapped_column(String(500), default="")
    # Outgoing only.
    delivery_status: Mapped[DeliveryStatus | None] = mapped_column(str_enum(DeliveryStatus))
    delivered_on: Mapped[date | None] = mapped_column(Date)
    fee_grosze: Mapped[int | None] = mapped_column(Integer)
    # Derived, kept by the mapper events of models.register_sort_upkeep: never set by hand.
    title_sort: Mapped[bytes] = _sort_key_column()
    sender_sort: Mapped[bytes] = _sort_key_column()  # correspondent's display name
    assignee_sort: Mapped[bytes] = _sort_key_column()  # unit symbol, then handler's name
    case_sign_sort: Mapped[bytes] = _sort_key_column()
    notes_sort: Mapped[bytes] = _sort_key_column()


class NumberSequence(Base):
    """Last number issued per counter and year; rows are locked while numbering.

    Keys: ``register:RPW`` for registers, ``case:<unit_id>:<jrwa_symbol>`` for case lists.
    """

    __tablename__ = "number_sequence"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)
