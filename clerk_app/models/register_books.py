"""Register books (which registers exist, how their numbers look) and closed years."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from clerk_app.models.base import Base
from clerk_app.models.enums import Direction
from clerk_app.models.types import UtcDateTime, str_enum, utc_now


class RegisterBook(Base):
    """A register (e.g. incoming ``RPW``) with its number format.

    ``number_format`` placeholders: ``{symbol}``, ``{n}`` (serial), ``{year}``.
    """

    __tablename__ = "register_book"

    id: Mapped[int] = mapped_column(primary_key=True)
    symbol: Mapped[str] = mapped_column(String(20), unique=True)
    direction: Mapped[Direction] = mapped_column(str_enum(Direction))
    name: Mapped[str] = mapped_column(String(200))
    number_format: Mapped[str] = mapped_column(String(60), default="{symbol}/{n}/{year}")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ClosedYear(Base):
    """A year whose registers and case lists are closed: nothing more is registered in it."""

    __tablename__ = "closed_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    closed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
