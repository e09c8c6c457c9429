"""A local stand-in for ULDK: a small parcel dataset on 127.0.0.1 that can misbehave on demand.

Used by tests and for working offline on the parcel widget. It speaks the ULDK text protocol
(status line, ``|`` fields in the order of ``result=``, EWKT/EWKB), takes ``+`` in the query
literally as ULDK does, records every request, and reproduces the real service's quirks when
told to (:class:`Quirk`). Only EPSG:2180 is served.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

import shapely

SRID = 2180


class Quirk(StrEnum):
    """Misbehaviours of the real service the fake can reproduce."""

    HTML_PAGE = "html_page"
    """HTTP 200 with an HTML maintenance page instead of text."""
    SERVICE_ERROR = "service_error"
    """``-1`` with :attr:`FakeUldkServer.error_message`."""
    DATABASE_DISCONNECTED = "database_disconnected"
    """``-1 Brak połączenia ze zbiorczą bazą``."""
    DUPLICATE_ROWS = "duplicate_rows"
    """Every record line twice."""
    MISMATCH = "mismatch"
    """A parcel other than the one asked for."""
    SLOW = "slow"
    """Answer only after :attr:`FakeUldkServer.slow_seconds`."""
    UNAVAILABLE_503 = "unavailable_503"
    """HTTP 503 Service Unavailable."""


@dataclass(frozen=True, slots=True)
class FakeParcel:
    id: str
    region: str
    commune: str
    county: str
    voivodeship: str
    wkt: str
    """Geometry in EPSG:2180 (may be invalid on purpose)."""
    datasource: str = "fake"

    @property
    def number(self) -> str:
        return self.id.rsplit(".", 1)[1]


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    request: str
    params: dict[str, str]
    raw_query: str
    received_at: float
    """time.monotonic() when the request arrived."""


# Geometries of the first three come from recorded ULDK answers; the rest are made up.
DEFAULT_PARCELS: tuple[FakeParcel, ...] = (
    FakeParcel(
        "141201_1.0001.6509",
        "Mińsk Mazowiecki",
        "Mińsk Mazowiecki",
        "miński",
        "mazowieckie",
        "POLYGON((677047.4 481558.91,677009.54 481577.8,677033.52 481618.26,677045.44 481625.09,"
        "677062.41 481626.24,677076.78 481627.23,677082.74 481626.02,677047.4 481558.91))",
    ),
    FakeParcel(
        "022503_5.0003.134",
        "Krzewina",
        "Bogatynia",
        "zgorzelecki",
        "dolnośląskie",
        "POLYGON((216936.780566 358211.157314,216905.017714 358178.821458,"
        "216916.431762 358172.059717,216969.822756 358235.328759,217054.157538 358339.824309,"
        "217032.156395 358322.48633,216936.780566 358211.157314))",
    ),
    FakeParcel(
        "301903_2.0007.134",
        "Krzewina",
        "Kaczory",
        "pilski",
        "wielkopolskie",
        "POLYGON((357143.590312 582012.187165,357171.189869 581990.982699,"
        "357198.487619 581969.659709,357231.343201 582019.197403,357278.541769 582090.443646,"
        "357323.134739 582150.102651,357227.070646 582199.478226,357144.395303 582013.873562,"
        "357143.590312 582012.187165))",
    ),
    # Same number on two sheets of one precinct.
    FakeParcel(
        "066301_1.0021.AR_10.5/1",
        "Rury",
        "Lublin",
        "Lublin",
        "lubelskie",
        "POLYGON((745000 380000,745040 380000,745040 380030,745000 380030,745000 380000))",
    ),
    FakeParcel(
        "066301_1.0021.AR_11.5/1",
        "Rury",
        "Lublin",
        "Lublin",
        "lubelskie",
        "POLYGON((745500 380500,745530 380500,745530 380540,745500 380540,745500 380500))",
    ),
    # Two neighbours sharing the edge x = 645100 (a point on it hits both).
    FakeParcel(
        "146518_8.0108.27",
        "0108",
        "Warszawa-Wawer",
        "Warszawa",
        "mazowieckie",
        "POLYGON((645000 480000,645100 480000,645100 480100,645000 480100,645000 480000))",
    ),
    FakeParcel(
        "146518_8.0108.28",
        "0108",
        "Warszawa-Wawer",
        "Warszawa",
        "mazowieckie",
        "POLYGON((645100 480000,645200 480000,645200 480100,645100 480100,645100 480000))",
    ),
    # A self-intersecting "bow tie", as ULDK sometimes returns.
    FakeParcel(
        "126103_9.0008.3/9",
        "Nowa Huta 8",
        "Kraków-Nowa Huta",
        "Kraków",
        "małopolskie",
        "POLYGON((572000 245000,572050 245050,572050 245000,572000 245050,572000 245000))",
    ),
)

HTML_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>Przerwa techniczna</title></head>"
    "<body><h1>Usługa chwilowo niedostępna</h1></body></html>\n"
)


@dataclass
class _QuirkState:
    remaining: int | None
    """How many more requests it applies to; None for all until cleared."""


@dataclass
class _Answer:
    status: int = 200
    content_type: str = "text/plain; charset=utf-8"
    body: str = ""
    delay: float = 0.0


class FakeUldkServer:
    """Fake ULDK on ``127.0.0.1`` and an ephemeral port; use as a context manager.

    ``server.url`` is the base URL for :class:`UldkClient`. ``inject(quirk, times)`` makes the
    next ``times`` requests (all, if None) misbehave; ``requests`` lists what arrived.
    """

    def __init__(
        self,
        parcels: Iterable[FakeParcel] = DEFAULT_PARCELS,
        *,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.parcels: list[FakeParcel] = list(parcels)
        self.error_message = "wystąpił błąd"
        self.slow_seconds = 2.0
        self._tls_context = tls_context
        self._quirks: dict[Quirk, _QuirkState] = {}
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> FakeUldkServer:
        if self._httpd is not None:
            return self
        httpd = _Server(("127.0.0.1", 0), _Handler, self)
        if self._tls_context is not None:
            httpd.socket = self._tls_context.wrap_socket(httpd.socket, server_side=True)
        self._stopping.clear()
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, thread = self._httpd, self._thread
        if httpd is None:
            return
        self._stopping.set()  # wakes handlers sleeping for Quirk.SLOW
        httpd.shutdown()
        httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> FakeUldkServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the fake ULDK server is not running")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        scheme = "https" if self._tls_context is not None else "http"
        host = "localhost" if self._tls_context is not None else "127.0.0.1"
        return f"{scheme}://{host}:{self.port}/"

    def wait_unless_stopping(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True if the server began stopping meanwhile."""
        return self._stopping.wait(seconds)

    # -- quirks and records ---------------------------------------------------------------

    def inject(self, quirk: Quirk, times: int | None = None) -> None:
        with self._lock:
            self._quirks[quirk] = _QuirkState(times)

    def clear_quirks(self) -> None:
        with self._lock:
            self._quirks.clear()

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    # -- answering ------------------------------------------------------------------------

    def answer(self, raw_query: str) -> _Answer:
        params = _parse_query(raw_query)
        request = params.get("request", "")
        with self._lock:
            self._requests.append(RecordedRequest(request, params, raw_query, time.monotonic()))
            quirks = self._take_quirks()
        delay = self.slow_seconds if Quirk.SLOW in quirks else 0.0
        if Quirk.UNAVAILABLE_503 in quirks:
            return _Answer(503, "text/html; charset=utf-8", HTML_PAGE, delay)
        if Quirk.HTML_PAGE in quirks:
            return _Answer(200, "text/html; charset=utf-8", HTML_PAGE, delay)
        if Quirk.DATABASE_DISCONNECTED in quirks:
            return _Answer(body="-1 Brak połączenia ze zbiorczą bazą\n", delay=delay)
        if Quirk.SERVICE_ERROR in quirks:
            return _Answer(body=f"-1 {self.error_message}\n", delay=delay)
        body = self._answer_request(request, params, quirks)
        return _Answer(body=body, delay=delay)

    def _take_quirks(self) -> set[Quirk]:
        active: set[Quirk] = set()
        for quirk, state in list(self._quirks.items()):
            active.add(quirk)
            if state.remaining is not None:
                state.remaining -= 1
                if state.remaining <= 0:
                    del self._quirks[quirk]
        return active

    def _answer_request(self, request: str, params: dict[str, str], quirks: set[Quirk]) -> str:
        fields = [f for f in params.get("result", "geom_wkb").split(",") if f]
        unknown = [f for f in fields if f not in _FIELDS]
        if unknown:
            return f"-1 nieznane pole result: {','.join(unknown)}\n"
        if params.get("srid", str(SRID)) != str(SRID):
            return "-1 nieobsługiwany układ współrzędnych\n"
        if request == "GetParcelById":
            found = [p for p in self.parcels if p.id == params.get("id", "")]
        elif request == "GetParcelByIdOrNr":
            found = self._by_id_or_nr(params.get("id", ""))
        elif request == "GetParcelByXY":
            parsed = _parse_xy(params.get("xy", ""))
            if parsed is None:
                return "-1 błędne współrzędne\n"
            point = shapely.Point(*parsed)
            found = [p for p in self.parcels if shapely.intersects(_shape(p), point)]
        else:
            return f"-1 nieznane żądanie {request}\n"
        if Quirk.MISMATCH in quirks:
            found = [next(p for p in self.parcels if p not in found)]
        if not found:
            return "-1 brak wyników\n"
        lines = [_record(p, fields) for p in found]
        if Quirk.DUPLICATE_ROWS in quirks:
            lines = [line for line in lines for _ in range(2)]
        status = str(len(lines)) if request == "GetParcelByIdOrNr" else "0"
        return "\n".join([status, *lines]) + "\n"

    def _by_id_or_nr(self, query: str) -> list[FakeParcel]:
        exact = [p for p in self.parcels if p.id == query]
        if exact:
            return exact
        name, _, number = query.strip().rpartition(" ")
        return [
            p for p in self.parcels if p.number == number and p.region.casefold() == name.casefold()
        ]


