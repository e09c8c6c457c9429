"""One ``EGB_DzialkaEwidencyjna`` read in a single pass: the hot loop of an EGiB import.

A county export holds hundreds of thousands of parcels, so this is written for speed, measured
against the other shapes (iterparse events per leaf element, a flat walk of the whole subtree):
one pass over the parcel's direct children dispatching on the full tag name, C-filtered
iteration inside the nested groups (the IIP identifier, inline land-use classes), and the
outline handed to the geometry batch as posList tokens. The result is a ``Draft`` holding a
tuple of fields; the record is built once the batch's geometry is finished.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from lxml import etree

from clerk_app.integrations.egib.crs import parse_srs_name
from clerk_app.integrations.egib.errors import FeatureRejected
from clerk_app.integrations.egib.feature_reader import Draft
from clerk_app.integrations.egib.geometry import GeometryReader, ReadGeometry, simple_outline
from clerk_app.integrations.egib.gml_values import (
    XLINK_HREF,
    area_ha_of,
    descendant_text,
    reference_key,
    text_of,
)
from clerk_app.integrations.egib.records import LandUse, ParcelRecord
from clerk_app.integrations.egib.surface_batch import SurfaceBatch

_PARCEL_ID = re.compile(r"^(\d{6}_\d)\.(\d{1,4})(?:\.(AR_?\d+))?\.(.+)$", re.IGNORECASE)

# What a child element of EGB_DzialkaEwidencyjna is, by its local name (several names are the
# pre-2021 and 2021 spellings of one attribute; the first one present wins).
_ID, _GEOMETRY, _AREA, _LAND_USE, _REGISTER_UNIT = range(5)
_PRECINCT, _ADDRESS, _LAND_REGISTER, _IIP, _END_OF_VERSION = range(5, 10)
_PARCEL_CHILDREN = {
    "idDzialki": _ID,
    "geometria": _GEOMETRY,
    "poleEwidencyjne": _AREA,
    "powierzchniaEwidencyjna": _AREA,
    "klasouzytek": _LAND_USE,
    "klasouzytekWGranicachDzialki": _LAND_USE,
    "JRG2": _REGISTER_UNIT,
    "JRG": _REGISTER_UNIT,
    "lokalizacjaDzialki": _PRECINCT,
    "lokalizacjaDzialki2": _PRECINCT,
    "adresDzialki": _ADDRESS,
    "numerKW": _LAND_REGISTER,
    "idIIP": _IIP,
    "koniecWersjaObiekt": _END_OF_VERSION,
}
_OFU, _OZU, _OZK, _LAND_USE_AREA = range(4)
_LAND_USE_CHILDREN = {"OFU": _OFU, "OZU": _OZU, "OZK": _OZK, "powierzchnia": _LAND_USE_AREA}
_IDENTIFIER_TAGS = ("{*}lokalnyId", "{*}wersjaId")
# Precinct links repeat for thousands of parcels; a county has hundreds of precincts.
_PRECINCT_KEYS_KEPT = 10_000


def split_parcel_id(parcel_id: str) -> tuple[str | None, str | None, str]:
    """(precinct code WWPPGG_R.OOOO, sheet AR_n, number) of an id; legacy ids keep what they can."""
    match = _PARCEL_ID.match(parcel_id.strip())
    if match is None:
        return None, None, parcel_id.rpartition(".")[2]
    unit, precinct, sheet, number = match.groups()
    if sheet is not None:
        sheet = "AR_" + sheet[2:].lstrip("_")
    return f"{unit}.{int(precinct):04d}", sheet, number


class EgibParcelReader:
    """Reads the parcels of one file, in the file's EGiB namespace.

    ``precinct_names`` (precinct key -> name) is the reader's map of precincts read so far;
    ``source`` names the schema on the records ("egib-2015", "egib-2021").
    """

    def __init__(
        self,
        namespace: str,
        geometry: GeometryReader,
        precinct_names: dict[str, str | None],
        source: str,
    ) -> None:
        self.tag = f"{{{namespace}}}EGB_DzialkaEwidencyjna"
        self._codes = {f"{{{namespace}}}{name}": c for name, c in _PARCEL_CHILDREN.items()}
        self._land_use_codes = {
            f"{{{namespace}}}{name}": c for name, c in _LAND_USE_CHILDREN.items()
        }
        self._geometry = geometry
        self._precinct_names = precinct_names
        self._precinct_keys: dict[str, str] = {}
        self._source = source
        self.archival = 0
        """Archival versions (``koniecWersjaObiekt`` set) skipped so far."""

    def read(self, feature: etree._Element, surfaces: SurfaceBatch) -> Draft | None:
        """The parcel's draft, its geometry added to ``surfaces``; None for an archival version.

        Raises ``FeatureRejected`` (nothing added to ``surfaces``) for a parcel that cannot be
        used, ``UnknownCrsError`` for an srsName no CRS matches.
        """
        codes = self._codes
        parcel_id = area_ha = land_register_number = local_id = version_id = None
        precinct_ref = register_unit_ref = register_unit = None
        geometry: etree._Element | None = None
        # Tuples, grown only for the parcels that have them (most have one land use at most).
        land_uses: tuple[LandUse, ...] = ()
        land_use_refs: tuple[str, ...] = ()
        address_refs: tuple[str, ...] = ()
        for child in feature:
            code = codes.get(child.tag)
            if code is None:
                continue
            if code == _GEOMETRY:
                if geometry is None:
                    geometry = child
            elif code == _ID:
                if parcel_id is None:
                    parcel_id = text_of(child)
            elif code == _LAND_USE:
                href = child.get(XLINK_HREF)
                if href:
                    land_use_refs += (reference_key(href),)
                else:
                    for inline in child:
                        land_use = self._land_use(inline)
                        if land_use is not None:
                            land_uses += (land_use,)
            elif code == _AREA:
                if area_ha is None:
                    area_ha = area_ha_of(child)
            elif code == _PRECINCT:
                if precinct_ref is None and (href := child.get(XLINK_HREF)):
                    precinct_ref = self._precinct_key(href)
            elif code == _REGISTER_UNIT:
                if register_unit_ref is None and register_unit is None:
                    href = child.get(XLINK_HREF)
                    register_unit_ref = reference_key(href) if href else None
                    if len(child):
                        register_unit = descendant_text(child, "idJednostkiRejestrowej")
            elif code == _ADDRESS:
                if href := child.get(XLINK_HREF):
                    address_refs += (reference_key(href),)
            elif code == _LAND_REGISTER:
                if land_register_number is None:
                    land_register_number = text_of(child)
            elif code == _IIP:
                # Any namespace: the pre-2021 schema puts them in bt: (modelPodstawowy).
                for value in child.iter(_IDENTIFIER_TAGS):
                    if value.tag.endswith("}lokalnyId"):
                        local_id = local_id or text_of(value)
                    else:
                        version_id = version_id or text_of(value)
            elif code == _END_OF_VERSION and text_of(child) is not None:
                self.archival += 1
                return None
        if parcel_id is None:
            raise FeatureRejected("brak identyfikatora działki (idDzialki)")
        precinct_code, sheet, number = split_parcel_id(parcel_id)
        if not number:
            raise FeatureRejected(f"niepoprawny identyfikator działki „{parcel_id}”")
        # Last: a feature rejected above must leave nothing in the batch.
        self._add_geometry(geometry, surfaces)
        line = feature.sourceline or 0
        fields = (
            parcel_id,
            number,
            self._source,
            line,
            precinct_code,
            self._precinct_names.get(precinct_ref) if precinct_ref else None,
            None,  # commune name: EGiB links the unit instead
            sheet,
            area_ha,
            land_uses,
            land_use_refs,
            address_refs,
            precinct_ref,
            register_unit_ref,
            register_unit,
            land_register_number,
            local_id,
            version_id,
        )
        return Draft(None, partial(_parcel_record, fields), parcel_id, line)

    def _add_geometry(self, holder: etree._Element | None, surfaces: SurfaceBatch) -> None:
        if holder is None:
            raise FeatureRejected("brak geometrii powierzchniowej")
        outline = simple_outline(holder)
        if outline is None:
            surfaces.add_area(self._geometry.parse_property(holder))
            return
        srs_name, text = outline
        surfaces.add_outline(parse_srs_name(srs_name), text.split())

    def _land_use(self, element: etree._Element) -> LandUse | None:
        """An inline EGB_Klasouzytek: its OFU, OZU, OZK and area (the first of each wins)."""
        codes = self._land_use_codes
        ofu = ozu = ozk = area = None
        for value in element:
            code = codes.get(value.tag)
            if code is None:
                continue
            if code == _LAND_USE_AREA:
                if area is None:
                    area = value
            else:
                text = text_of(value)
                if code == _OFU:
                    ofu = ofu or text
                elif code == _OZU:
                    ozu = ozu or text
                else:
                    ozk = ozk or text
        if ofu is None:
            return None
        return LandUse(ofu, ozu, ozk, area_ha_of(area))

    def _precinct_key(self, href: str) -> str:
        key = self._precinct_keys.get(href)
        if key is None:
            if len(self._precinct_keys) >= _PRECINCT_KEYS_KEPT:
                self._precinct_keys.clear()  # keeps memory flat on an odd file
            key = self._precinct_keys[href] = reference_key(href)
        return key


def _parcel_record(fields: tuple[Any, ...], geometry: ReadGeometry) -> ParcelRecord:
    # Positional, in ParcelRecord's field order: geometry third, source_epsg and repaired last.
    values = [*fields[:2], geometry.geometry, *fields[2:], geometry.source_epsg, geometry.repaired]
    return ParcelRecord(*values)
