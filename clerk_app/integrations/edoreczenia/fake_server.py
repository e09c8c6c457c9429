"""A local e-Doręczenia mailbox server for tests and demos (list, fetch, delete; bearer token)."""

from __future__ import annotations

import base64
import json
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, unquote, urlsplit


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
    def __init__(self, token: str = "token-testowy") -> None:
        self.token = token
        self.boxes: dict[str, list[FakeMessage]] = {}
        self.deleted: list[str] = []
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

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
            if auth != f"Bearer {self.token}":
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

    return Handler