_FIELDS = {
    "geom_wkb",
    "geom_wkt",
    "geom_extent",
    "teryt",
    "voivodeship",
    "county",
    "commune",
    "region",
    "parcel",
    "datasource",
}


def _shape(parcel: FakeParcel) -> Any:
    return shapely.from_wkt(parcel.wkt)


def _record(parcel: FakeParcel, fields: Sequence[str]) -> str:
    geom = _shape(parcel)
    values: dict[str, str] = {
        "geom_wkt": f"SRID={SRID};{shapely.to_wkt(geom, rounding_precision=-1)}",
        "geom_wkb": str(shapely.to_wkb(shapely.set_srid(geom, SRID), hex=True, include_srid=True)),
        "geom_extent": ",".join(f"{v:.2f}" for v in geom.bounds),
        "teryt": parcel.id,
        "voivodeship": parcel.voivodeship,
        "county": parcel.county,
        "commune": parcel.commune,
        "region": parcel.region,
        "parcel": parcel.number,
        "datasource": parcel.datasource,
    }
    return "|".join(values[f] for f in fields)


def _parse_query(raw_query: str) -> dict[str, str]:
    # Like ULDK: "%20" is a space, "+" stays a plus.
    params: dict[str, str] = {}
    for pair in raw_query.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        params[unquote(name)] = unquote(value)
    return params


def _parse_xy(text: str) -> tuple[float, float] | None:
    parts = text.split(",")
    if len(parts) == 3 and parts[2] != str(SRID):
        return None
    if len(parts) not in (2, 3):
        return None
    try:
        return float(parts[0]), float(parts[1])
    except ValueError:
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], fake: FakeUldkServer
    ) -> None:
        super().__init__(address, handler)
        self.fake = fake

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out or hang up mid-answer are part of the tests; stay quiet.
        pass


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        fake = self.server.fake
        answer = fake.answer(urlsplit(self.path).query)
        if answer.delay and fake.wait_unless_stopping(answer.delay):
            return  # shutting down: drop the slow answer
        payload = answer.body.encode("utf-8")
        self.send_response(answer.status, HTTPStatus(answer.status).phrase)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass
