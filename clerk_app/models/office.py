"""The office (urząd) and its organisational units (komórki organizacyjne)."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clerk_app.models.base import Base


class Office(Base):
    __tablename__ = "office"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    short_name: Mapped[str] = mapped_column(String(100), default="")
    street: Mapped[str] = mapped_column(String(200), default="")
    building: Mapped[str] = mapped_column(String(20), default="")
    postal_code: Mapped[str] = mapped_column(String(6), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    teryt: Mapped[str] = mapped_column(String(7), default="")  # commune code, e.g. 2261011
    nip: Mapped[str] = mapped_column(String(10), default="")
    regon: Mapped[str] = mapped_column(String(14), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    epuap_address: Mapped[str] = mapped_column(String(200), default="")
    ade: Mapped[str] = mapped_column(String(100), default="")  # e-Doręczenia address
    logo_sha256: Mapped[str | None] = mapped_column(String(64))


class OrgUnit(Base):
    """A department with the symbol used in case signs (e.g. ``UA``, ``GK-A``)."""

    __tablename__ = "org_unit"
    __table_args__ = (UniqueConstraint("office_id", "symbol"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    symbol: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
