"""Reading ULDK text responses: status line, ``|``-separated records, EWKT/EWKB geometry."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import shapely

from clerk_app.integrations.uldk.errors import (
    UldkDatabaseDisconnected,
    UldkError,
    UldkNotFound,
    UldkUnavailable,
)
from clerk_app.services.parcel_id import ParcelId, ParcelIdError

log = logging.getLogger(__name__)

# Field names of the ULDK ``result=`` parameter that the client understands.
FIELD_ID = "teryt"
FIELD_NUMBER = "parcel"
FIELD_REGION = "region"
FIELD_COMMUNE = "commune"
FIELD_COUNTY = "county"
FIELD_VOIVODESHIP = "voivodeship"
FIELD_DATASOURCE = "datasource"
FIELD_EXTENT = "geom_extent"
FIELD_WKB = "geom_wkb"
FIELD_WKT = "geom_wkt"

_EWKT = re.compile(r"^\s*SRID=(\d+);(.+)$", re.DOTALL)
_HEX = re.compile(r"^[0-9A-Fa-f]+$")
# Texts after "-1" that mean "nothing found" rather than a failure.
_NOT_FOUND_HINTS = ("brak wynik", "nie znaleziono", "brak danych", "nie odnaleziono")
_DISCONNECTED_HINT = "brak połączenia"
_MAX_SERVICE_MESSAGE = 300


@dataclass(frozen=True, slots=True)
class UldkGeometry:
    """Parcel geometry as plain WKB (no SRID inside) plus its SRID, EPSG:2180 by default."""

    srid: int
    wkb: bytes

    @classmethod
    def parse(cls, text: str, default_srid: int = 2180) -> UldkGeometry:
        """Read EWKT (``SRID=2180;POLYGON((…))``), plain WKT or hex (E)WKB."""
        text = text.strip()
        try:
            if _HEX.match(text):
                geom = shapely.from_wkb(text)
                srid = int(shapely.get_srid(geom)) or default_srid
            else:
                match = _EWKT.match(text)
                srid = int(match.group(1)) if match else default_srid
                geom = shapely.from_wkt(match.group(2) if match else text)
        except (shapely.errors.GEOSException, ValueError) as exc:
            raise UldkError(
                f"Usługa ULDK zwróciła geometrię, której nie da się odczytać: {_shorten(text)}"
            ) from exc
        if geom is None or geom.is_empty:
            raise UldkError("Usługa ULDK zwróciła pustą geometrię działki.")
        return cls(srid=srid, wkb=shapely.to_wkb(geom, include_srid=False))

    @property
    def shape(self) -> Any:
        """The geometry as a shapely object."""
        return shapely.from_wkb(self.wkb)

    @property
    def wkt(self) -> str:
        return str(shapely.to_wkt(self.shape, rounding_precision=-1))

    @property
    def is_valid(self) -> bool:
        """False for self-intersecting polygons and the like, which ULDK does return."""
        return bool(shapely.is_valid(self.shape))


@dataclass(frozen=True, slots=True)
class UldkParcel:
    """One parcel as ULDK describes it."""

    id: str
    """The id exactly as ULDK returned it (``teryt`` field)."""
    parcel_id: ParcelId | None
    """The id parsed, or None when ULDK returned one that does not follow the grammar."""
    number: str
    region: str
    """Precinct (obręb) name."""
    commune: str
    county: str
    voivodeship: str
    datasource: str
    extent: tuple[float, float, float, float] | None
    """Bounding box (min x, min y, max x, max y) in the geometry's CRS."""
    geometry: UldkGeometry

    @classmethod
    def from_fields(cls, values: Mapping[str, str]) -> UldkParcel:
        geometry_text = values.get(FIELD_WKB) or values.get(FIELD_WKT) or ""
        if not geometry_text.strip():
            raise UldkError("Usługa ULDK nie zwróciła geometrii działki.")
        raw_id = values.get(FIELD_ID, "").strip()
        try:
            parcel_id: ParcelId | None = ParcelId.parse(raw_id, allow_legacy_number=True)
        except ParcelIdError:
            log.warning("ULDK returned a parcel id outside the grammar: %r", raw_id)
            parcel_id = None
        return cls(
            id=raw_id,
            parcel_id=parcel_id,
            number=values.get(FIELD_NUMBER, "").strip(),
            region=values.get(FIELD_REGION, "").strip(),
            commune=values.get(FIELD_COMMUNE, "").strip(),
            county=values.get(FIELD_COUNTY, "").strip(),
            voivodeship=values.get(FIELD_VOIVODESHIP, "").strip(),
            datasource=values.get(FIELD_DATASOURCE, "").strip(),
            extent=_parse_extent(values.get(FIELD_EXTENT, "")),
            geometry=UldkGeometry.parse(geometry_text),
        )


