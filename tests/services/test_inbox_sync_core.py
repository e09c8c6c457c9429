"""The sync core against test doubles: ordering rules that make delivery exactly-once."""

from __future__ import annotations

from pathlib import Path

import pytest

from clerk_app.config import load_settings
from clerk_app.errors import ValidationError
from clerk_app.services.epuap_settings import (
    EpuapSettings,
    load_epuap_settings,
    pkcs12_password,
    save_epuap_settings,
)
from clerk_app.services.inbox.memory import MemoryInbox, memory_item
from clerk_app.services.inbox.port import InboxItem, InboxUnavailable
from clerk_app.services.inbox.sync import (
    StoreOutcome,
    load_last_result,
    save_last_result,
    synchronise,
)


class ListLedger:
    def __init__(self, fail_on: str | None = None) -> None:
        self.stored: dict[str, str] = {}
        self.fail_on = fail_on

    def store(self, item: InboxItem) -> StoreOutcome:
        if item.file_name == self.fail_on:
            raise RuntimeError("dysk pełny")
        if item.key in self.stored:
            return StoreOutcome(new=False)
        self.stored[item.key] = "stored"
        return StoreOutcome(new=True, entry_number=f"RPW/{len(self.stored)}/2026")

    def mark_confirmed(self, channel: str, key: str) -> None:
        self.stored[key] = "confirmed"


class LostAckInbox(MemoryInbox):
    """The first acknowledgement is applied but its answer never arrives."""

    lost = 1

    def acknowledge(self, item: InboxItem) -> None:
        super().acknowledge(item)
        if self.lost:
            self.lost -= 1
            raise InboxUnavailable("połączenie zerwane")


def _items(n: int) -> list[InboxItem]:
    return [memory_item(f"p{i}.xml", f"<p>{i}</p>".encode()) for i in range(n)]


def test_lost_acknowledgement_is_settled_by_the_next_fetch() -> None:
    box = LostAckInbox(_items(3))
    ledger = ListLedger()
    result = synchronise(box, ledger)
    assert result.ok and result.stored == 3 and result.confirmed == 3
    assert set(ledger.stored.values()) == {"confirmed"}


def test_store_failure_is_never_acknowledged() -> None:
    box = MemoryInbox(_items(3))
    ledger = ListLedger(fail_on="p1.xml")
    result = synchronise(box, ledger)
    assert not result.ok and "dysk pełny" in result.errors[0]
    assert len(box.acknowledged) == 1  # p0 only; p1 and p2 stay in the box
    assert [i.file_name for i in box.items] == ["p1.xml", "p2.xml"]


def test_cancel_between_documents_and_last_result_round_trip(tmp_path: Path) -> None:
    box = MemoryInbox(_items(5))
    calls = iter([False, False, True])
    result = synchronise(box, ListLedger(), cancel=lambda: next(calls))
    assert result.cancelled and result.confirmed == 2 and len(box.items) == 3
    save_last_result(tmp_path, result)
    assert load_last_result(tmp_path) == result


def test_unavailable_box_reports_and_touches_nothing() -> None:
    box = MemoryInbox(_items(1))
    box.unavailable = "ePUAP odpowiedział HTTP 401"
    result = synchronise(box, ListLedger())
    assert not result.ok and "401" in result.summary() and box.items


