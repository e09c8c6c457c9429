"""What front ends (GUI page, CLI, scheduled job) call: sync now, queue count, last result."""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from clerk_app.errors import ConfigError, ConnectionFailed
from clerk_app.integrations.epuap.client import ClientSettings, PullClient
from clerk_app.integrations.epuap.envelope import InvalidRequestError, Mailbox
from clerk_app.integrations.epuap.errors import EpuapError, SignatureError
from clerk_app.integrations.epuap.filerepo import FileRepoClient
from clerk_app.integrations.epuap.wssecurity import (
    Pkcs12Error,
    SigningIdentity,
    load_certificate,
    load_pkcs12_file,
)
from clerk_app.services.app_context import AppContext
from clerk_app.services.epuap_settings import (
    EpuapSettings,
    load_epuap_settings,
    pkcs12_password,
)
from clerk_app.services.inbox.epuap import EpuapInbox
from clerk_app.services.inbox.ledger import AttentionItem, DatabaseLedger, LedgerCounts
from clerk_app.services.inbox.port import InboxPort, InboxUnavailable
from clerk_app.services.inbox.sync import (
    CancelCheck,
    ProgressCallback,
    SyncResult,
    load_last_result,
    save_last_result,
    synchronise,
)
from clerk_app.services.secret_store import SecretStore
from clerk_app.services.users import CurrentUser

log = logging.getLogger("clerk_app.inbox")

PortFactory = Callable[[], InboxPort]
SPOOL_DIR = "epuap-pobrane"  # FileRepo downloads not yet stored with their letter


@dataclass(frozen=True)
class EpuapConnection:
    """What every ePUAP client needs, read and checked from the settings."""

    settings: ClientSettings
    mailbox: Mailbox
    identity: SigningIdentity
    pinned: x509.Certificate


def epuap_connection(
    values: EpuapSettings, password: str | None, *, connect_timeout: float = 15.0
) -> EpuapConnection:
    """Client settings, box and keys; ConfigError (Polish) says what is wrong."""
    missing = values.missing()
    if missing:
        raise ConfigError(
            "Skrzynka ePUAP nie jest skonfigurowana: brak " + ", ".join(missing) + "."
        )
    try:
        identity = load_pkcs12_file(Path(values.pkcs12_path), password)
    except Pkcs12Error as exc:
        raise ConfigError(f"Certyfikat systemu (PKCS#12): {exc}.") from exc
    try:
        pinned = load_certificate(Path(values.server_certificate_path).read_bytes())
    except (OSError, SignatureError) as exc:
        raise ConfigError(f"Certyfikat ePUAP ({values.server_certificate_path}): {exc}") from exc
    verify: bool | ssl.SSLContext = True
    if values.tls_ca_path:
        try:
            verify = ssl.create_default_context(cafile=values.tls_ca_path)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"Certyfikat CA HTTPS ({values.tls_ca_path}): {exc}") from exc
    try:
        client_settings = ClientSettings(
            base_url=values.effective_url,
            connect_timeout=connect_timeout,
            read_timeout=float(values.read_timeout_seconds),
            verify_tls=verify,
        )
        mailbox = Mailbox(values.entity_id, values.box_name, values.box_address)
    except (ValueError, InvalidRequestError) as exc:
        raise ConfigError(f"Ustawienia ePUAP: {exc}") from exc
    return EpuapConnection(client_settings, mailbox, identity, pinned)


def open_epuap_port(
    values: EpuapSettings,
    password: str | None,
    *,
    connect_timeout: float = 15.0,
    spool_dir: Path | None = None,
) -> EpuapInbox:
    """A ready ePUAP port from the settings; ConfigError (Polish) says what is wrong.

    URI attachments are downloaded from FileRepo at first fetch (spooled in ``spool_dir``).
    """
    c = epuap_connection(values, password, connect_timeout=connect_timeout)
    return EpuapInbox(
        PullClient(c.settings, c.mailbox, c.identity, [c.pinned]),
        repo=FileRepoClient(c.settings),
        spool_dir=spool_dir,
    )


class InboxService:
    """One office inbox (ePUAP by default); every call opens and closes its own connection."""

    def __init__(
        self,
        ctx: AppContext,
        actor: CurrentUser,
        *,
        secrets: SecretStore | None = None,
        port_factory: PortFactory | None = None,
    ) -> None:
        self.ctx = ctx
        self.actor = actor
        self._secrets = secrets
        self._port_factory = port_factory
        self.ledger = DatabaseLedger(ctx.db, ctx.blobs, actor)

    def epuap_settings(self) -> EpuapSettings:
        return load_epuap_settings(self.ctx.settings)

    def sync_interval_minutes(self) -> int:
        return self.epuap_settings().sync_interval_minutes

    def auto_sync_enabled(self) -> bool:
        values = self.epuap_settings()
        return values.auto_sync and (self._port_factory is not None or values.is_configured)

    def open_port(self) -> InboxPort:
        if self._port_factory is not None:
            return self._port_factory()
        values = self.epuap_settings()
        secrets = self._secrets or SecretStore(self.ctx.settings)
        return open_epuap_port(
            values,
            pkcs12_password(self.ctx.settings, values, secrets),
            spool_dir=self.ctx.settings.data_dir / SPOOL_DIR,
        )

    def queue_count(self) -> int:
        """Documents waiting in the box; ConnectionFailed (Polish) when ePUAP cannot be asked."""
        port = self.open_port()
        try:
            return port.pending()
        except InboxUnavailable as exc:
            raise ConnectionFailed(f"Nie można sprawdzić skrzynki: {exc}") from exc
        finally:
            port.close()

    def synchronise(
        self, progress: ProgressCallback | None = None, cancel: CancelCheck | None = None
    ) -> SyncResult:
        port = self.open_port()
        try:
            result = synchronise(port, self.ledger, progress=progress, cancel=cancel)
        except EpuapError as exc:  # pragma: no cover - ports translate their errors
            raise ConnectionFailed(str(exc)) from exc
        finally:
            port.close()
        save_last_result(self.ctx.settings.data_dir, result)
        return result

    def last_result(self) -> SyncResult | None:
        return load_last_result(self.ctx.settings.data_dir)

    def counts(self) -> LedgerCounts:
        return self.ledger.counts()

    def needing_attention(self, limit: int = 200) -> list[AttentionItem]:
        return self.ledger.needing_attention(limit)
