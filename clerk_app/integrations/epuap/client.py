"""HTTP clients for ePUAP: :class:`PullClient` (receive) and :class:`SendClient`.

Requests go straight to an httpx transport (by default :class:`KeepAliveTransport`, one
keep-alive connection on http.client), without httpx.Client's per-request machinery.

Each call builds the envelope, signs it (WS-Security), posts it, reads the answer with a size
cap, turns a SOAP fault into :class:`EpuapFault` *before* the signature check, then verifies
the answer's signature against the pinned ePUAP certificate and parses it.

Retries with exponential backoff happen on transport errors only, never on faults or HTTP
errors. Requests that change state are retried only when they certainly never reached the
server (connection errors): repeating a ``potwierdzOdebranie`` whose answer was lost could
otherwise remove the *next* document if the server does not check ``skrot``.
"""

from __future__ import annotations

import contextlib
import logging
import random
import re
import socket
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import httpx
from cryptography import x509
from lxml import etree

from clerk_app.integrations.epuap.envelope import (
    DEFAULT_MAX_RESPONSE_BYTES,
    SERVICE_PATHS,
    SOAP_ACTIONS,
    SOAP_CONTENT_TYPE,
    ConfirmResult,
    DeliveryRequest,
    DeliveryResult,
    FetchResult,
    Mailbox,
    Operation,
    PendingResult,
    SendRequest,
    SendResult,
    build_confirm_request,
    build_delivery_request,
    build_fetch_request,
    build_pending_request,
    build_send_request,
    parse_confirm_response,
    parse_delivery_response,
    parse_envelope,
    parse_fetch_response,
    parse_pending_response,
    parse_send_response,
    read_fault,
    serialize,
)
from clerk_app.integrations.epuap.errors import (
    EpuapHttpError,
    EpuapProtocolError,
    EpuapStatusError,
    EpuapTransportError,
)
from clerk_app.integrations.epuap.http11 import KeepAliveTransport
from clerk_app.integrations.epuap.payload import SPOOL_ABOVE, Payload, discard, head, spool_file
from clerk_app.integrations.epuap.wssecurity import (
    Detached,
    SigningIdentity,
    sign_envelope,
    verify_envelope,
)

log = logging.getLogger(__name__)

PRODUCTION_URL = "https://ws.epuap.gov.pl"
INTEGRATION_URL = "https://ws-int.epuap.gov.pl"

_IDEMPOTENT = frozenset({Operation.PENDING, Operation.FETCH})
# Errors raised before the request could reach the server.
_NOT_SENT_ERRORS: tuple[type[Exception], ...] = (httpx.ConnectError, httpx.ConnectTimeout)
# Errors after which the server may or may not have acted on the request.
_MAYBE_SENT_ERRORS: tuple[type[Exception], ...] = (
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
    httpx.PoolTimeout,
)


# What httpx.Client sent by default: ePUAP may compress its answers (decoded by httpx.Response;
# the size limit counts decoded bytes).
_DEFAULT_HEADERS = {
    "Accept": "*/*",
    "Accept-Encoding": "gzip, deflate",
    "Connection": "keep-alive",
    "User-Agent": f"python-httpx/{httpx.__version__}",
}


class ResponseTooLargeError(EpuapProtocolError):
    pass


@dataclass(frozen=True)
class ClientSettings:
    """Where and how to talk to ePUAP; timeouts in seconds (ePUAP may need minutes)."""

    base_url: str = PRODUCTION_URL
    connect_timeout: float = 15.0
    read_timeout: float = 300.0
    write_timeout: float = 120.0
    max_attempts: int = 4
    backoff_initial: float = 1.0
    backoff_max: float = 60.0
    verify_tls: bool | ssl.SSLContext = True
    verify_response_signatures: bool = True
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES

    def __post_init__(self) -> None:
        if not re.match(r"^https?://[^/\s]+", self.base_url):
            raise ValueError(f"Nieprawidłowy adres serwera ePUAP: {self.base_url!r}")
        if self.max_attempts < 1:
            raise ValueError("Liczba prób połączenia musi wynosić co najmniej 1")
        for name in ("connect_timeout", "read_timeout", "write_timeout"):
            if getattr(self, name) <= 0:
                raise ValueError(f"Limit czasu {name} musi być dodatni")


def _html_text(payload: bytes, limit: int = 200) -> str:
    text = payload[:4096].decode("utf-8", errors="replace")
    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", text)
    text = re.sub(r"<[^>]+>", " ", text)
    return " ".join(text.split())[:limit]


