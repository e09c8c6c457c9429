"""Streaming readers for EGiB GML (pre-2021 and 2021 schemas) and county WFS ``…:dzialki`` layers.

Usage::

    reader = EgibGmlReader(path, progress=on_progress, cancel=worker.is_cancelled)
    for record in reader:          # ParcelRecord, PrecinctRecord, AddressRecord, ...
        store.add(record)
    reader.summary                 # read / rejected (with reasons) / repaired / axis swaps

A file-level problem raises ``GmlImportError``; a bad feature is recorded in
``summary.rejected`` and skipped; the cancel check raises ``ImportCancelled``. Records already
yielded before an exception belong to an unfinished batch: the store must roll them back.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from lxml import etree

from clerk_app.integrations.egib import owners
from clerk_app.integrations.egib.egib_parcels import EgibParcelReader, split_parcel_id
from clerk_app.integrations.egib.errors import FeatureRejected, GmlImportError
from clerk_app.integrations.egib.feature_reader import Draft, GmlFeatureReader
from clerk_app.integrations.egib.geometry import ReadGeometry, local_name
from clerk_app.integrations.egib.gml_values import (
    XLINK_HREF,
    ChildMap,
    area_ha_of,
    children_by_name,
    descendant_text,
    first_of,
    reference_key,
    text_of,
    to_float,
)
from clerk_app.integrations.egib.records import (
    AddressRecord,
    CadastralUnitRecord,
    LandUse,
    LandUseRecord,
    OwnershipShareRecord,
    ParcelRecord,
    PrecinctRecord,
    RegisterUnitRecord,
    SubjectAddressRecord,
    SubjectRecord,
)
from clerk_app.integrations.egib.surface_batch import SurfaceBatch
from clerk_app.integrations.egib.xml_stream import (
    MAX_FILE_BYTES,
    CancelCheck,
    ProgressCallback,
)

__all__ = ["EgibGmlReader", "WfsParcelReader", "reference_key", "split_parcel_id"]

EGIB_2015_NAMESPACE = "urn:gugik:specyfikacje:gmlas:ewidencjaGruntowBudynkow:1.0"
EGIB_2021_NAMESPACE_SUFFIX = "ewidencjaGruntowIBudynkow:1.0"

ReaderRecord = (
    ParcelRecord
    | PrecinctRecord
    | CadastralUnitRecord
    | RegisterUnitRecord
    | LandUseRecord
    | AddressRecord
    | OwnershipShareRecord
    | SubjectRecord
    | SubjectAddressRecord
)


def _object_key(feature: etree._Element, children: ChildMap) -> str:
    local_id = descendant_text(first_of(children, "idIIP"), "lokalnyId")
    if local_id:
        return local_id
    gml_id = feature.get("{http://www.opengis.net/gml/3.2}id") or feature.get(
        "{http://www.opengis.net/gml}id"
    )
    return reference_key(gml_id) if gml_id else f"wiersz-{feature.sourceline}"


def _parcel_record(geometry: ReadGeometry, **fields: Any) -> ParcelRecord:
    return ParcelRecord(
        geometry=geometry.geometry,
        source_epsg=geometry.source_epsg,
        repaired=geometry.repaired,
        **fields,
    )


def _sheet(value: str | None) -> str | None:
    """WFS sheet numbers come as "3" or "AR_3"; store the id form."""
    if not value:
        return None
    digits = value.upper().removeprefix("AR").lstrip("_ ")
    return f"AR_{digits}" if digits else None


class EgibGmlReader(GmlFeatureReader):
    """EGiB export (pre-2021 ``ewidencjaGruntowBudynkow`` or 2021 ``ewidencjaGruntowIBudynkow``).

    Yields parcels and the small objects they link to (precincts, cadastral units, register
    units, land-use classes, addresses). Archival versions (with ``koniecWersjaObiekt``) are
    skipped and counted. Precinct names are filled in when the precinct came earlier in the file.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        progress: ProgressCallback | None = None,
        cancel: CancelCheck | None = None,
        default_srs_name: str | None = None,
        max_bytes: int = MAX_FILE_BYTES,
    ) -> None:
        super().__init__(
            path,
            progress=progress,
            cancel=cancel,
            default_srs_name=default_srs_name,
            max_bytes=max_bytes,
        )
        self._egib_namespace: str | None = None
        self._parcels: EgibParcelReader | None = None
        # Precincts are few (hundreds per county), so keeping them costs no real memory.
        self._precinct_names: dict[str, str | None] = {}

    def _label(self, feature: etree._Element) -> str:
        parcel_id = descendant_text(feature, "idDzialki") if self._is_parcel(feature) else None
        return parcel_id or local_name(feature)

    def _is_parcel(self, feature: etree._Element) -> bool:
        return local_name(feature) == "EGB_DzialkaEwidencyjna"

    def _detect_schema(self, feature: etree._Element) -> None:
        namespaces = self._stream.namespaces
        if EGIB_2015_NAMESPACE in namespaces:
            self._egib_namespace, self.summary.schema = EGIB_2015_NAMESPACE, "egib-2015"
            return
        for namespace in namespaces:
            if namespace.endswith(EGIB_2021_NAMESPACE_SUFFIX):
                self._egib_namespace, self.summary.schema = namespace, "egib-2021"
                return
        raise GmlImportError(
            "to nie jest plik EGiB: brak przestrzeni nazw ewidencji gruntów i budynków "
            f"(pierwszy obiekt: {local_name(feature)})",
            path=self.path,
            line=feature.sourceline,
        )

    def _take(self, feature: etree._Element, queue: list[Any], surfaces: SurfaceBatch) -> None:
        parcels = self._parcels
        if parcels is None:
            parcels = self._start(feature)
        if feature.tag == parcels.tag:
            # The hot path: a parcel, read in one pass (see egib_parcels).
            draft = parcels.read(feature, surfaces)
            if draft is None:
                self.summary.skipped_archival = parcels.archival
            else:
                queue.append(draft)
            return
        super()._take(feature, queue, surfaces)

    def _start(self, feature: etree._Element) -> EgibParcelReader:
        """Tell the schema from the first feature; set up the parcel reader for its namespace."""
        self._detect_schema(feature)
        self._parcels = EgibParcelReader(
            self._egib_namespace or "",
            self._geometry,
            self._precinct_names,
            self.summary.schema or "egib",
        )
        return self._parcels

    def _read_feature(self, feature: etree._Element) -> Iterator[ReaderRecord | Draft]:
        """The objects parcels link to, and owners (parcels themselves go through ``_take``)."""
        name = local_name(feature)
        if not name.startswith("EGB_"):
            return
        children = children_by_name(feature)
        if name == "EGB_ObrebEwidencyjny":
            code = text_of(first_of(children, "idObrebu"))
            if code:
                key = _object_key(feature, children)
                precinct_name = text_of(first_of(children, "nazwaWlasna"))
                self._precinct_names[key] = precinct_name
                unit = first_of(children, "lokalizacjaObrebu")
                unit_ref = unit.get(XLINK_HREF) if unit is not None else None
                yield PrecinctRecord(
                    key, code, precinct_name, reference_key(unit_ref) if unit_ref else None
                )
        elif name == "EGB_JednostkaEwidencyjna":
            code = text_of(first_of(children, "idJednostkiEwid"))
            if code:
                yield CadastralUnitRecord(
                    _object_key(feature, children), code, text_of(first_of(children, "nazwaWlasna"))
                )
        elif name == "EGB_JednostkaRejestrowaGruntow":
            number = text_of(first_of(children, "idJednostkiRejestrowej"))
            if number:
                yield RegisterUnitRecord(_object_key(feature, children), number)
        elif name == "EGB_AdresNieruchomosci":
            yield self._address(feature, children)
        elif name in owners.SHARE_OBJECTS:
            unit_href, subject_hrefs, share = owners.share_parts(
                feature, children, owners.SHARE_OBJECTS[name]
            )
            if unit_href and subject_hrefs:
                yield OwnershipShareRecord(
                    _object_key(feature, children),
                    reference_key(unit_href),
                    tuple(reference_key(h) for h in subject_hrefs),
                    share,
                )
        elif name in owners.SUBJECT_OBJECTS:
            display, address_href, members = owners.subject_parts(name, feature, children)
            yield SubjectRecord(
                _object_key(feature, children),
                display,
                reference_key(address_href) if address_href else None,
                owners.inline_address(feature),
                tuple(reference_key(h) for h in members),
            )
        elif name in owners.ADDRESS_OBJECTS:
            yield SubjectAddressRecord(_object_key(feature, children), owners.address_text(feature))
        elif "OFU" in children:
            land_use = self._land_use(children)
            if land_use is not None:
                yield LandUseRecord(_object_key(feature, children), land_use)

    @staticmethod
    def _href(children: ChildMap, *names: str) -> str | None:
        element = first_of(children, *names)
        href = element.get(XLINK_HREF) if element is not None else None
        return reference_key(href) if href else None

    @staticmethod
    def _land_use(children: ChildMap) -> LandUse | None:
        ofu = text_of(first_of(children, "OFU"))
        if ofu is None:
            return None
        return LandUse(
            ofu=ofu,
            ozu=text_of(first_of(children, "OZU")),
            ozk=text_of(first_of(children, "OZK")),
            area_ha=area_ha_of(first_of(children, "powierzchnia")),
        )

    def _address(self, feature: etree._Element, children: ChildMap) -> AddressRecord:
        point = None
        for element in feature.iter("{*}Point"):
            point = self._geometry.read_point(element)
            break
        return AddressRecord(
            key=_object_key(feature, children),
            locality=text_of(first_of(children, "nazwaMiejscowosci")),
            street=text_of(first_of(children, "nazwaUlicy")),
            house_number=text_of(first_of(children, "numerPorzadkowy")),
            flat_number=text_of(first_of(children, "numerLokalu")),
            point=point,
        )

    def _finish(self) -> None:
        if self._egib_namespace is None:
            raise GmlImportError(
                "to nie jest plik EGiB: nie zawiera żadnych obiektów ewidencji", path=self.path
            )
        if (
            self.summary.read == 0
            and not self.summary.rejected
            and not (self.summary.skipped_archival)
        ):
            raise GmlImportError(
                "plik EGiB nie zawiera działek ewidencyjnych (EGB_DzialkaEwidencyjna)",
                path=self.path,
            )


