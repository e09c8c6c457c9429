"""The incoming and outgoing register (rejestr przesyłek wpływających / wychodzących).

One operation is one transaction: the number, the entry, a new correspondent, the
attachments, the assignment (dekretacja) and the audit events are saved together
or not at all, so a refused or failed registration never uses up a number.
Numbers come from ``numbering.next_number`` (``register:<symbol>`` per year) and
look as the register book's ``number_format`` says (``RPW/123/2026``).

Registration year: the year of the date received (incoming) or of the date sent
(outgoing; today while the letter waits for dispatch). A closed year refuses both.

Corrections never overwrite silently: the values before the correction are kept
as a ``RegisterEntryVersion`` with who, when and why, and the entry's version grows.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from clerk_app.errors import ValidationError
from clerk_app.integrations.epuap.safe_names import safe_attachment_name, unique_name
from clerk_app.models import (
    Attachment,
    Case,
    Channel,
    ClosedYear,
    Correspondent,
    DeliveryStatus,
    Direction,
    Office,
    OrgUnit,
    RegisterBook,
    RegisterEntry,
    RegisterEntryVersion,
    Role,
    User,
    register_sort_upkeep,
)
from clerk_app.models.types import utc_now
from clerk_app.services import audit, numbering, permissions, text_extract
from clerk_app.services.assignments import record_assignment
from clerk_app.services.blob_store import BlobStore
from clerk_app.services.correspondents import create_in_session
from clerk_app.services.database import Database
from clerk_app.services.register_types import (
    NO_DATA,
    UNKNOWABLE_FIELDS,
    AttachmentInput,
    EntryRow,
    EntryVersion,
    IncomingDraft,
    OutgoingDraft,
    RegisterFilter,
    RegisterResult,
)
from clerk_app.services.users import CurrentUser

# Who may do what (enforced here; the UI only hides what these refuse).
REGISTER_INCOMING_ROLES = frozenset({Role.REGISTRY_CLERK, Role.ADMIN})
# Clerks who write a letter register it on the way out themselves (see USERS.md, Marek).
REGISTER_OUTGOING_ROLES = frozenset({Role.REGISTRY_CLERK, Role.CASE_CLERK, Role.ADMIN})
CORRECT_ROLES = frozenset({Role.REGISTRY_CLERK, Role.ADMIN})
ASSIGN_ROLES = frozenset({Role.REGISTRY_CLERK, Role.ADMIN})
DELIVERY_ROLES = frozenset({Role.REGISTRY_CLERK, Role.CASE_CLERK, Role.ADMIN})
# Everyone else (case clerks, planners) reads the entries of their unit, theirs, or their own.
READ_ALL_ROLES = frozenset({Role.REGISTRY_CLERK, Role.MANAGER, Role.ADMIN})

INCOMING_CHANNELS = frozenset(
    {Channel.PAPER, Channel.EPUAP, Channel.EDORECZENIA, Channel.EMAIL, Channel.IN_PERSON}
)
DEFAULT_MAX_ATTACHMENT_BYTES = 100 * (1 << 20)

FIELD_LABELS = {
    "title": "Tytuł",
    "sender": "Nadawca",
    "addressee": "Adresat",
    "correspondent_id": "Nadawca/adresat",
    "letter_date": "Data pisma",
    "letter_ref": "Znak pisma",
    "received_on": "Data wpływu",
    "sent_on": "Data wysłania",
    "channel": "Sposób doręczenia",
    "tracking_no": "Numer nadawczy",
    "notes": "Uwagi",
    "fee_grosze": "Opłata",
    "attachment_count": "Liczba załączników",
    "unknown": "Brak danych",
}
_MAX_TEXT = {"title": 500, "letter_ref": 100, "tracking_no": 40}

# Fields a correction may change, per direction (assignment has its own operation).
CORRECTABLE_INCOMING = frozenset(
    {
        "received_on",
        "title",
        "correspondent_id",
        "letter_date",
        "letter_ref",
        "unknown",
        "channel",
        "tracking_no",
        "notes",
        "attachment_count",
    }
)
CORRECTABLE_OUTGOING = frozenset(
    {"sent_on", "title", "correspondent_id", "channel", "tracking_no", "notes", "fee_grosze"}
)
_SNAPSHOT_FIELDS = (
    "received_on",
    "sent_on",
    "title",
    "correspondent_id",
    "letter_date",
    "letter_ref",
    "unknown",
    "channel",
    "tracking_no",
    "notes",
    "attachment_count",
    "fee_grosze",
)


def _label(field: str) -> str:
    return FIELD_LABELS.get(field, field)


def _blank_to_none(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    return text or None


def normalise_tracking_no(text: str) -> str:
    """``rr 1234 5678 9pl`` → ``RR123456789PL``: the same envelope is found however typed."""
    return "".join(text.split()).upper()


def _unknown_set(names: Iterable[str]) -> frozenset[str]:
    if isinstance(names, str):
        names = [n for n in names.split(",") if n]
    result = frozenset(n.strip() for n in names)
    wrong = sorted(result - UNKNOWABLE_FIELDS)
    if wrong:
        allowed = ", ".join(sorted(UNKNOWABLE_FIELDS))
        raise ValidationError(
            f"Brak danych: można zaznaczyć tylko pola {allowed}; nie „{', '.join(wrong)}”."
        )
    return result


def _encode_unknown(names: frozenset[str]) -> str:
    return ",".join(sorted(names))


def _decode_unknown(text: str) -> frozenset[str]:
    return frozenset(n for n in text.split(",") if n)


@dataclass
class _Fields:
    """The register columns a registration or correction sets, checked together."""

    direction: Direction
    received_on: date | None
    sent_on: date | None
    title: str | None
    has_sender: bool
    letter_date: date | None
    letter_ref: str | None
    unknown: frozenset[str]
    channel: Channel
    tracking_no: str
    fee_grosze: int | None
    attachment_count: int


def _check_fields(f: _Fields, today: date) -> None:
    for field, limit in _MAX_TEXT.items():
        value = getattr(f, field)
        if value is not None and len(value) > limit:
            raise ValidationError(f"{_label(field)}: najwyżej {limit} znaków.")
    if f.attachment_count < 0:
        raise ValidationError("Liczba załączników nie może być ujemna.")
    if f.direction == Direction.INCOMING:
        _check_incoming(f, today)
    else:
        _check_outgoing(f, today)


def _check_incoming(f: _Fields, today: date) -> None:
    if f.received_on is None:
        raise ValidationError("Data wpływu: pole jest wymagane.")
    if f.received_on > today:
        raise ValidationError(
            f"Data wpływu: {f.received_on.isoformat()} jest w przyszłości "
            f"(dziś jest {today.isoformat()})."
        )
    present = {
        "title": f.title is not None,
        "sender": f.has_sender,
        "letter_date": f.letter_date is not None,
        "letter_ref": f.letter_ref is not None,
    }
    for field in ("title", "sender", "letter_date", "letter_ref"):
        if present[field] and field in f.unknown:
            raise ValidationError(
                f"{_label(field)}: podano wartość i zaznaczono „{NO_DATA}” – wybierz jedno."
            )
        if not present[field] and field not in f.unknown:
            raise ValidationError(f"{_label(field)}: wpisz wartość albo zaznacz „{NO_DATA}”.")
    if f.letter_date is not None and f.letter_date > f.received_on:
        raise ValidationError(
            f"Data pisma: {f.letter_date.isoformat()} jest późniejsza niż data wpływu "
            f"{f.received_on.isoformat()}."
        )
    if f.channel not in INCOMING_CHANNELS:
        raise ValidationError(
            "Sposób doręczenia: list polecony za zwrotnym potwierdzeniem odbioru dotyczy "
            "przesyłek wychodzących; przesyłkę papierową zarejestruj jako „papier”."
        )


def _check_outgoing(f: _Fields, today: date) -> None:
    if f.title is None:
        raise ValidationError("Tytuł: pole jest wymagane dla przesyłki wychodzącej.")
    if not f.has_sender:
        raise ValidationError("Adresat: wybierz adresata albo dodaj nowego.")
    if f.sent_on is not None and f.sent_on > today:
        raise ValidationError(
            f"Data wysłania: {f.sent_on.isoformat()} jest w przyszłości "
            f"(dziś jest {today.isoformat()})."
        )
    if f.fee_grosze is not None and f.fee_grosze < 0:
        raise ValidationError("Opłata: kwota nie może być ujemna.")


def _coerce_date(field: str, value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValidationError(f"{_label(field)}: „{value}” nie jest datą (RRRR-MM-DD).")


def _coerce_channel(value: object) -> Channel:
    try:
        return Channel(str(value))
    except ValueError:
        allowed = ", ".join(c.value for c in Channel)
        raise ValidationError(
            f"Sposób doręczenia: „{value}” nie jest znany (dozwolone: {allowed})."
        ) from None


def _coerce_int(field: str, value: object, *, optional: bool) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{_label(field)}: „{value}” nie jest liczbą całkowitą.")
    return value


def _coerce_text(field: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(f"{_label(field)}: oczekiwano tekstu, podano „{value}”.")
    return value


class RegisterService:
    """Registration, correction, assignment and delivery of register entries for one user."""

    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        user: CurrentUser,
        *,
        max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.user = user
        self.max_attachment_bytes = max_attachment_bytes
        self._today = today

    # ----------------------------------------------------------------- registration

    def register_incoming(self, draft: IncomingDraft) -> RegisterResult:
        """Register one incoming item; an ``external_id`` seen before returns the first result."""
        self.authorize_incoming()
        external_id = _blank_to_none(draft.external_id)
        try:
            with self.db.session(write=True) as session:
                return self.register_incoming_in(session, draft)
        except IntegrityError:
            # PostgreSQL: another clerk (or sync job) registered the same message first.
            if external_id is not None:
                with self.db.session() as session:
                    existing = _by_external_id(session, external_id)
                if existing is not None:
                    return existing
            raise

    def authorize_incoming(self) -> None:
        """Raise (and audit) unless the user may register incoming items.

        Call it before opening the session given to :meth:`register_incoming_in`: a
        refusal is audited in a transaction of its own.
        """
        permissions.require(
            self.db, self.user, REGISTER_INCOMING_ROLES, "rejestracja przesyłki wpływającej"
        )

    def register_incoming_in(
        self, session: Session, draft: IncomingDraft, *, sender_name: str | None = None
    ) -> RegisterResult:
        """Register inside the caller's transaction (the inbox sync stores the raw message,
        the parsed document and the entry together). Permission: :meth:`authorize_incoming`.

        ``sender_name``: the display name of ``draft.correspondent_id`` when the caller has
        just read that correspondent in this transaction (it is not looked up again).
        """
        if draft.correspondent_id is not None and draft.new_correspondent is not None:
            raise ValidationError("Nadawca: wybierz istniejącego albo dodaj nowego, nie oba naraz.")
        if draft.instruction.strip() and not (draft.assigned_unit_id or draft.assigned_user_id):
            raise ValidationError(
                "Dekretacja: podano polecenie, ale nie wskazano komórki ani pracownika."
            )
        today = self._today()
        title = _blank_to_none(draft.title)
        fields = _Fields(
            direction=Direction.INCOMING,
            received_on=draft.received_on,
            sent_on=None,
            title=title,
            has_sender=draft.correspondent_id is not None or draft.new_correspondent is not None,
            letter_date=draft.letter_date,
            letter_ref=_blank_to_none(draft.letter_ref),
            unknown=_unknown_set(draft.unknown),
            channel=draft.channel,
            tracking_no=normalise_tracking_no(draft.tracking_no),
            fee_grosze=None,
            attachment_count=(
                len(draft.attachments) if draft.attachment_count is None else draft.attachment_count
            ),
        )
        _check_fields(fields, today)
        self._check_attachment_sizes(draft.attachments)
        external_id = _blank_to_none(draft.external_id)
        assert fields.received_on is not None
        year = fields.received_on.year
        # The checks read only books, entries, units, users and counters; what the caller
        # has pending (audit events, its inbox message) goes with the entry's one flush
        # below instead of a flush per query.
        with session.no_autoflush:
            if external_id is not None:
                existing = _by_external_id(session, external_id)
                if existing is not None:
                    return existing
            book = self._book(session, draft.register_symbol, Direction.INCOMING, year)
            self._check_tracking(session, Direction.INCOMING, fields.tracking_no, None)
            correspondent_id, sender_name = (
                (draft.correspondent_id, sender_name)
                if sender_name is not None and draft.correspondent_id is not None
                else self._sender(session, draft.correspondent_id, draft.new_correspondent)
            )
            unit_id = self._check_unit(session, draft.assigned_unit_id)
            assignee = self._check_user(session, draft.assigned_user_id)
            if unit_id is None and assignee is not None:
                unit_id = assignee.unit_id
            seq = numbering.next_number(session, f"register:{book.symbol}", year)
        number = _format_number(book, seq, year)
        values: dict[str, Any] = {
            "direction": Direction.INCOMING,
            "register_symbol": book.symbol,
            "year": year,
            "seq_no": seq,
            "number": number,
            "received_on": fields.received_on,
            "title": fields.title,
            "correspondent_id": correspondent_id,
            "letter_date": fields.letter_date,
            "letter_ref": fields.letter_ref,
            "unknown_fields": _encode_unknown(fields.unknown),
            "channel": fields.channel,
            "tracking_no": fields.tracking_no,
            "attachment_count": fields.attachment_count,
            "notes": draft.notes.strip(),
            "created_by_id": self.user.id,
            "external_id": external_id,
            "needs_attention": draft.needs_attention,
            "attention_reason": draft.attention_reason.strip()[:500],
        }
        # What the caller has pending (a new correspondent, blobs) is written first; the
        # entry itself is one Core INSERT: the ORM would only track an object nobody reads.
        session.flush()
        connection = session.connection()
        values.update(register_sort_upkeep.keys_for_insert(connection, values, sender_name))
        entry_id = connection.execute(_INSERT_ENTRY, values).scalar_one()
        names = _attachment_names(draft.attachments)
        audit.record(
            session,
            self.user,
            "register",
            "register_entry",
            entry_id,
            summary=f"rejestracja {number}: {fields.title or NO_DATA}",
            details={
                "number": number,
                "direction": "incoming",
                "channel": fields.channel.value,
                "external_id": external_id,
                "attachments": names,
                "unknown": sorted(fields.unknown),
            },
        )
        self._store_attachments(session, entry_id, None, draft.attachments)
        if unit_id is not None or assignee is not None:
            assignment = record_assignment(
                session,
                self.user,
                on=today,
                entry_id=entry_id,
                to_unit_id=unit_id,
                to_user_id=assignee.id if assignee else None,
                instruction=draft.instruction,
            )
            connection.execute(
                update(_ENTRIES)
                .where(_ENTRIES.c.id == entry_id)
                .values(
                    assigned_unit_id=unit_id,
                    assigned_user_id=assignment.to_user_id,
                    assignee_sort=register_sort_upkeep.assignee_sort_key(
                        connection, unit_id, assignment.to_user_id
                    ),
                )
            )
        return RegisterResult(entry_id, number)

    def register_outgoing(self, draft: OutgoingDraft) -> RegisterResult:
        self.authorize_outgoing()
        with self.db.session(write=True) as session:
            return self.register_outgoing_in(session, draft)

    def authorize_outgoing(self) -> None:
        """Raise (and audit) unless the user may register outgoing items.

        Call it before opening the session given to :meth:`register_outgoing_in`.
        """
        permissions.require(
            self.db, self.user, REGISTER_OUTGOING_ROLES, "rejestracja przesyłki wychodzącej"
        )

    def register_outgoing_in(self, session: Session, draft: OutgoingDraft) -> RegisterResult:
        """Register inside the caller's transaction (a letter is stored with its entry).
        Permission: :meth:`authorize_outgoing`.
        """
        if draft.correspondent_id is not None and draft.new_correspondent is not None:
            raise ValidationError("Adresat: wybierz istniejącego albo dodaj nowego, nie oba naraz.")
        today = self._today()
        fields = _Fields(
            direction=Direction.OUTGOING,
            received_on=None,
            sent_on=draft.sent_on,
            title=_blank_to_none(draft.title),
            has_sender=draft.correspondent_id is not None or draft.new_correspondent is not None,
            letter_date=None,
            letter_ref=None,
            unknown=frozenset(),
            channel=draft.channel,
            tracking_no=normalise_tracking_no(draft.tracking_no),
            fee_grosze=draft.fee_grosze,
            attachment_count=len(draft.attachments),
        )
        _check_fields(fields, today)
        self._check_attachment_sizes(draft.attachments)
        year = (draft.sent_on or today).year
        book = self._book(session, draft.register_symbol, Direction.OUTGOING, year)
        self._check_tracking(session, Direction.OUTGOING, fields.tracking_no, None)
        correspondent_id, _name = self._sender(
            session, draft.correspondent_id, draft.new_correspondent
        )
        case = None
        if draft.case_id is not None:
            case = session.get(Case, draft.case_id)
            if case is None:
                raise ValidationError(f"Sprawa: nie ma sprawy nr {draft.case_id}.")
        seq = numbering.next_number(session, f"register:{book.symbol}", year)
        entry = RegisterEntry(
            direction=Direction.OUTGOING,
            register_symbol=book.symbol,
            year=year,
            seq_no=seq,
            number=_format_number(book, seq, year),
            sent_on=draft.sent_on,
            title=fields.title,
            correspondent_id=correspondent_id,
            channel=fields.channel,
            tracking_no=fields.tracking_no,
            assigned_unit_id=case.unit_id if case else None,
            assigned_user_id=case.handler_id if case else None,
            attachment_count=fields.attachment_count,
            notes=draft.notes.strip(),
            case_id=case.id if case else None,
            created_by_id=self.user.id,
            delivery_status=DeliveryStatus.SENT if draft.sent_on else DeliveryStatus.PENDING,
            fee_grosze=draft.fee_grosze,
        )
        session.add(entry)
        session.flush()
        names = self._store_attachments(session, entry.id, entry.case_id, draft.attachments)
        audit.record(
            session,
            self.user,
            "register",
            "register_entry",
            entry.id,
            summary=f"rejestracja {entry.number}: {entry.title}",
            details={
                "number": entry.number,
                "direction": "outgoing",
                "channel": entry.channel.value,
                "case": case.sign if case else None,
                "attachments": names,
            },
        )
        return RegisterResult(entry.id, entry.number)

    # ------------------------------------------------------------------ corrections

    def correct_entry(self, entry_id: int, changes: Mapping[str, object], reason: str) -> EntryRow:
        """Change registered values; the old ones stay as a version with who/when/why."""
        permissions.require(
            self.db, self.user, CORRECT_ROLES, "korekta wpisu", "register_entry", entry_id
        )
        reason = reason.strip()
        if not reason:
            raise ValidationError("Powód korekty: pole jest wymagane – napisz, dlaczego zmieniasz.")
        if len(reason) > 500:
            raise ValidationError("Powód korekty: najwyżej 500 znaków.")
        if not changes:
            raise ValidationError("Korekta: nie wskazano żadnej zmiany.")
        with self.db.session(write=True) as session:
            entry = session.scalar(
                select(RegisterEntry).where(RegisterEntry.id == entry_id).with_for_update()
            )
            if entry is None:
                raise ValidationError(f"Wpis: nie ma wpisu nr {entry_id} w rejestrze.")
            allowed = (
                CORRECTABLE_INCOMING
                if entry.direction == Direction.INCOMING
                else CORRECTABLE_OUTGOING
            )
            wrong = sorted(set(changes) - allowed)
            if wrong:
                raise ValidationError(
                    f"Korekta: pola „{', '.join(wrong)}” nie można poprawiać w tym rejestrze "
                    f"(można: {', '.join(sorted(allowed))})."
                )
            old = _snapshot(entry)
            new = dict(old)
            for key, value in changes.items():
                new[key] = _coerce(key, value)
            if "unknown" not in changes:
                # A value typed in replaces "brak danych" for that field.
                filled = {
                    f
                    for f, present in (
                        ("title", new["title"] is not None),
                        ("sender", new["correspondent_id"] is not None),
                        ("letter_date", new["letter_date"] is not None),
                        ("letter_ref", new["letter_ref"] is not None),
                    )
                    if present
                }
                new["unknown"] = frozenset(old["unknown"]) - filled
            new_sender = new["correspondent_id"]
            if (
                new_sender is not None
                and new_sender != old["correspondent_id"]
                and session.get(Correspondent, new_sender) is None
            ):
                raise ValidationError(
                    f"Nadawca/adresat: nie ma korespondenta nr {new['correspondent_id']}."
                )
            _check_fields(_fields_of(entry.direction, new), self._today())
            if entry.direction == Direction.INCOMING and new["received_on"].year != entry.year:
                raise ValidationError(
                    f"Data wpływu: korekta nie może zmienić roku – numer {entry.number} "
                    f"należy do rejestru roku {entry.year}."
                )
            if new["tracking_no"] != old["tracking_no"]:
                self._check_tracking(session, entry.direction, new["tracking_no"], entry.id)
            changed = {k: (old[k], new[k]) for k in _SNAPSHOT_FIELDS if old[k] != new[k]}
            if not changed:
                raise ValidationError("Korekta: podane wartości są takie same jak obecne.")
            session.add(
                RegisterEntryVersion(
                    entry_id=entry.id,
                    version=entry.version,
                    snapshot=_to_json(old),
                    changed_by_id=self.user.id,
                    reason=reason,
                )
            )
            _apply(entry, new)
            entry.version += 1
            session.flush()
            audit.record(
                session,
                self.user,
                "correct",
                "register_entry",
                entry.id,
                summary=f"korekta {entry.number} (wersja {entry.version}): {reason}",
                details={
                    "version": entry.version,
                    "reason": reason,
                    "changes": {
                        k: [_jsonable(a), _jsonable(b)] for k, (a, b) in sorted(changed.items())
                    },
                },
            )
            return _row_for(session, entry.id)

    def entry_versions(self, entry_id: int) -> list[EntryVersion]:
        """Earlier versions of the entry, oldest first (values as JSON: dates in ISO form)."""
        self._check_can_read(entry_id)
        editor = aliased(User)
        with self.db.session() as session:
            rows = session.execute(
                select(RegisterEntryVersion, editor.full_name)
                .outerjoin(editor, editor.id == RegisterEntryVersion.changed_by_id)
                .where(RegisterEntryVersion.entry_id == entry_id)
                .order_by(RegisterEntryVersion.version)
            ).all()
            return [
                EntryVersion(
                    version=v.version,
                    values=json.loads(v.snapshot),
                    changed_at=v.changed_at,
                    changed_by=name or "",
                    reason=v.reason,
                )
                for v, name in rows
            ]

    # ---------------------------------------------------------- assignment, delivery

    def assign(
        self,
        entry_id: int,
        *,
        unit_id: int | None = None,
        user_id: int | None = None,
        instruction: str = "",
    ) -> EntryRow:
        """Assign (dekretacja) an entry again; stand-in rules route it past absent clerks."""
        permissions.require(
            self.db, self.user, ASSIGN_ROLES, "dekretacja", "register_entry", entry_id
        )
        with self.db.session(write=True) as session:
            entry = session.scalar(
                select(RegisterEntry).where(RegisterEntry.id == entry_id).with_for_update()
            )
            if entry is None:
                raise ValidationError(f"Wpis: nie ma wpisu nr {entry_id} w rejestrze.")
            unit = self._check_unit(session, unit_id)
            assignee = self._check_user(session, user_id)
            if unit is None and assignee is not None:
                unit = assignee.unit_id
            assignment = record_assignment(
                session,
                self.user,
                on=self._today(),
                entry_id=entry.id,
                to_unit_id=unit,
                to_user_id=assignee.id if assignee else None,
                instruction=instruction,
            )
            entry.assigned_unit_id = unit
            entry.assigned_user_id = assignment.to_user_id
            session.flush()
            return _row_for(session, entry.id)

    def set_delivery(
        self,
        entry_id: int,
        status: DeliveryStatus,
        delivered_on: date | None = None,
        note: str = "",
    ) -> EntryRow:
        """Record what happened to an outgoing letter (from the return receipt, UPD or UPP)."""
        permissions.require(
            self.db, self.user, DELIVERY_ROLES, "status doręczenia", "register_entry", entry_id
        )
        status = DeliveryStatus(status)
        today = self._today()
        with self.db.session(write=True) as session:
            entry = session.scalar(
                select(RegisterEntry).where(RegisterEntry.id == entry_id).with_for_update()
            )
            if entry is None:
                raise ValidationError(f"Wpis: nie ma wpisu nr {entry_id} w rejestrze.")
            if entry.direction != Direction.OUTGOING:
                raise ValidationError(
                    f"Status doręczenia: {entry.number} jest przesyłką wpływającą; "
                    "status dotyczy tylko przesyłek wychodzących."
                )
            delivered = status in (DeliveryStatus.DELIVERED, DeliveryStatus.DEEMED_DELIVERED)
            if delivered:
                if delivered_on is None:
                    raise ValidationError(
                        "Data doręczenia: pole jest wymagane (z potwierdzenia odbioru lub UPD)."
                    )
                if delivered_on > today:
                    raise ValidationError(
                        f"Data doręczenia: {delivered_on.isoformat()} jest w przyszłości."
                    )
                if entry.sent_on is not None and delivered_on < entry.sent_on:
                    raise ValidationError(
                        f"Data doręczenia: {delivered_on.isoformat()} jest wcześniejsza niż "
                        f"data wysłania {entry.sent_on.isoformat()}."
                    )
            elif delivered_on is not None:
                raise ValidationError("Data doręczenia: podaje się tylko dla przesyłki doręczonej.")
            old_status = entry.delivery_status
            if status != DeliveryStatus.PENDING and entry.sent_on is None:
                entry.sent_on = delivered_on if delivered_on and delivered_on < today else today
            entry.delivery_status = status
            entry.delivered_on = delivered_on if delivered else None
            if note.strip():
                entry.notes = (entry.notes + "\n" if entry.notes else "") + note.strip()
            session.flush()
            audit.record(
                session,
                self.user,
                "delivery",
                "register_entry",
                entry.id,
                summary=f"{entry.number}: status doręczenia {status.value}",
                details={
                    "from": old_status.value if old_status else None,
                    "to": status.value,
                    "delivered_on": delivered_on,
                    "note": note.strip(),
                },
            )
            return _row_for(session, entry.id)

    # ------------------------------------------------------------------------ reads

    def get_entry(self, entry_id: int) -> EntryRow:
        self._check_can_read(entry_id)
        with self.db.session() as session:
            return _row_for(session, entry_id)

    def list_entries(self, filters: RegisterFilter | None = None) -> list[EntryRow]:
        """Entries matching the filters, newest first; clerks see their unit's and their own."""
        f = filters or RegisterFilter()
        if f.limit < 1:
            raise ValidationError("Limit: podaj liczbę dodatnią.")
        stmt = _row_select()
        if f.direction is not None:
            stmt = stmt.where(RegisterEntry.direction == f.direction)
        if f.channel is not None:
            stmt = stmt.where(RegisterEntry.channel == f.channel)
        day = func.coalesce(RegisterEntry.received_on, RegisterEntry.sent_on)
        if f.date_from is not None:
            stmt = stmt.where(day >= f.date_from)
        if f.date_to is not None:
            stmt = stmt.where(day <= f.date_to)
        with self.db.session() as session:
            if f.unit_symbol:
                unit_ids = list(
                    session.scalars(select(OrgUnit.id).where(OrgUnit.symbol == f.unit_symbol))
                )
                if not unit_ids:
                    raise ValidationError(f"Komórka: nie ma komórki o symbolu „{f.unit_symbol}”.")
                stmt = stmt.where(RegisterEntry.assigned_unit_id.in_(unit_ids))
            if not self.user.roles & READ_ALL_ROLES:
                own_unit = session.scalar(select(User.unit_id).where(User.id == self.user.id))
                visible = [
                    RegisterEntry.assigned_user_id == self.user.id,
                    RegisterEntry.created_by_id == self.user.id,
                ]
                if own_unit is not None:
                    visible.append(RegisterEntry.assigned_unit_id == own_unit)
                stmt = stmt.where(or_(*visible))
            stmt = stmt.order_by(RegisterEntry.id.desc()).limit(f.limit)
            return [_to_row(*row) for row in session.execute(stmt)]

    def unit_id_for(self, symbol: str) -> int:
        """The id of the active unit with this symbol (scripts name units, forms pick them)."""
        with self.db.session() as session:
            unit = session.scalar(select(OrgUnit).where(OrgUnit.symbol == symbol.strip()))
            if unit is None:
                raise ValidationError(f"Komórka: nie ma komórki o symbolu „{symbol}”.")
            return unit.id

    def user_id_for(self, login: str) -> int:
        with self.db.session() as session:
            user_id = session.scalar(select(User.id).where(User.login == login.strip()))
            if user_id is None:
                raise ValidationError(f"Pracownik: nie ma użytkownika „{login}”.")
            return user_id

    def office_short_name(self) -> str:
        """The office name printed on intake stickers."""
        with self.db.session() as session:
            office = session.scalar(select(Office).order_by(Office.id).limit(1))
            if office is None:
                return ""
            return office.short_name or office.name

    # --------------------------------------------------------------------- helpers

    def _check_can_read(self, entry_id: int) -> None:
        if self.user.roles & READ_ALL_ROLES:
            return
        with self.db.session() as session:
            entry = session.get(RegisterEntry, entry_id)
            if entry is None:
                raise ValidationError(f"Wpis: nie ma wpisu nr {entry_id} w rejestrze.")
            own_unit = session.scalar(select(User.unit_id).where(User.id == self.user.id))
            allowed = self.user.id in (entry.assigned_user_id, entry.created_by_id) or (
                own_unit is not None and entry.assigned_unit_id == own_unit
            )
        if not allowed:
            permissions.deny(
                self.db,
                self.user,
                "odczyt wpisu",
                "register_entry",
                entry_id,
                "wpis nie jest przydzielony Tobie ani Twojej komórce",
            )

    @staticmethod
    def _book(session: Session, symbol: str, direction: Direction, year: int) -> _Book:
        """The register book, refusing unknown, inactive and wrong-way books and closed years.

        Read on every registration (never cached): a book deactivated or a year closed a
        moment ago refuses the next entry.
        """
        found = session.connection().execute(_BOOK, {"symbol": symbol, "year": year}).first()
        if found is None:
            raise ValidationError(f"Rejestr: nie ma rejestru „{symbol}”.")
        book = _Book(found[0], found[1])
        active, book_direction, closed = found[2], found[3], found[4]
        if not active:
            raise ValidationError(f"Rejestr: rejestr „{symbol}” jest nieaktywny.")
        if book_direction != direction:
            kind = "wpływających" if direction == Direction.INCOMING else "wychodzących"
            raise ValidationError(f"Rejestr: „{symbol}” nie jest rejestrem przesyłek {kind}.")
        if closed is not None:
            raise ValidationError(
                f"Rok {year} jest zamknięty: nie można już w nim rejestrować przesyłek."
            )
        return book

    @staticmethod
    def _check_tracking(
        session: Session, direction: Direction, tracking_no: str, own_id: int | None
    ) -> None:
        """The same envelope must not be registered twice in one register direction.

        Directions are separate because a returned letter comes back with the tracking
        number it left with.
        """
        if not tracking_no:
            return
        stmt = select(RegisterEntry.number, RegisterEntry.received_on, RegisterEntry.sent_on).where(
            RegisterEntry.tracking_no == tracking_no, RegisterEntry.direction == direction
        )
        if own_id is not None:
            stmt = stmt.where(RegisterEntry.id != own_id)
        found = session.execute(stmt.limit(1)).first()
        if found is not None:
            number, received_on, sent_on = found
            day = received_on or sent_on
            when = f" z dnia {day.isoformat()}" if day else ""
            raise ValidationError(
                f"Numer nadawczy: przesyłka {tracking_no} jest już zarejestrowana jako "
                f"{number}{when}."
            )

    @staticmethod
    def _check_unit(session: Session, unit_id: int | None) -> int | None:
        if unit_id is None:
            return None
        unit = session.get(OrgUnit, unit_id)
        if unit is None:
            raise ValidationError(f"Dekretacja: nie ma komórki organizacyjnej nr {unit_id}.")
        if not unit.active:
            raise ValidationError(f"Dekretacja: komórka {unit.symbol} jest nieaktywna.")
        return unit.id

    @staticmethod
    def _check_user(session: Session, user_id: int | None) -> User | None:
        if user_id is None:
            return None
        user = session.get(User, user_id)
        if user is None:
            raise ValidationError(f"Dekretacja: nie ma pracownika nr {user_id}.")
        if not user.active:
            raise ValidationError(f"Dekretacja: konto pracownika {user.full_name} jest wyłączone.")
        return user

    def _sender(
        self, session: Session, correspondent_id: int | None, new: Any
    ) -> tuple[int | None, str | None]:
        """The sender's (or addressee's) id and display name (its sort key), the new one
        created; refuses an unknown id."""
        if new is not None:
            created = create_in_session(session, self.user, new)
            return created.id, created.display_name
        if correspondent_id is None:
            return None, None
        # Just created or found by the caller (ePUAP intake): its name is loaded already.
        name = register_sort_upkeep.held_display_name(session, correspondent_id)
        if name is not None:
            return correspondent_id, name
        found = session.connection().execute(_SENDER_NAME, {"id": correspondent_id}).first()
        if found is None:
            raise ValidationError(f"Nadawca/adresat: nie ma korespondenta nr {correspondent_id}.")
        return correspondent_id, found[0]

    def _check_attachment_sizes(self, attachments: tuple[AttachmentInput, ...]) -> None:
        limit_mb = self.max_attachment_bytes / (1 << 20)
        for att in attachments:
            if isinstance(att.source, Path):
                try:
                    size = att.source.stat().st_size
                except OSError:
                    raise ValidationError(
                        f"Załącznik: nie można odczytać pliku {att.source}."
                    ) from None
            else:
                size = len(att.source)
            if size > self.max_attachment_bytes:
                raise ValidationError(
                    f"Załącznik „{att.file_name}” jest za duży: {size / (1 << 20):.1f} MB "
                    f"(dopuszczalne {limit_mb:.0f} MB)."
                )

    def _store_attachments(
        self,
        session: Session,
        entry_id: int,
        case_id: int | None,
        attachments: tuple[AttachmentInput, ...],
    ) -> list[str]:
        """Store the files and insert their rows at once (one executemany, no ORM objects)."""
        names = _attachment_names(attachments)
        rows: list[dict[str, Any]] = []
        for att, name in zip(attachments, names, strict=True):
            if isinstance(att.source, Path):
                with att.source.open("rb") as stream:
                    stored = self.blobs.put(session, stream)
            else:
                stored = self.blobs.put(session, att.source)
            media_type = (att.media_type or "application/octet-stream")[:100]
            rows.append(
                {
                    "entry_id": entry_id,
                    "case_id": case_id if att.on_case else None,
                    "file_name": name,
                    "media_type": media_type,
                    "size": stored.size,
                    "sha256": stored.sha256,
                    "created_at": utc_now(),
                    "created_by_id": self.user.id,
                    # The search index (database triggers) picks this text up.
                    "extracted_text": (
                        self._text_of(att.source, name, media_type, stored.size)
                        if att.text is None
                        else text_extract.normalise_text(att.text)
                    ),
                }
            )
        if rows:
            session.flush()  # a blob store may have left rows pending (PostgreSQL: the blobs)
            session.connection().execute(_INSERT_ATTACHMENTS, rows)
        return names

    @staticmethod
    def _text_of(source: Path | bytes, name: str, media_type: str, size: int) -> str:
        if size > text_extract.MAX_INPUT_BYTES:
            return ""
        data = source.read_bytes() if isinstance(source, Path) else source
        return text_extract.extract_text(name, media_type, data)


