"""Client of ULDK, the national parcel location service (Usługa Lokalizacji Działek Katastralnych).

Handles the service's quirks (PARCELS.md): a status line then ``|`` records in request order,
EWKT/EWKB geometry, ``-1`` errors, HTML pages instead of text, duplicate rows, several rows for a
point on a boundary, results that do not match the query, "Brak połączenia ze zbiorczą bazą"
(retried), spaces sent as ``%20``. Calls are paced by a token bucket and answers, "not found"
included, are cached.
"""

from __future__ import annotations

import logging
import re
import ssl
import time
from collections.abc import Hashable, Sequence
from types import TracebackType
from typing import Literal
from urllib.parse import quote

import httpx
import shapely

from clerk_app.integrations.uldk.cache import NotFound, TtlCache
from clerk_app.integrations.uldk.errors import (
    UldkDatabaseDisconnected,
    UldkMismatch,
    UldkNotFound,
    UldkQueryError,
    UldkUnavailable,
)
from clerk_app.integrations.uldk.rate_limit import Clock, Sleep, TokenBucket
from clerk_app.integrations.uldk.response import (
    FIELD_COMMUNE,
    FIELD_COUNTY,
    FIELD_DATASOURCE,
    FIELD_EXTENT,
    FIELD_ID,
    FIELD_NUMBER,
    FIELD_REGION,
    FIELD_VOIVODESHIP,
    FIELD_WKB,
    FIELD_WKT,
    UldkParcel,
    parse_records,
)
from clerk_app.integrations.uldk.tls import uldk_ssl_context
from clerk_app.services.parcel_id import ParcelId, ParcelIdError

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://uldk.gugik.gov.pl/"
WORKING_SRID = 2180
WGS84_SRID = 4326

GeometryFormat = Literal["wkb", "wkt"]

# Rough envelopes of Poland; points outside are typing errors (often swapped X/Y).
_POLAND_2180 = (140_000.0, 120_000.0, 880_000.0, 910_000.0)  # easting min, northing min, max…
_POLAND_4326 = (14.0, 48.9, 24.2, 55.0)  # lon min, lat min, lon max, lat max
# A returned parcel farther than this from the queried point is not an answer to it.
_XY_MATCH_TOLERANCE_M = 1.0
# Characters ULDK takes literally; everything else (the space above all) is %-escaped.
_QUERY_SAFE = ",/;_.-"

_CacheValue = tuple[UldkParcel, ...]


