"""Small in-memory TTL cache for ULDK answers, "not found" included."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from clerk_app.integrations.uldk.rate_limit import Clock

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class NotFound:
    """Remembered "ULDK has no such parcel", with the service's message."""

    service_message: str | None


@dataclass(frozen=True, slots=True)
class _Entry(Generic[T]):
    expires_at: float
    value: T | NotFound


class TtlCache(Generic[T]):
    """LRU-bounded cache whose entries expire; "not found" entries usually live shorter."""

    def __init__(
        self,
        *,
        ttl: float,
        not_found_ttl: float,
        max_entries: int = 2048,
        clock: Clock = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._not_found_ttl = not_found_ttl
        self._max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[Hashable, _Entry[T]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> T | NotFound | None:
        """The cached value, a :class:`NotFound`, or None when nothing (fresh) is cached."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.expires_at <= self._clock():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry.value

    def put(self, key: Hashable, value: T | NotFound) -> None:
        ttl = self._not_found_ttl if isinstance(value, NotFound) else self._ttl
        if ttl <= 0:
            return
        with self._lock:
            self._entries[key] = _Entry(self._clock() + ttl, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
