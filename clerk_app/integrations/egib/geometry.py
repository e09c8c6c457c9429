"""GML surface geometry (Polygon, Surface, MultiSurface, MultiPolygon) -> shapely in EPSG:2180."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import shapely
from lxml import etree
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from clerk_app.integrations.egib.crs import (
    SourceCrs,
    in_poland,
    in_poland_many,
    parse_srs_name,
    to_working,
)
from clerk_app.integrations.egib.errors import FeatureRejected
from clerk_app.integrations.egib.records import AreaGeometry

GML_NAMESPACES = frozenset({"http://www.opengis.net/gml/3.2", "http://www.opengis.net/gml"})
SURFACE_TYPES = frozenset(
    {"Polygon", "Surface", "MultiSurface", "CompositeSurface", "MultiPolygon", "PolygonPatch"}
)
_MEMBER_TAGS = frozenset({"surfaceMember", "surfaceMembers", "polygonMember", "polygonMembers"})
_EXTERIOR_TAGS = frozenset({"exterior", "outerBoundaryIs"})
_INTERIOR_TAGS = frozenset({"interior", "innerBoundaryIs"})


# Fully qualified tag names of the common simple case (one polygon, one ring, a posList), so
# the hot path compares strings instead of splitting namespaces off every element.
_POLYGON_TAGS = frozenset(f"{{{ns}}}Polygon" for ns in GML_NAMESPACES)
_EXTERIOR_TAG_NAMES = frozenset(f"{{{ns}}}exterior" for ns in GML_NAMESPACES)
_LINEAR_RING_TAGS = frozenset(f"{{{ns}}}LinearRing" for ns in GML_NAMESPACES)
_POS_LIST_TAGS = frozenset(f"{{{ns}}}posList" for ns in GML_NAMESPACES)


def local_name(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):  # comments, processing instructions
        return ""
    return tag.rpartition("}")[2]


def namespace_of(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str) or not tag.startswith("{"):
        return ""
    return tag[1:].partition("}")[0]


def is_gml(element: etree._Element) -> bool:
    return namespace_of(element) in GML_NAMESPACES


def simple_outline(holder: etree._Element) -> tuple[str, str] | None:
    """(srsName, posList text) when a property holds the usual parcel geometry, else None.

    The usual geometry is one 2D ``gml:Polygon`` with an srsName and a single exterior
    ``LinearRing`` given as a ``posList``; the checks compare full tag names (no namespace
    splitting), because this runs once per parcel of a county export.
    """
    if len(holder) != 1:
        return None
    polygon = holder[0]
    if (
        polygon.tag not in _POLYGON_TAGS
        or len(polygon) != 1
        or polygon.get("srsDimension") not in (None, "2")
    ):
        return None
    srs_name = polygon.get("srsName")
    exterior = polygon[0]
    if srs_name is None or exterior.tag not in _EXTERIOR_TAG_NAMES or len(exterior) != 1:
        return None
    ring = exterior[0]
    if ring.tag not in _LINEAR_RING_TAGS or len(ring) != 1 or ring.get("srsDimension") is not None:
        return None
    pos_list = ring[0]
    if pos_list.tag not in _POS_LIST_TAGS or pos_list.get("srsDimension") not in (None, "2"):
        return None
    return srs_name, pos_list.text or ""


@dataclass(slots=True)  # not frozen: built once per feature, frozen costs several times more
class ReadGeometry:
    geometry: AreaGeometry
    source_epsg: int
    repaired: bool
    axis_swapped: bool


# A ring as raw numbers in file order: (first axis, second axis).
RawRing = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True, slots=True)
class PendingArea:
    """Rings read from the file but not yet reprojected, checked and built."""

    polygons: list[list[RawRing]]
    source: SourceCrs


class GeometryReader:
    """Reads GML geometry; a file-wide default srsName may be set once it is known."""

    def __init__(self, default_srs_name: str | None = None) -> None:
        self.default_srs_name = default_srs_name

    def find_surface(self, element: etree._Element) -> etree._Element | None:
        """The first GML surface geometry at or below ``element``."""
        if is_gml(element) and local_name(element) in SURFACE_TYPES:
            return element
        for child in element.iterdescendants():
            if is_gml(child) and local_name(child) in SURFACE_TYPES:
                return child
        return None

    def parse_property(self, holder: etree._Element) -> PendingArea:
        """Raw rings of the surface inside a property element (e.g. ``egb:geometria``).

        A single ``gml:Polygon`` with one exterior ``LinearRing``/``posList`` (nearly every
        parcel) is read directly; anything else goes through the general reader.
        """
        outline = simple_outline(holder)
        if outline is not None:
            srs_name, text = outline
            values = _numbers(text)
            if values.size % 2:
                raise FeatureRejected("niepełna para współrzędnych w pierścieniu")
            if values.size < 6:
                raise FeatureRejected("pierścień ma mniej niż trzy wierzchołki")
            if not np.isfinite(values).all():
                raise FeatureRejected("niepoprawne liczby we współrzędnych")
            return PendingArea([[(values[0::2], values[1::2])]], parse_srs_name(srs_name))
        surface = self.find_surface(holder)
        if surface is None:
            raise FeatureRejected("brak geometrii powierzchniowej")
        return self.parse_area(surface)

    def read_area(self, geometry: etree._Element) -> ReadGeometry:
        """Read a surface geometry element, reproject it, check it is in Poland, repair it.

        Raises ``FeatureRejected`` for problems of this one geometry and ``UnknownCrsError``
        when the srsName is not a CRS we can use (a problem of the whole file).
        """
        pending = self.parse_area(geometry)
        return build_area(pending.polygons, pending.source)

    def parse_area(self, geometry: etree._Element) -> PendingArea:
        """The XML half of ``read_area``: raw rings and CRS, to be finished by ``finish_areas``."""
        source = self._source_crs(geometry)
        polygons = list(self._raw_polygons(geometry, _dimension(geometry, 2)))
        if not polygons:
            raise FeatureRejected("geometria nie zawiera żadnego wielokąta")
        return PendingArea(polygons, source)

    def read_point(self, geometry: etree._Element) -> Point | None:
        """Read a gml:Point (address points); None when it is unusable."""
        pos = _first_child(geometry, "pos")
        if pos is None:
            pos = _first_child(geometry, "coordinates")
        if pos is None or not pos.text:
            return None
        try:
            source = self._source_crs(geometry)
            values = _numbers(pos.text.replace(",", " "))
        except (FeatureRejected, ValueError):
            return None
        if values.size < 2:
            return None
        a, b = values[:1], values[1:2]
        x, y = to_working(source.epsg, *((b, a) if source.northing_first else (a, b)))
        if not in_poland(float(x[0]), float(y[0])):
            x, y = to_working(source.epsg, *((a, b) if source.northing_first else (b, a)))
            if not in_poland(float(x[0]), float(y[0])):
                return None
        return Point(float(x[0]), float(y[0]))

    def _source_crs(self, geometry: etree._Element) -> SourceCrs:
        srs_name = geometry.get("srsName")
        if srs_name is None:
            for descendant in geometry.iterdescendants():
                srs_name = descendant.get("srsName")
                if srs_name is not None:
                    break
        if srs_name is None:
            srs_name = self.default_srs_name
        if srs_name is None:
            raise FeatureRejected("geometria bez układu współrzędnych (brak atrybutu srsName)")
        return parse_srs_name(srs_name)

    def _raw_polygons(self, element: etree._Element, dim: int) -> Iterator[list[RawRing]]:
        name = local_name(element)
        dim = _dimension(element, dim)
        if name in ("Polygon", "PolygonPatch"):
            yield self._polygon_rings(element, dim)
        elif name == "Surface":
            for patches in element:
                for patch in patches:
                    if local_name(patch) == "PolygonPatch":
                        yield self._polygon_rings(patch, dim)
                    elif isinstance(patch.tag, str):
                        raise FeatureRejected(
                            f"nieobsługiwany fragment powierzchni {local_name(patch)}"
                        )
        elif name in ("MultiSurface", "CompositeSurface", "MultiPolygon"):
            for member in element:
                if local_name(member) in _MEMBER_TAGS:
                    for part in member:
                        if isinstance(part.tag, str):
                            yield from self._raw_polygons(part, dim)
        else:
            raise FeatureRejected(f"nieobsługiwany typ geometrii {name or '?'}")

    def _polygon_rings(self, polygon: etree._Element, dim: int) -> list[RawRing]:
        exterior: list[RawRing] = []
        interiors: list[RawRing] = []
        for boundary in polygon:
            name = local_name(boundary)
            if name in _EXTERIOR_TAGS:
                exterior.extend(_ring(ring, dim) for ring in boundary if isinstance(ring.tag, str))
            elif name in _INTERIOR_TAGS:
                interiors.extend(_ring(ring, dim) for ring in boundary if isinstance(ring.tag, str))
        if len(exterior) != 1:
            raise FeatureRejected("wielokąt bez granicy zewnętrznej")
        return exterior + interiors


def build_area(polygons: list[list[RawRing]], source: SourceCrs) -> ReadGeometry:
    """Reproject raw rings (file axis order), check they lie in Poland, build and repair."""
    if not polygons:
        raise FeatureRejected("geometria nie zawiera żadnego wielokąta")
    rings = [ring for polygon in polygons for ring in polygon]
    first = np.concatenate([r[0] for r in rings])
    second = np.concatenate([r[1] for r in rings])
    declared = (second, first) if source.northing_first else (first, second)
    x, y = to_working(source.epsg, *declared)
    swapped = False
    if not in_poland(float(x[0]), float(y[0])):
        sx, sy = to_working(source.epsg, declared[1], declared[0])
        if not in_poland(float(sx[0]), float(sy[0])):
            raise FeatureRejected(
                f"współrzędne poza obszarem Polski ({first[0]:.2f} {second[0]:.2f}"
                f" w układzie EPSG:{source.epsg})"
            )
        x, y, swapped = sx, sy, True
    area = _build(polygons, x, y)
    repaired = False
    if not area.is_valid:
        area = repair_area(area)
        repaired = True
    return ReadGeometry(area, source.epsg, repaired, swapped)


def finish_areas(pending: list[PendingArea]) -> list[ReadGeometry | FeatureRejected]:
    """``build_area`` for many geometries at once: one reprojection call per CRS and vectorised
    shapely construction and validation (per-geometry calls dominate import time otherwise)."""
    results: list[ReadGeometry | FeatureRejected | None] = [None] * len(pending)
    groups: dict[SourceCrs, list[int]] = {}
    for index, item in enumerate(pending):
        groups.setdefault(item.source, []).append(index)
    for source, indices in groups.items():
        simple = [
            i for i in indices if len(pending[i].polygons) == 1 and len(pending[i].polygons[0]) == 1
        ]
        for i in indices:
            if len(pending[i].polygons) != 1 or len(pending[i].polygons[0]) != 1:
                results[i] = _build_one(pending[i])
        if not simple:
            continue
        rings = [pending[i].polygons[0][0] for i in simple]
        lengths = np.fromiter((r[0].size for r in rings), dtype=np.int64, count=len(rings))
        first = np.concatenate([r[0] for r in rings])
        second = np.concatenate([r[1] for r in rings])
        declared = (second, first) if source.northing_first else (first, second)
        x, y = to_working(source.epsg, *declared)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        inside = in_poland_many(x[starts], y[starts])
        batch: list[int] = []
        for position, i in enumerate(simple):
            if inside[position]:
                batch.append(position)
            else:
                results[i] = _build_one(pending[i])  # tries the swapped axis order, or rejects
        if not batch:
            continue
        chosen = np.array(batch, dtype=np.int64)
        ring_ids = np.repeat(np.arange(chosen.size), lengths[chosen])
        take = np.concatenate([np.arange(starts[p], starts[p] + lengths[p]) for p in chosen])
        try:
            shells = shapely.linearrings(np.column_stack([x[take], y[take]]), indices=ring_ids)
            polygons = shapely.polygons(shells)
        except (ValueError, shapely.errors.GEOSException):
            for p in batch:
                results[simple[p]] = _build_one(pending[simple[p]])
            continue
        valid = shapely.is_valid(polygons)
        for k, p in enumerate(batch):
            i = simple[p]
            if valid[k]:
                results[i] = ReadGeometry(polygons[k], source.epsg, False, False)
            else:
                try:
                    results[i] = ReadGeometry(repair_area(polygons[k]), source.epsg, True, False)
                except FeatureRejected as exc:
                    results[i] = exc
    return [r if r is not None else FeatureRejected("brak geometrii") for r in results]


def _build_one(item: PendingArea) -> ReadGeometry | FeatureRejected:
    try:
        return build_area(item.polygons, item.source)
    except FeatureRejected as exc:
        return exc


def _first_child(element: etree._Element, name: str) -> etree._Element | None:
    for child in element:
        if local_name(child) == name:
            return child
    return None


def _dimension(element: etree._Element, default: int) -> int:
    value = element.get("srsDimension")
    if value is None:
        return default
    try:
        dim = int(value)
    except ValueError as exc:
        raise FeatureRejected(f"niepoprawny wymiar współrzędnych srsDimension={value!r}") from exc
    if dim not in (2, 3):
        raise FeatureRejected(f"nieobsługiwany wymiar współrzędnych srsDimension={dim}")
    return dim


def _numbers(text: str) -> np.ndarray:
    try:
        return np.array(text.split(), dtype=np.float64)
    except ValueError as exc:
        raise FeatureRejected("niepoprawne liczby we współrzędnych") from exc


def _ring(ring: etree._Element, dim: int) -> RawRing:
    name = local_name(ring)
    if name == "LinearRing":
        values = _linear_coordinates(ring, dim)
    elif name == "Ring":
        values = _curve_ring_coordinates(ring, dim)
    else:
        raise FeatureRejected(f"nieobsługiwany typ pierścienia {name}")
    if values.size % dim:
        raise FeatureRejected("niepełna para współrzędnych w pierścieniu")
    if values.size < 3 * dim:
        raise FeatureRejected("pierścień ma mniej niż trzy wierzchołki")
    pairs = values.reshape(-1, dim)
    if not np.isfinite(pairs[:, :2]).all():
        raise FeatureRejected("niepoprawne liczby we współrzędnych")
    return pairs[:, 0].copy(), pairs[:, 1].copy()


def _linear_coordinates(element: etree._Element, dim: int) -> np.ndarray:
    pos_list = _first_child(element, "posList")
    if pos_list is not None:
        return _numbers(pos_list.text or "")
    positions = [child for child in element if local_name(child) in ("pos", "pointProperty")]
    if positions:
        texts = [p.text or "" if local_name(p) == "pos" else _point_text(p) for p in positions]
        return _numbers(" ".join(texts))
    coordinates = _first_child(element, "coordinates")
    if coordinates is not None:
        separator = coordinates.get("cs", ",")
        return _numbers((coordinates.text or "").replace(separator, " "))
    raise FeatureRejected("pierścień bez współrzędnych")


def _point_text(point_property: etree._Element) -> str:
    for pos in point_property.iter("{*}pos"):
        return pos.text or ""
    raise FeatureRejected("punkt pierścienia bez współrzędnych")


def _curve_ring_coordinates(ring: etree._Element, dim: int) -> np.ndarray:
    parts: list[np.ndarray] = []
    for element in ring.iter():
        name = local_name(element)
        if name in ("Arc", "ArcString", "Circle", "ArcByCenterPoint", "CircleByCenterPoint"):
            raise FeatureRejected("łuki w granicy (gml:Arc) nie są obsługiwane")
        if name in ("LineStringSegment", "LineString"):
            values = _linear_coordinates(element, dim)
            if parts and values.size >= dim:
                values = values[dim:]  # segments share their joint vertex
            parts.append(values)
    if not parts:
        raise FeatureRejected("pierścień bez współrzędnych")
    return np.concatenate(parts)


def _build(polygons: list[list[RawRing]], x: np.ndarray, y: np.ndarray) -> AreaGeometry:
    built: list[Polygon] = []
    offset = 0
    for rings in polygons:
        coords = []
        for first, _second in rings:
            n = first.size
            coords.append(np.column_stack([x[offset : offset + n], y[offset : offset + n]]))
            offset += n
        try:
            built.append(Polygon(coords[0], coords[1:]))
        except (ValueError, shapely.errors.GEOSException) as exc:
            raise FeatureRejected(f"nie można zbudować wielokąta: {exc}") from exc
    return built[0] if len(built) == 1 else MultiPolygon(built)


def repair_area(geometry: BaseGeometry) -> AreaGeometry:
    fixed = shapely.make_valid(geometry)
    parts = [
        part
        for part in shapely.get_parts(fixed)
        if isinstance(part, Polygon | MultiPolygon) and not part.is_empty
    ]
    polygons: list[Polygon] = []
    for part in parts:
        polygons.extend(part.geoms if isinstance(part, MultiPolygon) else [part])
    if not polygons:
        raise FeatureRejected("geometria nieprawidłowa i nie do naprawy (zerowa powierzchnia)")
    return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)
