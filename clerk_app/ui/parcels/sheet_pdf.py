"""The parcel sheet as PDF (karta działki): attributes, plan zones with shares, and the map.

Pure reportlab (no Qt): the widget calls it with the data it already shows; the map
itself is drawn by ``clerk_app.documents.parcel_map`` (shared with the wyrys).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from clerk_app.documents.fonts import FONT_BOLD, FONT_REGULAR, register_fonts
from clerk_app.documents.parcel_map import draw_parcel_map
from clerk_app.services.map_extracts import map_extract_of
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
    draw_parcel_map(canvas, map_extract_of(data), box)
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