def http_client(
    settings: ClientSettings, transport: httpx.BaseTransport | None = None
) -> httpx.Client:
    """The HTTP client every ePUAP call uses: configured host, timeouts, TLS, no redirects."""
    if transport is None:
        # Headers and body go out as two writes: without TCP_NODELAY, Nagle holds the
        # body back until the server acknowledges the headers (a wait per request).
        transport = httpx.HTTPTransport(
            verify=settings.verify_tls,
            socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
        )
    return httpx.Client(
        base_url=settings.base_url.rstrip("/"),
        timeout=httpx.Timeout(
            connect=settings.connect_timeout,
            read=settings.read_timeout,
            write=settings.write_timeout,
            pool=settings.connect_timeout,
        ),
        verify=settings.verify_tls,
        transport=transport,
        follow_redirects=False,
    )


class _SoapClient:
    def __init__(
        self,
        settings: ClientSettings,
        identity: SigningIdentity,
        server_certificates: Sequence[x509.Certificate],
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if settings.verify_response_signatures and not server_certificates:
            raise ValueError(
                "Brak przypiętego certyfikatu ePUAP: bez niego nie można sprawdzić podpisu "
                "odpowiedzi (wskaż plik certyfikatu w ustawieniach)"
            )
        self.settings = settings
        self.identity = identity
        self.server_certificates = list(server_certificates)
        self._sleep = sleep
        # The transport is called directly: httpx.Client's per-request work (URL merging,
        # cookies, auth, redirects, hooks) is not needed for these fixed POSTs.
        self._transport: httpx.BaseTransport = transport or KeepAliveTransport(settings.verify_tls)
        base = settings.base_url.rstrip("/")
        self._urls = {
            operation: httpx.URL(base + path) for operation, path in SERVICE_PATHS.items()
        }
        self._timeouts = {
            "connect": settings.connect_timeout,
            "read": settings.read_timeout,
            "write": settings.write_timeout,
            "pool": settings.connect_timeout,
        }

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> _SoapClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _backoff(self, attempt: int) -> float:
        base = min(self.settings.backoff_max, self.settings.backoff_initial * 2 ** (attempt - 1))
        return base * random.uniform(0.5, 1.0)

    def _post_once(self, operation: Operation, payload: bytes) -> tuple[int, Payload]:
        """Status and body; a body over SPOOL_ABOVE goes to a spool file as it arrives."""
        headers = {
            **_DEFAULT_HEADERS,
            "Content-Type": SOAP_CONTENT_TYPE,
            "SOAPAction": f'"{SOAP_ACTIONS[operation]}"',
        }
        limit = self.settings.max_response_bytes
        request = httpx.Request(
            "POST",
            self._urls[operation],
            content=payload,
            headers=headers,
            extensions={"timeout": self._timeouts},
        )
        response = self._transport.handle_request(request)
        with contextlib.closing(response):
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise ResponseTooLargeError(
                    f"Odpowiedź ePUAP jest za duża ({declared} bajtów, limit {limit})"
                )
            chunks: list[bytes] = []
            size = 0
            spool: Path | None = None
            out = None
            try:
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise ResponseTooLargeError(
                            f"Odpowiedź ePUAP przekracza limit {limit} bajtów"
                        )
                    if out is None and size > SPOOL_ABOVE:
                        out, spool = spool_file("epuap-answer-")
                        out.writelines(chunks)
                        chunks.clear()
                    if out is not None:
                        out.write(chunk)
                    else:
                        chunks.append(chunk)
            except BaseException:
                if out is not None:
                    out.close()
                discard(spool)
                raise
            if out is not None and spool is not None:
                out.close()
                return response.status_code, spool
            return response.status_code, b"".join(chunks)

    def _post(self, operation: Operation, payload: bytes) -> tuple[int, Payload]:
        retry_on = _NOT_SENT_ERRORS + (_MAYBE_SENT_ERRORS if operation in _IDEMPOTENT else ())
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._post_once(operation, payload)
            except retry_on as exc:
                if attempt >= self.settings.max_attempts:
                    raise EpuapTransportError(
                        f"Brak odpowiedzi z ePUAP ({self.settings.base_url}) na "
                        f"{operation.value} po {attempt} próbach: {type(exc).__name__}: {exc}"
                    ) from exc
                delay = self._backoff(attempt)
                log.warning(
                    "ePUAP %s: %s (próba %d/%d), ponowienie za %.1f s",
                    operation.value,
                    type(exc).__name__,
                    attempt,
                    self.settings.max_attempts,
                    delay,
                )
                self._sleep(delay)
            except httpx.TransportError as exc:
                raise EpuapTransportError(
                    f"Połączenie z ePUAP ({self.settings.base_url}) przerwane podczas "
                    f"{operation.value}; operacji nie powtórzono, bo serwer mógł ją wykonać: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc

    def call(
        self,
        operation: Operation,
        envelope: etree._Element,
        detached: Detached | None = None,
    ) -> tuple[etree._Element, Payload]:
        """Sign, send and receive; returns the verified answer envelope and its raw bytes
        (a spool file when large: the caller owns it and removes it with ``payload.discard``).
        ``detached`` receives the answer's big text nodes (see ``verify_envelope``)."""
        sign_envelope(envelope, self.identity)
        status, raw = self._post(operation, serialize(envelope))
        try:
            return self._read_answer(operation, status, raw, detached), raw
        except BaseException:
            discard(raw)
            raise

    def _read_answer(
        self, operation: Operation, status: int, raw: Payload, detached: Detached | None
    ) -> etree._Element:
        start = head(raw)
        looks_like_xml = start.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") and (
            b"Envelope" in start[:2048]
        )
        if not looks_like_xml:
            if status != 200:
                raise EpuapHttpError(status, _html_text(start))
            raise EpuapProtocolError(
                f"Odpowiedź ePUAP na {operation.value} nie jest XML: {_html_text(start, 80)!r}"
            )
        try:
            answer = parse_envelope(raw, max_bytes=self.settings.max_response_bytes)
        except EpuapProtocolError:
            if status != 200:
                raise EpuapHttpError(status, _html_text(start)) from None
            raise
        # Faults first: they are often unsigned, and the clerk must see ePUAP's own message.
        fault = read_fault(answer, status)
        if fault is not None:
            raise fault
        if status != 200:
            raise EpuapHttpError(status, _html_text(start))
        if self.settings.verify_response_signatures:
            verify_envelope(answer, self.server_certificates, detached=detached)
        return answer


class PullClient(_SoapClient):
    """WS-Pull: count, fetch the head of the queue, confirm it (exactly-once is the caller's)."""

    def __init__(
        self,
        settings: ClientSettings,
        mailbox: Mailbox,
        identity: SigningIdentity,
        server_certificates: Sequence[x509.Certificate],
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(settings, identity, server_certificates, transport=transport, sleep=sleep)
        self.mailbox = mailbox

    def __enter__(self) -> PullClient:
        return self

    def pending(self) -> PendingResult:
        answer, raw = self.call(Operation.PENDING, build_pending_request(self.mailbox))
        discard(raw)
        result = parse_pending_response(answer)
        if result.status.code not in (0, 1):
            raise EpuapStatusError(
                Operation.PENDING.value, result.status.code, result.status.message
            )
        return result

    def fetch_next(self) -> FetchResult:
        """The head of the queue, or ``document=None`` when the queue is empty.

        An answer with kod other than 1 and no document is treated as an empty queue only
        for kod 0 (seen in the wild); any other code raises :class:`EpuapStatusError`.
        """
        detached: Detached = {}
        answer, raw = self.call(Operation.FETCH, build_fetch_request(self.mailbox), detached)
        try:
            result = parse_fetch_response(answer, raw, detached)
        except BaseException:
            discard(raw)
            raise
        del answer  # the tree of a big answer goes before the caller decodes anything else
        if result.document is None:
            discard(raw)
        if result.document is None and result.status.code not in (0, 1):
            raise EpuapStatusError(Operation.FETCH.value, result.status.code, result.status.message)
        return result

    def confirm(self, digest: str) -> ConfirmResult:
        """potwierdzOdebranie; raises :class:`EpuapStatusError` unless kod is 1."""
        answer, raw = self.call(Operation.CONFIRM, build_confirm_request(self.mailbox, digest))
        discard(raw)
        result = parse_confirm_response(answer)
        if not result.status.ok:
            raise EpuapStatusError(
                Operation.CONFIRM.value, result.status.code, result.status.message
            )
        return result


class SendClient(_SoapClient):
    """WS-Skrytka ``nadaj`` and WS-Doręczyciel ``dorecz``."""

    def __enter__(self) -> SendClient:
        return self

    def send(self, request: SendRequest) -> SendResult:
        answer, raw = self.call(Operation.SEND, build_send_request(request))
        discard(raw)
        result = parse_send_response(answer)
        if not result.status.ok:
            raise EpuapStatusError(Operation.SEND.value, result.status.code, result.status.message)
        return result

    def deliver(self, request: DeliveryRequest) -> DeliveryResult:
        answer, raw = self.call(Operation.DELIVER, build_delivery_request(request))
        discard(raw)
        result = parse_delivery_response(answer)
        if not result.status.ok:
            raise EpuapStatusError(
                Operation.DELIVER.value, result.status.code, result.status.message
            )
        return result
