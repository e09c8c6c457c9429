"""Exactly-once inbox sync against the local ePUAP simulator over real loopback HTTP(S).

Runs on SQLite and, with CLERK_TEST_DATABASE_URL, on PostgreSQL (the ``ctx`` fixture).
"""

from __future__ import annotations

import base64
import io
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from clerk_app.integrations.epuap.client import PullClient
from clerk_app.integrations.epuap.envelope import Mailbox, Operation, confirmation_digest
from clerk_app.integrations.epuap.sample_letters import SampleAttachment, crd_letter
from clerk_app.integrations.epuap.server_messages import StoredDocument
from clerk_app.integrations.epuap.simulator import EpuapSimulator, Fault, FaultKind
from clerk_app.integrations.epuap.wssecurity import SigningIdentity
from clerk_app.models import Attachment, Correspondent, RegisterEntry
from clerk_app.models.inbox import InboxMessage
from clerk_app.services.app_context import AppContext
from clerk_app.services.inbox.epuap import EpuapInbox
from clerk_app.services.inbox.ledger import DatabaseLedger
from clerk_app.services.inbox.port import InboxItem
from clerk_app.services.inbox.sync import SyncResult, synchronise
from clerk_app.services.users import CurrentUser, UserService

from .conftest import CITIZEN_BOX, OFFICE_BOX, client_settings_for


def registry_clerk(ctx: AppContext) -> CurrentUser:
    """The clerk the sync registers as (the OS account of the embedded default)."""
    return UserService(ctx.db).os_account_user("kancelaria")


OFFICE = OFFICE_BOX[2]

PortMaker = Callable[..., EpuapInbox]


@pytest.fixture
def make_port(
    simulator: EpuapSimulator,
    office_box: Mailbox,
    office_identity: SigningIdentity,
    epuap_identity: SigningIdentity,
) -> Iterator[PortMaker]:
    opened: list[EpuapInbox] = []

    def make(sim: EpuapSimulator | None = None, **overrides: object) -> EpuapInbox:
        sim = sim or simulator
        client = PullClient(
            client_settings_for(sim, **overrides),
            office_box,
            office_identity,
            [epuap_identity.certificate],
        )
        port = EpuapInbox(client)
        opened.append(port)
        return port

    yield make
    for port in opened:
        port.close()


class StoreBeforeConfirm:
    """A port wrapper that checks, at acknowledge time, that the item is committed."""

    def __init__(self, port: EpuapInbox, ledger: DatabaseLedger) -> None:
        self.port = port
        self.ledger = ledger
        self.channel = port.channel
        self.box = port.box
        self.confirms_in_order = port.confirms_in_order
        self.acknowledged: list[str] = []

    def pending(self) -> int:
        return self.port.pending()

    def fetch_next(self) -> InboxItem | None:
        return self.port.fetch_next()

    def acknowledge(self, item: InboxItem) -> None:
        assert self.ledger.is_known(item.channel, item.key), "acknowledged before it was stored"
        self.acknowledged.append(item.key)
        self.port.acknowledge(item)

    def close(self) -> None:
        self.port.close()


def _enqueue_letters(sim: EpuapSimulator, count: int, start: int = 0) -> list[bytes]:
    contents = [crd_letter(i) for i in range(start, start + count)]
    for i, content in enumerate(contents, start=start):
        sim.enqueue(OFFICE, StoredDocument(f"pismo_{i + 1}.xml", content))
    return contents


def _entries(ctx: AppContext) -> list[RegisterEntry]:
    with ctx.db.session() as session:
        return list(session.scalars(select(RegisterEntry).order_by(RegisterEntry.id)))


def _assert_exactly_once(ctx: AppContext, sim: EpuapSimulator, expected: int) -> None:
    entries = _entries(ctx)
    assert len(entries) == expected
    assert len({e.external_id for e in entries}) == expected
    with ctx.db.session() as session:
        messages = list(session.scalars(select(InboxMessage)))
    assert len(messages) == expected
    assert {m.state for m in messages} == {"confirmed"}
    assert sim.queue(OFFICE) == []
    confirmed = Counter(
        r.document_digest for r in sim.records if r.outcome == "confirmed" and r.document_digest
    )
    assert len(confirmed) == expected
    assert set(confirmed.values()) == {1}, "a document was removed from the box twice"


