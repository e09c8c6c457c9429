"""e-Doręczenia as an inbox port: list → fetch in full → (store) → DELETE as the last step."""

from __future__ import annotations

from collections import deque
from datetime import datetime

from clerk_app.integrations.edoreczenia.client import (
    EDoreczeniaClient,
    EDoreczeniaError,
    EDoreczeniaNotReady,
)
from clerk_app.services.inbox.port import (
    InboxFile,
    InboxItem,
    InboxItemUnreadable,
    InboxSender,
    InboxUnavailable,
)

CHANNEL = "edoreczenia"


class EDoreczeniaInbox:
    """Messages have stable ids: the ledger key is the id (deduplicate on id)."""

    channel = CHANNEL
    confirms_in_order = False  # DELETE is per id; an unanswered one is retried next run

    def __init__(self, client: EDoreczeniaClient) -> None:
        self.client = client
        self.box = client.address
        self._listed: deque[str] = deque()

    def pending(self) -> int:
        try:
            self._listed = deque(self.client.list_messages())
        except EDoreczeniaError as exc:
            raise InboxUnavailable(str(exc)) from exc
        return len(self._listed)

    def fetch_next(self) -> InboxItem | None:
        while self._listed:
            message_id = self._listed.popleft()
            try:
                message = self.client.get_message(message_id)
            except EDoreczeniaNotReady:
                continue  # still being prepared: the next run picks it up
            except EDoreczeniaError as exc:
                raise InboxItemUnreadable(str(exc)) from exc
            try:
                sent_at: datetime | None = datetime.fromisoformat(message.timestamp)
            except ValueError:
                sent_at = None
            return InboxItem(
                channel=CHANNEL,
                box=self.box,
                key=f"ede:{message.message_id}"[:100],
                ack_token=message.message_id,
                raw=message.raw,
                file_name="tresc_wiadomosci.txt" if message.text_body else "",
                content=message.text_body.encode("utf-8"),
                media_type="text/plain",
                sent_at=sent_at,
                subject=message.subject,
                sender=InboxSender(
                    display_name=message.sender_name,
                    institution_name=message.sender_name,
                    is_person=False,
                    identifier=message.sender_address,
                    reply_address=message.sender_address,
                ),
                external_id=f"ede:{message.message_id}"[:100],
                files=tuple(
                    InboxFile(a.file_name, a.content, a.media_type) for a in message.attachments
                ),
            )
        return None

    def acknowledge(self, item: InboxItem) -> None:
        try:
            self.client.delete_message(item.ack_token)
        except EDoreczeniaError as exc:
            raise InboxUnavailable(str(exc)) from exc

    def close(self) -> None:
        self.client.close()