_ENTRIES = cast(Table, RegisterEntry.__table__)
_ATTACHMENTS = cast(Table, Attachment.__table__)
_INSERT_ENTRY = insert(_ENTRIES).returning(_ENTRIES.c.id)
_INSERT_ATTACHMENTS = insert(_ATTACHMENTS)
# The registration's reads, built once (building a statement costs more than running it).
_BOOK = (
    select(
        RegisterBook.symbol,
        RegisterBook.number_format,
        RegisterBook.active,
        RegisterBook.direction,
        ClosedYear.year,
    )
    .outerjoin(ClosedYear, ClosedYear.year == bindparam("year"))
    .where(RegisterBook.symbol == bindparam("symbol"))
)
_BY_EXTERNAL_ID = select(RegisterEntry.id, RegisterEntry.number).where(
    RegisterEntry.external_id == bindparam("external_id")
)
_SENDER_NAME = select(Correspondent.display_name).where(Correspondent.id == bindparam("id"))


def _attachment_names(attachments: tuple[AttachmentInput, ...]) -> list[str]:
    """The stored file names: safe and unique within the entry."""
    taken: set[str] = set()
    names = []
    for att in attachments:
        # A generic type says nothing about the extension ("pismo" stays "pismo").
        known_type = None if att.media_type == "application/octet-stream" else att.media_type
        name = unique_name(safe_attachment_name(att.file_name, known_type), taken)
        taken.add(name)
        names.append(name)
    return names