# KIEG attribute names of county WFS parcel layers; servers vary the letter case.
_WFS_FIELDS = (
    "ID_DZIALKI",
    "NUMER_DZIALKI",
    "NUMER_ARKUSZA",
    "NUMER_OBREBU",
    "NAZWA_OBREBU",
    "NAZWA_GMINY",
    "POLE_EWIDENCYJNE",
    "KW",
    "GRUPA_REJESTROWA",
    "DATA",
)


class WfsParcelReader(GmlFeatureReader):
    """County WFS GetFeature output of a ``…:dzialki`` layer (ms:, ewns:, any prefix and case)."""

    def _label(self, feature: etree._Element) -> str:
        for child in feature:
            if local_name(child).upper() == "ID_DZIALKI" and text_of(child):
                return text_of(child) or ""
        return local_name(feature)

    def _read_feature(self, feature: etree._Element) -> Iterator[ReaderRecord | Draft]:
        if local_name(feature).lower() != "dzialki":
            return
        if self.summary.schema is None:
            self.summary.schema = "wfs-dzialki"
        values: dict[str, str | None] = {}
        geometry_holder: etree._Element | None = None
        for child in feature:
            name = local_name(child).upper()
            if name in _WFS_FIELDS:
                values[name] = text_of(child)
            elif geometry_holder is None and len(child):
                geometry_holder = child
        parcel_id = values.get("ID_DZIALKI")
        if not parcel_id:
            raise FeatureRejected("brak identyfikatora działki (ID_DZIALKI)")
        precinct_code, sheet, number = split_parcel_id(parcel_id)
        pending = self._pending_area(geometry_holder)
        sheet_value = values.get("NUMER_ARKUSZA")
        build = partial(
            _parcel_record,
            parcel_id=parcel_id,
            number=values.get("NUMER_DZIALKI") or number,
            source="wfs-dzialki",
            line=feature.sourceline or 0,
            precinct_code=precinct_code,
            precinct_name=values.get("NAZWA_OBREBU"),
            commune_name=values.get("NAZWA_GMINY"),
            sheet=sheet or _sheet(sheet_value),
            area_ha=to_float(values.get("POLE_EWIDENCYJNE")),
            land_register_number=values.get("KW"),
        )
        yield Draft(pending, build, parcel_id, feature.sourceline or 0)

    def _finish(self) -> None:
        if self.summary.schema is None:
            raise GmlImportError(
                "plik nie zawiera warstwy działek WFS (obiektów …:dzialki)", path=self.path
            )
