"""PullClient and SendClient against the local simulator over real loopback HTTP(S)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from clerk_app.integrations.epuap.client import ClientSettings, PullClient, SendClient
from clerk_app.integrations.epuap.document import Letter, Receipt, parse_incoming_document
from clerk_app.integrations.epuap.envelope import (
    DeliveryRequest,
    Mailbox,
    Operation,
    OutgoingDocument,
    SendRequest,
    confirmation_digest,
)
from clerk_app.integrations.epuap.errors import (
    EpuapFault,
    EpuapHttpError,
    EpuapProtocolError,
    EpuapStatusError,
    EpuapTransportError,
    SignatureError,
)
from clerk_app.integrations.epuap.server_messages import StoredDocument
from clerk_app.integrations.epuap.simulator import EpuapSimulator, Fault, FaultKind
from clerk_app.integrations.epuap.wssecurity import SigningIdentity

from .conftest import CITIZEN_BOX, FIXTURES, OFFICE_BOX

OFFICE = OFFICE_BOX[2]


def _settings(sim: EpuapSimulator, **overrides: object) -> ClientSettings:
    values: dict[str, object] = {
        "base_url": sim.base_url,
        "connect_timeout": 2.0,
        "read_timeout": 5.0,
        "write_timeout": 5.0,
        "max_attempts": 3,
        "backoff_initial": 0.01,
    }
    values.update(overrides)
    return ClientSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def client(
    simulator: EpuapSimulator,
    office_box: Mailbox,
    office_identity: SigningIdentity,
    epuap_identity: SigningIdentity,
) -> Iterator[PullClient]:
    with PullClient(
        _settings(simulator), office_box, office_identity, [epuap_identity.certificate]
    ) as pull:
        yield pull


def _fill(sim: EpuapSimulator, count: int) -> list[bytes]:
    contents = [
        f"<pismo nr='{i}'>Wniosek nr {i} — Żółkiewka</pismo>".encode() for i in range(count)
    ]
    for i, content in enumerate(contents):
        sim.enqueue(OFFICE, StoredDocument(f"wniosek_{i}.xml", content))
    return contents


def test_list_fetch_confirm_until_empty(simulator: EpuapSimulator, client: PullClient) -> None:
    contents = _fill(simulator, 5)
    assert client.pending().count == 5
    received = []
    for _ in range(client.pending().count):
        result = client.fetch_next()
        assert result.document is not None
        assert result.raw_response.startswith(b"<?xml")
        received.append(result.document.content)
        client.confirm(result.document.digest)
    assert received == contents
    assert client.pending().count == 0
    assert client.fetch_next().document is None
    confirms = [r for r in simulator.records if r.operation is Operation.CONFIRM]
    assert [r.outcome for r in confirms] == ["confirmed"] * 5
    assert len({r.document_digest for r in confirms}) == 5


def test_fetch_does_not_remove_until_confirmed(
    simulator: EpuapSimulator, client: PullClient
) -> None:
    _fill(simulator, 2)
    first = client.fetch_next().document
    again = client.fetch_next().document
    assert first is not None and again is not None and first.content == again.content
    assert len(simulator.queue(OFFICE)) == 2


def test_confirm_with_wrong_digest_raises_status_error(
    simulator: EpuapSimulator, client: PullClient
) -> None:
    _fill(simulator, 1)
    with pytest.raises(EpuapStatusError, match="kod 0"):
        client.confirm(confirmation_digest(b"inny dokument"))
    assert len(simulator.queue(OFFICE)) == 1


def test_sha256_digest_variant_is_accepted(simulator: EpuapSimulator, client: PullClient) -> None:
    (content,) = _fill(simulator, 1)
    client.confirm(confirmation_digest(content, "sha256"))
    assert simulator.queue(OFFICE) == []


def test_soap_fault_reaches_caller_before_signature_check(
    simulator: EpuapSimulator, client: PullClient
) -> None:
    simulator.inject(
        Fault(FaultKind.SOAP_FAULT, Operation.FETCH, code=37, message="Skrytka zablokowana")
    )
    with pytest.raises(EpuapFault) as caught:
        client.fetch_next()  # the fault is unsigned: a signature-first client would hide it
    assert caught.value.code == 37 and caught.value.message == "Skrytka zablokowana"
    assert caught.value.http_status == 500


@pytest.mark.parametrize("status", [401, 500, 503])
def test_http_error_with_html_body(
    simulator: EpuapSimulator, client: PullClient, status: int
) -> None:
    simulator.inject(Fault(FaultKind.HTTP_ERROR, http_status=status, message="Przerwa techniczna"))
    with pytest.raises(EpuapHttpError) as caught:
        client.pending()
    assert caught.value.status == status
    assert "Przerwa techniczna" in str(caught.value)
    # Not retried: an HTTP error is an answer, not a transport failure.
    assert len(simulator.records) == 1


def test_slow_response_past_timeout_is_retried_then_reported(
    simulator: EpuapSimulator,
    office_box: Mailbox,
    office_identity: SigningIdentity,
    epuap_identity: SigningIdentity,
) -> None:
    simulator.inject(Fault(FaultKind.SLOW, Operation.PENDING, times=5, delay=2.0))
    settings = _settings(simulator, read_timeout=0.3, max_attempts=2)
    with (
        PullClient(settings, office_box, office_identity, [epuap_identity.certificate]) as pull,
        pytest.raises(EpuapTransportError, match="po 2 próbach"),
    ):
        pull.pending()


def test_slow_response_within_timeout_succeeds(
    simulator: EpuapSimulator, client: PullClient
) -> None:
    _fill(simulator, 1)
    simulator.inject(Fault(FaultKind.SLOW, Operation.PENDING, delay=0.3))
    assert client.pending().count == 1


def test_reset_mid_body_on_fetch_is_retried(simulator: EpuapSimulator, client: PullClient) -> None:
    (content,) = _fill(simulator, 1)
    simulator.inject(Fault(FaultKind.RESET_MID_BODY, Operation.FETCH))
    result = client.fetch_next()
    assert result.document is not None and result.document.content == content
    assert [r.operation for r in simulator.records] == [Operation.FETCH, Operation.FETCH]


def test_confirm_applied_but_answer_lost_is_not_blindly_retried(
    simulator: EpuapSimulator, client: PullClient
) -> None:
    contents = _fill(simulator, 2)
    document = client.fetch_next().document
    assert document is not None
    simulator.inject(Fault(FaultKind.CONFIRM_LOST, Operation.CONFIRM))
    with pytest.raises(EpuapTransportError, match="nie powtórzono"):
        client.confirm(document.digest)
    confirms = [r for r in simulator.records if r.operation is Operation.CONFIRM]
    assert len(confirms) == 1  # exactly one confirmation reached the server
    # The next fetch brings the next document; confirming the first again is harmless.
    nxt = client.fetch_next().document
    assert nxt is not None and nxt.content == contents[1]
    client.confirm(document.digest)
    assert len(simulator.queue(OFFICE)) == 1


def test_redelivered_confirmed_document_comes_back_with_same_digest(
    simulator: EpuapSimulator, client: PullClient
) -> None:
    _fill(simulator, 2)
    first = client.fetch_next().document
    assert first is not None
    client.confirm(first.digest)
    simulator.inject(Fault(FaultKind.REDELIVER_CONFIRMED, Operation.FETCH))
    again = client.fetch_next().document
    assert again is not None and again.digest == first.digest
    client.confirm(again.digest)
    second = client.fetch_next().document
    assert second is not None and second.digest != first.digest


@pytest.mark.parametrize("style", ["kod0", "success_without_document", "success_empty_document"])
def test_empty_queue_variants(simulator: EpuapSimulator, client: PullClient, style: str) -> None:
    simulator.empty_style = style
    result = client.fetch_next()
    assert result.document is None


def test_truncated_answer_is_a_protocol_error(
    simulator: EpuapSimulator, client: PullClient
) -> None:
    _fill(simulator, 1)
    simulator.inject(Fault(FaultKind.TRUNCATED, Operation.FETCH))
    with pytest.raises(EpuapProtocolError, match="niekompletny"):
        client.fetch_next()


def test_answer_changed_after_signing_is_refused(
    simulator: EpuapSimulator, client: PullClient
) -> None:
    simulator.inject(Fault(FaultKind.BAD_SIGNATURE, Operation.PENDING))
    with pytest.raises(SignatureError):
        client.pending()


def test_answer_signed_by_other_certificate_is_refused(
    simulator: EpuapSimulator,
    office_box: Mailbox,
    office_identity: SigningIdentity,
    stranger_identity: SigningIdentity,
) -> None:
    with (
        PullClient(
            _settings(simulator), office_box, office_identity, [stranger_identity.certificate]
        ) as pull,
        pytest.raises(SignatureError, match="spoza listy zaufanych"),
    ):
        pull.pending()


def test_request_from_unknown_certificate_is_refused_by_simulator(
    simulator: EpuapSimulator,
    office_box: Mailbox,
    stranger_identity: SigningIdentity,
    epuap_identity: SigningIdentity,
) -> None:
    with (
        PullClient(
            _settings(simulator), office_box, stranger_identity, [epuap_identity.certificate]
        ) as pull,
        pytest.raises(EpuapFault, match="weryfikacji podpisu"),
    ):
        pull.pending()


def test_connection_refused_is_retried_then_reported(
    office_box: Mailbox, office_identity: SigningIdentity, epuap_identity: SigningIdentity
) -> None:
    sim = EpuapSimulator(auto_stop_after=30)
    with sim:
        url = sim.base_url  # a port that is closed once the simulator stops
    sleeps: list[float] = []
    settings = ClientSettings(base_url=url, connect_timeout=1, max_attempts=3, backoff_initial=0.5)
    with (
        PullClient(
            settings, office_box, office_identity, [epuap_identity.certificate], sleep=sleeps.append
        ) as pull,
        pytest.raises(EpuapTransportError, match="po 3 próbach"),
    ):
        pull.confirm("abc=")  # connection errors are safe to retry even for confirm
    assert len(sleeps) == 2 and sleeps[1] > sleeps[0] * 0.9


def test_folder_of_documents_round_trip_with_parsing(
    simulator: EpuapSimulator, client: PullClient
) -> None:
    assert simulator.load_folder(OFFICE, FIXTURES) >= 3
    kinds = []
    while (result := client.fetch_next()).document is not None:
        name = result.document.file_name
        if name.endswith(".xml") and name != "epuap_requests.xsd":
            parsed = parse_incoming_document(result.document.content)
            kinds.append(type(parsed).__name__)
        client.confirm(result.document.digest)
    assert sorted(kinds) == ["Letter", "Letter", "Receipt"]
    assert simulator.queue(OFFICE) == []


def test_send_with_upp_and_polish_diacritics_round_trip(
    simulator: EpuapSimulator,
    office_identity: SigningIdentity,
    epuap_identity: SigningIdentity,
) -> None:
    letter = (FIXTURES / "wniosek_osoba_2017.xml").read_bytes()
    with SendClient(_settings(simulator), office_identity, [epuap_identity.certificate]) as sender:
        result = sender.send(
            SendRequest(
                entity_id=OFFICE_BOX[0],
                recipient_box_address=CITIZEN_BOX[2],
                reply_box_address=OFFICE,
                document=OutgoingDocument("odpowiedź_Łódź.xml", letter),
            )
        )
    assert result.document_id and result.upp_id and result.attachment is not None
    upp = parse_incoming_document(result.attachment.content)
    assert isinstance(upp, Receipt) and upp.certified_document_id == result.document_id
    # The citizen's box now holds the letter, byte for byte.
    (delivered,) = simulator.queue(CITIZEN_BOX[2])
    assert delivered.content == letter and delivered.file_name == "odpowiedź_Łódź.xml"
    parsed = parse_incoming_document(delivered.content)
    assert isinstance(parsed, Letter) and parsed.senders[0].name == "Zofia Wójcik-Łęcka"


def test_dorecz_returns_order_and_upd_arrives_in_reply_box(
    simulator: EpuapSimulator,
    client: PullClient,
    office_identity: SigningIdentity,
    epuap_identity: SigningIdentity,
) -> None:
    with SendClient(_settings(simulator), office_identity, [epuap_identity.certificate]) as sender:
        result = sender.deliver(
            DeliveryRequest(
                entity_id=OFFICE_BOX[0],
                recipient_box_address=CITIZEN_BOX[2],
                reply_box_address=OFFICE,
                document=OutgoingDocument("decyzja.xml", "<decyzja>Ślęża</decyzja>".encode()),
                delivery_deadline=datetime.now(UTC) + timedelta(days=14),
                document_id="RG.6831.1.2024",
                case_id="RG.6831.1.2024",
            )
        )
    assert result.document_id and result.order_id
    upd_result = client.fetch_next()
    assert upd_result.document is not None and upd_result.document.file_name == "upd.xml"
    upd = parse_incoming_document(upd_result.document.content)
    assert isinstance(upd, Receipt) and upd.kind == "UPD"
    assert upd.certified_document_id == "RG.6831.1.2024"


def test_https_simulator_with_pinned_tls_certificate(
    office_box: Mailbox, office_identity: SigningIdentity, epuap_identity: SigningIdentity
) -> None:
    sim = EpuapSimulator(
        allowed_certificates=[office_identity.certificate],
        identity=epuap_identity,
        tls=True,
        auto_stop_after=60,
    )
    sim.add_box(*OFFICE_BOX)
    with sim:
        assert sim.base_url.startswith("https://127.0.0.1:")
        sim.enqueue(OFFICE, StoredDocument("a.xml", "<a>ąę</a>".encode()))
        settings = _settings(sim, verify_tls=sim.client_ssl_context())
        with PullClient(
            settings, office_box, office_identity, [epuap_identity.certificate]
        ) as pull:
            document = pull.fetch_next().document
            assert document is not None and document.content == "<a>ąę</a>".encode()
        untrusting = _settings(sim, max_attempts=1)
        with (
            PullClient(
                untrusting, office_box, office_identity, [epuap_identity.certificate]
            ) as pull,
            pytest.raises(EpuapTransportError),
        ):
            pull.pending()


def test_settings_reject_bad_values() -> None:
    with pytest.raises(ValueError, match="adres"):
        ClientSettings(base_url="ftp://x")
    with pytest.raises(ValueError, match="dodatni"):
        ClientSettings(read_timeout=0)


def test_missing_pinned_certificate_is_refused(
    office_box: Mailbox, office_identity: SigningIdentity
) -> None:
    with pytest.raises(ValueError, match="przypiętego certyfikatu"):
        PullClient(ClientSettings(), office_box, office_identity, [])