@dataclass(frozen=True)
class _Book:
    """What a registration needs of its register book."""

    symbol: str
    number_format: str


def _format_number(book: _Book, seq: int, year: int) -> str:
    try:
        number = book.number_format.format(symbol=book.symbol, n=seq, year=year)
    except (KeyError, IndexError, ValueError):
        raise ValidationError(
            f"Rejestr {book.symbol}: nieprawidłowy format numeru „{book.number_format}” "
            "(dozwolone pola: {symbol}, {n}, {year})."
        ) from None
    if len(number) > 40:
        raise ValidationError(
            f"Rejestr {book.symbol}: numer „{number}” jest dłuższy niż 40 znaków."
        )
    return number


def _by_external_id(session: Session, external_id: str) -> RegisterResult | None:
    found = session.connection().execute(_BY_EXTERNAL_ID, {"external_id": external_id}).first()
    return RegisterResult(found[0], found[1]) if found else None


def _snapshot(entry: RegisterEntry) -> dict[str, Any]:
    return {
        "received_on": entry.received_on,
        "sent_on": entry.sent_on,
        "title": entry.title,
        "correspondent_id": entry.correspondent_id,
        "letter_date": entry.letter_date,
        "letter_ref": entry.letter_ref,
        "unknown": _decode_unknown(entry.unknown_fields),
        "channel": entry.channel,
        "tracking_no": entry.tracking_no,
        "notes": entry.notes,
        "attachment_count": entry.attachment_count,
        "fee_grosze": entry.fee_grosze,
    }


