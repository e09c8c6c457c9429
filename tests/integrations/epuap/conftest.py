"""Test PKI (self-signed, no CA) and simulator fixtures for the ePUAP layer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from clerk_app.integrations.epuap.client import ClientSettings
from clerk_app.integrations.epuap.envelope import Mailbox
from clerk_app.integrations.epuap.simulator import EpuapSimulator
from clerk_app.integrations.epuap.wssecurity import SigningIdentity

FIXTURES = Path(__file__).parent / "fixtures"
OFFICE_BOX = ("ug_testowo", "skrytka", "/ug_testowo/skrytka")
CITIZEN_BOX = ("jan_kowalski_test", "skrytka", "/jan_kowalski_test/skrytka")


def make_identity(
    common_name: str, *, given: str | None = None, surname: str | None = None
) -> SigningIdentity:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if given:
        attributes.append(x509.NameAttribute(NameOID.GIVEN_NAME, given))
    if surname:
        attributes.append(x509.NameAttribute(NameOID.SURNAME, surname))
    name = x509.Name(attributes)
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=10))
        .sign(key, hashes.SHA256())
    )
    return SigningIdentity(key, certificate)


@dataclass(frozen=True)
class OfficePki:
    identity: SigningIdentity
    pkcs12_path: Path
    password: str


@pytest.fixture(scope="session")
def _office_identity() -> SigningIdentity:
    return make_identity("Urząd Gminy Testowo — system EZD")


@pytest.fixture
def office_pki(_office_identity: SigningIdentity, tmp_path: Path) -> OfficePki:
    password = "hasło-Żółć-123"
    data = pkcs12.serialize_key_and_certificates(
        b"urzad",
        _office_identity.private_key,
        _office_identity.certificate,
        None,
        serialization.BestAvailableEncryption(password.encode("utf-8")),
    )
    path = tmp_path / "urzad.p12"
    path.write_bytes(data)
    return OfficePki(_office_identity, path, password)


@pytest.fixture(scope="session")
def office_identity(_office_identity: SigningIdentity) -> SigningIdentity:
    return _office_identity


@pytest.fixture(scope="session")
def epuap_identity() -> SigningIdentity:
    return make_identity("ePUAP symulowany")


@pytest.fixture(scope="session")
def stranger_identity() -> SigningIdentity:
    return make_identity("Obcy system")


@pytest.fixture
def office_box() -> Mailbox:
    return Mailbox(*OFFICE_BOX)


@pytest.fixture
def simulator(
    office_identity: SigningIdentity, epuap_identity: SigningIdentity
) -> Iterator[EpuapSimulator]:
    sim = EpuapSimulator(
        allowed_certificates=[office_identity.certificate],
        identity=epuap_identity,
        auto_stop_after=120,
    )
    sim.add_box(*OFFICE_BOX)
    sim.add_box(*CITIZEN_BOX)
    with sim:
        yield sim


def client_settings_for(sim: EpuapSimulator, **overrides: object) -> ClientSettings:
    """Short timeouts and near-zero backoff for tests against the local simulator."""
    values: dict[str, object] = {
        "base_url": sim.base_url,
        "connect_timeout": 2.0,
        "read_timeout": 5.0,
        "write_timeout": 5.0,
        "max_attempts": 3,
        "backoff_initial": 0.01,
    }
    if sim.tls:
        values["verify_tls"] = sim.client_ssl_context()
    values.update(overrides)
    return ClientSettings(**values)  # type: ignore[arg-type]
