"""Planning zone readers: APP 2.0 ``StrefaPlanistyczna`` GML, and local plan layers (GML or
GeoJSON) whose zone symbol sits in a configurable attribute."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from clerk_app.integrations.egib.crs import SourceCrs, UnknownCrsError, parse_srs_name
from clerk_app.integrations.egib.errors import FeatureRejected, GmlImportError, ImportCancelled
from clerk_app.integrations.egib.feature_reader import Draft, GmlFeatureReader
from clerk_app.integrations.egib.geometry import RawRing, ReadGeometry, build_area, local_name
from clerk_app.integrations.egib.gml_values import (
    XLINK_HREF,
    XLINK_TITLE,
    children_by_name,
    descendant_text,
    first_of,
    text_of,
    to_float,
)
from clerk_app.integrations.egib.records import (
    ImportSummary,
    PlanActRecord,
    PlanZoneRecord,
    RejectedFeature,
)
from clerk_app.integrations.egib.xml_stream import MAX_FILE_BYTES, CancelCheck, ProgressCallback

APP_NAMESPACE_PREFIX = "https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/"
GEOJSON_MAX_BYTES = 512 * 1024**2

PlanRecord = PlanZoneRecord | PlanActRecord


def _reference_title(element: Any) -> str | None:
    """Code-list references carry the readable value in xlink:title, the code in the href."""
    if element is None:
        return None
    title = element.get(XLINK_TITLE)
    if title:
        return str(title).strip() or None
    href = element.get(XLINK_HREF)
    if href:
        return str(href).rstrip("/").rpartition("/")[2].rpartition("#")[2] or None
    return text_of(element)


class AppZoneReader(GmlFeatureReader):
    """APP GML (``…/schemas/app/1.0`` or ``2.0``): general plan zones and planning acts.

    ``plan_id``/``plan_name`` name the plan when the act is not in the same file.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        plan_id: str | None = None,
        plan_name: str | None = None,
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
        self._plan_id = plan_id
        self._plan_name = plan_name
        self._acts_by_namespace: dict[str, PlanActRecord] = {}

    def _label(self, feature: Any) -> str:
        designation = descendant_text(feature, "oznaczenie")
        return designation or local_name(feature)

    def _read_feature(self, feature: Any) -> Iterator[PlanRecord | Draft]:
        if self.summary.schema is None:
            app = next(
                (ns for ns in self._stream.namespaces if ns.startswith(APP_NAMESPACE_PREFIX)), None
            )
            if app is None:
                raise GmlImportError(
                    "to nie jest plik APP (brak przestrzeni nazw planowania przestrzennego)",
                    path=self.path,
                    line=feature.sourceline,
                )
            self.summary.schema = "app-" + app[len(APP_NAMESPACE_PREFIX) :].strip("/")
        name = local_name(feature)
        children = children_by_name(feature)
        identifier = first_of(children, "idIIP")
        namespace = descendant_text(identifier, "przestrzenNazw")
        local_id = descendant_text(identifier, "lokalnyId")
        if name == "AktPlanowaniaPrzestrzennego":
            pending = self._pending_area(first_of(children, "zasiegPrzestrzenny"))
            act = PlanActRecord(
                # Every object of one plan shares its IIP namespace: that is the plan's key.
                plan_id=namespace or local_id or "?",
                title=text_of(first_of(children, "tytul")),
                plan_type=_reference_title(first_of(children, "typPlanu")),
                status=_reference_title(first_of(children, "status")),
                valid_from=text_of(first_of(children, "obowiazujeOd")),
                boundary=None,
                line=feature.sourceline or 0,
            )
            if namespace:
                self._acts_by_namespace[namespace] = act
            yield Draft(
                pending,
                partial(_act_with_boundary, act),
                act.plan_id,
                act.line,
                counts=False,
            )
        elif name == "StrefaPlanistyczna":
            symbol = text_of(first_of(children, "symbol"))
            designation = text_of(first_of(children, "oznaczenie"))
            if symbol is None:
                raise FeatureRejected("strefa planistyczna bez symbolu")
            pending = self._pending_area(first_of(children, "geometria"))
            plan = first_of(children, "plan")
            plan_href = (plan.get(XLINK_HREF) or "").strip() if plan is not None else ""
            known_act = self._acts_by_namespace.get(namespace or "")
            height = first_of(children, "maksWysokoscZabudowy")
            build = partial(
                _zone_record,
                zone_id=f"{namespace}/{local_id}"
                if namespace
                else (local_id or designation or "?"),
                symbol=symbol,
                line=feature.sourceline or 0,
                designation=designation,
                name=_reference_title(first_of(children, "nazwa")),
                plan_id=self._plan_id
                or plan_href
                or (known_act.plan_id if known_act else namespace),
                plan_name=self._plan_name or (known_act.title if known_act else None),
                profiles=tuple(
                    title
                    for element in children.get("profilPodstawowy", [])
                    if (title := _reference_title(element))
                ),
                max_above_ground_intensity=to_float(
                    text_of(first_of(children, "maksNadziemnaIntensywnoscZabudowy"))
                ),
                max_built_up_share=to_float(
                    text_of(first_of(children, "maksUdzialPowierzchniZabudowy"))
                ),
                max_height_m=to_float(text_of(height)),
                min_biologically_active_share=to_float(
                    text_of(first_of(children, "minUdzialPowierzchniBiologicznieCzynnej"))
                ),
            )
            yield Draft(pending, build, designation or symbol, feature.sourceline or 0)

    def _finish(self) -> None:
        if self.summary.schema is None:
            raise GmlImportError("plik APP nie zawiera żadnych obiektów", path=self.path)