def parse_records(
    body: bytes, content_type: str | None, fields: Sequence[str]
) -> list[dict[str, str]]:
    """Split a ULDK response into records keyed by field name, duplicates removed.

    Raises :class:`UldkUnavailable` for HTML pages and empty bodies, :class:`UldkNotFound` for
    "-1" answers that mean nothing was found (and for an OK status with no records),
    :class:`UldkDatabaseDisconnected` for the intermittent database error, :class:`UldkError`
    for other "-1" answers and unreadable records.
    """
    if (content_type and "html" in content_type.lower()) or body.lstrip().startswith(b"<"):
        raise UldkUnavailable(
            "Usługa ULDK zwróciła stronę HTML zamiast danych (zwykle przerwa techniczna lub "
            "awaria po stronie GUGiK). Spróbuj później albo skorzystaj z danych lokalnych."
        )
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UldkError("Odpowiedź usługi ULDK nie jest poprawnym tekstem UTF-8.") from exc
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise UldkUnavailable("Usługa ULDK zwróciła pustą odpowiedź.")
    status, *record_lines = lines
    _check_status(status)
    records: list[dict[str, str]] = []
    seen: set[str] = set()
    for line in record_lines:
        if line in seen:
            continue  # ULDK sometimes repeats identical rows.
        seen.add(line)
        values = line.split("|")
        if len(values) != len(fields):
            raise UldkError(
                f"Usługa ULDK zwróciła wiersz z {len(values)} polami zamiast {len(fields)} "
                f"({', '.join(fields)}): {_shorten(line)}"
            )
        records.append(dict(zip(fields, values, strict=True)))
    if not records:
        raise UldkNotFound("Usługa ULDK nie znalazła działki.")
    return records


def _check_status(status: str) -> None:
    if status.startswith("-1"):
        message = status[2:].strip()
        folded = message.casefold()
        if not message or any(hint in folded for hint in _NOT_FOUND_HINTS):
            raise UldkNotFound("Usługa ULDK nie znalazła działki.", service_message=message)
        if _DISCONNECTED_HINT in folded:
            raise UldkDatabaseDisconnected(
                "Usługa ULDK chwilowo nie ma połączenia ze swoją bazą danych.",
                service_message=message,
            )
        raise UldkError(f"Usługa ULDK zgłosiła błąd: {_shorten(message)}", service_message=message)
    if not status.isdigit():
        raise UldkError(
            f"Nieoczekiwany wiersz statusu w odpowiedzi usługi ULDK: {_shorten(status)}"
        )


def _parse_extent(text: str) -> tuple[float, float, float, float] | None:
    parts = text.split(",")
    if len(parts) != 4:
        return None
    try:
        x1, y1, x2, y2 = (float(part) for part in parts)
    except ValueError:
        return None
    return (x1, y1, x2, y2)


def _shorten(text: str) -> str:
    return text if len(text) <= _MAX_SERVICE_MESSAGE else text[:_MAX_SERVICE_MESSAGE] + "…"
