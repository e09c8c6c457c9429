"""ePUAP WS-Pull as an inbox port (oczekujaceDokumenty → pobierzNastepny → potwierdzOdebranie)."""

from __future__ import annotations

import hashlib

from clerk_app.integrations.epuap.client import PullClient
from clerk_app.integrations.epuap.envelope import PulledDocument
from clerk_app.integrations.epuap.errors import (
    EpuapError,
    EpuapProtocolError,
    EpuapStatusError,
    SignatureError,
)
from clerk_app.services.inbox.port import (
    AcknowledgeRefused,
    InboxItem,
    InboxItemUnreadable,
    InboxSender,
    InboxUnavailable,
)

CHANNEL = "epuap"


def message_key(box_address: str, document: PulledDocument) -> str:
    """The ledger key: SHA-1 ``skrot`` with box address and date sent (EPUAP.md).

    Content alone is not enough: two citizens may send byte-identical forms.
    """
    basis = "\n".join((box_address, document.sent_at.isoformat(), document.digest))
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()


def _sender(document: PulledDocument) -> InboxSender:
    data = document.sender
    is_person = (data.person_type or "").upper() not in ("P", "I", "PRAWNA", "INSTYTUCJA")
    first = data.first_name or ""
    last = data.surname_or_name or ""
    name = " ".join(p for p in (first, last) if p) if is_person else last
    return InboxSender(
        display_name=name or data.identifier,
        first_name=first if is_person else "",
        last_name=last if is_person else "",
        institution_name="" if is_person else last,
        is_person=is_person,
        identifier=data.identifier,
        reply_address=document.reply_address or "",
        pesel=data.pesel or "",
        nip=data.nip or "",
        regon=data.regon or "",
    )


class EpuapInbox:
    """Adapts :class:`PullClient` to the inbox port; the client stays open until close()."""

    channel = CHANNEL
    confirms_in_order = True

    def __init__(self, client: PullClient) -> None:
        self.client = client
        self.box = client.mailbox.box_address

    def pending(self) -> int:
        try:
            return self.client.pending().count
        except EpuapError as exc:
            raise InboxUnavailable(str(exc)) from exc

    def fetch_next(self) -> InboxItem | None:
        try:
            result = self.client.fetch_next()
        except (EpuapProtocolError, SignatureError) as exc:
            # Truncated or tampered answer: asking again is safe (the head stays put).
            raise InboxItemUnreadable(str(exc)) from exc
        except EpuapError as exc:
            raise InboxUnavailable(str(exc)) from exc
        document = result.document
        if document is None:
            return None
        return InboxItem(
            channel=CHANNEL,
            box=self.box,
            key=message_key(self.box, document),
            ack_token=document.digest,
            raw=result.raw_response,
            file_name=document.file_name,
            content=document.content,
            media_type=document.file_type,
            sent_at=document.sent_at,
            sender=_sender(document),
            is_test=document.is_test,
        )

    def acknowledge(self, item: InboxItem) -> None:
        try:
            self.client.confirm(item.ack_token)
        except EpuapStatusError as exc:
            raise AcknowledgeRefused(str(exc)) from exc
        except EpuapError as exc:
            raise InboxUnavailable(str(exc)) from exc

    def close(self) -> None:
        self.client.close()
