"""A lean httpx transport: HTTP/1.1 over one keep-alive connection, on :mod:`http.client`.

httpx's own stack (Client, httpcore's pool, h11) costs ≈ 0.7 ms of CPU per exchange; the
sync makes two exchanges per document, so it was a tenth of the sync's time. This transport
does the same job for ≈ 0.2 ms: one connection, kept alive, reopened when the server closed
it while idle. It raises httpx's exception types with httpx's meaning, so the retry rules of
:mod:`client` (connection errors: never sent; the others: maybe sent) hold unchanged:

- the connection cannot be opened → ``ConnectError`` / ``ConnectTimeout`` (nothing was sent);
- sending fails → ``WriteError`` / ``WriteTimeout``;
- the answer does not come or breaks off → ``ReadError`` / ``ReadTimeout`` /
  ``RemoteProtocolError``.

Content-Encoding (gzip, deflate) is decoded by ``httpx.Response`` as before, so the size
limit applied by the caller still counts decoded bytes.
"""

from __future__ import annotations

import http.client
import select
import socket
import ssl
from collections.abc import Callable, Iterator
from typing import Any

import httpx

_READ_CHUNK = 256 * 1024


def _timeout(request: httpx.Request, name: str) -> float | None:
    value = request.extensions.get("timeout", {}).get(name)
    return float(value) if value is not None else None


class _Body(httpx.SyncByteStream):
    """The answer's body; gives the connection back for reuse only when fully read."""

    def __init__(self, transport: KeepAliveTransport, response: http.client.HTTPResponse) -> None:
        self._transport = transport
        self._response = response
        self._done = False

    def __iter__(self) -> Iterator[bytes]:
        try:
            while chunk := self._response.read(_READ_CHUNK):
                yield chunk
        except TimeoutError as exc:
            raise httpx.ReadTimeout(str(exc) or "timed out") from exc
        except (http.client.IncompleteRead, http.client.HTTPException) as exc:
            raise httpx.RemoteProtocolError(
                f"peer closed connection without sending complete message body: {exc!r}"
            ) from exc
        except OSError as exc:
            raise httpx.ReadError(str(exc) or type(exc).__name__) from exc
        # http.client's read(amt) ends quietly when the connection closes before
        # Content-Length bytes came: left unchecked, a cut answer would pass as complete.
        missing = self._response.length
        if missing:
            raise httpx.RemoteProtocolError(
                f"peer closed connection without sending complete message body "
                f"({missing} bytes missing)"
            )
        self._done = True

    def close(self) -> None:
        reusable = self._done and not self._response.will_close
        self._response.close()
        self._transport._release(reusable)


class _Connection(http.client.HTTPConnection):
    """Request head and body in one write: http.client joins them only below 2920 bytes, and
    a second segment is a second wake-up of the server (and a Nagle wait without NODELAY)."""

    _held: list[bytes] | None = None

    def send(self, data: Any) -> None:
        if self._held is not None and isinstance(data, bytes | bytearray | memoryview):
            self._held.append(bytes(data))
        else:
            super().send(data)

    def send_request(self, head_and_body: Callable[[], None]) -> None:
        self._held = []
        try:
            head_and_body()
            held = b"".join(self._held)
        finally:
            self._held = None
        if held:
            super().send(held)


class _TlsConnection(http.client.HTTPSConnection, _Connection):
    pass


class KeepAliveTransport(httpx.BaseTransport):
    """One HTTP/1.1 connection to the host of each request; not for use by several threads."""

    def __init__(self, verify: bool | ssl.SSLContext = True) -> None:
        self._verify = verify
        self._ssl: ssl.SSLContext | None = None
        self._connection: _Connection | None = None
        self._origin: tuple[str, str, int] | None = None
        self._busy = False

    def _context(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = httpx.create_ssl_context(verify=self._verify)
        return self._ssl

    def _connect(self, request: httpx.Request) -> _Connection:
        url = request.url
        scheme = url.scheme
        port = url.port or (443 if scheme == "https" else 80)
        origin = (scheme, url.host, port)
        connection = self._connection
        if connection is not None and (origin != self._origin or not _still_open(connection)):
            connection.close()
            connection = self._connection = None
        if connection is not None:
            return connection
        timeout = _timeout(request, "connect")
        if scheme == "https":
            connection = _TlsConnection(url.host, port, timeout=timeout, context=self._context())
        elif scheme == "http":
            connection = _Connection(url.host, port, timeout=timeout)
        else:
            raise httpx.UnsupportedProtocol(f"Nieobsługiwany protokół {scheme!r}")
        try:
            connection.connect()
        except TimeoutError as exc:
            connection.close()
            raise httpx.ConnectTimeout(str(exc) or "timed out") from exc
        except OSError as exc:  # refused, unreachable, DNS, TLS handshake
            connection.close()
            raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
        if connection.sock is not None:
            # Headers and body go out in one write; no Nagle wait for small requests either.
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._connection, self._origin = connection, origin
        return connection

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self._busy:
            raise RuntimeError("KeepAliveTransport: poprzednia odpowiedź nie została zamknięta")
        connection = self._connect(request)
        body = request.read()
        sock = connection.sock
        try:
            if sock is not None:
                sock.settimeout(_timeout(request, "write"))
            target = request.url.raw_path.decode("ascii")

            def head_and_body() -> None:
                connection.putrequest(
                    request.method, target, skip_host=True, skip_accept_encoding=True
                )
                for name, value in request.headers.raw:
                    connection.putheader(name, value)
                connection.endheaders(body)

            connection.send_request(head_and_body)
        except TimeoutError as exc:
            self._drop()
            raise httpx.WriteTimeout(str(exc) or "timed out") from exc
        except (OSError, http.client.HTTPException) as exc:
            self._drop()
            raise httpx.WriteError(str(exc) or type(exc).__name__) from exc
        try:
            if sock is not None:
                sock.settimeout(_timeout(request, "read"))
            response = connection.getresponse()
        except TimeoutError as exc:
            self._drop()
            raise httpx.ReadTimeout(str(exc) or "timed out") from exc
        except http.client.HTTPException as exc:  # RemoteDisconnected, BadStatusLine...
            self._drop()
            raise httpx.RemoteProtocolError(str(exc) or type(exc).__name__) from exc
        except OSError as exc:
            self._drop()
            raise httpx.ReadError(str(exc) or type(exc).__name__) from exc
        self._busy = True
        return httpx.Response(
            response.status,
            headers=[(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.getheaders()],
            stream=_Body(self, response),
            extensions={"http_version": b"HTTP/1.1"},
            request=request,
        )

    def _release(self, reusable: bool) -> None:
        self._busy = False
        if not reusable:
            self._drop()

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = None
        self._origin = None

    def close(self) -> None:
        self._busy = False
        self._drop()


def _still_open(connection: http.client.HTTPConnection) -> bool:
    """False when the server closed the idle connection (or sent something unasked):
    reusing it would fail the next request after it was possibly sent."""
    sock = connection.sock
    if sock is None:
        return False
    try:
        readable, _w, _x = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable
