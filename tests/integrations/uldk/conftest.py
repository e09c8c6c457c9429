"""Fixtures for the ULDK client tests: a fake ULDK on loopback, a fake clock, a client factory."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from clerk_app.integrations.uldk.client import UldkClient
from clerk_app.integrations.uldk.fake_server import FakeUldkServer
from clerk_app.integrations.uldk.tls import uldk_ssl_context


class FakeClock:
    """A monotonic clock that only moves when told to (or when something "sleeps")."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def fake_uldk() -> Iterator[FakeUldkServer]:
    with FakeUldkServer() as server:
        yield server


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def shared_ssl_context() -> ssl.SSLContext:
    # Loading the CA bundles takes a while; plain-HTTP tests can share one context.
    return uldk_ssl_context()


ClientFactory = Callable[..., UldkClient]


@pytest.fixture
def make_client(
    fake_uldk: FakeUldkServer, clock: FakeClock, shared_ssl_context: ssl.SSLContext
) -> Iterator[ClientFactory]:
    """Clients against the fake server; fake clock and no pacing unless a test asks."""
    clients: list[UldkClient] = []

    def factory(**overrides: Any) -> UldkClient:
        options: dict[str, Any] = {
            "timeout": 5.0,
            "requests_per_second": 1_000.0,
            "burst": 1_000,
            "clock": clock,
            "sleep": clock.sleep,
            "ssl_context": shared_ssl_context,
        }
        options.update(overrides)
        client = UldkClient(options.pop("base_url", fake_uldk.url), **options)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.close()
