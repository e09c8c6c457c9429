"""The local parcel store (imported from EGiB GML or saved from ULDK) and plan zones.

Geometry is WKB in the working CRS EPSG:2180 with its bounding box in plain
columns; the spatial index over those columns is an R*Tree on SQLite and a GiST
index on ``box(point(minx, miny), point(maxx, maxy))`` on PostgreSQL, both
created by the migration.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clerk_app.models.base import Base
from clerk_app.models.types import UtcDateTime, utc_now


class ImportBatch(Base):
    """One import run (a file or a ULDK save) with its summary."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))  # egib | wfs | app_zones | zones | uldk
    source: Mapped[str] = mapped_column(String(500))  # file name or service URL
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    repaired: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[str] = mapped_column(Text, default="")  # rejected features with reasons (JSON)
    # running | done | failed | cancelled
    status: Mapped[str] = mapped_column(String(20), default="running")


class Parcel(Base):
    __tablename__ = "parcel"

    id: Mapped[int] = mapped_column(primary_key=True)
    parcel_id: Mapped[str] = mapped_column(String(60), unique=True)  # canonical TERYT id
    unit_code: Mapped[str] = mapped_column(String(10), index=True)  # e.g. 141201_1
    unit_name: Mapped[str] = mapped_column(String(100), default="")  # commune / cadastral unit
    county_name: Mapped[str] = mapped_column(String(100), default="")
    voivodeship_name: Mapped[str] = mapped_column(String(100), default="")
    precinct_code: Mapped[str] = mapped_column(String(4))
    precinct_name: Mapped[str] = mapped_column(String(100), default="", index=True)
    sheet: Mapped[str] = mapped_column(String(20), default="")  # arkusz, "" when none
    number: Mapped[str] = mapped_column(String(30), index=True)  # e.g. 3/4
    area_ha: Mapped[float | None] = mapped_column(Float)
    land_use: Mapped[str] = mapped_column(Text, default="[]")  # JSON [[class, area_ha], ...]
    addresses: Mapped[str] = mapped_column(Text, default="[]")  # JSON ["Polna 3", ...]
    # Sensitive: shown only to allowed roles, every view audited.
    register_unit: Mapped[str] = mapped_column(String(60), default="")
    land_register_no: Mapped[str] = mapped_column(String(30), default="")
    geometry_wkb: Mapped[bytes] = mapped_column(LargeBinary)
    minx: Mapped[float] = mapped_column(Float)
    miny: Mapped[float] = mapped_column(Float)
    maxx: Mapped[float] = mapped_column(Float)
    maxy: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(20), default="egib")
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class ParcelOwner(Base):
    """Owners, only when imported with permission; visible only to allowed roles."""

    __tablename__ = "parcel_owner"

    id: Mapped[int] = mapped_column(primary_key=True)
    parcel_pk: Mapped[int] = mapped_column(ForeignKey("parcel.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    share: Mapped[str] = mapped_column(String(30), default="")  # e.g. 1/2
    address: Mapped[str] = mapped_column(String(300), default="")


class PlanZone(Base):
    """A zone of a local plan (APP 2.0 StrefaPlanistyczna or an office layer)."""

    __tablename__ = "plan_zone"

    id: Mapped[int] = mapped_column(primary_key=True)
    zone_key: Mapped[str] = mapped_column(String(200), unique=True)  # source id, for re-import
    plan_id: Mapped[str] = mapped_column(String(200), default="", index=True)
    plan_name: Mapped[str] = mapped_column(String(500), default="")
    symbol: Mapped[str] = mapped_column(String(30))  # e.g. 2MN
    designation: Mapped[str] = mapped_column(String(500), default="")  # przeznaczenie
    provisions: Mapped[str] = mapped_column(Text, default="")  # text for the certificate
    geometry_wkb: Mapped[bytes] = mapped_column(LargeBinary)
    minx: Mapped[float] = mapped_column(Float)
    miny: Mapped[float] = mapped_column(Float)
    maxx: Mapped[float] = mapped_column(Float)
    maxy: Mapped[float] = mapped_column(Float)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
