"""The inbox port: what the sync core needs from an electronic inbox (ePUAP, e-Doręczenia).

The sync core walks ``pending → fetch_next → (ledger stores) → acknowledge`` and knows nothing
about SOAP or REST. A backend hands out :class:`InboxItem` objects: the raw answer as it came
over the wire (kept in the blob store), the document itself, its attachments when the service
delivers them separately (e-Doręczenia), and a stable ``key`` that recognises the same message
when the service hands it out again after a crash.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

# Big answers and documents arrive as spool files (the backend removes them after
# acknowledge or close); small ones as bytes.
Payload = bytes | Path


class InboxUnavailable(Exception):
    """The service could not be asked (network, HTTP, fault); the message is for the clerk."""


class InboxItemUnreadable(Exception):
    """The service answered but this item's answer cannot be read (truncated, not XML...)."""


class AcknowledgeRefused(Exception):
    """The service answered the acknowledgement with a refusal (e.g. digest mismatch)."""


@dataclass(frozen=True)
class InboxFile:
    """A file delivered beside the document (e-Doręczenia attachments, FileRepo downloads)."""

    file_name: str
    content: bytes = field(repr=False)
    media_type: str = "application/octet-stream"
    uri: str = ""  # the letter's reference this file was downloaded from (ePUAP FileRepo)


@dataclass(frozen=True)
class InboxSender:
    """Who sent the message, as the service knows them (not what the letter claims)."""

    display_name: str = ""
    first_name: str = ""
    last_name: str = ""
    institution_name: str = ""
    is_person: bool = True
    identifier: str = ""  # ePUAP login / ADE
    reply_address: str = ""  # ePUAP reply box or ADE
    pesel: str = ""
    nip: str = ""
    regon: str = ""


@dataclass(frozen=True)
class InboxItem:
    """One message handed out by a backend, not yet acknowledged."""

    channel: str  # "epuap" | "edoreczenia" (Channel values)
    box: str  # the office box address the message came to
    key: str  # stable identity of the message (dedup); at most 100 characters
    ack_token: str  # what acknowledge() needs (ePUAP skrot, e-Doręczenia message id)
    raw: Payload = field(repr=False)  # the service's answer as received
    file_name: str = ""
    content: Payload = field(default=b"", repr=False)  # the document (letter XML, PDF...)
    media_type: str | None = None
    sent_at: datetime | None = None
    subject: str = ""  # title the service gives (e-Doręczenia subject)
    sender: InboxSender = field(default_factory=InboxSender)
    external_id: str = ""  # the service's own message id, when it has one
    files: tuple[InboxFile, ...] = ()
    is_test: bool = False


@runtime_checkable
class InboxPort(Protocol):
    """A box the sync core can drain exactly once."""

    channel: str
    box: str
    # True when the box is a FIFO whose head moves only on acknowledgement (ePUAP): an
    # acknowledgement whose answer was lost is then settled by the next fetch.
    confirms_in_order: bool

    def pending(self) -> int:
        """How many messages wait (an upper bound for this run)."""
        ...

    def fetch_next(self) -> InboxItem | None:
        """The next message not acknowledged yet, or None when the box is empty."""
        ...

    def acknowledge(self, item: InboxItem) -> None:
        """Tell the service the message is safely stored; it may then remove it.

        Raises :class:`InboxUnavailable` when the answer did not arrive: the service may or
        may not have applied it (the sync core finds out from the next fetch).
        """
        ...

    def close(self) -> None: ...
