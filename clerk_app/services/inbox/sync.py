"""The sync core: drain an inbox exactly once (fetch → store → acknowledge → mark confirmed).

It talks only to an :class:`~clerk_app.services.inbox.port.InboxPort` and to a ledger; ePUAP
and e-Doręczenia plug in as ports. The order is what makes it safe:

1. ``fetch_next`` hands out the head of the box (it stays there until acknowledged);
2. the ledger stores raw answer, parsed document, attachments and register entry in ONE
   committed transaction, durable before it returns (SQLite commits it with
   ``synchronous=FULL``) — or recognises the message by its key and stores nothing;
3. ``acknowledge``; only then
4. the ledger marks the message confirmed.

A crash anywhere leaves either nothing (before 2: the service hands it out again) or a stored,
unconfirmed message (after 2: it comes back, is recognised and only acknowledged). An
acknowledgement whose answer was lost is settled by the next fetch on FIFO boxes: if the same
message comes back it is acknowledged again, otherwise the box moved on and it is confirmed.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from clerk_app.services.inbox.port import (
    AcknowledgeRefused,
    InboxItem,
    InboxItemUnreadable,
    InboxPort,
    InboxUnavailable,
)

log = logging.getLogger("clerk_app.inbox.sync")

ProgressCallback = Callable[[int, int, str], None]
CancelCheck = Callable[[], bool]


@dataclass(frozen=True)
class StoreOutcome:
    """What the ledger did with one message."""

    new: bool  # False: already stored earlier (recognised by its key)
    kind: str = "document"  # document | upp | upd
    entry_number: str | None = None
    needs_attention: bool = False
    reason: str = ""
    already_confirmed: bool = False


class InboxLedger(Protocol):
    def store(self, item: InboxItem) -> StoreOutcome: ...

    def mark_confirmed(self, channel: str, key: str) -> None: ...


#: Acknowledged messages marked confirmed together (a ledger with ``mark_confirmed_many``).
#: Safe to defer on FIFO boxes only: an acknowledged message left unmarked by a crash is
#: settled by the next run (the box no longer hands it out), exactly as a crash between
#: acknowledge and marking; other boxes are marked one by one.
CONFIRM_BATCH = 32


class _Confirmations:
    """Acknowledged keys waiting to be marked confirmed in the ledger."""

    def __init__(self, ledger: InboxLedger, channel: str, *, batched: bool) -> None:
        self._many = getattr(ledger, "mark_confirmed_many", None) if batched else None
        self._ledger = ledger
        self._channel = channel
        self._keys: list[str] = []

    def add(self, channel: str, key: str) -> None:
        if self._many is None or channel != self._channel:
            self._ledger.mark_confirmed(channel, key)
            return
        self._keys.append(key)
        if len(self._keys) >= CONFIRM_BATCH:
            self.flush()

    def flush(self) -> None:
        keys, self._keys = self._keys, []
        if keys and self._many is not None:
            self._many(self._channel, keys)


@dataclass(frozen=True)
class SyncResult:
    channel: str
    box: str
    started_at: datetime
    finished_at: datetime
    pending_before: int | None = None
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    confirmed: int = 0
    receipts: int = 0
    needs_attention: int = 0
    registered: tuple[str, ...] = ()
    attention: tuple[str, ...] = ()  # one line per document a clerk must look at
    errors: tuple[str, ...] = ()  # why the run stopped early (Polish, for the clerk)
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        """One line in Polish for the status bar and the CLI."""
        if self.cancelled:
            head = "Synchronizację przerwano"
        elif self.errors:
            head = "Synchronizacja z błędem"
        else:
            head = "Synchronizacja zakończona"
        text = (
            f"{head}: nowych pism {self.stored - self.receipts}, poświadczeń {self.receipts}, "
            f"wymaga uwagi {self.needs_attention}, potwierdzono {self.confirmed}"
        )
        if self.duplicates:
            text += f", ponownie doręczonych {self.duplicates}"
        if self.errors:
            text += ". " + " ".join(self.errors)
        return text

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["started_at"] = self.started_at.isoformat()
        data["finished_at"] = self.finished_at.isoformat()
        data["ok"] = self.ok
        data["summary"] = self.summary()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SyncResult:
        values = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        values["started_at"] = datetime.fromisoformat(data["started_at"])
        values["finished_at"] = datetime.fromisoformat(data["finished_at"])
        for name in ("registered", "attention", "errors"):
            values[name] = tuple(data.get(name, ()))
        return cls(**values)


@dataclass
class _Counters:
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    confirmed: int = 0
    receipts: int = 0
    needs_attention: int = 0
    registered: list[str] = field(default_factory=list)
    attention: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _fetch(port: InboxPort, attempts: int) -> InboxItem | None:
    """The next item; an unreadable answer (truncated, bad signature) is asked for again."""
    for attempt in range(1, attempts + 1):
        try:
            return port.fetch_next()
        except InboxItemUnreadable as exc:
            log.warning("Skrzynka %s: nieczytelna odpowiedź (próba %d): %s", port.box, attempt, exc)
            if attempt == attempts:
                raise
    return None  # pragma: no cover - loop always returns or raises


def _settle_acknowledged(port: InboxPort, ledger: InboxLedger, seen: set[str]) -> int:
    """The box is empty: a message still unconfirmed in the ledger and not handed out in this
    run was removed by the service, which happens only on acknowledgement (a crash came
    between acknowledge and mark confirmed). Mark it confirmed."""
    unconfirmed = getattr(ledger, "unconfirmed_keys", None)
    if unconfirmed is None:
        return 0
    settled = 0
    for key in unconfirmed(port.channel, port.box):
        if key not in seen:
            log.info("Skrzynka %s: %s potwierdzono w poprzednim przebiegu", port.box, key)
            ledger.mark_confirmed(port.channel, key)
            settled += 1
    return settled


def synchronise(
    port: InboxPort,
    ledger: InboxLedger,
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    fetch_attempts: int = 3,
    max_items: int | None = None,
) -> SyncResult:
    """Drain ``port`` into ``ledger``; never raises for service or document problems."""
    started = datetime.now(UTC)
    c = _Counters()
    cancelled = False
    pending: int | None = None

    def report(message: str) -> None:
        if progress is not None:
            progress(c.fetched, max(pending or 0, c.fetched), message)

    try:
        pending = port.pending()
    except InboxUnavailable as exc:
        c.errors.append(str(exc))
        log.error("Skrzynka %s: nie można pobrać liczby oczekujących: %s", port.box, exc)
    if pending is not None:
        report(f"Oczekujących dokumentów: {pending}")
        # Bound the run: redelivered and re-acknowledged messages count, a loop never spins.
        bound = max_items if max_items is not None else pending * 2 + 10
        uncertain: InboxItem | None = None
        iterations = 0
        drained = False
        seen: set[str] = set()
        confirmations = _Confirmations(ledger, port.channel, batched=port.confirms_in_order)
        try:
            while iterations < bound:
                if cancel is not None and cancel():
                    cancelled = True
                    break
                iterations += 1
                try:
                    item = _fetch(port, fetch_attempts)
                except (InboxItemUnreadable, InboxUnavailable) as exc:
                    c.errors.append(f"Pobranie dokumentu nie powiodło się: {exc}")
                    log.error("Skrzynka %s: %s", port.box, exc)
                    break
                if uncertain is not None:
                    if item is None or item.key != uncertain.key:
                        # The head moved on: the lost acknowledgement had been applied.
                        ledger.mark_confirmed(uncertain.channel, uncertain.key)
                        c.confirmed += 1
                    uncertain = None
                if item is None:
                    drained = True
                    break
                seen.add(item.key)
                c.fetched += 1
                try:
                    outcome = ledger.store(item)
                except Exception as exc:
                    # Never acknowledge what is not durably stored.
                    log.exception(
                        "Skrzynka %s: zapis dokumentu %s nie powiódł się", port.box, item.key
                    )
                    c.errors.append(
                        f"Zapis dokumentu {item.file_name or item.key} nie powiódł się: {exc}"
                    )
                    break
                if outcome.new:
                    c.stored += 1
                    if outcome.kind != "document":
                        c.receipts += 1
                    if outcome.entry_number:
                        c.registered.append(outcome.entry_number)
                    if outcome.needs_attention:
                        c.needs_attention += 1
                        label = outcome.entry_number or item.file_name or item.key
                        c.attention.append(f"{label}: {outcome.reason}")
                else:
                    c.duplicates += 1
                    log.info(
                        "Skrzynka %s: dokument %s już zapisany — tylko potwierdzam",
                        port.box,
                        item.key,
                    )
                report(f"Zapisano: {item.file_name or item.key}")
                try:
                    port.acknowledge(item)
                except InboxUnavailable as exc:
                    log.warning(
                        "Skrzynka %s: potwierdzenie %s bez odpowiedzi: %s", port.box, item.key, exc
                    )
                    if port.confirms_in_order:
                        uncertain = item
                    continue
                except AcknowledgeRefused as exc:
                    c.errors.append(f"Potwierdzenie odbioru odrzucone: {exc}")
                    log.error(
                        "Skrzynka %s: potwierdzenie %s odrzucone: %s", port.box, item.key, exc
                    )
                    break
                confirmations.add(item.channel, item.key)
                c.confirmed += 1
        finally:
            confirmations.flush()
        if drained and not c.errors and port.confirms_in_order:
            c.confirmed += _settle_acknowledged(port, ledger, seen)
    finished = datetime.now(UTC)
    result = SyncResult(
        channel=port.channel,
        box=port.box,
        started_at=started,
        finished_at=finished,
        pending_before=pending,
        fetched=c.fetched,
        stored=c.stored,
        duplicates=c.duplicates,
        confirmed=c.confirmed,
        receipts=c.receipts,
        needs_attention=c.needs_attention,
        registered=tuple(c.registered),
        attention=tuple(c.attention),
        errors=tuple(c.errors),
        cancelled=cancelled,
    )
    log.info("Skrzynka %s: %s", port.box, result.summary())
    return result


LAST_RESULT_FILE = "inbox_last_sync.json"


def save_last_result(data_dir: Path, result: SyncResult) -> None:
    """Keep the last run's result beside the settings (status screens and `epuap status`)."""
    path = data_dir / LAST_RESULT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(result.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def load_last_result(data_dir: Path) -> SyncResult | None:
    path = data_dir / LAST_RESULT_FILE
    try:
        return SyncResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
