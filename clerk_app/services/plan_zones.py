"""Plan zones that cover a parcel, with the share of the parcel's area in each.

This is what the planning certificate (wypis i wyrys) lists for every parcel: the zone symbols
(``2MN``, ``1KDL``) and how much of the parcel each covers. Slivers below ``min_share`` come from
boundaries digitised twice (the plan layer and the cadastre never agree to the centimetre) and
are left out, but the dropped share is reported so nothing is silently lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import shapely

from clerk_app.errors import ValidationError
from clerk_app.services.database import Database
from clerk_app.services.parcel_id import ParcelId
from clerk_app.services.parcel_store import (
    BBox,
    ParcelDetails,
    ParcelShape,
    ParcelStore,
    ZoneShape,
)

DEFAULT_MIN_SHARE = 0.001  # 0.1 % of the parcel


@dataclass(frozen=True, slots=True)
class ZoneShare:
    zone_key: str
    symbol: str
    designation: str
    plan_id: str
    plan_name: str
    provisions: str
    area_m2: float
    share: float
    """Fraction of the parcel's area inside the zone, 0..1."""

    @property
    def percent_label(self) -> str:
        return f"{self.share * 100:.1f}".replace(".", ",") + " %"


@dataclass(frozen=True, slots=True)
class ParcelZones:
    parcel_id: str
    parcel_area_m2: float
    zones: tuple[ZoneShare, ...]
    uncovered_share: float
    """Share of the parcel outside every listed zone (no plan there, or slivers dropped)."""


def zone_shares(
    parcel_wkb: bytes, zones: Sequence[ZoneShape], *, min_share: float = DEFAULT_MIN_SHARE
) -> tuple[tuple[ZoneShare, ...], float]:
    """Shares of the parcel in each zone (largest first) and the uncovered share."""
    parcel = shapely.from_wkb(parcel_wkb)
    total = float(shapely.area(parcel))
    if total <= 0:
        return (), 1.0
    shapely.prepare(parcel)
    shares: list[ZoneShare] = []
    covered = []
    for zone in zones:
        geometry = shapely.from_wkb(zone.geometry_wkb)
        if not shapely.intersects(parcel, geometry):
            continue
        part = shapely.intersection(parcel, geometry)
        area = float(shapely.area(part))
        if area / total < min_share:
            continue
        covered.append(part)
        shares.append(
            ZoneShare(
                zone_key=zone.zone_key,
                symbol=zone.symbol,
                designation=zone.designation,
                plan_id=zone.plan_id,
                plan_name=zone.plan_name,
                provisions=zone.provisions,
                area_m2=area,
                share=area / total,
            )
        )
    inside = float(shapely.area(shapely.union_all(covered))) if covered else 0.0
    shares.sort(key=lambda s: (-s.share, s.symbol))
    return tuple(shares), max(0.0, 1.0 - inside / total)


def zones_for_parcel(
    db: Database, parcel_id: ParcelId | str, *, min_share: float = DEFAULT_MIN_SHARE
) -> ParcelZones:
    """The zones covering a stored parcel, through the zones' spatial index."""
    store = ParcelStore(db)
    details = store.get(parcel_id)
    if details is None:
        raise ValidationError(f"Działki {parcel_id} nie ma w lokalnej bazie.")
    zones = store.zones_in_bbox(details.bbox)
    shares, uncovered = zone_shares(details.geometry_wkb, zones, min_share=min_share)
    return ParcelZones(details.parcel_id, float(shapely.area(details.geometry)), shares, uncovered)


@dataclass(frozen=True, slots=True)
class ParcelMap:
    """Everything the parcel map and the parcel sheet draw, read in one go."""

    details: ParcelDetails
    neighbours: tuple[ParcelShape, ...]
    """Parcels around it (within ``extent``), the parcel itself excluded."""
    zones: tuple[ZoneShape, ...]
    """Plan zones within ``extent``."""
    shares: ParcelZones
    extent: BBox


def parcel_map(
    db: Database,
    parcel_id: ParcelId | str,
    *,
    margin_ratio: float = 0.6,
    min_margin_m: float = 25.0,
) -> ParcelMap:
    """The parcel with its surroundings: neighbours, zones and the parcel's zone shares."""
    store = ParcelStore(db)
    details = store.get(parcel_id)
    if details is None:
        raise ValidationError(f"Działki {parcel_id} nie ma w lokalnej bazie.")
    minx, miny, maxx, maxy = details.bbox
    margin = max(max(maxx - minx, maxy - miny) * margin_ratio, min_margin_m)
    extent = (minx - margin, miny - margin, maxx + margin, maxy + margin)
    neighbours = tuple(s for s in store.in_bbox(extent) if s.parcel_id != details.parcel_id)
    zones = tuple(store.zones_in_bbox(extent))
    shares, uncovered = zone_shares(details.geometry_wkb, zones)
    return ParcelMap(
        details=details,
        neighbours=neighbours,
        zones=zones,
        shares=ParcelZones(
            details.parcel_id, float(shapely.area(details.geometry)), shares, uncovered
        ),
        extent=extent,
    )
