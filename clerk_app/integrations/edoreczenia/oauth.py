"""OAuth 2.0 client-credentials tokens for e-Doręczenia (RFC 6749 §4.4).

The office system authenticates at the authorisation server either with its client secret
(HTTP Basic, RFC 6749 §2.3.1) or with a short JWT signed by the system certificate's key
(``private_key_jwt``, RFC 7523), and asks for the scopes of uaapi (``read_messages``,
``write_messages``). The token is cached until shortly before ``expires_in`` runs out;
:meth:`ClientCredentialsToken.invalidate` drops it (the API answered 401) so the next call
asks again.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from clerk_app.integrations.edoreczenia.client import EDoreczeniaError

DEFAULT_SCOPES = ("read_messages", "write_messages")
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# Renew this long before the server's expiry: a token must not run out mid-request.
EXPIRY_MARGIN = 30.0


class TokenRequestFailed(EDoreczeniaError):
    """The authorisation server refused or could not be reached (message in Polish)."""


@dataclass(frozen=True)
class ClientKey:
    """``private_key_jwt``: the system certificate's RSA key signs the client assertion."""

    private_key: rsa.RSAPrivateKey
    key_id: str = ""  # ``kid`` the authorisation server knows the certificate by


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def client_assertion(client_id: str, audience: str, key: ClientKey, now: float) -> str:
    """A signed JWT (RS256) naming the client as issuer and subject, valid for 5 minutes."""
    header: dict[str, Any] = {"alg": "RS256", "typ": "JWT"}
    if key.key_id:
        header["kid"] = key.key_id
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "jti": uuid.uuid4().hex,
        "iat": int(now),
        "exp": int(now) + 300,
    }
    signing_input = ".".join(
        _b64url(json.dumps(part, separators=(",", ":")).encode("utf-8"))
        for part in (header, claims)
    )
    signature = key.private_key.sign(
        signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256()
    )
    return f"{signing_input}.{_b64url(signature)}"


class ClientCredentialsToken:
    """A callable token source for :class:`EDoreczeniaClient`: ``source()`` → access token."""

    def __init__(
        self,
        token_url: str,
        client_id: str,
        *,
        client_secret: str | None = None,
        client_key: ClientKey | None = None,
        scopes: Sequence[str] = DEFAULT_SCOPES,
        timeout: float = 30.0,
        verify: Any = True,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not client_id.strip():
            raise ValueError("e-Doręczenia: podaj identyfikator klienta OAuth (client_id)")
        if (client_secret is None) == (client_key is None):
            raise ValueError(
                "e-Doręczenia: podaj albo sekret klienta, albo klucz certyfikatu systemu"
            )
        self.token_url = token_url
        self.client_id = client_id
        self._secret = client_secret
        self._key = client_key
        self.scopes = tuple(scopes)
        self._clock = clock
        self._http = httpx.Client(timeout=timeout, verify=verify, transport=transport)
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0
        self.requests = 0  # how many tokens were asked for (status screens, tests)

    def __call__(self) -> str:
        with self._lock:
            if self._token is None or self._clock() >= self._expires_at:
                self._token, self._expires_at = self._request()
            return self._token

    def invalidate(self) -> None:
        """The API refused the token (revoked, clock skew): ask for a new one next time."""
        with self._lock:
            self._token = None

    def close(self) -> None:
        self._http.close()

    def _request(self) -> tuple[str, float]:
        form = {"grant_type": "client_credentials", "scope": " ".join(self.scopes)}
        headers = {"Accept": "application/json"}
        now = self._clock()
        if self._secret is not None:
            # RFC 6749 §2.3.1: both parts form-encoded before Basic.
            pair = f"{quote_plus(self.client_id)}:{quote_plus(self._secret)}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        else:
            assert self._key is not None
            form["client_id"] = self.client_id
            form["client_assertion_type"] = JWT_BEARER
            form["client_assertion"] = client_assertion(
                self.client_id, self.token_url, self._key, now
            )
        self.requests += 1
        try:
            response = self._http.post(self.token_url, data=form, headers=headers)
        except httpx.HTTPError as exc:
            raise TokenRequestFailed(
                f"Brak połączenia z serwerem autoryzacji e-Doręczeń: {exc}"
            ) from exc
        try:
            data = response.json()
        except ValueError:
            data = {}
        if response.status_code != 200:
            error = data.get("error_description") or data.get("error") if data else None
            raise TokenRequestFailed(
                "Serwer autoryzacji e-Doręczeń odmówił tokenu "
                f"(HTTP {response.status_code}{': ' + str(error) if error else ''})"
            )
        token = data.get("access_token") if isinstance(data, dict) else None
        kind = str(data.get("token_type", "")).lower() if isinstance(data, dict) else ""
        if not isinstance(token, str) or not token or kind != "bearer":
            raise TokenRequestFailed("Serwer autoryzacji e-Doręczeń zwrócił nieczytelny token")
        try:
            lifetime = float(data.get("expires_in", 300))
        except (TypeError, ValueError):
            lifetime = 300.0
        return token, now + lifetime - min(EXPIRY_MARGIN, lifetime / 2)