def _coerce(key: str, value: object) -> Any:
    if key in ("received_on", "sent_on", "letter_date"):
        return _coerce_date(key, value)
    if key == "channel":
        return _coerce_channel(value)
    if key == "unknown":
        if not isinstance(value, Iterable):
            raise ValidationError("Brak danych: podaj listę pól.")
        return _unknown_set(value)
    if key in ("title", "letter_ref"):
        return _blank_to_none(_coerce_text(key, value))
    if key == "tracking_no":
        return normalise_tracking_no(_coerce_text(key, value) or "")
    if key == "notes":
        return (_coerce_text(key, value) or "").strip()
    if key == "correspondent_id":
        return _coerce_int(key, value, optional=True)
    if key == "fee_grosze":
        return _coerce_int(key, value, optional=True)
    if key == "attachment_count":
        return _coerce_int(key, value, optional=False)
    raise ValidationError(f"Korekta: nieznane pole „{key}”.")


def _fields_of(direction: Direction, v: Mapping[str, Any]) -> _Fields:
    return _Fields(
        direction=direction,
        received_on=v["received_on"],
        sent_on=v["sent_on"],
        title=v["title"],
        has_sender=v["correspondent_id"] is not None,
        letter_date=v["letter_date"],
        letter_ref=v["letter_ref"],
        unknown=v["unknown"],
        channel=v["channel"],
        tracking_no=v["tracking_no"],
        fee_grosze=v["fee_grosze"],
        attachment_count=v["attachment_count"],
    )