def test_full_sync_of_200_documents(
    ctx: AppContext, simulator: EpuapSimulator, make_port: PortMaker
) -> None:
    contents = _enqueue_letters(simulator, 200)
    ledger = DatabaseLedger(ctx.db, ctx.blobs, registry_clerk(ctx))
    port = StoreBeforeConfirm(make_port(), ledger)
    progress: list[tuple[int, int]] = []

    result = synchronise(port, ledger, progress=lambda d, t, _m: progress.append((d, t)))

    assert result.ok, result.errors
    assert (result.pending_before, result.fetched, result.stored, result.confirmed) == (
        200,
        200,
        200,
        200,
    )
    assert result.needs_attention == 0
    assert len(port.acknowledged) == 200
    assert progress[-1] == (200, 200)
    _assert_exactly_once(ctx, simulator, 200)
    # Fetch of a document always precedes its confirmation on the wire.
    order = {Operation.FETCH: [], Operation.CONFIRM: []}  # type: dict[Operation, list[str]]
    for record in simulator.records:
        if record.operation in order and record.document_digest:
            order[record.operation].append(record.document_digest)
    assert order[Operation.CONFIRM] == [confirmation_digest(c) for c in contents]
    entry = _entries(ctx)[0]
    assert entry.title == "Wniosek o wydanie zaświadczenia o przeznaczeniu działki nr 1"
    assert entry.channel.value == "epuap"
    assert not entry.needs_attention
    # A second run finds nothing and registers nothing.
    again = synchronise(make_port(), ledger)
    assert (again.fetched, again.stored) == (0, 0)
    assert len(_entries(ctx)) == 200


def test_polish_diacritics_round_trip(
    ctx: AppContext, simulator: EpuapSimulator, make_port: PortMaker
) -> None:
    title = "Źdźbło łąki — wniosek o wycięcie żółtej wierzby (Gęś, Łódź)"
    content = crd_letter(
        0,
        title=title,
        first_name="Grzegorz",
        surname="Brzęczyszczykiewicz-Żółć",
        attachments=(SampleAttachment("Zażółć gęślą jaźń.pdf", "%PDF-1.4 ąę".encode()),),
    )
    simulator.enqueue(OFFICE, StoredDocument("wniosek_źdźbło.xml", content))
    ledger = DatabaseLedger(ctx.db, ctx.blobs, registry_clerk(ctx))

    result = synchronise(make_port(), ledger)

    assert result.ok and result.stored == 1
    with ctx.db.session() as session:
        entry = session.scalars(select(RegisterEntry)).one()
        person = session.get(Correspondent, entry.correspondent_id)
        names = sorted(
            session.scalars(select(Attachment.file_name).where(Attachment.entry_id == entry.id))
        )
        stored = ctx.blobs.get(
            session,
            session.scalars(
                select(Attachment.sha256).where(Attachment.file_name == "Zażółć gęślą jaźń.pdf")
            ).one(),
        )
    assert entry.title == title
    assert person is not None and person.last_name == "Brzęczyszczykiewicz-Żółć"
    assert person.city == "Łódź"  # town from the letter's address
    assert names == ["Zażółć gęślą jaźń.pdf", "wniosek_źdźbło.xml"]
    assert stored == b"%PDF-1.4 \xc4\x85\xc4\x99"


def test_sync_over_https(
    ctx: AppContext,
    office_identity: SigningIdentity,
    epuap_identity: SigningIdentity,
    make_port: PortMaker,
) -> None:
    sim = EpuapSimulator(
        allowed_certificates=[office_identity.certificate],
        identity=epuap_identity,
        tls=True,
        auto_stop_after=60,
    )
    sim.add_box(*OFFICE_BOX)
    with sim:
        _enqueue_letters(sim, 3)
        result = synchronise(make_port(sim), DatabaseLedger(ctx.db, ctx.blobs, registry_clerk(ctx)))
        assert result.ok and result.stored == 3
        assert sim.queue(OFFICE) == []


# ------------------------------------------------------------------------ transient faults