class UldkClient:
    """Synchronous ULDK client; thread-safe, so background workers may share one."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float = 10.0,
        requests_per_second: float = 3.0,
        burst: int = 3,
        cache_ttl: float = 6 * 3600.0,
        not_found_ttl: float = 15 * 60.0,
        retries: int = 2,
        geometry_format: GeometryFormat = "wkb",
        ssl_context: ssl.SSLContext | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.retries = retries
        self.geometry_format: GeometryFormat = geometry_format
        self.ssl_context = ssl_context if ssl_context is not None else uldk_ssl_context()
        self.rate_limiter = TokenBucket(requests_per_second, burst, clock=clock, sleep=sleep)
        self.cache: TtlCache[_CacheValue] = TtlCache(
            ttl=cache_ttl, not_found_ttl=not_found_ttl, clock=clock
        )
        self._http = httpx.Client(
            timeout=timeout,
            verify=self.ssl_context,
            transport=transport,
            follow_redirects=True,
            headers={"User-Agent": "Kancelaria (clerk_app)"},
        )

    # -- public requests ------------------------------------------------------------------

    def get_parcel_by_id(self, parcel_id: ParcelId | str, *, refresh: bool = False) -> UldkParcel:
        """GetParcelById: the parcel with this id.

        Raises :class:`UldkNotFound`, :class:`UldkMismatch` when ULDK returns another parcel,
        :class:`UldkUnavailable`, :class:`UldkError`; ``refresh`` skips the cache.
        """
        wanted = _as_parcel_id(parcel_id)
        parcels = self._cached_call(
            "GetParcelById", {"id": str(wanted)}, ("GetParcelById", str(wanted)), refresh
        )
        matching = [p for p in parcels if p.parcel_id == wanted]
        if not matching:
            raise _mismatch(str(wanted), parcels)
        if len(matching) > 1:
            log.warning("ULDK returned %d different rows for %s", len(matching), wanted)
        return matching[0]

    def get_parcels_by_id_or_nr(
        self, query: ParcelId | str, *, refresh: bool = False
    ) -> list[UldkParcel]:
        """GetParcelByIdOrNr: a full id, or "precinct name + number" such as ``Krzewina 134``.

        Returns every matching parcel (one name may exist in several communes: show the
        commune); results that do not match the query are dropped, and if none is left
        :class:`UldkMismatch` is raised.
        """
        parcel_id = query if isinstance(query, ParcelId) else _try_parse_id(query)
        if parcel_id is not None:
            text = str(parcel_id)
            parcels = self._cached_call(
                "GetParcelByIdOrNr", {"id": text}, ("GetParcelByIdOrNr", text), refresh
            )
            matching = [p for p in parcels if p.parcel_id == parcel_id]
        else:
            name, number = _split_name_and_number(str(query))
            text = f"{name} {number}"
            key = ("GetParcelByIdOrNr", text.casefold())
            parcels = self._cached_call("GetParcelByIdOrNr", {"id": text}, key, refresh)
            matching = [p for p in parcels if p.number == number and _fold(p.region) == _fold(name)]
        if not matching:
            raise _mismatch(text, parcels)
        if len(matching) < len(parcels):
            log.warning(
                "ULDK returned %d parcels not matching %r: %s",
                len(parcels) - len(matching),
                text,
                [p.id for p in parcels if p not in matching],
            )
        return matching

    def get_parcels_by_xy(
        self, x: float, y: float, srid: int = WORKING_SRID, *, refresh: bool = False
    ) -> list[UldkParcel]:
        """GetParcelByXY: the parcel(s) at a point.

        ``x, y`` are easting and northing in EPSG:2180 (Polish geodetic X is the northing: swap
        what the clerk typed as X/Y), or longitude and latitude with ``srid=4326``. A point on
        a boundary gives several parcels.
        """
        _check_point_in_poland(x, y, srid)
        xy = f"{x:.2f},{y:.2f}" if srid == WORKING_SRID else f"{x:.7f},{y:.7f},{srid}"
        parcels = self._cached_call("GetParcelByXY", {"xy": xy}, ("GetParcelByXY", xy), refresh)
        if srid != WORKING_SRID:
            return list(parcels)
        point = shapely.Point(x, y)
        matching = [
            p
            for p in parcels
            if p.geometry.srid != WORKING_SRID
            or shapely.distance(p.geometry.shape, point) <= _XY_MATCH_TOLERANCE_M
        ]
        if not matching:
            raise _mismatch(f"{x:.2f}, {y:.2f}", parcels)
        return matching

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> UldkClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- plumbing -------------------------------------------------------------------------

    @property
    def fields(self) -> tuple[str, ...]:
        """Fields requested from ULDK, in order; records come back in the same order."""
        geometry = FIELD_WKB if self.geometry_format == "wkb" else FIELD_WKT
        return (
            FIELD_ID,
            FIELD_NUMBER,
            FIELD_REGION,
            FIELD_COMMUNE,
            FIELD_COUNTY,
            FIELD_VOIVODESHIP,
            FIELD_DATASOURCE,
            FIELD_EXTENT,
            geometry,
        )

    def _cached_call(
        self, request: str, params: dict[str, str], key: Hashable, refresh: bool
    ) -> _CacheValue:
        cache_key = (key, self.fields)
        if not refresh:
            cached = self.cache.get(cache_key)
            if isinstance(cached, NotFound):
                raise UldkNotFound(
                    "Usługa ULDK nie znalazła działki.", service_message=cached.service_message
                )
            if cached is not None:
                return cached
        try:
            parcels = self._call(request, params)
        except UldkNotFound as exc:
            self.cache.put(cache_key, NotFound(exc.service_message))
            raise
        self.cache.put(cache_key, parcels)
        return parcels

    def _call(self, request: str, params: dict[str, str]) -> _CacheValue:
        fields = self.fields
        query = {"request": request, **params, "result": ",".join(fields)}
        query["srid"] = str(WORKING_SRID)
        url = self._url(query)
        attempts = 1 + max(0, self.retries)
        for attempt in range(1, attempts + 1):
            try:
                body, content_type = self._get(url)
                records = parse_records(body, content_type, fields)
            except UldkDatabaseDisconnected:
                if attempt == attempts:
                    raise
                log.info("ULDK database disconnected, retry %d of %d", attempt, attempts - 1)
                continue
            return tuple(UldkParcel.from_fields(record) for record in records)
        raise AssertionError("unreachable")  # pragma: no cover

    def _url(self, query: dict[str, str]) -> httpx.URL:
        # Built by hand: httpx would encode spaces as "+", which ULDK takes literally.
        encoded = "&".join(
            f"{name}={quote(value, safe=_QUERY_SAFE)}" for name, value in query.items()
        )
        return httpx.URL(self.base_url).copy_with(query=encoded.encode("ascii"))

    def _get(self, url: httpx.URL) -> tuple[bytes, str | None]:
        self.rate_limiter.acquire()
        try:
            response = self._http.get(url)
        except httpx.TimeoutException as exc:
            raise UldkUnavailable(
                f"Usługa ULDK nie odpowiedziała w ciągu {self.timeout:g} s. "
                "Spróbuj później albo skorzystaj z danych lokalnych."
            ) from exc
        except httpx.TransportError as exc:
            raise UldkUnavailable(
                f"Nie można połączyć się z usługą ULDK ({self.base_url}): {exc}"
            ) from exc
        if response.status_code != 200:
            raise UldkUnavailable(
                f"Usługa ULDK odpowiedziała kodem HTTP {response.status_code} "
                f"({response.reason_phrase}). Spróbuj później albo skorzystaj z danych lokalnych."
            )
        return response.content, response.headers.get("content-type")


def _as_parcel_id(value: ParcelId | str) -> ParcelId:
    if isinstance(value, ParcelId):
        return value
    try:
        return ParcelId.parse(value)
    except ParcelIdError as exc:
        raise UldkQueryError(str(exc)) from exc


def _try_parse_id(text: str) -> ParcelId | None:
    # A full id has a unit code with dots after it; anything else is "name + number".
    if not re.match(r"^\s*\d{6}", text):
        return None
    try:
        return ParcelId.parse(text)
    except ParcelIdError as exc:
        raise UldkQueryError(str(exc)) from exc


def _split_name_and_number(text: str) -> tuple[str, str]:
    words = text.split()
    if len(words) < 2:
        raise UldkQueryError(
            f"Nie rozpoznano „{text.strip()}”: podaj pełny identyfikator działki albo nazwę "
            "obrębu i numer działki, np. „Krzewina 134”."
        )
    number = words[-1]
    if not re.fullmatch(r"\d+(?:/\d+)*[A-Za-z]?", number):
        raise UldkQueryError(
            f"Nieprawidłowy numer działki „{number}” w „{text.strip()}”: oczekiwano liczby "
            "lub liczby z ukośnikiem, np. 134 albo 134/2."
        )
    return " ".join(words[:-1]), number


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _check_point_in_poland(x: float, y: float, srid: int) -> None:
    if srid == WORKING_SRID:
        min_x, min_y, max_x, max_y = _POLAND_2180
        system = "PL-1992 (EPSG:2180)"
    elif srid == WGS84_SRID:
        min_x, min_y, max_x, max_y = _POLAND_4326
        system = "WGS84 (EPSG:4326, długość i szerokość)"
    else:
        raise UldkQueryError(
            f"Nieobsługiwany układ współrzędnych EPSG:{srid}; użyj PL-1992 (2180) lub WGS84 (4326)."
        )
    if not (min_x <= x <= max_x and min_y <= y <= max_y):
        raise UldkQueryError(
            f"Punkt ({x:g}, {y:g}) leży poza Polską w układzie {system}. "
            "Sprawdź, czy współrzędne nie są zamienione miejscami."
        )


def _mismatch(query: str, parcels: Sequence[UldkParcel]) -> UldkMismatch:
    returned = ", ".join(f"{p.id} ({p.region}, gm. {p.commune})" for p in parcels[:5])
    return UldkMismatch(
        f"Usługa ULDK zwróciła działki, które nie pasują do zapytania „{query}”: {returned}."
    )
