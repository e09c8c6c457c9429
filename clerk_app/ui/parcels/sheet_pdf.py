"""The parcel sheet as PDF (karta działki): attributes, plan zones with shares, and the map.

Pure reportlab (no Qt): the widget calls it with the data it already shows.
"""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path
from typing import Any

import shapely
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from clerk_app.documents.fonts import FONT_BOLD, FONT_REGULAR, register_fonts
from clerk_app.services.plan_zones import ParcelMap

_MARGIN = 18 * mm


def _ha(value: float | None) -> str:
    return "—" if value is None else f"{value:.4f} ha".replace(".", ",")


def write_parcel_sheet(path: Path | str, data: ParcelMap, *, generated_by: str = "") -> Path:
    """Write the sheet to ``path`` (one A4 page) and return the path."""
    register_fonts()
    target = Path(path)
    width, height = A4
    canvas = Canvas(str(target), pagesize=A4)
    s = data.details.summary
    canvas.setTitle(f"Karta działki {s.parcel_id}")
    canvas.setAuthor(generated_by or "Kancelaria")

    y = height - _MARGIN
    canvas.setFont(FONT_BOLD, 15)
    canvas.drawString(_MARGIN, y, f"Karta działki {s.parcel_id}")
    y -= 8 * mm
    rows = [
        ("Numer działki", s.number + (f" (arkusz {s.sheet})" if s.sheet else "")),
        ("Obręb", f"{s.precinct_code} {s.precinct_name}".strip()),
        ("Jednostka ewidencyjna", f"{s.unit_code} {s.unit_name}".strip()),
        ("Powiat, województwo", ", ".join(p for p in (s.county_name, s.voivodeship_name) if p)),
        ("Pole ewidencyjne", _ha(s.area_ha)),
        ("Pole z geometrii", _ha(data.details.geometry_area_ha)),
        ("Użytki", ", ".join(f"{c} {_ha(a)}" for c, a in data.details.land_use) or "—"),
        ("Adresy", "; ".join(data.details.addresses) or "—"),
        ("Źródło danych", f"{s.source}, stan na {data.details.updated_at:%Y-%m-%d}"),
    ]
    for label, value in rows:
        canvas.setFont(FONT_REGULAR, 9)
        canvas.setFillColor(HexColor("#555555"))
        canvas.drawString(_MARGIN, y, label)
        canvas.setFillColor(HexColor("#000000"))
        canvas.setFont(FONT_REGULAR, 10)
        canvas.drawString(_MARGIN + 45 * mm, y, value[:95])
        y -= 5.5 * mm
    y -= 2 * mm
    canvas.setFont(FONT_BOLD, 11)
    canvas.drawString(_MARGIN, y, "Przeznaczenie w planie (udział powierzchni działki)")
    y -= 6 * mm
    canvas.setFont(FONT_REGULAR, 10)
    if not data.shares.zones:
        canvas.drawString(_MARGIN, y, "Działka nie leży w żadnej strefie planu w lokalnej bazie.")
        y -= 5.5 * mm
    for zone in data.shares.zones:
        plan = f" — {zone.plan_name or zone.plan_id}" if (zone.plan_name or zone.plan_id) else ""
        line = f"{zone.symbol}: {zone.percent_label} ({zone.area_m2:.0f} m²){plan}"
        canvas.drawString(_MARGIN, y, line[:110])
        y -= 5.5 * mm
    if data.shares.zones and data.shares.uncovered_share > 0.001:
        canvas.drawString(
            _MARGIN,
            y,
            f"Poza strefami: {data.shares.uncovered_share * 100:.1f} %".replace(".", ","),
        )
        y -= 5.5 * mm

    box_top = y - 4 * mm
    box = (_MARGIN, _MARGIN + 12 * mm, width - 2 * _MARGIN, box_top - _MARGIN - 12 * mm)
    _draw_map(canvas, data, box)
    canvas.setFont(FONT_REGULAR, 8)
    canvas.setFillColor(HexColor("#555555"))
    canvas.drawString(
        _MARGIN,
        _MARGIN,
        f"Układ PL-1992 (EPSG:2180). Wygenerowano {datetime.now():%Y-%m-%d %H:%M}"
        + (f", {generated_by}" if generated_by else "")
        + ". Wydruk informacyjny z lokalnej bazy danych.",
    )
    canvas.showPage()
    canvas.save()
    return target