def test_settings_keep_the_password_out_of_settings_toml(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "settings.toml").write_text("insecure_secret_file = true\n", encoding="utf-8")
    settings = load_settings(data_dir, env={})
    p12 = data_dir / "urzad.p12"
    p12.write_bytes(b"x")
    values = EpuapSettings(
        environment="integration",
        entity_id="ug_testowo",
        box_name="skrytka",
        box_address="/ug_testowo/skrytka",
        pkcs12_path=str(p12),
        sync_interval_minutes=30,
    )
    save_epuap_settings(settings, values, password="tajne-hasło")
    text = (data_dir / "settings.toml").read_text(encoding="utf-8")
    assert "tajne" not in text and "insecure_secret_file = true" in text
    loaded = load_epuap_settings(load_settings(data_dir, env={}))
    assert loaded == values
    assert loaded.effective_url == "https://ws-int.epuap.gov.pl"
    assert loaded.missing() == ["certyfikat ePUAP (przypięty)"]
    assert pkcs12_password(settings, loaded) == "tajne-hasło"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"environment": "custom", "base_url": "ws.epuap"}, "Adres serwera"),
        ({"box_address": "urzad/skrytka"}, "Adres skrytki"),
        ({"sync_interval_minutes": 0}, "Odstęp synchronizacji"),
        ({"pkcs12_path": "/nie/ma/pliku.p12"}, "PKCS#12"),
        ({"environment": "test"}, "Środowisko"),
    ],
)
def test_invalid_settings_name_the_field(data_dir: Path, change: dict, field: str) -> None:
    settings = load_settings(data_dir, env={})
    with pytest.raises(ValidationError, match=field):
        save_epuap_settings(settings, EpuapSettings(**change))


class KeyedLedger(ListLedger):
    def unconfirmed_keys(self, channel: str, box: str) -> list[str]:
        return [key for key, state in self.stored.items() if state != "confirmed"]


def test_acknowledged_before_a_crash_is_settled_when_the_box_is_empty() -> None:
    """kill -9 between acknowledge and mark confirmed: the message never comes back."""
    items = _items(3)
    box = MemoryInbox(items)
    ledger = KeyedLedger()
    ledger.stored[items[0].key] = "stored"  # stored and acknowledged by the killed run
    box.items.remove(items[0])
    ledger.stored["still-queued"] = "stored"
    box.items.append(memory_item("still.xml", b"<p/>"))
    ledger.stored[box.items[-1].key] = ledger.stored.pop("still-queued")

    result = synchronise(box, ledger)

    assert result.ok and result.stored == 2 and result.duplicates == 1
    assert result.confirmed == 4
    assert set(ledger.stored.values()) == {"confirmed"}


def test_nothing_is_settled_when_the_run_stops_early() -> None:
    items = _items(2)
    ledger = KeyedLedger(fail_on="p1.xml")
    ledger.stored["acknowledged-earlier"] = "stored"
    result = synchronise(MemoryInbox(items), ledger)
    assert not result.ok
    assert ledger.stored["acknowledged-earlier"] == "stored"


class BatchLedger(ListLedger):
    """Marks confirmations in batches, as the database ledger does."""

    def __init__(self, fail_on: str | None = None) -> None:
        super().__init__(fail_on)
        self.batches: list[list[str]] = []

    def mark_confirmed_many(self, channel: str, keys: list[str]) -> None:
        self.batches.append(list(keys))
        for key in keys:
            self.mark_confirmed(channel, key)


def test_confirmations_are_marked_in_batches_and_never_before_acknowledge(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("clerk_app.services.inbox.sync.CONFIRM_BATCH", 2)
    box = MemoryInbox(_items(5))
    ledger = BatchLedger()
    result = synchronise(box, ledger)
    assert result.ok and result.confirmed == 5
    assert [len(b) for b in ledger.batches] == [2, 2, 1]  # the rest at the end of the run
    assert [k for b in ledger.batches for k in b] == box.acknowledged


def test_acknowledged_messages_are_marked_when_the_run_stops_on_an_error() -> None:
    box = MemoryInbox(_items(4))
    ledger = BatchLedger(fail_on="p2.xml")
    result = synchronise(box, ledger)
    assert not result.ok and result.confirmed == 2
    assert [ledger.stored[key] for key in box.acknowledged] == ["confirmed", "confirmed"]
    assert sum(1 for v in ledger.stored.values() if v == "confirmed") == 2


def test_a_box_without_fifo_settling_marks_each_confirmation_at_once() -> None:
    # Nothing would settle a deferred mark there after a crash (e-Doręczenia).
    class ByIdInbox(MemoryInbox):
        confirms_in_order = False

    box = ByIdInbox(_items(3))
    ledger = BatchLedger()
    result = synchronise(box, ledger)
    assert result.ok and result.confirmed == 3
    assert ledger.batches == [] and set(ledger.stored.values()) == {"confirmed"}
