"""Plain data crossing the register services' boundary (forms and views never see ORM objects)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from clerk_app.models import Channel, CorrespondentKind, DeliveryStatus, Direction

NO_DATA = "brak danych"
# Register columns 3–6 that a clerk may explicitly mark "brak danych".
UNKNOWABLE_FIELDS = frozenset({"title", "sender", "letter_date", "letter_ref"})


@dataclass(frozen=True)
class CorrespondentInput:
    kind: CorrespondentKind
    first_name: str = ""
    last_name: str = ""
    institution_name: str = ""
    pesel: str = ""
    nip: str = ""
    regon: str = ""
    street: str = ""
    building: str = ""
    apartment: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = "PL"
    email: str = ""
    phone: str = ""
    epuap_address: str = ""
    ade: str = ""


@dataclass(frozen=True)
class CorrespondentSummary:
    id: int
    kind: CorrespondentKind
    display_name: str
    address_line: str  # "ul. Polna 3, 62-035 Zielona Dolina"


@dataclass(frozen=True)
class AttachmentInput:
    file_name: str
    source: Path | bytes
    media_type: str = "application/octet-stream"
    # The searchable text when the caller knows it (a letter it has just rendered):
    # the file is then not read back for text.
    text: str | None = None
    # Filed in the entry's case as well (a letter written in the case), set at insert
    # so the search index rebuilds the case's text once, not twice.
    on_case: bool = False


@dataclass(frozen=True)
class IncomingDraft:
    """What the intake form (or ePUAP sync, or `register add`) hands to the service."""

    received_on: date
    channel: Channel
    title: str | None = None
    correspondent_id: int | None = None
    new_correspondent: CorrespondentInput | None = None
    letter_date: date | None = None
    letter_ref: str | None = None
    unknown: frozenset[str] = frozenset()  # subset of UNKNOWABLE_FIELDS
    tracking_no: str = ""
    assigned_unit_id: int | None = None
    assigned_user_id: int | None = None
    instruction: str = ""
    notes: str = ""
    attachments: tuple[AttachmentInput, ...] = ()
    register_symbol: str = "RPW"
    external_id: str | None = None  # ePUAP / e-Doręczenia message id
    needs_attention: bool = False
    attention_reason: str = ""
    # Paper letters: the attachments counted by the clerk; None = the number of files given.
    attachment_count: int | None = None


@dataclass(frozen=True)
class OutgoingDraft:
    title: str
    channel: Channel
    correspondent_id: int | None = None
    new_correspondent: CorrespondentInput | None = None
    case_id: int | None = None
    sent_on: date | None = None
    tracking_no: str = ""
    fee_grosze: int | None = None
    notes: str = ""
    attachments: tuple[AttachmentInput, ...] = ()
    register_symbol: str = "WYCH"


@dataclass(frozen=True)
class RegisterResult:
    entry_id: int
    number: str  # e.g. RPW/123/2026


@dataclass(frozen=True)
class EntryRow:
    """One register row as views, exports and reports show it."""

    id: int
    number: str
    direction: Direction
    registered_at: datetime
    received_on: date | None
    sent_on: date | None
    title: str | None
    sender: str | None  # correspondent display name
    letter_date: date | None
    letter_ref: str | None
    unknown_fields: frozenset[str]
    channel: Channel
    tracking_no: str
    assigned_unit: str | None  # unit symbol
    assigned_user: str | None  # full name
    attachment_count: int
    notes: str
    case_sign: str | None
    version: int
    needs_attention: bool = False
    delivery_status: DeliveryStatus | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CorrespondentDetails:
    """A correspondent as the edit form shows it; PESEL is masked unless revealed (audited)."""

    id: int
    kind: CorrespondentKind
    display_name: str
    address_line: str
    first_name: str
    last_name: str
    institution_name: str
    pesel: str  # "•••••••1234" unless revealed; "" when none is stored
    pesel_revealed: bool
    nip: str
    regon: str
    street: str
    building: str
    apartment: str
    postal_code: str
    city: str
    country: str
    email: str
    phone: str
    epuap_address: str
    ade: str


@dataclass(frozen=True)
class EntryVersion:
    """The values an entry had before a correction, with who changed them, when and why."""

    version: int  # the version these values belonged to
    values: dict[str, object]
    changed_at: datetime
    changed_by: str  # full name of the clerk who made the correction
    reason: str


@dataclass(frozen=True)
class RegisterFilter:
    """Filters of a register listing (CLI, exports); all optional, combined with AND."""

    date_from: date | None = None  # received_on for incoming, sent_on/registered for outgoing
    date_to: date | None = None
    direction: Direction | None = None
    channel: Channel | None = None
    unit_symbol: str | None = None
    limit: int = 100
