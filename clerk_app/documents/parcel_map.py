"""A parcel map drawn with reportlab: the parcel, its neighbours and the plan zones around it.

Used by the parcel sheet (karta działki) and by the map extract (wyrys) of the
planning certificate. Coordinates are PL-1992 metres (EPSG:2180). Pure reportlab
and shapely, no Qt and no database: callers pass a ``MapExtract``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shapely
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from clerk_app.documents.fonts import FONT_BOLD, FONT_REGULAR, register_fonts

BBox = tuple[float, float, float, float]  # minx, miny, maxx, maxy
ToPage = Callable[[float, float], tuple[float, float]]

# Scales plan drawings and their extracts are printed at (1:N).
STANDARD_SCALES = (250, 500, 1000, 2000, 2500, 5000, 10_000, 25_000, 50_000)
POINTS_PER_MM = 72 / 25.4

PARCEL_STROKE = HexColor("#c62828")
PARCEL_FILL = Color(1.0, 0.84, 0.31, alpha=0.6)
NEIGHBOUR_STROKE = HexColor("#555555")
ZONE_STROKE = HexColor("#8a6d3b")

# Fill by the zone's function letters (the symbol without its number), after the colours
# plan drawings conventionally use: housing yellow/orange, services red, roads grey…
_ZONE_FILLS: tuple[tuple[str, tuple[float, float, float]], ...] = (
    ("MN", (1.0, 0.87, 0.45)),
    ("MW", (0.93, 0.66, 0.35)),
    ("M", (0.98, 0.78, 0.45)),
    ("U", (0.95, 0.55, 0.55)),
    ("P", (0.75, 0.62, 0.85)),
    ("KD", (0.82, 0.82, 0.82)),
    ("K", (0.78, 0.78, 0.82)),
    ("ZL", (0.45, 0.72, 0.45)),
    ("Z", (0.62, 0.85, 0.55)),
    ("R", (0.90, 0.93, 0.60)),
    ("W", (0.60, 0.80, 0.95)),
)
_DEFAULT_ZONE_FILL = (0.95, 0.85, 0.6)
_FUNCTION = re.compile(r"[A-ZĄĆĘŁŃÓŚŹŻ]+")


@dataclass(frozen=True, slots=True)
class MapShape:
    """A parcel on the map: its number as the label and its geometry (WKB)."""

    label: str
    geometry_wkb: bytes


@dataclass(frozen=True, slots=True)
class MapZone:
    """A plan zone: symbol (``2MN``), designation (for the legend) and geometry (WKB)."""

    symbol: str
    designation: str
    geometry_wkb: bytes


@dataclass(frozen=True, slots=True)
class MapExtract:
    """Everything one map draws; ``extent`` is the area of interest in metres."""

    parcel: MapShape
    neighbours: tuple[MapShape, ...]
    zones: tuple[MapZone, ...]
    extent: BBox
    caption: str = ""  # e.g. "Działka nr 3/5 (141201_1.0012.3/5), obręb 0012 Zdwórz"

    def legend_zones(self) -> list[MapZone]:
        """One zone per symbol, in symbol order, for the legend."""
        seen: dict[str, MapZone] = {}
        for zone in self.zones:
            seen.setdefault(zone.symbol, zone)
        return [seen[symbol] for symbol in sorted(seen)]


def zone_fill(symbol: str, alpha: float = 0.55) -> Color:
    """The fill of a zone by its function letters: ``2MN`` → MN, ``1KDL`` → KD."""
    match = _FUNCTION.search(symbol.upper())
    letters = match.group(0) if match else ""
    rgb = next((c for prefix, c in _ZONE_FILLS if letters.startswith(prefix)), _DEFAULT_ZONE_FILL)
    return Color(*rgb, alpha=alpha)


def scale_denominator(points_per_metre: float) -> float:
    """N of "1:N" for a drawing at ``points_per_metre`` printed at 100 %."""
    return 1000.0 / (points_per_metre / POINTS_PER_MM)


def standard_scale(extent: BBox, width: float, height: float) -> int:
    """The largest standard scale at which ``extent`` fits into width × height points."""
    minx, miny, maxx, maxy = extent
    fit = min(width / max(maxx - minx, 1e-9), height / max(maxy - miny, 1e-9))
    needed = scale_denominator(fit)
    for denominator in STANDARD_SCALES:
        if denominator >= needed:
            return denominator
    return math.ceil(needed / 10_000) * 10_000


def draw_parcel_map(
    canvas: Canvas, extract: MapExtract, box: BBox, *, denominator: int | None = None
) -> int:
    """Draw the map into ``box`` (left, bottom, width, height) and return N of its 1:N scale.

    Without ``denominator`` the extent fills the box. With it the map is drawn at
    that scale (see ``standard_scale``) in a frame shrunk to the extent, at the top
    of the box, so the stated scale is exact on a print at 100 %.
    """
    register_fonts()
    left, bottom, box_w, box_h = box
    minx, miny, maxx, maxy = extent = extract.extent
    if denominator is not None:
        scale = 1000.0 / denominator * POINTS_PER_MM  # points per metre
        frame_w, frame_h = (maxx - minx) * scale, (maxy - miny) * scale
        left, bottom = left + (box_w - frame_w) / 2, bottom + (box_h - frame_h)
        box_w, box_h = frame_w, frame_h
    else:
        scale = min(box_w / (maxx - minx), box_h / (maxy - miny))
        denominator = round(scale_denominator(scale))
    off_x = left + (box_w - (maxx - minx) * scale) / 2
    off_y = bottom + (box_h - (maxy - miny) * scale) / 2

    def to_page(x: float, y: float) -> tuple[float, float]:
        return off_x + (x - minx) * scale, off_y + (y - miny) * scale

    visible = shapely.box(*extent)
    canvas.saveState()
    canvas.setStrokeColor(HexColor("#999999"))
    canvas.rect(left, bottom, box_w, box_h)
    clip = canvas.beginPath()
    clip.rect(left, bottom, box_w, box_h)
    canvas.clipPath(clip, stroke=0, fill=0)
    zones = [(zone, shapely.from_wkb(zone.geometry_wkb)) for zone in extract.zones]
    for zone, geometry in zones:
        _polygon(canvas, geometry, to_page, ZONE_STROKE, zone_fill(zone.symbol), dash=True)
    neighbours = [(n, shapely.from_wkb(n.geometry_wkb)) for n in extract.neighbours]
    for _, geometry in neighbours:
        _polygon(canvas, geometry, to_page, NEIGHBOUR_STROKE, None)
    parcel = shapely.from_wkb(extract.parcel.geometry_wkb)
    _polygon(canvas, parcel, to_page, PARCEL_STROKE, PARCEL_FILL, width=1.6)
    canvas.setFont(FONT_REGULAR, 7)
    canvas.setFillColor(HexColor("#333333"))
    for shape, geometry in neighbours:
        _label(canvas, geometry, visible, to_page, shape.label)
    canvas.setFont(FONT_BOLD, 8)
    canvas.setFillColor(HexColor("#6b4e16"))
    for zone, geometry in zones:
        # Below the centre, so a zone label never covers the parcel number.
        _label(canvas, geometry, visible, to_page, zone.symbol, dy=-9)
    canvas.setFont(FONT_BOLD, 10)
    canvas.setFillColor(HexColor("#b71c1c"))
    _label(canvas, parcel, visible, to_page, extract.parcel.label)
    canvas.restoreState()
    _scale_bar(canvas, left, bottom, box_w, scale)
    _north_arrow(canvas, left + box_w - 8 * mm, bottom + box_h - 14 * mm)
    return denominator


def _label(
    canvas: Canvas, geometry: Any, visible: Any, to_page: ToPage, text: str, dy: float = 0
) -> None:
    """Centre the text on the part of the shape inside the map, if any of it is."""
    part = shapely.intersection(geometry, visible)
    if shapely.is_empty(part) or not text:
        return
    point = shapely.point_on_surface(part)
    px, py = to_page(point.x, point.y)
    canvas.drawCentredString(px, py + dy, text)


def _scale_bar(canvas: Canvas, left: float, bottom: float, box_w: float, scale: float) -> None:
    """A round length of about a fifth of the frame, in the lower left corner."""
    raw = box_w / 5 / scale
    magnitude = 10 ** math.floor(math.log10(raw))
    metres = max(m * magnitude for m in (1, 2, 5) if m * magnitude <= raw)
    canvas.saveState()
    canvas.setStrokeColor(HexColor("#000000"))
    canvas.setLineWidth(1.5)
    sx, sy = left + 6 * mm, bottom + 6 * mm
    canvas.line(sx, sy, sx + metres * scale, sy)
    canvas.setLineWidth(0.8)
    for x in (sx, sx + metres * scale):
        canvas.line(x, sy - 2, x, sy + 2)
    canvas.setFont(FONT_REGULAR, 8)
    canvas.setFillColor(HexColor("#000000"))
    canvas.drawString(sx, sy + 3, f"{metres:g} m")
    canvas.restoreState()


def _north_arrow(canvas: Canvas, x: float, y: float) -> None:
    """An arrow pointing up (grid north of PL-1992) with "N" above it."""
    canvas.saveState()
    canvas.setFillColor(HexColor("#000000"))
    canvas.setStrokeColor(HexColor("#000000"))
    path = canvas.beginPath()
    path.moveTo(x, y + 8 * mm)
    path.lineTo(x - 2 * mm, y)
    path.lineTo(x, y + 2 * mm)
    path.lineTo(x + 2 * mm, y)
    path.close()
    canvas.drawPath(path, stroke=1, fill=1)
    canvas.setFont(FONT_BOLD, 9)
    canvas.drawCentredString(x, y + 9 * mm, "N")
    canvas.restoreState()


def _polygon(
    canvas: Canvas,
    geometry: Any,
    to_page: ToPage,
    stroke: Color,
    fill: Color | None,
    *,
    width: float = 0.6,
    dash: bool = False,
) -> None:
    path = canvas.beginPath()
    for polygon in shapely.get_parts(geometry):
        if shapely.get_type_id(polygon) != 3:  # only polygons have an area to draw
            continue
        for ring in (polygon.exterior, *polygon.interiors):
            for i, (x, y) in enumerate(shapely.get_coordinates(ring)):
                px, py = to_page(float(x), float(y))
                if i == 0:
                    path.moveTo(px, py)
                else:
                    path.lineTo(px, py)
            path.close()
    canvas.saveState()
    canvas.setStrokeColor(stroke)
    canvas.setLineWidth(width)
    if dash:
        canvas.setDash(3, 2)
    if fill is not None:
        canvas.setFillColor(fill)
    canvas.drawPath(path, stroke=1, fill=1 if fill is not None else 0, fillMode=0)
    canvas.restoreState()


# --- the map extract as a platypus flowable (wyrys) ----------------------------

_LEGEND_ROW = 5 * mm
_SWATCH = 7 * mm


class MapExtractFlowable(Flowable):
    """The map at a standard scale, the stated scale and the legend below it."""

    def __init__(
        self, extract: MapExtract, width: float, map_height: float, max_height: float = 215 * mm
    ) -> None:
        super().__init__()
        self.extract = extract
        self.width = width
        self._legend = self._legend_items()
        legend_height = 9 * mm + len(self._legend) * _LEGEND_ROW
        # A long legend takes room from the map, so map and legend stay on one page.
        map_height = min(map_height, max(40 * mm, max_height - legend_height))
        self.denominator = standard_scale(extract.extent, width, map_height)
        _, miny, _, maxy = extract.extent
        # The frame is as tall as the extent at that scale, so no empty band is left.
        self.map_height = (maxy - miny) * 1000.0 / self.denominator * POINTS_PER_MM
        self.height = self.map_height + legend_height

    def _legend_items(self) -> list[tuple[str, str]]:
        items = [
            ("parcel", f"działka objęta wypisem i wyrysem (nr {self.extract.parcel.label})"),
            ("neighbour", "granice i numery działek ewidencyjnych"),
        ]
        items += [
            (f"zone:{zone.symbol}", f"{zone.symbol} – {zone.designation}".rstrip(" –"))
            for zone in self.extract.legend_zones()
        ]
        if self.extract.zones:
            items.append(("boundary", "granica terenu o określonym przeznaczeniu w planie"))
        return items

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        top = self.height
        box = (0.0, top - self.map_height, self.width, self.map_height)
        draw_parcel_map(canvas, self.extract, box, denominator=self.denominator)
        y = top - self.map_height - 5 * mm
        canvas.setFillColor(HexColor("#000000"))
        canvas.setFont(FONT_BOLD, 9)
        canvas.drawString(0, y, f"Skala 1:{self.denominator}")
        canvas.drawString(40 * mm, y, "Legenda:")
        canvas.setFont(FONT_REGULAR, 8.5)
        for kind, text in self._legend:
            y -= _LEGEND_ROW
            self._swatch(canvas, kind, 40 * mm, y - 1, _SWATCH, 3 * mm)
            canvas.setFillColor(HexColor("#000000"))
            canvas.drawString(40 * mm + _SWATCH + 3 * mm, y, text)

    @staticmethod
    def _swatch(canvas: Canvas, kind: str, x: float, y: float, w: float, h: float) -> None:
        canvas.saveState()
        if kind == "parcel":
            canvas.setStrokeColor(PARCEL_STROKE)
            canvas.setLineWidth(1.6)
            canvas.setFillColor(PARCEL_FILL)
            canvas.rect(x, y, w, h, stroke=1, fill=1)
        elif kind == "neighbour":
            canvas.setStrokeColor(NEIGHBOUR_STROKE)
            canvas.setLineWidth(0.6)
            canvas.rect(x, y, w, h, stroke=1, fill=0)
        elif kind == "boundary":
            canvas.setStrokeColor(ZONE_STROKE)
            canvas.setDash(3, 2)
            canvas.line(x, y + h / 2, x + w, y + h / 2)
        else:
            canvas.setStrokeColor(ZONE_STROKE)
            canvas.setFillColor(zone_fill(kind.removeprefix("zone:")))
            canvas.rect(x, y, w, h, stroke=1, fill=1)
        canvas.restoreState()
