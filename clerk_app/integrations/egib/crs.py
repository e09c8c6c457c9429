"""Coordinate reference systems: srsName parsing, EPSG axis order, reprojection to EPSG:2180.

GML written with an EPSG URN/URL (``urn:ogc:def:crs:EPSG::2177``,
``http://www.opengis.net/def/crs/EPSG/0/2178``) follows the EPSG axis order, which for PL-1992
(2180) and PL-2000 (2176-2179) is northing first. Legacy forms (``EPSG:2180``) are ambiguous in
the wild, so every geometry is checked against the outline of Poland and swapped if only the
other order lands inside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import numpy as np
import pyproj
import pyproj.network
import shapely
from pyproj.exceptions import CRSError
from shapely.geometry import Polygon

from clerk_app.integrations.egib.records import WORKING_EPSG

# PROJ must never reach for network grids: the office may be offline and PL-2000 -> PL-1992
# needs none (both on ETRF2000-PL/GRS80).
pyproj.network.set_network_enabled(active=False)

_AUTHORITY_ORDER_FORMS = (
    re.compile(r"^urn:(?:x-)?ogc:def:crs:EPSG:[^:]*:(\d+)$", re.IGNORECASE),
    re.compile(r"^https?://www\.opengis\.net/def/crs/EPSG/[^/]+/(\d+)$", re.IGNORECASE),
)
_LEGACY_FORMS = (
    re.compile(r"^EPSG:+(\d+)$", re.IGNORECASE),
    re.compile(r"^https?://www\.opengis\.net/gml/srs/epsg\.xml#(\d+)$", re.IGNORECASE),
)
_CRS84_FORMS = ("urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84")

# Coarse outline of Poland (lon, lat); buffered by _POLAND_TOLERANCE_M in EPSG:2180. It only
# has to tell "inside Poland" from "hundreds of kilometres off" (axis swap, wrong zone, garbage).
_POLAND_OUTLINE_LONLAT = (
    (14.20, 53.95),
    (15.50, 54.20),
    (16.50, 54.57),
    (17.50, 54.80),
    (18.40, 54.84),
    (18.82, 54.63),
    (19.60, 54.46),
    (20.50, 54.40),
    (22.80, 54.37),
    (23.50, 54.20),
    (23.95, 53.20),
    (23.60, 52.60),
    (23.20, 52.30),
    (23.65, 51.60),
    (24.15, 51.00),
    (24.05, 50.45),
    (23.00, 49.90),
    (22.60, 49.55),
    (22.90, 49.08),
    (22.55, 49.05),
    (21.00, 49.40),
    (20.00, 49.18),
    (19.20, 49.40),
    (18.85, 49.50),
    (18.00, 49.95),
    (17.00, 50.20),
    (16.90, 50.45),
    (16.30, 50.35),
    (15.00, 50.80),
    (14.80, 51.00),
    (14.70, 51.50),
    (14.60, 52.10),
    (14.10, 52.80),
    (14.40, 53.30),
    (14.20, 53.95),
)
_POLAND_TOLERANCE_M = 25_000.0


class UnknownCrsError(ValueError):
    """srsName names no coordinate reference system that PROJ knows."""


@dataclass(frozen=True, slots=True)
class SourceCrs:
    """A parsed srsName: EPSG code and whether coordinates come northing (latitude) first."""

    epsg: int
    northing_first: bool


@cache
def parse_srs_name(srs_name: str) -> SourceCrs:
    """Parse a GML srsName into an EPSG code and the axis order coordinates are written in."""
    text = srs_name.strip()
    if text in _CRS84_FORMS:
        return SourceCrs(4326, northing_first=False)
    for pattern in _AUTHORITY_ORDER_FORMS + _LEGACY_FORMS:
        match = pattern.match(text)
        if match:
            epsg = int(match.group(1))
            return SourceCrs(epsg, northing_first=_epsg_northing_first(epsg))
    raise UnknownCrsError(f"Nieznany układ współrzędnych „{srs_name}”.")


@cache
def _epsg_northing_first(epsg: int) -> bool:
    try:
        crs = pyproj.CRS.from_epsg(epsg)
    except CRSError as exc:
        raise UnknownCrsError(f"Nieznany układ współrzędnych EPSG:{epsg}.") from exc
    first_axis = crs.axis_info[0].direction.lower() if crs.axis_info else "east"
    return first_axis in ("north", "south")


@cache
def _transformer(epsg: int) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(epsg, WORKING_EPSG, always_xy=True)


@cache
def _poland_area() -> Polygon:
    lon = np.array([p[0] for p in _POLAND_OUTLINE_LONLAT])
    lat = np.array([p[1] for p in _POLAND_OUTLINE_LONLAT])
    x, y = _transformer(4326).transform(lon, lat)
    area = shapely.buffer(shapely.polygons(np.column_stack([x, y])), _POLAND_TOLERANCE_M)
    shapely.prepare(area)
    return area


def to_working(
    epsg: int, eastings: np.ndarray, northings: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Reproject easting/northing (or lon/lat) arrays to EPSG:2180 easting/northing."""
    if epsg == WORKING_EPSG:
        return eastings, northings
    x, y = _transformer(epsg).transform(eastings, northings, errcheck=False)
    return np.asarray(x), np.asarray(y)


def in_poland(x: float, y: float) -> bool:
    """True when an EPSG:2180 point lies in (or within ~25 km of) Poland."""
    if not (np.isfinite(x) and np.isfinite(y)):
        return False
    return bool(shapely.contains_xy(_poland_area(), x, y))


def in_poland_many(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Vectorised ``in_poland`` for arrays of EPSG:2180 points."""
    finite = np.isfinite(x) & np.isfinite(y)
    inside = np.zeros(x.shape, dtype=bool)
    if finite.any():
        inside[finite] = shapely.contains_xy(_poland_area(), x[finite], y[finite])
    return inside
