"""Register the shipped TrueType fonts with reportlab.

DejaVu Sans covers every Polish letter (ą ć ę ł ń ó ś ź ż and capitals) and is
embedded (subset) into each PDF, so text stays selectable and searchable.
"""

from __future__ import annotations

from functools import cache

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from clerk_app.resources_path import resource_path

FONT_FAMILY = "DejaVuSans"
FONT_REGULAR = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
FONT_BOLD_ITALIC = "DejaVuSans-BoldOblique"


@cache
def register_fonts() -> str:
    """Register the family once per process and return its name for styles."""
    for name in (FONT_REGULAR, FONT_BOLD, FONT_ITALIC, FONT_BOLD_ITALIC):
        pdfmetrics.registerFont(TTFont(name, str(resource_path("fonts", f"{name}.ttf"))))
    addMapping(FONT_FAMILY, 0, 0, FONT_REGULAR)
    addMapping(FONT_FAMILY, 1, 0, FONT_BOLD)
    addMapping(FONT_FAMILY, 0, 1, FONT_ITALIC)
    addMapping(FONT_FAMILY, 1, 1, FONT_BOLD_ITALIC)
    return FONT_FAMILY
