"""An in-memory inbox port: a FIFO box for demos and tests of anything above the port."""

from __future__ import annotations

import hashlib
import threading
from collections import deque
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from clerk_app.services.inbox.port import InboxItem, InboxSender, InboxUnavailable


def memory_item(
    file_name: str,
    content: bytes,
    *,
    box: str = "/demo/skrytka",
    sender: InboxSender | None = None,
    media_type: str = "text/xml",
) -> InboxItem:
    key = hashlib.sha256(box.encode() + b"\n" + file_name.encode() + b"\n" + content).hexdigest()
    return InboxItem(
        channel="epuap",
        box=box,
        key=key,
        ack_token=key,
        raw=content,
        file_name=file_name,
        content=content,
        media_type=media_type,
        sent_at=datetime.now(UTC),
        sender=sender
        or InboxSender(display_name="Jan Kowalski", first_name="Jan", last_name="Kowalski"),
    )


class MemoryInbox:
    """Hands out items in order; an item leaves only when acknowledged.

    ``before_fetch`` (if set) runs before every fetch — tests use it to hold a sync mid-run.
    """

    channel = "epuap"
    confirms_in_order = True

    def __init__(self, items: Iterable[InboxItem] = (), box: str = "/demo/skrytka") -> None:
        self.box = box
        self.items: deque[InboxItem] = deque(items)
        self.acknowledged: list[str] = []
        self.before_fetch: Callable[[], None] | None = None
        self.unavailable: str | None = None
        self._lock = threading.Lock()

    def pending(self) -> int:
        if self.unavailable:
            raise InboxUnavailable(self.unavailable)
        with self._lock:
            return len(self.items)

    def fetch_next(self) -> InboxItem | None:
        if self.before_fetch is not None:
            self.before_fetch()
        with self._lock:
            return self.items[0] if self.items else None

    def acknowledge(self, item: InboxItem) -> None:
        with self._lock:
            if self.items and self.items[0].key == item.key:
                self.items.popleft()
            self.acknowledged.append(item.key)

    def close(self) -> None:
        return None