TRANSIENT = [
    pytest.param(Fault(FaultKind.SOAP_FAULT, Operation.FETCH, message="Awaria ePUAP"), id="soap"),
    pytest.param(Fault(FaultKind.HTTP_ERROR, Operation.FETCH, http_status=503), id="http503"),
    pytest.param(Fault(FaultKind.HTTP_ERROR, Operation.PENDING, http_status=401), id="http401"),
    pytest.param(Fault(FaultKind.HTTP_ERROR, Operation.CONFIRM, http_status=500), id="http500"),
    pytest.param(Fault(FaultKind.SLOW, Operation.FETCH, delay=2.5), id="slow"),
    pytest.param(Fault(FaultKind.RESET_MID_BODY, Operation.FETCH), id="reset"),
    pytest.param(Fault(FaultKind.TRUNCATED, Operation.FETCH), id="truncated"),
    pytest.param(Fault(FaultKind.CONFIRM_LOST, Operation.CONFIRM), id="confirm-lost"),
    pytest.param(Fault(FaultKind.BAD_SIGNATURE, Operation.FETCH), id="bad-signature"),
    pytest.param(Fault(FaultKind.BAD_SIGNATURE, Operation.CONFIRM), id="bad-signature-confirm"),
]


@pytest.mark.parametrize("fault", TRANSIENT)
def test_transient_fault_never_loses_or_duplicates(
    ctx: AppContext, simulator: EpuapSimulator, make_port: PortMaker, fault: Fault
) -> None:
    _enqueue_letters(simulator, 4)
    ledger = DatabaseLedger(ctx.db, ctx.blobs, registry_clerk(ctx))
    simulator.inject(fault)
    results: list[SyncResult] = []
    for _ in range(3):  # a scheduled job simply runs again
        results.append(synchronise(make_port(read_timeout=1.0), ledger))
        if not simulator.queue(OFFICE):
            break
    _assert_exactly_once(ctx, simulator, 4)
    if fault.kind in (FaultKind.SOAP_FAULT, FaultKind.HTTP_ERROR) and fault.operation in (
        Operation.FETCH,
        Operation.PENDING,
    ):
        first = results[0]
        assert not first.ok
        expected = "Awaria ePUAP" if fault.kind is FaultKind.SOAP_FAULT else str(fault.http_status)
        assert expected in " ".join(first.errors)


def test_redelivered_confirmed_document_is_only_confirmed_again(
    ctx: AppContext, simulator: EpuapSimulator, make_port: PortMaker
) -> None:
    _enqueue_letters(simulator, 3)
    ledger = DatabaseLedger(ctx.db, ctx.blobs, registry_clerk(ctx))
    assert synchronise(make_port(), ledger).stored == 3
    simulator.inject(Fault(FaultKind.REDELIVER_CONFIRMED, Operation.FETCH))
    _enqueue_letters(simulator, 1, start=3)

    result = synchronise(make_port(), ledger)

    assert result.duplicates == 1 and result.stored == 1
    assert [r.outcome for r in simulator.records].count("confirmed") == 5  # 3 + redelivery + 1
    assert len(_entries(ctx)) == 4
    assert simulator.queue(OFFICE) == []


def test_persistent_fault_reports_epuap_message_and_confirms_nothing(
    ctx: AppContext, simulator: EpuapSimulator, make_port: PortMaker
) -> None:
    _enqueue_letters(simulator, 2)
    simulator.inject(
        Fault(
            FaultKind.SOAP_FAULT, Operation.FETCH, times=50, code=21, message="Skrytka zablokowana"
        )
    )
    result = synchronise(make_port(), DatabaseLedger(ctx.db, ctx.blobs, registry_clerk(ctx)))
    assert not result.ok
    assert "Skrytka zablokowana" in result.summary()
    assert result.confirmed == 0
    assert len(simulator.queue(OFFICE)) == 2
    assert _entries(ctx) == []


@pytest.mark.parametrize("style", ["kod0", "success_no_document", "success_empty_document"])
def test_every_empty_queue_style_ends_the_run(
    ctx: AppContext, simulator: EpuapSimulator, make_port: PortMaker, style: str
) -> None:
    simulator.empty_style = style
    _enqueue_letters(simulator, 2)
    result = synchronise(
        make_port(), DatabaseLedger(ctx.db, ctx.blobs, registry_clerk(ctx)), max_items=10
    )
    assert result.ok and result.stored == 2
    assert [r.outcome for r in simulator.records].count("empty") == 1


# ------------------------------------------------------------------------ hostile documents


