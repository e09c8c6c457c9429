"""Sending outgoing letters through ePUAP (WS-Skrytka ``nadaj``, WS-Doręczyciel ``dorecz``).

Exactly once, in three steps:

1. **intent** — one transaction writes an ``outbox_message`` row in state ``queued`` (audited);
2. **send** — outside any transaction; the request carries the row's idempotency key in
   ``DaneDodatkowe`` (a server that understands it answers a repeat with the first answer);
3. **record** — one transaction marks the row ``sent`` with the returned document id, stores the
   UPP as an attachment of the register entry and sets the entry's delivery status to sent.

A crash or a lost answer between 2 and 3 leaves the row ``queued``: the next send of the same
entry reuses that row and its key (reconcile) instead of creating a second letter. A definite
refusal (SOAP fault, ePUAP status, HTTP error) marks the row ``failed``; sending again starts a
new row. The UPD of ``dorecz`` comes later into the office box; the inbox sync files it to the
row by document id and marks the entry delivered.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerk_app.errors import ClerkError, ConnectionFailed, ValidationError
from clerk_app.integrations.epuap.client import SendClient
from clerk_app.integrations.epuap.envelope import (
    DeliveryRequest,
    InvalidRequestError,
    Mailbox,
    OutgoingDocument,
    SendRequest,
)
from clerk_app.integrations.epuap.errors import (
    EpuapError,
    EpuapTransportError,
    SignatureError,
)
from clerk_app.integrations.epuap.outgoing import (
    OutgoingLetter,
    build_outgoing_letter,
    idempotency_extra_data,
)
from clerk_app.integrations.epuap.xades import sign_document_xades
from clerk_app.models import (
    Attachment,
    Channel,
    Correspondent,
    DeliveryStatus,
    Direction,
    RegisterEntry,
)
from clerk_app.models.inbox import OutboxMessage
from clerk_app.models.office import Office
from clerk_app.services import audit, permissions
from clerk_app.services.app_context import AppContext
from clerk_app.services.epuap_settings import load_epuap_settings, pkcs12_password
from clerk_app.services.inbox.service import epuap_connection
from clerk_app.services.register import DELIVERY_ROLES
from clerk_app.services.secret_store import SecretStore
from clerk_app.services.users import CurrentUser

log = logging.getLogger("clerk_app.inbox.outbox")

OPERATIONS = ("nadaj", "dorecz")
CHANNEL = "epuap"
# Rows that mean "this letter went out" (or is on its way): never send it again.
_DONE = ("sent", "delivered")

SendClientFactory = Callable[[], tuple[SendClient, Mailbox]]


@dataclass(frozen=True)
class OutgoingWaiting:
    """An outgoing ePUAP entry not sent yet (or whose last attempt is queued or failed)."""

    entry_id: int
    number: str
    title: str
    recipient: str
    recipient_box: str
    pdf_name: str
    state: str  # "" (never tried) | queued | failed
    error: str


@dataclass(frozen=True)
class SendOutcome:
    entry_number: str
    outbox_id: int
    operation: str
    state: str  # sent | delivered | queued | failed
    document_id: str
    upp_stored: bool
    already_sent: bool
    message: str  # one line in Polish

    @property
    def ok(self) -> bool:
        return self.state in _DONE

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


@dataclass(frozen=True)
class _Prepared:
    outbox_id: int
    entry_id: int
    number: str
    operation: str
    recipient_box: str
    key: str
    document: bytes
    file_name: str
    case_id: str
    reconciling: bool


def idempotency_key_for(outbox_id: int, number: str) -> str:
    """Stable for the life of one outbox row: a resend after a crash repeats it."""
    return f"kancelaria-outbox-{outbox_id}-{number}"[:100]


def _file_stem(number: str) -> str:
    return re.sub(r"[^0-9A-Za-z._-]+", "_", number).strip("_") or "pismo"


def _is_pdf(attachment: Attachment) -> bool:
    return attachment.media_type == "application/pdf" or attachment.file_name.lower().endswith(
        ".pdf"
    )


def _latest_outbox(session: Session, entry_id: int) -> OutboxMessage | None:
    return session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.entry_id == entry_id, OutboxMessage.channel == CHANNEL)
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )


class OutboxService:
    """Send outgoing register entries through ePUAP; every call opens its own connection."""

    def __init__(
        self,
        ctx: AppContext,
        actor: CurrentUser,
        *,
        secrets: SecretStore | None = None,
        client_factory: SendClientFactory | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.ctx = ctx
        self.actor = actor
        self._secrets = secrets
        self._client_factory = client_factory
        self._today = today

    # ------------------------------------------------------------------ reads

    def can_send(self) -> bool:
        return bool(self.actor.roles & DELIVERY_ROLES)

    def waiting(self, limit: int = 500) -> list[OutgoingWaiting]:
        """Outgoing ePUAP entries still to be sent, oldest first (empty without the right)."""
        if not self.can_send():
            return []
        with self.ctx.db.session() as session:
            rows = session.execute(
                select(RegisterEntry, Correspondent)
                .outerjoin(Correspondent, Correspondent.id == RegisterEntry.correspondent_id)
                .where(
                    RegisterEntry.direction == Direction.OUTGOING,
                    RegisterEntry.channel == Channel.EPUAP,
                    RegisterEntry.delivery_status.in_(
                        (DeliveryStatus.PENDING, DeliveryStatus.FAILED)
                    ),
                )
                .order_by(RegisterEntry.id)
                .limit(limit)
            ).all()
            ids = [entry.id for entry, _c in rows]
            pdfs: dict[int, str] = {}
            for attachment in session.scalars(
                select(Attachment).where(Attachment.entry_id.in_(ids)).order_by(Attachment.id)
            ):
                if attachment.entry_id is not None and _is_pdf(attachment):
                    pdfs.setdefault(attachment.entry_id, attachment.file_name)
            latest: dict[int, OutboxMessage] = {}
            for message in session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.entry_id.in_(ids), OutboxMessage.channel == CHANNEL)
                .order_by(OutboxMessage.id)
            ):
                latest[message.entry_id] = message
            result = []
            for entry, correspondent in rows:
                last = latest.get(entry.id)
                if last is not None and last.state in _DONE:
                    continue
                result.append(
                    OutgoingWaiting(
                        entry_id=entry.id,
                        number=entry.number,
                        title=entry.title or "",
                        recipient=correspondent.display_name if correspondent else "",
                        recipient_box=correspondent.epuap_address if correspondent else "",
                        pdf_name=pdfs.get(entry.id, ""),
                        state=last.state if last else "",
                        error=last.error if last else "",
                    )
                )
            return result

    # ------------------------------------------------------------------ sending

    def send(
        self,
        entry_number: str,
        *,
        operation: str = "nadaj",
        deadline_days: int = 14,
    ) -> SendOutcome:
        """Send the entry's PDF letter once; raises ValidationError / ConnectionFailed (Polish)."""
        if operation not in OPERATIONS:
            raise ValidationError(f"Sposób wysyłki: nieznana operacja „{operation}”.")
        permissions.require(
            self.ctx.db,
            self.actor,
            DELIVERY_ROLES,
            "wysyłka przez ePUAP",
            "register_entry",
            entry_number,
        )
        client, mailbox = self._open_client()
        try:
            prepared = self._prepare(entry_number.strip(), operation, mailbox)
            if isinstance(prepared, SendOutcome):
                return prepared
            if prepared.operation == "dorecz":
                # A binding service carries the office's seal on the document itself.
                try:
                    signed = sign_document_xades(prepared.document, client.identity)
                except SignatureError as exc:
                    self._note(prepared, "failed", str(exc))
                    return SendOutcome(
                        prepared.number,
                        prepared.outbox_id,
                        prepared.operation,
                        "failed",
                        "",
                        False,
                        False,
                        f"Nie udało się podpisać pisma {prepared.number} (XAdES): {exc}",
                    )
                prepared = replace(prepared, document=signed)
            try:
                document_id, upp = self._transmit(client, mailbox, prepared, deadline_days)
            except (EpuapTransportError, SignatureError) as exc:
                # The server may have acted: keep the row queued, its key settles a resend.
                self._note(prepared, "queued", str(exc))
                raise ConnectionFailed(
                    f"Nie wiadomo, czy pismo {prepared.number} dotarło do ePUAP: {exc}. "
                    "Wyślij je ponownie — powtórzenie nie nada go drugi raz."
                ) from exc
            except (EpuapError, InvalidRequestError) as exc:
                self._note(prepared, "failed", str(exc))
                return SendOutcome(
                    prepared.number,
                    prepared.outbox_id,
                    prepared.operation,
                    "failed",
                    "",
                    False,
                    False,
                    f"ePUAP odrzucił pismo {prepared.number}: {exc}",
                )
        finally:
            client.close()
        return self._record(prepared, document_id, upp)

    def _open_client(self) -> tuple[SendClient, Mailbox]:
        if self._client_factory is not None:
            return self._client_factory()
        values = load_epuap_settings(self.ctx.settings)
        secrets = self._secrets or SecretStore(self.ctx.settings)
        c = epuap_connection(values, pkcs12_password(self.ctx.settings, values, secrets))
        return SendClient(c.settings, c.identity, [c.pinned]), c.mailbox

    def _prepare(self, number: str, operation: str, mailbox: Mailbox) -> _Prepared | SendOutcome:
        # Durable before anything goes out: a queued row lost on power loss would be queued
        # again under a new key (on SQLite even the same id), and the letter sent twice.
        with self.ctx.db.session(write=True, durable=True) as session:
            entry = session.scalar(
                select(RegisterEntry).where(RegisterEntry.number == number).with_for_update()
            )
            if entry is None:
                raise ValidationError(f"Numer wpisu: nie ma wpisu „{number}” w rejestrze.")
            if entry.direction != Direction.OUTGOING:
                raise ValidationError(
                    f"Numer wpisu: {number} jest przesyłką wpływającą; przez ePUAP wysyła się "
                    "tylko przesyłki wychodzące."
                )
            last = _latest_outbox(session, entry.id)
            if last is not None and last.state in _DONE:
                return SendOutcome(
                    number,
                    last.id,
                    last.operation,
                    last.state,
                    last.external_id,
                    last.upp_sha256 is not None,
                    True,
                    f"Pismo {number} już wysłano przez ePUAP (dokument {last.external_id}).",
                )
            correspondent = (
                session.get(Correspondent, entry.correspondent_id)
                if entry.correspondent_id
                else None
            )
            recipient_box = (correspondent.epuap_address if correspondent else "").strip()
            if not recipient_box:
                raise ValidationError(
                    f"Adres skrytki ePUAP adresata: pole jest wymagane (wpis {number})."
                )
            attachments = session.scalars(
                select(Attachment).where(Attachment.entry_id == entry.id).order_by(Attachment.id)
            ).all()
            pdf = next((a for a in attachments if _is_pdf(a)), None)
            if pdf is None:
                raise ValidationError(
                    f"Załącznik PDF: wpis {number} nie ma pisma w PDF do wysłania."
                )
            office = session.scalar(select(Office).order_by(Office.id).limit(1))
            reconciling = last is not None and last.state == "queued"
            if last is not None and reconciling:
                message = last
                operation = message.operation
            else:
                message = OutboxMessage(
                    entry_id=entry.id,
                    channel=CHANNEL,
                    recipient=recipient_box[:200],
                    operation=operation,
                    state="queued",
                )
                session.add(message)
                session.flush()
                audit.record(
                    session,
                    self.actor,
                    "outbox_queue",
                    "outbox_message",
                    message.id,
                    summary=f"{number}: do wysłania przez ePUAP ({operation}) do {recipient_box}",
                    details={"entry": number, "operation": operation, "box": recipient_box},
                )
            letter = OutgoingLetter(
                number=number,
                title=entry.title or "Pismo",
                office_name=(office.name if office else "") or mailbox.entity_id,
                addressee_name=correspondent.display_name if correspondent else recipient_box,
                letter_date=entry.sent_on or message.created_at.date(),
                pdf_name=pdf.file_name,
                pdf=self.ctx.blobs.get(session, pdf.sha256),
            )
            return _Prepared(
                outbox_id=message.id,
                entry_id=entry.id,
                number=number,
                operation=operation,
                recipient_box=message.recipient,
                key=idempotency_key_for(message.id, number),
                document=build_outgoing_letter(letter),
                file_name=f"{_file_stem(number)}.xml",
                case_id=str(entry.case_id or number),
                reconciling=reconciling,
            )

    def _transmit(
        self, client: SendClient, mailbox: Mailbox, p: _Prepared, deadline_days: int
    ) -> tuple[str, bytes | None]:
        document = OutgoingDocument(p.file_name, p.document, "text/xml")
        extra = idempotency_extra_data(p.key)
        if p.reconciling:
            log.info("Wpis %s: ponawiam wysyłkę z kluczem %s", p.number, p.key)
        if p.operation == "nadaj":
            result = client.send(
                SendRequest(
                    entity_id=mailbox.entity_id,
                    recipient_box_address=p.recipient_box,
                    reply_box_address=mailbox.box_address,
                    document=document,
                    extra_data=extra,
                )
            )
            upp = result.attachment.content if result.attachment else None
            return result.document_id, upp
        delivery = client.deliver(
            DeliveryRequest(
                entity_id=mailbox.entity_id,
                recipient_box_address=p.recipient_box,
                reply_box_address=mailbox.box_address,
                document=document,
                delivery_deadline=datetime.now(UTC) + timedelta(days=deadline_days),
                document_id=p.key,
                case_id=p.case_id,
                extra_data=extra,
            )
        )
        return delivery.document_id or p.key, None

    def _note(self, p: _Prepared, state: str, error: str) -> None:
        with self.ctx.db.session(write=True) as session:
            message = session.get(OutboxMessage, p.outbox_id)
            if message is None:  # pragma: no cover - rows are never deleted
                return
            message.state = state
            message.error = error[:2000]
            audit.record(
                session,
                self.actor,
                "outbox_failed" if state == "failed" else "outbox_uncertain",
                "outbox_message",
                message.id,
                summary=f"{p.number}: wysyłka przez ePUAP — {error[:200]}",
                details={"entry": p.number, "state": state},
            )
            if state == "failed":
                entry = session.get(RegisterEntry, p.entry_id)
                if entry is not None and entry.delivery_status == DeliveryStatus.PENDING:
                    entry.delivery_status = DeliveryStatus.FAILED

    def _record(self, p: _Prepared, document_id: str, upp: bytes | None) -> SendOutcome:
        # The UPP and the sent state are the office's proof of dispatch: keep them durably.
        with self.ctx.db.session(write=True, durable=True) as session:
            message = session.get(OutboxMessage, p.outbox_id, with_for_update=True)
            entry = session.get(RegisterEntry, p.entry_id, with_for_update=True)
            if message is None or entry is None:  # pragma: no cover - rows are never deleted
                raise ClerkError(f"Wpis {p.number}: brak zapisu wysyłki w bazie.")
            now = datetime.now(UTC)
            message.external_id = document_id[:200]
            message.error = ""
            if message.state not in _DONE:
                message.state = "sent"
                message.sent_at = now
            upp_stored = False
            if upp is not None and message.upp_sha256 is None:
                stored = self.ctx.blobs.put(session, upp)
                message.upp_sha256 = stored.sha256
                session.add(
                    Attachment(
                        entry_id=entry.id,
                        file_name=f"UPP_{_file_stem(document_id)}.xml"[:255],
                        media_type="text/xml",
                        size=stored.size,
                        sha256=stored.sha256,
                        created_by_id=self.actor.id,
                    )
                )
                upp_stored = True
            if p.operation == "dorecz" and not p.reconciling:
                # Keep the document exactly as served, with its XAdES signature.
                served = self.ctx.blobs.put(session, p.document)
                session.add(
                    Attachment(
                        entry_id=entry.id,
                        file_name=f"{_file_stem(p.number)}_podpisane.xml"[:255],
                        media_type="text/xml",
                        size=served.size,
                        sha256=served.sha256,
                        created_by_id=self.actor.id,
                    )
                )
            if entry.delivery_status in (DeliveryStatus.PENDING, DeliveryStatus.FAILED):
                entry.delivery_status = DeliveryStatus.SENT
            if entry.sent_on is None:
                entry.sent_on = self._today()
            session.flush()
            audit.record(
                session,
                self.actor,
                "outbox_sent",
                "outbox_message",
                message.id,
                summary=f"{p.number}: wysłano przez ePUAP ({p.operation}), dokument {document_id}",
                details={
                    "entry": p.number,
                    "operation": p.operation,
                    "document_id": document_id,
                    "box": p.recipient_box,
                    "upp": message.upp_sha256,
                    "reconciled": p.reconciling,
                },
            )
            state = message.state
        what = (
            "z UPP"
            if upp_stored
            else ("UPD przyjdzie do skrytki" if p.operation == "dorecz" else "")
        )
        return SendOutcome(
            p.number,
            p.outbox_id,
            p.operation,
            state,
            document_id,
            upp_stored,
            False,
            f"Wysłano pismo {p.number} przez ePUAP do {p.recipient_box}"
            + (f" ({what})" if what else "")
            + f", dokument {document_id}.",
        )
