"""KeepAliveTransport (http.client under the ePUAP SOAP client) against scripted raw servers:
connection reuse, reconnecting after an idle close, one write per request, and httpx's error
classes with httpx's meaning (the client's retry rules depend on them)."""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from clerk_app.integrations.epuap.client import ClientSettings, PullClient
from clerk_app.integrations.epuap.envelope import Mailbox
from clerk_app.integrations.epuap.errors import EpuapTransportError
from clerk_app.integrations.epuap.http11 import KeepAliveTransport, _Connection
from clerk_app.integrations.epuap.wssecurity import SigningIdentity

TIMEOUTS = {"connect": 2.0, "read": 2.0, "write": 2.0, "pool": 2.0}
Handler = Callable[[socket.socket, bytes], bool]  # (connection, request) -> keep open?


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return b""
        data += chunk
    head, _sep, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _c, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        body += conn.recv(65536)
    return data


class RawServer:
    """Accepts connections and hands each request to ``handler``; counts connections."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.connections = 0
        self.first_reads: list[bytes] = []
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self._stop = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def url(self, path: str = "/x") -> httpx.URL:
        return httpx.URL(f"http://127.0.0.1:{self.port}{path}")

    def _serve(self) -> None:
        self._sock.settimeout(0.2)
        while not self._stop:
            try:
                conn, _addr = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _talk(self, conn: socket.socket) -> None:
        with conn:
            while True:
                request = _read_request(conn)
                if not request or not self.handler(conn, request):
                    return

    def close(self) -> None:
        self._stop = True
        self._sock.close()


@pytest.fixture
def serve() -> Iterator[Callable[[Handler], RawServer]]:
    servers: list[RawServer] = []

    def start(handler: Handler) -> RawServer:
        servers.append(RawServer(handler))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def _answer(body: bytes, *extra: bytes) -> bytes:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n" % len(body)
    return head + b"".join(h + b"\r\n" for h in extra) + b"\r\n" + body


def _ok(conn: socket.socket, request: bytes) -> bool:
    conn.sendall(_answer(b"<ok>" + request.split(b"\r\n", 1)[0] + b"</ok>"))
    return True


def _post(transport: KeepAliveTransport, url: httpx.URL, body: bytes = b"<r/>") -> bytes:
    request = httpx.Request("POST", url, content=body, extensions={"timeout": TIMEOUTS})
    response = transport.handle_request(request)
    try:
        return response.status_code.to_bytes(2, "big") + b"".join(response.iter_bytes())
    finally:
        response.close()


def test_requests_share_one_kept_alive_connection(serve: Callable[[Handler], RawServer]) -> None:
    server = serve(_ok)
    transport = KeepAliveTransport()
    try:
        for _ in range(5):
            assert _post(transport, server.url()).endswith(b"<ok>POST /x HTTP/1.1</ok>")
    finally:
        transport.close()
    assert server.connections == 1


def test_connection_closed_by_server_while_idle_is_reopened(
    serve: Callable[[Handler], RawServer],
) -> None:
    def answer_then_close(conn: socket.socket, request: bytes) -> bool:
        _ok(conn, request)
        return False  # closes without saying "Connection: close" (an idle timeout)

    server = serve(answer_then_close)
    transport = KeepAliveTransport()
    try:
        _post(transport, server.url())
        time.sleep(0.2)  # the server's FIN has arrived
        # Without the check before reuse this request would be written into a dead
        # connection and fail after (possibly) being sent: fatal for potwierdzOdebranie.
        assert _post(transport, server.url()).endswith(b"</ok>")
    finally:
        transport.close()
    assert server.connections == 2


def test_connection_close_header_is_honoured(serve: Callable[[Handler], RawServer]) -> None:
    def close_after(conn: socket.socket, request: bytes) -> bool:
        conn.sendall(_answer(b"<ok/>", b"Connection: close"))
        return False

    server = serve(close_after)
    transport = KeepAliveTransport()
    try:
        _post(transport, server.url())
        _post(transport, server.url())  # no sleep: the header alone says "reconnect"
    finally:
        transport.close()
    assert server.connections == 2


def test_request_head_and_body_go_out_in_one_write() -> None:
    class Socket:
        def __init__(self) -> None:
            self.writes: list[bytes] = []

        def sendall(self, data: bytes) -> None:
            self.writes.append(bytes(data))

    connection = _Connection("127.0.0.1", 9)
    fake = Socket()
    connection.sock = fake  # type: ignore[assignment]
    body = b"<r>" + b"x" * 6000 + b"</r>"  # above http.client's own 2920-byte joining

    def head_and_body() -> None:
        connection.putrequest("POST", "/x", skip_accept_encoding=True)
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)

    connection.send_request(head_and_body)
    assert len(fake.writes) == 1
    assert fake.writes[0].startswith(b"POST /x HTTP/1.1\r\n") and fake.writes[0].endswith(body)


def test_refused_connection_is_a_connect_error() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # closed when the block ends: nothing listens there
    transport = KeepAliveTransport()
    with pytest.raises(httpx.ConnectError):
        _post(transport, httpx.URL(f"http://127.0.0.1:{port}/x"))


def test_body_cut_short_is_a_remote_protocol_error(serve: Callable[[Handler], RawServer]) -> None:
    def cut(conn: socket.socket, request: bytes) -> bool:
        answer = _answer(b"<ok>" + b"a" * 10_000 + b"</ok>")
        conn.sendall(answer[: len(answer) // 2])
        return False

    server = serve(cut)
    transport = KeepAliveTransport()
    for _ in range(2):  # the broken connection is dropped, not reused
        with pytest.raises(httpx.RemoteProtocolError):
            _post(transport, server.url())
    assert server.connections == 2


def test_no_answer_is_a_read_timeout(serve: Callable[[Handler], RawServer]) -> None:
    def silent(conn: socket.socket, request: bytes) -> bool:
        time.sleep(1.0)
        return False

    server = serve(silent)
    transport = KeepAliveTransport()
    request = httpx.Request(
        "POST", server.url(), content=b"<r/>", extensions={"timeout": {**TIMEOUTS, "read": 0.2}}
    )
    with pytest.raises(httpx.ReadTimeout):
        transport.handle_request(request)
    transport.close()


def test_answer_closed_before_status_line_is_a_remote_protocol_error(
    serve: Callable[[Handler], RawServer],
) -> None:
    server = serve(lambda conn, request: False)
    transport = KeepAliveTransport()
    with pytest.raises(httpx.RemoteProtocolError):
        _post(transport, server.url())


def test_gzip_answer_is_decoded(serve: Callable[[Handler], RawServer]) -> None:
    payload = b"<ok>" + "Żółć".encode() * 1000 + b"</ok>"

    def compressed(conn: socket.socket, request: bytes) -> bool:
        assert b"accept-encoding: gzip" in request.lower()
        conn.sendall(_answer(gzip.compress(payload), b"Content-Encoding: gzip"))
        return True

    server = serve(compressed)
    transport = KeepAliveTransport()
    try:
        request = httpx.Request(
            "POST",
            server.url(),
            content=b"<r/>",
            headers={"Accept-Encoding": "gzip, deflate"},
            extensions={"timeout": TIMEOUTS},
        )
        response = transport.handle_request(request)
        assert b"".join(response.iter_bytes()) == payload
        response.close()
    finally:
        transport.close()


def test_confirm_cut_off_after_sending_is_not_retried(
    office_box: Mailbox,
    office_identity: SigningIdentity,
    epuap_identity: SigningIdentity,
    serve: Callable[[Handler], RawServer],
) -> None:
    """The connection broke after the request went out: the server may have confirmed."""
    server = serve(lambda conn, request: False)  # accepts, then closes without answering
    settings = ClientSettings(
        base_url=f"http://127.0.0.1:{server.port}", max_attempts=3, backoff_initial=0.01
    )
    with (
        PullClient(settings, office_box, office_identity, [epuap_identity.certificate]) as pull,
        pytest.raises(EpuapTransportError, match="operacji nie powtórzono"),
    ):
        pull.confirm("skrót")
    assert server.connections == 1  # potwierdzOdebranie may have reached the server: no retry
