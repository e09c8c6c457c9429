"""Small readers for GML property values (text, numbers, areas, child lookup by local name)."""

from __future__ import annotations

from lxml import etree

XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
XLINK_TITLE = "{http://www.w3.org/1999/xlink}title"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"

ChildMap = dict[str, list[etree._Element]]


def text_of(element: etree._Element | None) -> str | None:
    if element is None or element.get(XSI_NIL) == "true":
        return None
    value = (element.text or "").strip()
    return value or None


def to_float(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value.replace(",", ".").replace(" ", ""))
    except ValueError:
        return None


def area_ha_of(element: etree._Element | None) -> float | None:
    value = to_float(text_of(element))
    if value is None or element is None:
        return value
    unit = (element.get("uom") or "ha").strip().lower()
    return value / 10_000.0 if unit in ("m2", "m^2", "m²", "urn:ogc:def:uom:epsg::9602") else value


def children_by_name(element: etree._Element) -> ChildMap:
    found: ChildMap = {}
    for child in element:
        tag = child.tag
        if isinstance(tag, str):  # skip comments; local name inlined: this runs per element
            found.setdefault(tag[tag.rfind("}") + 1 :], []).append(child)
    return found


def first_of(children: ChildMap, *names: str) -> etree._Element | None:
    for name in names:
        elements = children.get(name)
        if elements:
            return elements[0]
    return None


def descendant_text(element: etree._Element | None, name: str) -> str | None:
    if element is None:
        return None
    for child in element.iter(f"{{*}}{name}"):
        return text_of(child)
    return None
