"""A local e-Doręczenia mailbox server for tests and demos (list, fetch, delete; bearer token).

It is also the authorisation server: ``POST /oauth2/token`` issues bearer tokens for the
client-credentials grant to registered clients (secret by HTTP Basic, or a JWT client
assertion signed with the client's RSA key), each valid for ``token_lifetime`` seconds.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, unquote, unquote_plus, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

TOKEN_PATH = "/oauth2/token"
SCOPES = frozenset({"read_messages", "write_messages", "read_settings", "write_settings"})


@dataclass
class FakeMessage:
    subject: str
    sender_address: str
    sender_name: str
    text_body: str = ""
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)
    message_id: str = field(default_factory=lambda: str(uuid.uuid4()).upper())
    timestamp: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    not_ready: int = 0  # answer 202 this many times first

    def to_json(self) -> dict[str, object]:
        return {
            "messageMetadata": {
                "messageId": self.message_id,
                "subject": self.subject,
                "timestamp": self.timestamp,
                "shippingService": "electronic",
                "from": {
                    "eDeliveryAddress": self.sender_address,
                    "contributor": {"name": self.sender_name},
                },
            },
            "textBody": self.text_body,
            "attachments": [
                {
                    "order": i + 1,
                    "attachmentId": f"{self.message_id}-{i + 1}",
                    "file": {
                        "fileMetadata": {
                            "fileId": f"{self.message_id}-{i + 1}",
                            "filename": name,
                            "contentType": mime,
                            "size": len(content),
                        },
                        "file": base64.b64encode(content).decode("ascii"),
                    },
                }
                for i, (name, content, mime) in enumerate(self.attachments)
            ],
        }


class FakeEDoreczenia:
    def __init__(self, token: str = "token-testowy", token_lifetime: float = 3600.0) -> None:
        self.token = token  # a fixed token always accepted (tests that skip OAuth)
        self.token_lifetime = token_lifetime
        self.boxes: dict[str, list[FakeMessage]] = {}
        self.deleted: list[str] = []
        self.requests: list[tuple[str, str]] = []
        self.clients: dict[str, str] = {}  # client_id -> secret
        self.client_keys: dict[str, rsa.RSAPublicKey] = {}  # client_id -> assertion key
        self.issued: dict[str, float] = {}  # token -> expiry (monotonic clock)
        self.token_grants: list[str] = []  # client ids, one per token issued
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def register_client(
        self,
        client_id: str,
        *,
        secret: str | None = None,
        public_key: rsa.RSAPublicKey | None = None,
    ) -> None:
        with self._lock:
            if secret is not None:
                self.clients[client_id] = secret
            if public_key is not None:
                self.client_keys[client_id] = public_key

    def revoke_tokens(self) -> None:
        """Every issued token stops working (the API then answers 401)."""
        with self._lock:
            self.issued.clear()

    @property
    def token_url(self) -> str:
        return self.base_url + TOKEN_PATH

    def _authorised(self, auth: str) -> bool:
        if auth == f"Bearer {self.token}":
            return True
        if not auth.startswith("Bearer "):
            return False
        expiry = self.issued.get(auth.removeprefix("Bearer "))
        return expiry is not None and time.monotonic() < expiry

    def _client_from_assertion(self, form: dict[str, str]) -> str | None:
        if form.get("client_assertion_type") != (
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        ):
            return None
        client_id = form.get("client_id", "")
        key = self.client_keys.get(client_id)
        parts = form.get("client_assertion", "").split(".")
        if key is None or len(parts) != 3:
            return None
        try:
            claims = json.loads(_unb64url(parts[1]))
            key.verify(
                _unb64url(parts[2]),
                f"{parts[0]}.{parts[1]}".encode("ascii"),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except (ValueError, binascii.Error, InvalidSignature):
            return None
        fresh = isinstance(claims.get("exp"), int) and claims["exp"] > time.time()
        own = claims.get("iss") == client_id == claims.get("sub")
        return client_id if fresh and own and claims.get("aud") == self.token_url else None

    def token_grant(self, auth: str, body: bytes) -> tuple[int, object]:
        """``POST /oauth2/token`` (form-encoded client-credentials grant)."""
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        with self._lock:
            client_id: str | None = None
            if auth.startswith("Basic "):
                try:
                    pair = base64.b64decode(auth[6:], validate=True).decode("utf-8")
                except (binascii.Error, UnicodeDecodeError):
                    pair = ""
                name, _, secret = pair.partition(":")
                name, secret = unquote_plus(name), unquote_plus(secret)
                if name in self.clients and secrets.compare_digest(
                    self.clients[name].encode(), secret.encode()
                ):
                    client_id = name
            else:
                client_id = self._client_from_assertion(form)
            if client_id is None:
                return 401, {"error": "invalid_client"}
            if form.get("grant_type") != "client_credentials":
                return 400, {"error": "unsupported_grant_type"}
            if not set(form.get("scope", "").split()) <= SCOPES:
                return 400, {"error": "invalid_scope"}
            token = secrets.token_urlsafe(24)
            self.issued[token] = time.monotonic() + self.token_lifetime
            self.token_grants.append(client_id)
        return 200, {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": int(self.token_lifetime),
            "scope": form.get("scope", ""),
        }

    def add(self, address: str, message: FakeMessage) -> FakeMessage:
        with self._lock:
            self.boxes.setdefault(address, []).append(message)
        return message

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeEDoreczenia:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeEDoreczenia:
        return self.start()

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def handle(self, method: str, raw_path: str, auth: str) -> tuple[int, object]:
        url = urlsplit(raw_path)
        parts = [unquote(p) for p in url.path.split("/") if p]
        with self._lock:
            self.requests.append((method, url.path))
            if not self._authorised(auth):
                return 401, {"error": "unauthorized"}
            if parts[:2] != ["api", "v1"] or len(parts) < 4 or parts[3] != "messages":
                return 404, {"error": "not found"}
            box = self.boxes.get(parts[2], [])
            if len(parts) == 4 and method == "GET":
                limit = int(parse_qs(url.query).get("limit", ["20"])[0])
                listed = [{"messageMetadata": {"messageId": m.message_id}} for m in box[:limit]]
                return 200, {"messages": listed, "resultSize": len(listed), "total": len(box)}
            found = next((m for m in box if m.message_id == parts[4]), None)
            if found is None:
                return 404, {"error": "no such message"}
            if method == "DELETE":
                box.remove(found)
                self.deleted.append(found.message_id)
                return 200, [{"messageId": found.message_id}]
            if found.not_ready > 0:
                found.not_ready -= 1
                return 202, {"status": "PENDING"}
            return 200, [found.to_json()]


def _handler(fake: FakeEDoreczenia) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return

        def _answer(self, method: str) -> None:
            status, body = fake.handle(method, self.path, self.headers.get("Authorization", ""))
            payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            self._answer("GET")

        def do_DELETE(self) -> None:
            self._answer("DELETE")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(min(length, 65536))
            answer: object
            if urlsplit(self.path).path != TOKEN_PATH:
                status, answer = 404, {"error": "not found"}
            else:
                status, answer = fake.token_grant(self.headers.get("Authorization", ""), body)
            payload = json.dumps(answer).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