def _apply(entry: RegisterEntry, v: Mapping[str, Any]) -> None:
    entry.received_on = v["received_on"]
    entry.sent_on = v["sent_on"]
    entry.title = v["title"]
    entry.correspondent_id = v["correspondent_id"]
    entry.letter_date = v["letter_date"]
    entry.letter_ref = v["letter_ref"]
    entry.unknown_fields = _encode_unknown(v["unknown"])
    entry.channel = v["channel"]
    entry.tracking_no = v["tracking_no"]
    entry.notes = v["notes"]
    entry.attachment_count = v["attachment_count"]
    entry.fee_grosze = v["fee_grosze"]


def _jsonable(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Channel):
        return value.value
    if isinstance(value, frozenset):
        return sorted(value)
    return value


def _to_json(values: Mapping[str, Any]) -> str:
    return json.dumps(
        {k: _jsonable(v) for k, v in values.items()},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )


def _row_select() -> Select[RegisterEntry, str, str, str, str]:
    assignee = aliased(User)
    return (
        select(
            RegisterEntry, Correspondent.display_name, OrgUnit.symbol, assignee.full_name, Case.sign
        )
        .outerjoin(Correspondent, Correspondent.id == RegisterEntry.correspondent_id)
        .outerjoin(OrgUnit, OrgUnit.id == RegisterEntry.assigned_unit_id)
        .outerjoin(assignee, assignee.id == RegisterEntry.assigned_user_id)
        .outerjoin(Case, Case.id == RegisterEntry.case_id)
    )


