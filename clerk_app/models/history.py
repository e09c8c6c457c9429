"""Earlier versions of corrected register entries (nothing is ever overwritten silently)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clerk_app.models.base import Base
from clerk_app.models.types import UtcDateTime, utc_now


class RegisterEntryVersion(Base):
    """The values an entry had before correction ``version`` replaced them."""

    __tablename__ = "register_entry_version"
    __table_args__ = (UniqueConstraint("entry_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("register_entry.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)  # the version these values belonged to
    snapshot: Mapped[str] = mapped_column(Text)  # canonical JSON of the entry's fields
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    reason: Mapped[str] = mapped_column(String(500))
