"""Parcel maps from the parcel store as plain ``MapExtract`` data for the PDF drawings.

The parcel sheet (karta działki) and the map extract (wyrys) of the planning
certificate draw the same map: the parcel, its neighbours and the plan zones.
"""

from __future__ import annotations

from clerk_app.documents.parcel_map import MapExtract, MapShape, MapZone
from clerk_app.services.plan_zones import ParcelMap


def map_extract_of(data: ParcelMap) -> MapExtract:
    """What the map draws of a parcel read with ``plan_zones.parcel_map``."""
    summary = data.details.summary
    return MapExtract(
        parcel=MapShape(summary.number, data.details.geometry_wkb),
        neighbours=tuple(MapShape(n.number, n.geometry_wkb) for n in data.neighbours),
        zones=tuple(MapZone(z.symbol, z.designation, z.geometry_wkb) for z in data.zones),
        extent=data.extent,
        caption=f"Działka nr {summary.number} ({summary.parcel_id})"
        + (f", {summary.precinct_label}" if summary.precinct_code else ""),
    )
