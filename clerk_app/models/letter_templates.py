"""Office copies of letter templates (kopie szablonów urzędu) and their versions.

The shipped templates in ``resources/templates`` are the defaults. An office copy
is one ``OfficeTemplate`` row per office and template name; every save or revert
adds an ``OfficeTemplateVersion`` (nothing is overwritten). A version whose
``source`` is NULL records a revert: from then on the shipped default is used.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clerk_app.models.base import Base
from clerk_app.models.types import UtcDateTime, utc_now


class OfficeTemplate(Base):
    """The office's own copy of the shipped template ``name``; ``version`` is the current one."""

    __tablename__ = "office_template"
    __table_args__ = (UniqueConstraint("office_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    name: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=0)


class OfficeTemplateVersion(Base):
    """One saved state of an office copy: its source, or NULL for "back to the default"."""

    __tablename__ = "office_template_version"
    __table_args__ = (UniqueConstraint("template_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("office_template.id"))
    version: Mapped[int] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