def _row_for(session: Session, entry_id: int) -> EntryRow:
    found = session.execute(_row_select().where(RegisterEntry.id == entry_id)).first()
    if found is None:
        raise ValidationError(f"Wpis: nie ma wpisu nr {entry_id} w rejestrze.")
    return _to_row(*found)


def _to_row(
    e: RegisterEntry,
    sender: str | None,
    unit: str | None,
    assignee: str | None,
    case_sign: str | None,
) -> EntryRow:
    extra: dict[str, str] = {}
    if e.external_id:
        extra["external_id"] = e.external_id
    if e.attention_reason:
        extra["attention_reason"] = e.attention_reason
    if e.delivered_on:
        extra["delivered_on"] = e.delivered_on.isoformat()
    if e.fee_grosze is not None:
        extra["fee_grosze"] = str(e.fee_grosze)
    return EntryRow(
        id=e.id,
        number=e.number,
        direction=e.direction,
        registered_at=e.registered_at,
        received_on=e.received_on,
        sent_on=e.sent_on,
        title=e.title,
        sender=sender,
        letter_date=e.letter_date,
        letter_ref=e.letter_ref,
        unknown_fields=_decode_unknown(e.unknown_fields),
        channel=e.channel,
        tracking_no=e.tracking_no,
        assigned_unit=unit,
        assigned_user=assignee,
        attachment_count=e.attachment_count,
        notes=e.notes,
        case_sign=case_sign,
        version=e.version,
        needs_attention=e.needs_attention,
        delivery_status=e.delivery_status,
        extra=extra,
    )


def shown(row: EntryRow, field: str) -> str:
    """A register cell as printed: "brak danych" where the clerk marked it unknown."""
    if field in row.unknown_fields:
        return NO_DATA
    value = {
        "title": row.title,
        "sender": row.sender,
        "letter_date": row.letter_date,
        "letter_ref": row.letter_ref,
    }.get(field, getattr(row, field, None))
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)
