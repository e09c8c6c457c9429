"""What did the planner type into the parcel search box?

One box takes a full parcel id (``141201_1.0001.6509``), "precinct number + parcel number"
relative to the office's commune (``0012 3/4``, ``12 AR_3 5``), "precinct name + parcel number"
(``Krzewina 134``), an address (``Polna 3``), or coordinates: PL-1992 or PL-2000 X/Y (Polish
geodetic X is the northing, so the order is detected and swapped when needed) or WGS84 degrees.
:func:`classify` turns the text into a :class:`SearchInput`; it does not touch the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from clerk_app.errors import ValidationError
from clerk_app.integrations.egib.crs import in_poland, to_working
from clerk_app.services.parcel_id import (
    CadastralUnit,
    ParcelId,
    ParcelIdError,
    UnitType,
)


class SearchKind(StrEnum):
    EMPTY = "empty"
    PARCEL_ID = "parcel_id"
    PRECINCT_NUMBER = "precinct_number"  # "0012 3/4" within the office commune
    NAME_NUMBER = "name_number"  # "Krzewina 134": a precinct name, or an address
    ADDRESS = "address"
    POINT = "point"


@dataclass(frozen=True, slots=True)
class PrecinctNumberQuery:
    """Precinct code + parcel number; ``unit_codes`` empty means "any unit in the store"."""

    precinct: str
    number: str
    sheet: str | None = None
    unit_codes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NameNumberQuery:
    """A name followed by a number: a precinct name + parcel number, or a street + house."""

    name: str
    number: str
    sheet: str | None = None


@dataclass(frozen=True, slots=True)
class PointCandidate:
    """One reading of typed coordinates, as EPSG:2180 easting/northing."""

    x: float
    y: float
    system: str
    """Human description, e.g. "PL-2000 strefa 7 (EPSG:2178)"."""
    swapped: bool = False
    """True when the two numbers were read in the opposite order to the one typed."""


@dataclass(frozen=True, slots=True)
class SearchInput:
    kind: SearchKind
    text: str
    parcel_id: ParcelId | None = None
    precinct_query: PrecinctNumberQuery | None = None
    name_query: NameNumberQuery | None = None
    address: str | None = None
    points: tuple[PointCandidate, ...] = field(default=())


_ID_START = re.compile(r"^\s*\d{6}\s*[_ ]?\s*\d\s*\.")
_NUMBER = r"\d+(?:/\d+)?"
_PRECINCT_NUMBER = re.compile(
    rf"^(?P<precinct>\d{{1,4}})(?:[\s.]+AR\s*_?\s*(?P<sheet>\d+))?[\s.]+(?P<number>{_NUMBER})$",
    re.IGNORECASE,
)
_NAME_NUMBER = re.compile(
    rf"^(?P<name>.*?[^\W\d_].*?)(?:\s+AR\s*_?\s*(?P<sheet>\d+))?\s+(?P<number>{_NUMBER})$",
    re.IGNORECASE,
)
_ADDRESS_PREFIX = re.compile(r"^(?:ul|al|pl|os|ulica|aleja|plac|osiedle)\b\.?\s*", re.IGNORECASE)
_COORDINATE = r"[-+]?\d{1,3}(?:[ \u00a0]?\d{3})*(?:[.,]\d+)?|[-+]?\d+(?:[.,]\d+)?"
_TWO_NUMBERS = re.compile(
    rf"^\s*(?:[XxNn]\s*[:=]?\s*)?(?P<a>{_COORDINATE})\s*°?\s*[NnEeSsWw]?\s*(?:[,;]\s*|\s+)"
    rf"(?:[YyEe]\s*[:=]?\s*)?(?P<b>{_COORDINATE})\s*°?\s*[NnEeSsWw]?\s*$"
)
# Anything below this is a precinct or parcel number, never a projected coordinate.
_MIN_PROJECTED = 10_000.0
# PL-2000 zones by the leading digit of the 7-digit easting: 5 -> EPSG:2176 ... 8 -> 2179.
_PL2000_ZONES = {5: 2176, 6: 2177, 7: 2178, 8: 2179}
_WGS84_LAT = (48.5, 55.2)
_WGS84_LON = (13.8, 24.5)
# Two readings closer than this are the same place.
_SAME_POINT_M = 1.0


def office_units(unit: CadastralUnit | str | None) -> tuple[str, ...]:
    """Cadastral unit codes of the office's commune, as they appear in parcel ids.

    An urban-rural commune (type 3) appears in ids as its town (``_4``) and rural part (``_5``).
    Accepts ``141201_1``, ``1412011`` (the 7-digit TERYT of the office) or a CadastralUnit.
    """
    if unit is None or unit == "":
        return ()
    if isinstance(unit, str):
        text = unit.strip()
        if re.fullmatch(r"\d{7}", text):
            text = f"{text[:6]}_{text[6]}"
        try:
            unit = CadastralUnit.parse(text)
        except ParcelIdError as exc:
            raise ValidationError(f"Kod gminy urzędu: {exc}") from exc
    if unit.unit_type is UnitType.URBAN_RURAL_COMMUNE:
        return (f"{unit.commune_code}_4", f"{unit.commune_code}_5")
    return (str(unit),)


def classify(text: str, office_unit: CadastralUnit | str | None = None) -> SearchInput:
    """Read one search-box input; raise ValidationError (Polish) when it cannot be used."""
    stripped = " ".join(text.split())
    if not stripped:
        return SearchInput(SearchKind.EMPTY, stripped)
    if _ID_START.match(stripped):
        try:
            return SearchInput(SearchKind.PARCEL_ID, stripped, parcel_id=ParcelId.parse(stripped))
        except ParcelIdError as exc:
            raise ValidationError(str(exc)) from exc
    points = _coordinates(stripped)
    if points is not None:
        return SearchInput(SearchKind.POINT, stripped, points=points)
    match = _PRECINCT_NUMBER.match(stripped)
    if match:
        number = match.group("number")
        _check_number(number, stripped)
        sheet = match.group("sheet")
        if sheet is not None and int(sheet) == 0:
            raise ValidationError(f"Nieprawidłowy numer arkusza mapy „{sheet}” w „{stripped}”.")
        query = PrecinctNumberQuery(
            precinct=match.group("precinct").zfill(4),
            number=number,
            sheet=sheet,
            unit_codes=office_units(office_unit),
        )
        if query.precinct == "0000":
            raise ValidationError(
                f"Nieprawidłowy numer obrębu w „{stripped}”: oczekiwano liczby od 1 do 9999."
            )
        return SearchInput(SearchKind.PRECINCT_NUMBER, stripped, precinct_query=query)
    prefix = _ADDRESS_PREFIX.match(stripped)
    if prefix or "," in stripped:
        return SearchInput(
            SearchKind.ADDRESS,
            stripped,
            address=stripped[prefix.end() :].strip() if prefix else stripped,
        )
    match = _NAME_NUMBER.match(stripped)
    if match:
        number = match.group("number")
        if not _has_zero_component(number):
            query_name = NameNumberQuery(
                name=match.group("name").strip(), number=number, sheet=match.group("sheet")
            )
            return SearchInput(
                SearchKind.NAME_NUMBER, stripped, name_query=query_name, address=stripped
            )
    if re.fullmatch(r"[\d\s./,]+", stripped):
        raise ValidationError(
            f"Nie rozpoznano „{stripped}”: podaj identyfikator działki (np. "
            "141201_1.0001.1867/2), numer obrębu i działki (np. 0012 3/4), nazwę obrębu i "
            "numer (np. Krzewina 134), adres albo współrzędne."
        )
    return SearchInput(SearchKind.ADDRESS, stripped, address=stripped)


def _check_number(number: str, original: str) -> None:
    if _has_zero_component(number):
        raise ValidationError(
            f"Nieprawidłowy numer działki „{number}” w „{original}”: oczekiwano liczby "
            "lub liczby z ukośnikiem, np. 1867 albo 1867/2."
        )


def _has_zero_component(number: str) -> bool:
    return any(piece.isdigit() and int(piece) == 0 for piece in number.split("/"))


def _to_float(text: str) -> float:
    return float(text.replace("\u00a0", "").replace(" ", "").replace(",", "."))


def _coordinates(text: str) -> tuple[PointCandidate, ...] | None:
    """Candidates for typed coordinates; None when the text is not a coordinate pair."""
    match = _TWO_NUMBERS.match(text)
    if not match:
        return None
    raw_a, raw_b = match.group("a"), match.group("b")
    a, b = _to_float(raw_a), _to_float(raw_b)
    has_decimals = any(sep in raw for raw in (raw_a, raw_b) for sep in ".,")
    if abs(a) < _MIN_PROJECTED and abs(b) < _MIN_PROJECTED:
        if not has_decimals or max(abs(a), abs(b)) > 180:
            return None  # "12 5" is a precinct and a number, handled by the caller
        return _wgs84(a, b, text)
    if abs(a) < _MIN_PROJECTED or abs(b) < _MIN_PROJECTED:
        raise ValidationError(
            f"Nie rozpoznano współrzędnych „{text}”: jedna liczba jest za mała na współrzędną "
            "w układzie PL-1992 lub PL-2000."
        )
    candidates: list[PointCandidate] = []
    # Typed as geodetic X (northing), Y (easting) first: that is what Polish maps print.
    for northing, easting, swapped in ((a, b, False), (b, a, True)):
        candidates.extend(_projected(easting, northing, swapped))
    unique: list[PointCandidate] = []
    for candidate in candidates:
        if all(
            abs(candidate.x - seen.x) > _SAME_POINT_M or abs(candidate.y - seen.y) > _SAME_POINT_M
            for seen in unique
        ):
            unique.append(candidate)
    if not unique:
        raise ValidationError(
            f"Punkt „{text}” leży poza Polską w układach PL-1992 i PL-2000 (sprawdzono obie "
            "kolejności X/Y). Sprawdź liczby."
        )
    return tuple(unique)


def _projected(easting: float, northing: float, swapped: bool) -> list[PointCandidate]:
    found: list[PointCandidate] = []
    if 1_000_000 <= easting < 10_000_000:
        epsg = _PL2000_ZONES.get(int(easting // 1_000_000))
        if epsg is not None:
            x, y = to_working(epsg, np.array([easting]), np.array([northing]))
            if in_poland(float(x[0]), float(y[0])):
                zone = int(easting // 1_000_000)
                found.append(
                    PointCandidate(
                        float(x[0]), float(y[0]), f"PL-2000 strefa {zone} (EPSG:{epsg})", swapped
                    )
                )
    elif easting < 1_000_000 and northing < 1_000_000 and in_poland(easting, northing):
        found.append(PointCandidate(easting, northing, "PL-1992 (EPSG:2180)", swapped))
    return found


def _wgs84(a: float, b: float, text: str) -> tuple[PointCandidate, ...]:
    readings = []
    for lat, lon, swapped in ((a, b, False), (b, a, True)):
        if _WGS84_LAT[0] <= lat <= _WGS84_LAT[1] and _WGS84_LON[0] <= lon <= _WGS84_LON[1]:
            readings.append((lon, lat, swapped))
    for lon, lat, swapped in readings:
        x, y = to_working(4326, np.array([lon]), np.array([lat]))
        if in_poland(float(x[0]), float(y[0])):
            return (PointCandidate(float(x[0]), float(y[0]), "WGS84 (EPSG:4326)", swapped),)
    raise ValidationError(
        f"Punkt „{text}” leży poza Polską w układzie WGS84 (szerokość 49–55°, długość 14–24°)."
    )
