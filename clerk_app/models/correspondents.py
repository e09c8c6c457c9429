"""Senders and addressees: persons and institutions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from clerk_app.models.base import Base
from clerk_app.models.enums import CorrespondentKind
from clerk_app.models.types import UtcDateTime, str_enum, utc_now


class Correspondent(Base):
    __tablename__ = "correspondent"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[CorrespondentKind] = mapped_column(str_enum(CorrespondentKind))
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(150), default="")
    institution_name: Mapped[str] = mapped_column(String(300), default="")
    pesel: Mapped[str] = mapped_column(String(11), default="")  # personal data: audited on view
    nip: Mapped[str] = mapped_column(String(10), default="")
    regon: Mapped[str] = mapped_column(String(14), default="")
    street: Mapped[str] = mapped_column(String(200), default="")
    building: Mapped[str] = mapped_column(String(20), default="")
    apartment: Mapped[str] = mapped_column(String(20), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str] = mapped_column(String(2), default="PL")
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    epuap_address: Mapped[str] = mapped_column(String(200), default="")
    ade: Mapped[str] = mapped_column(String(100), default="")  # e-Doręczenia address
    display_name: Mapped[str] = mapped_column(String(300))
    # Lower-case, diacritics folded (ł → l): "wisniewski" finds "Wiśniewski".
    search_key: Mapped[str] = mapped_column(String(300), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