def _draw_map(canvas: Canvas, data: ParcelMap, box: tuple[float, float, float, float]) -> None:
    left, bottom, box_w, box_h = box
    minx, miny, maxx, maxy = data.extent
    scale = min(box_w / (maxx - minx), box_h / (maxy - miny))  # points per metre
    off_x = left + (box_w - (maxx - minx) * scale) / 2
    off_y = bottom + (box_h - (maxy - miny) * scale) / 2

    def to_page(x: float, y: float) -> tuple[float, float]:
        return off_x + (x - minx) * scale, off_y + (y - miny) * scale

    canvas.saveState()
    canvas.setStrokeColor(HexColor("#999999"))
    canvas.rect(left, bottom, box_w, box_h)
    clip = canvas.beginPath()
    clip.rect(left, bottom, box_w, box_h)
    canvas.clipPath(clip, stroke=0, fill=0)
    for zone in data.zones:
        _polygon(
            canvas,
            shapely.from_wkb(zone.geometry_wkb),
            to_page,
            stroke=HexColor("#8a6d3b"),
            fill=Color(0.95, 0.85, 0.6, alpha=0.45),
            dash=True,
        )
    for shape in data.neighbours:
        _polygon(
            canvas,
            shapely.from_wkb(shape.geometry_wkb),
            to_page,
            stroke=HexColor("#555555"),
            fill=None,
        )
    parcel = shapely.from_wkb(data.details.geometry_wkb)
    _polygon(
        canvas,
        parcel,
        to_page,
        stroke=HexColor("#c62828"),
        fill=Color(1.0, 0.84, 0.31, alpha=0.6),
        width=1.6,
    )
    canvas.setFont(FONT_REGULAR, 7)
    canvas.setFillColor(HexColor("#333333"))
    for shape in data.neighbours:
        point = shapely.point_on_surface(shapely.from_wkb(shape.geometry_wkb))
        px, py = to_page(point.x, point.y)
        canvas.drawCentredString(px, py, shape.number)
    canvas.setFont(FONT_BOLD, 8)
    canvas.setFillColor(HexColor("#6b4e16"))
    for zone in data.zones:
        point = shapely.point_on_surface(shapely.from_wkb(zone.geometry_wkb))
        px, py = to_page(point.x, point.y)
        canvas.drawCentredString(px, py - 9, zone.symbol)
    canvas.setFont(FONT_BOLD, 10)
    canvas.setFillColor(HexColor("#b71c1c"))
    point = shapely.point_on_surface(parcel)
    px, py = to_page(point.x, point.y)
    canvas.drawCentredString(px, py, data.details.summary.number)
    canvas.restoreState()
    # Scale bar: a round length of about a fifth of the frame.
    raw = box_w / 5 / scale
    magnitude = 10 ** math.floor(math.log10(raw))
    metres = max(m * magnitude for m in (1, 2, 5) if m * magnitude <= raw)
    canvas.setStrokeColor(HexColor("#000000"))
    canvas.setLineWidth(1.5)
    sx, sy = left + 6 * mm, bottom + 6 * mm
    canvas.line(sx, sy, sx + metres * scale, sy)
    canvas.setFont(FONT_REGULAR, 8)
    canvas.setFillColor(HexColor("#000000"))
    canvas.drawString(sx, sy + 3, f"{metres:g} m")
    canvas.drawRightString(left + box_w - 4 * mm, bottom + box_h - 6 * mm, "N ↑")


def _polygon(
    canvas: Canvas,
    geometry: Any,
    to_page: Any,
    *,
    stroke: Any,
    fill: Any,
    width: float = 0.6,
    dash: bool = False,
) -> None:
    path = canvas.beginPath()
    for polygon in shapely.get_parts(geometry):
        if shapely.get_type_id(polygon) != 3:
            continue
        for ring in (polygon.exterior, *polygon.interiors):
            coords = shapely.get_coordinates(ring)
            for i, (x, y) in enumerate(coords):
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