class GmlZoneLayerReader(GmlFeatureReader):
    """A commune's own GML layer of local plan (MPZP) zones.

    Every feature with a surface geometry is a zone; its symbol is read from
    ``symbol_attribute`` (matched regardless of letter case).
    """

    def __init__(
        self,
        path: Path | str,
        *,
        symbol_attribute: str,
        designation_attribute: str | None = None,
        plan_id: str | None = None,
        plan_name: str | None = None,
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
        self._symbol = symbol_attribute.lower()
        self._designation = designation_attribute.lower() if designation_attribute else None
        self._plan_id = plan_id
        self._plan_name = plan_name
        self._symbol_seen = False

    def _read_feature(self, feature: Any) -> Iterator[PlanRecord | Draft]:
        self.summary.schema = "gml-zones"
        values: dict[str, str | None] = {}
        geometry_holder = None
        for child in feature:
            name = local_name(child).lower()
            if len(child) and geometry_holder is None:
                geometry_holder = child
            elif name:
                values[name] = text_of(child)
        symbol = values.get(self._symbol)
        if self._symbol in values:
            self._symbol_seen = True
        if not symbol:
            raise FeatureRejected(f"brak symbolu strefy w atrybucie „{self._symbol}”")
        pending = self._pending_area(geometry_holder)
        gml_id = feature.get("{http://www.opengis.net/gml/3.2}id") or feature.get(
            "{http://www.opengis.net/gml}id"
        )
        zone_id = gml_id or f"{local_name(feature)}.{feature.sourceline}"
        build = partial(
            _zone_record,
            zone_id=zone_id,
            symbol=_strip_number(symbol),
            designation=values.get(self._designation) if self._designation else symbol,
            line=feature.sourceline or 0,
            plan_id=self._plan_id,
            plan_name=self._plan_name,
        )
        yield Draft(pending, build, zone_id, feature.sourceline or 0)

    def _finish(self) -> None:
        if self.summary.schema is None:
            raise GmlImportError("plik GML nie zawiera żadnych obiektów", path=self.path)
        if not self._symbol_seen:
            raise GmlImportError(
                f"żaden obiekt nie ma atrybutu symbolu strefy „{self._symbol}”", path=self.path
            )


def _act_with_boundary(act: PlanActRecord, geometry: ReadGeometry) -> PlanActRecord:
    return replace(act, boundary=geometry.geometry)


def _zone_record(geometry: ReadGeometry, **fields: Any) -> PlanZoneRecord:
    return PlanZoneRecord(
        geometry=geometry.geometry,
        source_epsg=geometry.source_epsg,
        repaired=geometry.repaired,
        **fields,
    )


def _strip_number(designation: str) -> str:
    """Local plan designations are a number plus letters ("3MN/U" -> "MN/U")."""
    stripped = designation.strip().lstrip("0123456789. ")
    return stripped or designation.strip()


class GeoJsonZoneReader:
    """A GeoJSON FeatureCollection of plan zones (loaded whole; such layers are small).

    Coordinates are easting/longitude first as GeoJSON prescribes; the CRS comes from the legacy
    ``crs`` member when present, else ``default_epsg`` (RFC 7946: WGS 84).
    """

    def __init__(
        self,
        path: Path | str,
        *,
        symbol_attribute: str,
        designation_attribute: str | None = None,
        plan_id: str | None = None,
        plan_name: str | None = None,
        default_epsg: int = 4326,
        progress: ProgressCallback | None = None,
        cancel: CancelCheck | None = None,
        max_bytes: int = GEOJSON_MAX_BYTES,
    ) -> None:
        self.path = Path(path)
        self.summary = ImportSummary(path=str(self.path), schema="geojson-zones")
        self._symbol = symbol_attribute
        self._designation = designation_attribute
        self._plan_id = plan_id
        self._plan_name = plan_name
        self._default_epsg = default_epsg
        self._progress = progress
        self._cancel = cancel
        self._max_bytes = max_bytes

    def __iter__(self) -> Iterator[PlanZoneRecord]:
        document = self._load()
        source = self._source_crs(document)
        features = document.get("features")
        if document.get("type") != "FeatureCollection" or not isinstance(features, list):
            raise GmlImportError(
                "plik GeoJSON nie jest kolekcją obiektów (FeatureCollection)", path=self.path
            )
        symbol_seen = False
        for index, feature in enumerate(features, start=1):
            if self._cancel is not None and self._cancel():
                self.summary.cancelled = True
                raise ImportCancelled()
            properties = feature.get("properties") if isinstance(feature, dict) else None
            properties = properties if isinstance(properties, dict) else {}
            lowered = {str(k).lower(): v for k, v in properties.items()}
            symbol_seen = symbol_seen or self._symbol.lower() in lowered
            label = str(feature.get("id", index)) if isinstance(feature, dict) else str(index)
            try:
                yield self._zone(feature, lowered, source, label)
                self.summary.read += 1
            except FeatureRejected as exc:
                self.summary.rejected.append(RejectedFeature(label, None, str(exc)))
        if not symbol_seen:
            raise GmlImportError(
                f"żaden obiekt nie ma atrybutu symbolu strefy „{self._symbol}”", path=self.path
            )

    def _load(self) -> dict[str, Any]:
        try:
            size = os.path.getsize(self.path)
            if size > self._max_bytes:
                raise GmlImportError(
                    f"plik GeoJSON przekracza dopuszczalny rozmiar {self._max_bytes} bajtów",
                    path=self.path,
                )
            with open(self.path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise GmlImportError(
                f"nie można otworzyć pliku: {exc.strerror}", path=self.path
            ) from exc
        self.summary.bytes_read = self.summary.total_bytes = size
        if self._progress is not None:
            self._progress(size, size)
        try:
            document = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            line = getattr(exc, "lineno", None)
            raise GmlImportError(
                "plik nie jest poprawnym plikiem GeoJSON (uszkodzony lub niekompletny)",
                path=self.path,
                line=line,
            ) from exc
        if not isinstance(document, dict):
            raise GmlImportError("plik GeoJSON nie jest obiektem JSON", path=self.path)
        return document

    def _source_crs(self, document: dict[str, Any]) -> SourceCrs:
        crs = document.get("crs")
        if crs is None:
            return SourceCrs(self._default_epsg, northing_first=False)
        name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
        if not isinstance(name, str):
            raise GmlImportError("nieczytelny opis układu współrzędnych (crs)", path=self.path)
        try:
            parsed = parse_srs_name(name)
        except UnknownCrsError as exc:
            raise GmlImportError(str(exc), path=self.path) from exc
        # GeoJSON always writes easting/longitude first, whatever the CRS's axis order.
        return SourceCrs(parsed.epsg, northing_first=False)

    def _zone(
        self, feature: Any, properties: dict[str, Any], source: SourceCrs, label: str
    ) -> PlanZoneRecord:
        symbol = properties.get(self._symbol.lower())
        if symbol is None or not str(symbol).strip():
            raise FeatureRejected(f"brak symbolu strefy w atrybucie „{self._symbol}”")
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        polygons = _geojson_polygons(geometry)
        result = build_area(polygons, source)
        self.summary.repaired += result.repaired
        self.summary.axis_swapped += result.axis_swapped
        designation = (
            properties.get(self._designation.lower()) if self._designation else str(symbol)
        )
        return PlanZoneRecord(
            zone_id=label,
            symbol=_strip_number(str(symbol)),
            designation=str(designation) if designation is not None else None,
            geometry=result.geometry,
            line=0,
            plan_id=self._plan_id,
            plan_name=self._plan_name,
            source_epsg=source.epsg,
            repaired=result.repaired,
        )


def _geojson_polygons(geometry: Any) -> list[list[RawRing]]:
    if not isinstance(geometry, dict):
        raise FeatureRejected("obiekt bez geometrii")
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    polygons: Any
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon":
        polygons = coordinates
    else:
        raise FeatureRejected(f"nieobsługiwany typ geometrii {kind}")
    if not isinstance(polygons, list) or not polygons:
        raise FeatureRejected("geometria bez współrzędnych")
    result: list[list[RawRing]] = []
    for polygon in polygons:
        rings: list[RawRing] = []
        for ring in polygon or []:
            try:
                array = np.array(ring, dtype=np.float64)
            except (TypeError, ValueError) as exc:
                raise FeatureRejected("niepoprawne liczby we współrzędnych") from exc
            if array.ndim != 2 or array.shape[1] < 2 or array.shape[0] < 3:
                raise FeatureRejected("pierścień ma mniej niż trzy wierzchołki")
            if not np.isfinite(array[:, :2]).all():
                raise FeatureRejected("niepoprawne liczby we współrzędnych")
            rings.append((array[:, 0].copy(), array[:, 1].copy()))
        if not rings:
            raise FeatureRejected("wielokąt bez granicy zewnętrznej")
        result.append(rings)
    return result
