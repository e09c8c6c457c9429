"""OAuth2 client credentials for e-Doręczenia: one token per lifetime, refreshed once on 401."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from clerk_app.integrations.edoreczenia.client import EDoreczeniaClient, EDoreczeniaError
from clerk_app.integrations.edoreczenia.fake_server import FakeEDoreczenia, FakeMessage
from clerk_app.integrations.edoreczenia.oauth import (
    ClientCredentialsToken,
    ClientKey,
    TokenRequestFailed,
)
from clerk_app.services.app_context import AppContext
from clerk_app.services.inbox.edoreczenia import EDoreczeniaInbox
from clerk_app.services.inbox.ledger import DatabaseLedger
from clerk_app.services.inbox.sync import synchronise
from clerk_app.services.users import UserService

ADE = "AE:PL-28080-40239-TUSBF-26"
CLIENT = "ezd-ug-testowo"
SECRET = "sekret: Żółć/ä+&="  # characters that must be form-encoded before Basic


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def _fake(**kwargs: float) -> FakeEDoreczenia:
    fake = FakeEDoreczenia(token="", **kwargs).start()
    fake.register_client(CLIENT, secret=SECRET)
    return fake


def test_sync_with_a_client_secret_asks_for_one_token(ctx: AppContext) -> None:
    with _fake() as fake:
        for n in range(3):
            fake.add(ADE, FakeMessage(f"Pismo {n} — Łódź", "AE:PL-1", "Sąd Okręgowy"))
        tokens = ClientCredentialsToken(fake.token_url, CLIENT, client_secret=SECRET)
        port = EDoreczeniaInbox(EDoreczeniaClient(fake.base_url, ADE, tokens))
        clerk = UserService(ctx.db).os_account_user("kancelaria")
        result = synchronise(port, DatabaseLedger(ctx.db, ctx.blobs, clerk))
        port.close()
        tokens.close()
    assert result.ok and result.stored == 3 and fake.boxes[ADE] == []
    # list + 3 × (get, delete) with one token: it is cached, not asked for per request.
    assert fake.token_grants == [CLIENT]


def test_token_is_reused_until_shortly_before_expiry() -> None:
    clock = Clock()
    with _fake(token_lifetime=600) as fake:
        tokens = ClientCredentialsToken(fake.token_url, CLIENT, client_secret=SECRET, clock=clock)
        first = tokens()
        clock.now += 500
        assert tokens() == first
        clock.now += 80  # 580 s: inside the renewal margin before 600 s
        assert tokens() != first
        tokens.close()
    assert len(fake.token_grants) == 2


def test_revoked_token_is_refreshed_once_and_the_request_succeeds() -> None:
    with _fake() as fake:
        fake.add(ADE, FakeMessage("Wezwanie", "AE:PL-1", "Sąd"))
        tokens = ClientCredentialsToken(fake.token_url, CLIENT, client_secret=SECRET)
        client = EDoreczeniaClient(fake.base_url, ADE, tokens)
        assert len(client.list_messages()) == 1
        fake.revoke_tokens()
        assert len(client.list_messages()) == 1
        client.close()
        tokens.close()
    assert len(fake.token_grants) == 2
    assert [m for m, _ in fake.requests] == ["GET", "GET", "GET"]  # one refused, one retried


def test_a_second_401_is_an_error_not_a_loop() -> None:
    with _fake(token_lifetime=0) as fake:  # every token is dead on arrival
        tokens = ClientCredentialsToken(fake.token_url, CLIENT, client_secret=SECRET)
        client = EDoreczeniaClient(fake.base_url, ADE, tokens)
        with pytest.raises(EDoreczeniaError, match="brak uprawnień"):
            client.list_messages()
        client.close()
        tokens.close()
    assert len(fake.token_grants) == 2


def test_wrong_secret_is_refused_with_a_clear_message() -> None:
    with _fake() as fake:
        tokens = ClientCredentialsToken(fake.token_url, CLIENT, client_secret="zły")
        with pytest.raises(TokenRequestFailed, match=r"odmówił tokenu \(HTTP 401: invalid_client"):
            tokens()
        tokens.close()
    assert fake.token_grants == []


def test_jwt_assertion_signed_with_the_system_key() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with _fake() as fake:
        fake.register_client("ezd-jwt", public_key=key.public_key())
        fake.add(ADE, FakeMessage("Wezwanie", "AE:PL-1", "Sąd"))
        tokens = ClientCredentialsToken(fake.token_url, "ezd-jwt", client_key=ClientKey(key))
        client = EDoreczeniaClient(fake.base_url, ADE, tokens)
        assert len(client.list_messages()) == 1
        client.close()
        tokens.close()
        forged = ClientCredentialsToken(fake.token_url, "ezd-jwt", client_key=ClientKey(stranger))
        with pytest.raises(TokenRequestFailed, match="HTTP 401"):
            forged()
        forged.close()
    assert fake.token_grants == ["ezd-jwt"]


def test_settings_must_name_exactly_one_way_to_authenticate() -> None:
    with pytest.raises(ValueError, match="albo sekret"):
        ClientCredentialsToken("http://127.0.0.1:9/oauth2/token", CLIENT)
    with pytest.raises(ValueError, match="client_id"):
        ClientCredentialsToken("http://127.0.0.1:9/oauth2/token", " ", client_secret="x")
