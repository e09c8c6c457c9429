"""ePUAP connection settings: kept in settings.toml (``epuap_*`` keys), password in the keyring.

Environment: ``production`` (ws.epuap.gov.pl), ``integration`` (ws-int.epuap.gov.pl) or
``custom`` with a base URL (the local simulator, a proxy). Entity id (podmiot), box name and
box address are set separately: they are not always derivable from each other. The PKCS#12
file signs requests; its password lives in :class:`SecretStore`, never in settings.toml. The
pinned certificate is ePUAP's self-issued response-signing certificate.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from clerk_app.config import Settings, read_settings_file, write_settings_file
from clerk_app.errors import ConfigError, ValidationError
from clerk_app.services.secret_store import SecretStore

ENVIRONMENTS = ("production", "integration", "custom")
PRODUCTION_URL = "https://ws.epuap.gov.pl"
INTEGRATION_URL = "https://ws-int.epuap.gov.pl"
MIN_INTERVAL_MINUTES = 1
MAX_INTERVAL_MINUTES = 24 * 60
PREFIX = "epuap_"

_FIELDS = (
    "environment",
    "base_url",
    "entity_id",
    "box_name",
    "box_address",
    "pkcs12_path",
    "server_certificate_path",
    "tls_ca_path",
    "sync_interval_minutes",
    "read_timeout_seconds",
    "auto_sync",
)


@dataclass(frozen=True)
class EpuapSettings:
    environment: str = "production"
    base_url: str = ""  # only for environment "custom"
    entity_id: str = ""  # podmiot
    box_name: str = ""  # nazwaSkrytki
    box_address: str = ""  # adresSkrytki, e.g. /urzad/skrytka
    pkcs12_path: str = ""
    server_certificate_path: str = ""  # pinned ePUAP response-signing certificate (PEM/DER)
    tls_ca_path: str = ""  # extra CA for HTTPS (simulator); empty = system trust store
    sync_interval_minutes: int = 15
    read_timeout_seconds: int = 300
    auto_sync: bool = True

    @property
    def effective_url(self) -> str:
        if self.environment == "production":
            return PRODUCTION_URL
        if self.environment == "integration":
            return INTEGRATION_URL
        return self.base_url.rstrip("/")

    @property
    def is_configured(self) -> bool:
        return not self.missing()

    def missing(self) -> list[str]:
        """Polish names of the fields still to fill in."""
        names = {
            "entity_id": "identyfikator podmiotu",
            "box_name": "nazwa skrytki",
            "box_address": "adres skrytki",
            "pkcs12_path": "plik certyfikatu PKCS#12",
            "server_certificate_path": "certyfikat ePUAP (przypięty)",
        }
        missing = [label for name, label in names.items() if not getattr(self, name)]
        if self.environment == "custom" and not self.base_url:
            missing.insert(0, "adres serwera")
        return missing

    def password_secret_name(self) -> str:
        return f"epuap:pkcs12:{Path(self.pkcs12_path).name}"


def validate(values: EpuapSettings) -> EpuapSettings:
    """Check every field; raises ValidationError naming the field (Polish)."""
    if values.environment not in ENVIRONMENTS:
        raise ValidationError(
            f"Środowisko ePUAP: „{values.environment}” — dozwolone: {', '.join(ENVIRONMENTS)}."
        )
    if values.environment == "custom":
        if not re.match(r"^https?://[^/\s]+", values.base_url):
            raise ValidationError(
                "Adres serwera ePUAP: podaj pełny adres, np. https://ws-int.epuap.gov.pl "
                "albo http://127.0.0.1:8080 dla symulatora."
            )
    elif values.base_url:
        values = replace(values, base_url="")
    if len(values.entity_id) > 100:
        raise ValidationError("Identyfikator podmiotu: najwyżej 100 znaków.")
    if values.box_address and not values.box_address.startswith("/"):
        raise ValidationError("Adres skrytki: zaczyna się od „/”, np. /urzad_gminy/skrytka.")
    for name, label in (
        ("pkcs12_path", "Plik PKCS#12"),
        ("server_certificate_path", "Certyfikat ePUAP"),
        ("tls_ca_path", "Certyfikat CA połączenia HTTPS"),
    ):
        path = getattr(values, name)
        if path and not Path(path).is_file():
            raise ValidationError(f"{label}: nie ma pliku {path}.")
    if not MIN_INTERVAL_MINUTES <= values.sync_interval_minutes <= MAX_INTERVAL_MINUTES:
        raise ValidationError(
            f"Odstęp synchronizacji: od {MIN_INTERVAL_MINUTES} do {MAX_INTERVAL_MINUTES} minut."
        )
    if not 5 <= values.read_timeout_seconds <= 3600:
        raise ValidationError("Limit czasu odpowiedzi ePUAP: od 5 do 3600 sekund.")
    return values


def _from_file(values: Mapping[str, Any]) -> EpuapSettings:
    defaults = EpuapSettings()
    data: dict[str, Any] = {}
    for name in _FIELDS:
        key = PREFIX + name
        if key not in values:
            continue
        value = values[key]
        expected = type(getattr(defaults, name))
        if expected is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise ConfigError(f"Plik ustawień: {key} musi być liczbą.")
        if expected is bool and not isinstance(value, bool):
            raise ConfigError(f"Plik ustawień: {key} musi być true/false.")
        data[name] = value if expected is not str else str(value)
    return EpuapSettings(**data)


def load_epuap_settings(settings: Settings) -> EpuapSettings:
    return _from_file(read_settings_file(settings.settings_path))


def save_epuap_settings(
    settings: Settings,
    values: EpuapSettings,
    *,
    password: str | None = None,
    secrets: SecretStore | None = None,
) -> EpuapSettings:
    """Validate and write the ``epuap_*`` keys (other keys kept); the password to the keyring."""
    values = validate(values)
    if password is not None:
        if not values.pkcs12_path:
            raise ValidationError("Hasło PKCS#12: najpierw wskaż plik certyfikatu.")
        (secrets or SecretStore(settings)).set(values.password_secret_name(), password)
    current: dict[str, Any] = dict(read_settings_file(settings.settings_path))
    for name in _FIELDS:
        current[PREFIX + name] = getattr(values, name)
    flat = {k: v for k, v in current.items() if isinstance(v, str | int | bool)}
    write_settings_file(settings.settings_path, flat)
    return values


def pkcs12_password(
    settings: Settings, values: EpuapSettings, secrets: SecretStore | None = None
) -> str | None:
    return (secrets or SecretStore(settings)).get(values.password_secret_name())
