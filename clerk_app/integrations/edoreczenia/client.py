"""httpx client of the e-Doręczenia mailbox API: list, fetch in full, delete (= acknowledge).

Paths follow uaapi_3.0.8.1.yaml (base ``/api/v1``): ``GET /{ade}/messages`` lists,
``GET /{ade}/messages/{id}?format=fullExtended`` returns the message with attachments (202 =
not ready yet, asked again), ``DELETE /{ade}/messages/{id}`` removes it — the last step, after
the message is stored. Authorisation: a bearer token from the caller (OAuth2 client credentials,
see :mod:`.oauth`); a 401 makes the token source drop its token and the request is sent once
more with a fresh one.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx


class EDoreczeniaError(Exception):
    """A request failed; the message is in Polish for the clerk."""


class EDoreczeniaNotReady(EDoreczeniaError):
    """The service keeps answering 202 (message being prepared)."""


@dataclass(frozen=True)
class EDeliveryAttachment:
    file_name: str
    content: bytes = field(repr=False)
    media_type: str


@dataclass(frozen=True)
class EDeliveryMessage:
    message_id: str
    subject: str
    sender_address: str
    sender_name: str
    timestamp: str
    text_body: str
    attachments: tuple[EDeliveryAttachment, ...]
    raw: bytes = field(repr=False)


def _path(address: str, *parts: str) -> str:
    return "/api/v1/" + "/".join(quote(p, safe="") for p in (address, *parts))


def parse_message(raw: bytes) -> EDeliveryMessage:
    try:
        data = json.loads(raw)
        message: dict[str, Any] = data[0] if isinstance(data, list) else data
        meta = message.get("messageMetadata") or {}
        sender = meta.get("from") or {}
        contributor = sender.get("contributor") or {}
        attachments = []
        for attachment in message.get("attachments") or []:
            file = attachment.get("file") or {}
            file_meta = file.get("fileMetadata") or {}
            attachments.append(
                EDeliveryAttachment(
                    file_name=str(file_meta.get("filename") or "zalacznik"),
                    content=base64.b64decode(file.get("file") or "", validate=True),
                    media_type=str(file_meta.get("contentType") or "application/octet-stream"),
                )
            )
        return EDeliveryMessage(
            message_id=str(meta["messageId"]),
            subject=str(meta.get("subject") or ""),
            sender_address=str(sender.get("eDeliveryAddress") or ""),
            sender_name=str(contributor.get("name") or sender.get("eDeliveryAddress") or ""),
            timestamp=str(meta.get("timestamp") or ""),
            text_body=str(message.get("textBody") or ""),
            attachments=tuple(attachments),
            raw=raw,
        )
    except (ValueError, KeyError, TypeError, IndexError, binascii.Error) as exc:
        raise EDoreczeniaError(f"Nieczytelna wiadomość e-Doręczeń: {exc}") from exc


class EDoreczeniaClient:
    def __init__(
        self,
        base_url: str,
        address: str,
        token: Callable[[], str],
        *,
        timeout: float = 60.0,
        verify: Any = True,
        not_ready_attempts: int = 5,
        not_ready_delay: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.address = address
        self._token = token
        self._attempts = not_ready_attempts
        self._delay = not_ready_delay
        self._sleep = sleep
        self._http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, verify=verify)

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self._token()}", "Accept": "application/json"}
        try:
            return self._http.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise EDoreczeniaError(f"Brak połączenia z e-Doręczeniami: {exc}") from exc

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = self._send(method, path, **kwargs)
        invalidate = getattr(self._token, "invalidate", None)
        if response.status_code == 401 and invalidate is not None:
            # Revoked or expired early: one fresh token, one more try (never a loop).
            invalidate()
            response = self._send(method, path, **kwargs)
        if response.status_code == 401:
            raise EDoreczeniaError("e-Doręczenia: brak uprawnień (token nieważny lub za mało praw)")
        if response.status_code >= 400 and response.status_code != 404:
            raise EDoreczeniaError(
                f"e-Doręczenia odpowiedziały HTTP {response.status_code}: {response.text[:200]}"
            )
        return response

    def list_messages(self, limit: int = 100) -> list[str]:
        response = self._request(
            "GET", _path(self.address, "messages"), params={"format": "minimal", "limit": limit}
        )
        try:
            data = response.json()
            return [str(m["messageMetadata"]["messageId"]) for m in data["messages"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise EDoreczeniaError(f"Nieczytelna lista wiadomości e-Doręczeń: {exc}") from exc

    def get_message(self, message_id: str) -> EDeliveryMessage:
        for attempt in range(1, self._attempts + 1):
            response = self._request(
                "GET",
                _path(self.address, "messages", message_id),
                params={"format": "fullExtended"},
            )
            if response.status_code == 202:
                if attempt < self._attempts:
                    self._sleep(self._delay)
                continue
            if response.status_code == 404:
                raise EDoreczeniaError(f"Wiadomość {message_id} zniknęła ze skrzynki")
            return parse_message(response.content)
        raise EDoreczeniaNotReady(f"Wiadomość {message_id} wciąż w przygotowaniu (HTTP 202)")

    def delete_message(self, message_id: str) -> None:
        """Remove after storing; 404 means it is already gone (an earlier delete applied)."""
        self._request("DELETE", _path(self.address, "messages", message_id))

    def close(self) -> None:
        self._http.close()
