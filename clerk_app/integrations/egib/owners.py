"""Owners in EGiB GML: ownership/possession shares, the subjects holding them, their addresses.

A parcel points at its land register unit (``JRG2``); shares point at the same unit
(``przedmiotUdzialu…/EGB_JednostkaRejestrowa/JRG``) and at a subject
(``podmiotUdzialu…/EGB_Podmiot/osobaFizyczna|instytucja1|malzenstwo|podmiotGrupowy…``).
Exports differ in the exact nesting, so links are found by element name, not by a fixed path.
Only what the clerk is shown is read: names, the share and the address (no PESEL).
"""

from __future__ import annotations

from lxml import etree

from clerk_app.integrations.egib.gml_values import XLINK_HREF, ChildMap, first_of, text_of

SHARE_OBJECTS = {
    "EGB_UdzialWeWlasnosci": "",
    "EGB_UdzialWlasnosci": "",
    "EGB_UdzialWeWladaniu": " władanie",
}
SUBJECT_OBJECTS = frozenset(
    {
        "EGB_OsobaFizyczna",
        "EGB_Instytucja",
        "EGB_PodmiotGrupowy",
        "EGB_Malzenstwo",
        "EGB_WspolnotaGruntowa",
    }
)
ADDRESS_OBJECTS = frozenset({"EGB_AdresZameldowania", "EGB_AdresPodmiotu"})
# Names of the link elements that point from a share or a group at a subject.
_SUBJECT_LINKS = ("osobaFizyczna", "instytucja", "malzenstwo", "podmiotGrupowy", "wspolnota")


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def share_parts(
    feature: etree._Element, children: ChildMap, suffix: str
) -> tuple[str | None, list[str], str]:
    """(register unit href, subject hrefs, share text) of a share object."""
    numerator = text_of(first_of(children, "licznikUlamkaOkreslajacegoWartoscUdzialu"))
    denominator = text_of(first_of(children, "mianownikUlamkaOkreslajacegoWartoscUdzialu"))
    share = f"{numerator or '1'}/{denominator or '1'}" if numerator or denominator else ""
    unit_href: str | None = None
    subjects: list[str] = []
    for child in feature:
        name = _local(child.tag)
        if name.startswith("przedmiot") or name in ("JRG", "JRG2"):
            unit_href = unit_href or _first_href(child, ("JRG",))
        elif name.startswith("podmiot"):
            own = child.get(XLINK_HREF)
            subjects.extend([own] if own else _hrefs(child, _SUBJECT_LINKS))
    return unit_href, subjects, (share + suffix).strip()


def subject_parts(
    name: str, feature: etree._Element, children: ChildMap
) -> tuple[str, str | None, list[str]]:
    """(display name, address href, member hrefs) of a subject object."""
    if name == "EGB_OsobaFizyczna":
        surname = "-".join(
            p
            for p in (
                text_of(first_of(children, "pierwszyCzlonNazwiska")),
                text_of(first_of(children, "drugiCzlonNazwiska")),
            )
            if p
        )
        given = " ".join(
            p
            for p in (
                text_of(first_of(children, "pierwszeImie")),
                text_of(first_of(children, "drugieImie")),
            )
            if p
        )
        display = " ".join(p for p in (given, surname) if p)
    else:
        display = text_of(first_of(children, "nazwaPelna", "nazwa", "nazwaSkrocona")) or ""
    members: list[str] = []
    if name == "EGB_Malzenstwo":
        for child in feature:
            if _local(child.tag).startswith("osobaFizyczna") and child.get(XLINK_HREF):
                members.append(child.get(XLINK_HREF, ""))
    address_href = None
    for child in feature:
        if _local(child.tag).startswith("adres") and child.get(XLINK_HREF):
            address_href = child.get(XLINK_HREF)
            break
    return display, address_href, members


def inline_address(feature: etree._Element) -> str | None:
    """An address written inside the subject (no link), as one line."""
    for child in feature:
        if _local(child.tag).startswith("adres") and len(child):
            for inner in child:
                if _local(inner.tag) in ADDRESS_OBJECTS:
                    return address_text(inner)
    return None


def address_text(element: etree._Element) -> str:
    """ "ulica 3/2, 00-001 Miejscowość" from an owner's address object."""
    values: dict[str, str] = {}
    for child in element:
        value = text_of(child)
        if value:
            values.setdefault(_local(child.tag), value)
    street = values.get("ulica") or values.get("nazwaUlicy") or ""
    house = values.get("numerPorzadkowy", "")
    if house and values.get("numerLokalu"):
        house = f"{house}/{values['numerLokalu']}"
    place = values.get("miejscowosc") or values.get("nazwaMiejscowosci") or ""
    postal = values.get("kodPocztowy", "")
    first = " ".join(p for p in (street, house) if p) if street else ""
    second = " ".join(p for p in (postal, place) if p)
    if not street and house:
        second = " ".join(p for p in (postal, place, house) if p)
    country = values.get("kraj", "")
    parts = [p for p in (first, second) if p]
    if country and country.upper() not in ("PL", "POLSKA"):
        parts.append(country)
    return ", ".join(parts)


def _first_href(element: etree._Element, names: tuple[str, ...]) -> str | None:
    if element.get(XLINK_HREF) and _local(element.tag) in names:
        return element.get(XLINK_HREF)
    for descendant in element.iter():
        if _local(descendant.tag) in names and descendant.get(XLINK_HREF):
            return descendant.get(XLINK_HREF)
    return element.get(XLINK_HREF)


def _hrefs(element: etree._Element, prefixes: tuple[str, ...]) -> list[str]:
    found = []
    for descendant in element.iter():
        href = descendant.get(XLINK_HREF)
        if href and _local(descendant.tag).startswith(prefixes):
            found.append(href)
    return found