def _zip(names: list[tuple[str, bool]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, cp852 in names:
            info = zipfile.ZipInfo(name)
            if cp852:
                info.flag_bits &= ~0x800
            archive.writestr(info, b"tresc")
    return buffer.getvalue()


def _letter_with_raw_attachment(name: str, data_text: str, encoding: str = "base64") -> bytes:
    letter = crd_letter(7).decode("utf-8")
    element = (
        f'<str:Zalacznik format="application/pdf" kodowanie="{encoding}" nazwaPliku="{name}">'
        f"<str:DaneZalacznika>{data_text}</str:DaneZalacznika></str:Zalacznik>"
    )
    return letter.replace("<str:Zalaczniki>", "<str:Zalaczniki>" + element).encode("utf-8")


HOSTILE: list[Any] = [
    pytest.param(
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>',
        "DOCTYPE",
        id="doctype",
    ),
    pytest.param(
        b"<?xml version='1.0'?><Dokument><Tresc>"
        + b"A" * (25 * 1024 * 1024)
        + b"</Tresc></Dokument>",
        "nieczytelny",
        id="gigantic-text",
    ),
    pytest.param(b"\x00\x01 not xml at all <", "nieczytelny", id="garbage"),
    pytest.param(
        _letter_with_raw_attachment("skan.pdf", "@@@ to nie base64 @@@"),
        "base64",
        id="invalid-base64",
    ),
    pytest.param(
        _letter_with_raw_attachment(
            "paczka.zip",
            base64.b64encode(_zip([("../../etc/cron.d/zlo", False), ("Ľ¨ółć.txt", True)])).decode(),
        ),
        "niebezpiecznych",
        id="zip-slip",
    ),
    pytest.param(
        _letter_with_raw_attachment("x", "http://evil.example/a.pdf", encoding="URI").replace(
            b"http://", b"file://"
        ),
        "niedozwolony",
        id="file-uri",
    ),
    pytest.param(
        b"<?xml version='1.0' encoding='windows-1250'?>" + crd_letter(3).split(b"?>", 1)[1],
        None,
        id="utf8-declared-cp1250",
    ),
    pytest.param(b"\xef\xbb\xbf" + crd_letter(4), None, id="bom"),
]


@pytest.mark.parametrize(("hostile", "reason"), HOSTILE)
def test_hostile_document_is_stored_raw_and_the_rest_continues(
    ctx: AppContext,
    simulator: EpuapSimulator,
    make_port: PortMaker,
    hostile: bytes,
    reason: str | None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _enqueue_letters(simulator, 1)
    simulator.enqueue(OFFICE, StoredDocument("../../..\\CON.xml", hostile))
    _enqueue_letters(simulator, 1, start=1)

    result = synchronise(make_port(), DatabaseLedger(ctx.db, ctx.blobs, registry_clerk(ctx)))

    assert result.ok, result.errors
    assert result.stored == 3
    _assert_exactly_once(ctx, simulator, 3)
    entries = _entries(ctx)
    hostile_entry = entries[1]
    with ctx.db.session() as session:
        names = list(
            session.scalars(
                select(Attachment.file_name).where(Attachment.entry_id == hostile_entry.id)
            )
        )
        raw_kept = session.scalar(
            select(func.count(InboxMessage.id)).where(InboxMessage.entry_id == hostile_entry.id)
        )
    assert raw_kept == 1
    assert all("/" not in n and "\\" not in n and ".." not in n for n in names)
    assert not any(n.upper().startswith("CON.") for n in names)
    if reason is None:
        assert not hostile_entry.needs_attention
    else:
        assert hostile_entry.needs_attention
        assert reason in hostile_entry.attention_reason
        assert any(reason in r.getMessage() for r in caplog.records)
        assert result.needs_attention == 1
    assert not entries[0].needs_attention and not entries[2].needs_attention


def test_receipt_without_outgoing_document_is_kept_but_not_registered(
    ctx: AppContext, simulator: EpuapSimulator, make_port: PortMaker
) -> None:
    from clerk_app.integrations.epuap.server_messages import receipt_xml

    upp = receipt_xml(
        "UPP",
        receipt_id="UPP-1",
        document_id="nieznany-dokument",
        event_time=StoredDocument("a", b"").sent_at,
        addressee=CITIZEN_BOX[0],
        sender=OFFICE_BOX[0],
    )
    simulator.enqueue(OFFICE, StoredDocument("upp.xml", upp))
    ledger = DatabaseLedger(ctx.db, ctx.blobs, registry_clerk(ctx))
    result = synchronise(make_port(), ledger)
    assert result.ok and result.receipts == 1
    assert _entries(ctx) == []
    attention = ledger.needing_attention()
    assert [a.kind for a in attention] == ["upp"]
    assert "nieznany-dokument" in attention[0].reason
