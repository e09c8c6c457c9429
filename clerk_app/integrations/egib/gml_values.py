"""Small readers for GML property values (text, numbers, areas, links, child lookup by name)."""

from __future__ import annotations

import re

from lxml import etree

XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
XLINK_TITLE = "{http://www.w3.org/1999/xlink}title"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"

ChildMap = dict[str, list[etree._Element]]


_VERSION_SUFFIX = re.compile(r"^\d{4}-\d{2}-\d{2}T")


def text_of(element: etree._Element | None) -> str | None:
    """The stripped text; None when empty or xsi:nil (nil checked last: empty is the usual)."""
    if element is None:
        return None
    value = element.text
    if not value:
        return None
    value = value.strip()
    if not value or element.get(XSI_NIL) == "true":
        return None
    return value


def to_float(value: str | None) -> float | None:
    """A number written with a decimal point or comma (and maybe spaces); None if it is not."""
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return float(value.replace(",", ".").replace(" ", ""))
    except ValueError:
        return None


def reference_key(href: str) -> str:
    """Normalise an xlink:href to the referenced object's local id (lokalnyId).

    EGiB links come as IIP URNs (``urn:pzgik:id:PL.PZGiK.1385.EGiB:<lokalnyId>[:<version>]``),
    as gml:ids (``PL.PZGiK.1004.EGiB_<lokalnyId>_<version>``) or as ``#gml-id``.
    """
    text = href.strip().removeprefix("#")
    if text.lower().startswith("urn:pzgik:id:"):
        rest = text[len("urn:pzgik:id:") :]
        _namespace, _, local = rest.partition(":")
        return local.partition(":")[0] or text
    parts = text.split("_")
    if len(parts) >= 3 and "." in parts[0]:
        if _VERSION_SUFFIX.match(parts[-1]):
            return "_".join(parts[1:-1])
        return "_".join(parts[1:])
    return text


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
