"""The database ledger of received messages (InboxMessage): store once, confirm, list.

:meth:`DatabaseLedger.store` writes in ONE transaction: the raw answer into the blob store, the
parsed document's attachments, the register entry and the ``inbox_message`` row keyed by the
message key. A message seen before is recognised by that key and nothing is written again.

Documents are understood *before* the transaction (parsing and signature checks cost CPU and
must not hold the database lock). Whatever cannot be understood — hostile XML, unknown format,
invalid base64, unsafe ZIP names, a signature that does not verify — is still stored raw and
registered "needs attention" with the reason in Polish; nothing sent to the office is lost.
UPP/UPD receipts are filed to the outgoing document they certify, not registered.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Row, Select, Table, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clerk_app.integrations.epuap.document import (
    DocumentFormatError,
    Letter,
    Party,
    Receipt,
    SignatureCheck,
    discard_attachments,
    parse_incoming_document,
)
from clerk_app.integrations.epuap.payload import MAX_DOCUMENT_BYTES, open_payload, read_all
from clerk_app.integrations.epuap.payload import head as payload_head
from clerk_app.integrations.epuap.safe_names import safe_attachment_name, unique_name
from clerk_app.integrations.epuap.safe_xml import HostileXmlError
from clerk_app.integrations.epuap.safe_zip import UnsafeZipError, list_zip
from clerk_app.models import (
    Attachment,
    Channel,
    Correspondent,
    CorrespondentKind,
    DeliveryStatus,
    RegisterEntry,
)
from clerk_app.models.inbox import InboxMessage, OutboxMessage
from clerk_app.services import audit
from clerk_app.services.blob_store import BlobStore
from clerk_app.services.database import Database
from clerk_app.services.inbox.port import InboxFile, InboxItem, InboxSender, Payload
from clerk_app.services.inbox.sync import StoreOutcome
from clerk_app.services.register import RegisterService
from clerk_app.services.register_types import (
    AttachmentInput,
    CorrespondentInput,
    IncomingDraft,
)
from clerk_app.services.users import CurrentUser

log = logging.getLogger("clerk_app.inbox.ledger")

_CHANNELS = {"epuap": Channel.EPUAP, "edoreczenia": Channel.EDORECZENIA}
_XML_TYPES = ("text/xml", "application/xml")
MAX_REASON = 500


# ----------------------------------------------------------------------------- understanding


@dataclass
class Analysis:
    """What the ledger makes of one message before it opens a transaction."""

    letter: Letter | None = None
    receipt: Receipt | None = None
    title: str | None = None
    letter_date: date | None = None
    sender: CorrespondentInput | None = None
    attachments: list[AttachmentInput] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def needs_attention(self) -> bool:
        return bool(self.problems)

    @property
    def reason(self) -> str:
        return "; ".join(self.problems)[:MAX_REASON]


def _looks_like_xml(item: InboxItem) -> bool:
    if (item.media_type or "").split(";")[0].strip().lower() in _XML_TYPES:
        return True
    if item.file_name.lower().endswith((".xml", ".xades")):
        return True
    head = payload_head(item.content, 64).lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n\x00")
    return head.startswith(b"<")


def _party_input(party: Party, reply_address: str) -> CorrespondentInput:
    address = party.address
    common = {
        "street": (address.street or "") if address else "",
        "building": (address.building or "") if address else "",
        "apartment": (address.flat or "") if address else "",
        "postal_code": (address.postal_code or "") if address else "",
        "city": ((address.town or address.post_office) or "") if address else "",
        "epuap_address": reply_address,
    }
    if party.kind == "person":
        return CorrespondentInput(
            kind=CorrespondentKind.PERSON,
            first_name=party.first_name or "",
            last_name=party.surname or party.name,
            pesel=party.pesel or "",
            **common,
        )
    return CorrespondentInput(
        kind=CorrespondentKind.INSTITUTION,
        institution_name=party.institution_name or party.name,
        **common,
    )


def _sender_input(sender: InboxSender, channel: str) -> CorrespondentInput | None:
    if not (sender.display_name or sender.last_name or sender.institution_name):
        return None
    address = {"ade": sender.reply_address} if channel == "edoreczenia" else {}
    if channel == "epuap":
        address = {"epuap_address": sender.reply_address}
    if sender.is_person:
        return CorrespondentInput(
            kind=CorrespondentKind.PERSON,
            first_name=sender.first_name,
            last_name=sender.last_name or sender.display_name,
            pesel=sender.pesel,
            **address,
        )
    return CorrespondentInput(
        kind=CorrespondentKind.INSTITUTION,
        institution_name=sender.institution_name or sender.display_name,
        nip=sender.nip,
        regon=sender.regon,
        **address,
    )


def _check_zip(name: str, content: bytes, problems: list[str]) -> None:
    try:
        members = list_zip(content)
    except UnsafeZipError as exc:
        problems.append(f"Archiwum „{name}”: {exc}")
        return
    unsafe = [m for m in members if not m.is_safe]
    if unsafe:
        shown = ", ".join(repr(m.original_name)[:60] for m in unsafe[:3])
        problems.append(
            f"Archiwum „{name}” zawiera {len(unsafe)} niebezpiecznych nazw plików ({shown}) — "
            "nie rozpakowano"
        )


def analyse(item: InboxItem, *, max_document_bytes: int = MAX_DOCUMENT_BYTES) -> Analysis:
    """Parse the document and collect attachments and problems; never raises for content."""
    result = Analysis(title=item.subject or None)
    taken: set[str] = set()
    # FileRepo downloads, filed under the letter's attachment they were referenced by.
    downloaded = {f.uri: f for f in item.files if f.uri}

    def add(name: str, content: Payload, mime: str | None) -> None:
        safe = unique_name(safe_attachment_name(name, mime, fallback="dokument"), taken)
        taken.add(safe)
        if safe.lower().endswith(".zip") or payload_head(content, 4) == b"PK\x03\x04":
            _check_zip(safe, read_all(content), result.problems)
        result.attachments.append(
            AttachmentInput(safe, content, mime or "application/octet-stream")
        )

    has_content = isinstance(item.content, Path) or bool(item.content)
    if has_content or item.file_name:
        add(item.file_name, item.content, item.media_type)
    if has_content and _looks_like_xml(item):
        try:
            parsed = parse_incoming_document(item.content, max_bytes=max_document_bytes)
        except (HostileXmlError, DocumentFormatError) as exc:
            result.problems.append(f"Dokument nieczytelny: {exc}")
        except (ValueError, UnicodeError, RecursionError) as exc:
            log.exception("Unexpected failure while parsing %s", item.file_name)
            result.problems.append(f"Dokument nieczytelny ({type(exc).__name__}): {exc}")
        else:
            # The document's search text comes from the tree just parsed: the register then
            # does not parse the same XML again to index it.
            result.attachments[0] = replace(result.attachments[0], text=parsed.plain_text)
            if isinstance(parsed, Receipt):
                result.receipt = parsed
            else:
                result.letter = parsed
    letter = result.letter
    if letter is not None:
        result.title = letter.title or letter.document_name or result.title
        result.letter_date = letter.date
        if letter.senders:
            result.sender = _party_input(letter.senders[0], item.sender.reply_address)
        for attachment in letter.attachments:
            if attachment.error:
                result.problems.append(attachment.error)
            elif attachment.content is not None:
                add(attachment.file_name, attachment.content, attachment.mime_type)
            elif attachment.uri and attachment.uri in downloaded:
                file = downloaded.pop(attachment.uri)
                add(attachment.file_name, file.content, attachment.mime_type or file.media_type)
            elif attachment.uri:
                result.problems.append(
                    f"Załącznik „{attachment.file_name}” jest w repozytorium ePUAP "
                    f"({attachment.uri[:120]}) — nie pobrano go automatycznie"
                )
        for signature in letter.signatures:
            who = signature.signer_name or signature.trusted_profile_name or "nieznany"
            if signature.check is SignatureCheck.INVALID:
                result.problems.append(
                    f"Podpis ({who}) nie weryfikuje się: {signature.check_detail}"
                )
            else:
                result.notes.append(f"Podpis: {who} — {signature.check_detail}")
    for extra in item.files:
        if not extra.uri or extra.uri in downloaded:
            add(extra.file_name, extra.content, extra.media_type)
    if result.sender is None:
        result.sender = _sender_input(item.sender, item.channel)
    if not result.title and not result.problems and item.file_name:
        result.title = item.file_name
    return result


# ----------------------------------------------------------------------------- register seam


def _named(*where: Any) -> Select[int, str]:
    return select(Correspondent.id, Correspondent.display_name).where(*where).limit(1)


# Built once (building a statement per call costs more than running it).
_BY_IDENTIFIER = {
    name: _named(getattr(Correspondent, name) == bindparam("value"))
    for name in ("pesel", "nip", "regon")
}
_IN_BOX = or_(
    Correspondent.epuap_address == bindparam("box"), Correspondent.ade == bindparam("box")
)
_INSTITUTION_IN_BOX = _named(
    _IN_BOX, Correspondent.institution_name == bindparam("institution_name")
)
_PERSON_IN_BOX = _named(
    _IN_BOX,
    Correspondent.last_name == bindparam("last_name"),
    Correspondent.first_name == bindparam("first_name"),
)
_KNOWN = select(InboxMessage.kind, InboxMessage.state).where(
    InboxMessage.channel == bindparam("channel"), InboxMessage.digest == bindparam("digest")
)


def _find_correspondent(session: Session, data: CorrespondentInput) -> tuple[int, str] | None:
    """A known correspondent's id and display name (the entry's sender sort key)."""
    # Core reads on the session's connection: nothing for the ORM to track.
    connection = session.connection()
    found: Row[int, str] | None
    for name in ("pesel", "nip", "regon"):
        value = getattr(data, name)
        if value:
            found = connection.execute(_BY_IDENTIFIER[name], {"value": value}).first()
            if found is not None:
                return found[0], found[1]
    box = data.epuap_address or data.ade
    if box:
        if data.kind is CorrespondentKind.INSTITUTION:
            query, params = _INSTITUTION_IN_BOX, {"institution_name": data.institution_name}
        else:
            query, params = (
                _PERSON_IN_BOX,
                {"last_name": data.last_name, "first_name": data.first_name},
            )
        found = connection.execute(query, {"box": box, **params}).first()
        if found is not None:
            return found[0], found[1]
    return None


def _correspondent(
    session: Session, actor: CurrentUser | None, data: CorrespondentInput
) -> tuple[int, str] | Correspondent:
    """The id and name of a known correspondent, or the one created (the caller keeps the
    object, so registering finds it in the session instead of loading it again)."""
    from clerk_app.services.correspondents import create_in_session

    found = _find_correspondent(session, data)
    if found is not None:
        return found
    try:
        return create_in_session(session, actor, data)
    except ValueError:
        # A malformed PESEL/NIP in a letter must not block its registration.
        cleaned = CorrespondentInput(**{**data.__dict__, "pesel": "", "nip": "", "regon": ""})
        return create_in_session(session, actor, cleaned)


@dataclass(frozen=True)
class LedgerCounts:
    received: int
    unconfirmed: int
    needs_attention: int


@dataclass(frozen=True)
class AttentionItem:
    """A received message a clerk should look at (unreadable, signature that fails...)."""

    inbox_id: int
    channel: str
    received_at: datetime
    kind: str
    entry_id: int | None
    entry_number: str | None
    title: str | None
    reason: str


_MESSAGES = cast(Table, InboxMessage.__table__)
_INSERT_MESSAGE = insert(_MESSAGES).returning(_MESSAGES.c.id)


def _today() -> date:
    return datetime.now().date()


class DatabaseLedger:
    """The InboxMessage ledger; one write transaction per stored message."""

    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        actor: CurrentUser,
        *,
        register_symbol: str = "RPW",
        max_document_bytes: int = MAX_DOCUMENT_BYTES,
    ) -> None:
        self.db = db
        # Larger documents are stored raw and registered "needs attention", not unpacked.
        self.max_document_bytes = max_document_bytes
        self.blobs = blobs
        self.actor = actor
        self.register_symbol = register_symbol
        # Registering is the registry clerk's act; a headless job runs as such a user.
        self.registrar = RegisterService(db, blobs, actor)

    def is_known(self, channel: str, key: str) -> bool:
        with self.db.session() as session:
            return (
                session.scalar(
                    select(InboxMessage.id).where(
                        InboxMessage.channel == channel, InboxMessage.digest == key
                    )
                )
                is not None
            )

    def store(self, item: InboxItem) -> StoreOutcome:
        # No look-up before the transaction: a message comes back only after a crash or a
        # lost acknowledgement, so analysing it again is cheaper than asking every time.
        analysis = analyse(item, max_document_bytes=self.max_document_bytes)
        try:
            self.registrar.authorize_incoming()
            try:
                # Durable: the sync confirms the message to the service once this returns.
                with (
                    self.db.session(write=True, durable=True) as session,
                    audit.batch(session),
                ):
                    # One head read and one head write for the message's 2-4 audit events.
                    return self._store(session, item, analysis)
            except IntegrityError:
                # Another process stored the same message at the same moment.
                if self.is_known(item.channel, item.key):
                    return StoreOutcome(new=False)
                raise
        finally:
            # Large attachments were decoded into spool files; the blob store has them now.
            discard_attachments(analysis.letter)

    def _store(self, session: Session, item: InboxItem, analysis: Analysis) -> StoreOutcome:
        connection = session.connection()
        known = connection.execute(_KNOWN, {"channel": item.channel, "digest": item.key}).first()
        if known is not None:
            return StoreOutcome(
                new=False, kind=known.kind, already_confirmed=known.state == "confirmed"
            )
        with open_payload(item.raw) as stream:
            raw = self.blobs.put(session, stream)
        message = {
            "channel": item.channel,
            "box": item.box[:200],
            "external_id": (item.external_id or "")[:200],
            "digest": item.key,
            "raw_sha256": raw.sha256,
            "state": "stored",
        }
        if analysis.receipt is not None:
            outcome, message_id = self._file_receipt(session, item, analysis.receipt, message)
        else:
            outcome, entry_id = self._register(session, item, analysis)
            # Written after the entry, so it is inserted with its link (no UPDATE after).
            session.flush()  # a blob store may have left rows pending (PostgreSQL: the blobs)
            message_id = connection.execute(
                _INSERT_MESSAGE,
                {**message, "kind": "document", "entry_id": entry_id, "error": analysis.reason},
            ).scalar_one()
        audit.record(
            session,
            self.actor,
            "inbox_store",
            "inbox_message",
            message_id,
            summary=f"{item.channel}: {item.file_name or item.key} → "
            f"{outcome.entry_number or outcome.kind}",
            details={
                "box": item.box,
                "key": item.key,
                "raw_sha256": raw.sha256,
                "needs_attention": outcome.needs_attention,
                "reason": outcome.reason,
            },
        )
        if outcome.needs_attention:
            log.warning(
                "Dokument %s (%s) wymaga uwagi: %s", item.file_name, item.key, outcome.reason
            )
        return outcome

    def _register(
        self, session: Session, item: InboxItem, analysis: Analysis
    ) -> tuple[StoreOutcome, int]:
        notes = list(analysis.notes)
        if item.is_test:
            notes.append("Dokument testowy (czyTestowe)")
        # A created correspondent stays referenced until the entry is written: the session
        # holds it only weakly, and registering reads its name (the sender's sort key).
        held = _correspondent(session, self.actor, analysis.sender) if analysis.sender else None
        sender, sender_name = (
            (held.id, held.display_name)
            if isinstance(held, Correspondent)
            else held or (None, None)
        )
        # What an electronic letter does not say is registered as "brak danych".
        given = {
            "title": analysis.title,
            "sender": sender,
            "letter_date": analysis.letter_date,
            "letter_ref": None,
        }
        draft = IncomingDraft(
            received_on=_today(),
            channel=_CHANNELS.get(item.channel, Channel.EPUAP),
            title=analysis.title,
            unknown=frozenset(name for name, value in given.items() if not value),
            correspondent_id=sender,
            letter_date=analysis.letter_date,
            notes="\n".join(notes),
            attachments=tuple(analysis.attachments),
            register_symbol=self.register_symbol,
            external_id=(item.external_id or f"{item.channel}:{item.key}")[:100],
            needs_attention=analysis.needs_attention,
            attention_reason=analysis.reason,
        )
        result = self.registrar.register_incoming_in(session, draft, sender_name=sender_name)
        del held  # written: the session may let it go
        outcome = StoreOutcome(
            new=True,
            entry_number=result.number,
            needs_attention=analysis.needs_attention,
            reason=analysis.reason,
        )
        return outcome, result.entry_id

    def _file_receipt(
        self, session: Session, item: InboxItem, receipt: Receipt, values: dict[str, Any]
    ) -> tuple[StoreOutcome, int]:
        """File a UPP/UPD to the outgoing document it certifies (rare: the ORM is fine)."""
        kind = receipt.kind.lower()
        message = InboxMessage(**values, kind=kind)
        session.add(message)
        with open_payload(item.content) as stream:
            stored = self.blobs.put(session, stream)
        outbox = None
        if receipt.certified_document_id:
            outbox = session.scalar(
                select(OutboxMessage)
                .where(OutboxMessage.external_id == receipt.certified_document_id)
                .limit(1)
            )
        if outbox is None:
            reason = (
                f"Poświadczenie {receipt.kind} dotyczy dokumentu "
                f"{receipt.certified_document_id or '(brak identyfikatora)'}, którego nie ma "
                "w rejestrze wychodzącym"
            )
            message.error = reason
            session.flush()
            return StoreOutcome(
                new=True, kind=kind, needs_attention=True, reason=reason
            ), message.id
        now = datetime.now(UTC)
        if receipt.kind == "UPP":
            outbox.upp_sha256 = stored.sha256
        else:
            outbox.upd_sha256 = stored.sha256
            outbox.state = "delivered"
            outbox.delivered_at = now
            session.execute(
                update(RegisterEntry)
                .where(RegisterEntry.id == outbox.entry_id)
                .values(delivery_status=DeliveryStatus.DELIVERED, delivered_on=now.date())
            )
        session.add(
            Attachment(
                entry_id=outbox.entry_id,
                file_name=f"{receipt.kind}_{receipt.receipt_id or stored.sha256[:12]}.xml"[:255],
                media_type="text/xml",
                size=stored.size,
                sha256=stored.sha256,
                created_by_id=self.actor.id if self.actor else None,
            )
        )
        message.entry_id = outbox.entry_id
        number = session.scalar(
            select(RegisterEntry.number).where(RegisterEntry.id == outbox.entry_id)
        )
        session.flush()
        return StoreOutcome(new=True, kind=kind, entry_number=number), message.id

    def unconfirmed_keys(self, channel: str, box: str) -> list[str]:
        """Keys of messages of this box stored but not marked confirmed."""
        with self.db.session() as session:
            return list(
                session.scalars(
                    select(InboxMessage.digest).where(
                        InboxMessage.channel == channel,
                        InboxMessage.box == box[:200],
                        InboxMessage.state != "confirmed",
                    )
                )
            )

    def mark_confirmed(self, channel: str, key: str) -> None:
        self.mark_confirmed_many(channel, [key])

    def mark_confirmed_many(self, channel: str, keys: list[str]) -> None:
        """Mark acknowledged messages confirmed in one transaction (the sync core batches
        them: one commit and one audit head write for many, instead of one per message)."""
        if not keys:
            return
        with self.db.session(write=True) as session, audit.batch(session):
            messages = session.scalars(
                select(InboxMessage)
                .where(InboxMessage.channel == channel, InboxMessage.digest.in_(keys))
                .order_by(InboxMessage.id)
            ).all()
            for message in messages:
                self._confirm(session, channel, message)

    def _confirm(self, session: Session, channel: str, message: InboxMessage) -> None:
        message.confirm_attempts += 1
        if message.state != "confirmed":
            message.state = "confirmed"
            message.confirmed_at = datetime.now(UTC)
            audit.record(
                session,
                self.actor,
                "inbox_confirm",
                "inbox_message",
                message.id,
                summary=f"{channel}: potwierdzono odbiór",
            )

    def counts(self) -> LedgerCounts:
        with self.db.session() as session:
            total = session.scalar(select(func.count(InboxMessage.id))) or 0
            unconfirmed = (
                session.scalar(
                    select(func.count(InboxMessage.id)).where(InboxMessage.state != "confirmed")
                )
                or 0
            )
            attention = (
                session.scalar(select(func.count(InboxMessage.id)).where(InboxMessage.error != ""))
                or 0
            )
        return LedgerCounts(total, unconfirmed, attention)

    def needing_attention(self, limit: int = 200) -> list[AttentionItem]:
        """Received messages with a problem, newest first (unreadable, bad signature...)."""
        stmt = (
            select(
                InboxMessage.id,
                InboxMessage.channel,
                InboxMessage.received_at,
                InboxMessage.entry_id,
                InboxMessage.error,
                InboxMessage.kind,
                RegisterEntry.number,
                RegisterEntry.title,
                RegisterEntry.needs_attention,
            )
            .outerjoin(RegisterEntry, RegisterEntry.id == InboxMessage.entry_id)
            .where(
                or_(
                    and_(InboxMessage.entry_id.is_(None), InboxMessage.error != ""),
                    and_(InboxMessage.kind == "document", RegisterEntry.needs_attention.is_(True)),
                    and_(InboxMessage.kind != "document", InboxMessage.error != ""),
                )
            )
            .order_by(InboxMessage.id.desc())
            .limit(limit)
        )
        with self.db.session() as session:
            rows = session.execute(stmt).all()
        return [
            AttentionItem(
                inbox_id=r.id,
                channel=r.channel,
                received_at=r.received_at,
                kind=r.kind,
                entry_id=r.entry_id,
                entry_number=r.number,
                title=r.title,
                reason=r.error or "",
            )
            for r in rows
        ]


__all__ = [
    "Analysis",
    "AttentionItem",
    "DatabaseLedger",
    "InboxFile",
    "LedgerCounts",
    "analyse",
]
