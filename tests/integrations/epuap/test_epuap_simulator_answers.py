"""The simulator's fetch answers: built from cached pieces, yet each one complete and signed.

The simulator splices the base64 content into its answers instead of letting lxml write it,
and keeps digests and the encoded head of the queue between requests; these tests pin that
the answers stay what lxml would write, verify, and follow the queue through redelivery,
confirmation and fault injection.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import socketserver
from dataclasses import replace

import pytest
from lxml import etree

from clerk_app.integrations.epuap import namespaces as ns
from clerk_app.integrations.epuap import server_messages
from clerk_app.integrations.epuap import simulator as simulator_module
from clerk_app.integrations.epuap.envelope import (
    SERVICE_PATHS,
    EntityData,
    Mailbox,
    Operation,
    build_confirm_request,
    build_fetch_request,
    confirmation_digest,
    parse_confirm_response,
    parse_envelope,
    parse_fetch_response,
    serialize,
)
from clerk_app.integrations.epuap.errors import SignatureError
from clerk_app.integrations.epuap.server_messages import (
    FetchAnswer,
    StoredDocument,
    fetch_response,
)
from clerk_app.integrations.epuap.simulator import EpuapSimulator, Fault, FaultKind
from clerk_app.integrations.epuap.wssecurity import SigningIdentity, sign_envelope, verify_envelope

from .conftest import OFFICE_BOX

BOX = Mailbox(*OFFICE_BOX)
PULL = SERVICE_PATHS[Operation.FETCH]


def _document(index: int, size: int = 300 * 1024, **values: object) -> StoredDocument:
    content = hashlib.sha256(str(index).encode()).digest() * (size // 32)
    return StoredDocument(f"pismo-{index}.xml", content, **values)  # type: ignore[arg-type]


def _body_id(envelope: etree._Element) -> str:
    return envelope.find(f"{{{ns.SOAP_ENV}}}Body").get(f"{{{ns.WSU}}}Id") or ""  # type: ignore[union-attr]


@pytest.fixture
def sim(office_identity: SigningIdentity, epuap_identity: SigningIdentity) -> EpuapSimulator:
    """Not started: ``handle`` is called directly (the HTTP layer has its own tests)."""
    simulator = EpuapSimulator(
        allowed_certificates=[office_identity.certificate], identity=epuap_identity
    )
    simulator.add_box(*OFFICE_BOX)
    return simulator


class _Office:
    def __init__(
        self, sim: EpuapSimulator, identity: SigningIdentity, server: SigningIdentity
    ) -> None:
        self.sim, self.identity, self.server = sim, identity, server

    def fetch(self) -> tuple[bytes, etree._Element]:
        request = serialize(sign_envelope(build_fetch_request(BOX), self.identity))
        status, payload, _outcome, _fault = self.sim.handle(PULL, request)
        assert status == 200
        return payload, parse_envelope(payload)

    def fetch_verified(self) -> bytes | None:
        """The fetched content as the client reads it, after checking the signature."""
        _payload, answer = self.fetch()
        verify_envelope(answer, [self.server.certificate])
        pulled = parse_fetch_response(answer).document
        if pulled is None:
            return None
        assert isinstance(pulled.content, bytes)
        return pulled.content

    def confirm(self, digest: str) -> tuple[int, str]:
        request = serialize(sign_envelope(build_confirm_request(BOX, digest), self.identity))
        status, payload, outcome, _fault = self.sim.handle(PULL, request)
        assert status == 200
        answer = parse_envelope(payload)
        verify_envelope(answer, [self.server.certificate])
        return parse_confirm_response(answer).status.code, outcome


@pytest.fixture
def office(
    sim: EpuapSimulator, office_identity: SigningIdentity, epuap_identity: SigningIdentity
) -> _Office:
    return _Office(sim, office_identity, epuap_identity)


@pytest.mark.parametrize(
    "document",
    [
        _document(1),
        _document(
            2,
            size=64,
            sender=EntityData("anna_żółć", "F", "Anna", "Żółć & <Syn>", consent=False),
            sender_user=None,
            sender_system="EZD & <Co>",
            reply_address=None,
            extra_data=b"\x00dane",
            file_type=None,
        ),
        # The marker in a sender's metadata: the answer is built the ordinary way instead.
        _document(3, size=64, sender_user=server_messages._CONTENT_MARKER),
    ],
    ids=["letter", "xml-specials-and-nil", "marker-in-metadata"],
)
def test_fetch_answer_is_exactly_what_lxml_writes(
    document: StoredDocument, epuap_identity: SigningIdentity
) -> None:
    answer = FetchAnswer(BOX, document, document.encoded_content())
    sign_envelope(answer.envelope, epuap_identity)
    expected = serialize(answer.envelope)  # before serialize() swaps the content out

    assert answer.serialize() == expected
    assert answer.serialize() == expected  # and again
    # The same Body as the tree built element by element (given the same wsu:Id).
    plain = fetch_response(BOX, document)
    plain.find(f"{{{ns.SOAP_ENV}}}Body").set(f"{{{ns.WSU}}}Id", _body_id(answer.envelope))  # type: ignore[union-attr]
    sign_envelope(plain, epuap_identity)
    parsed = parse_envelope(expected)
    verify_envelope(parsed, [epuap_identity.certificate])
    # Canonical form: an empty element may be written <a/> or <a></a>, which is the same XML.
    body, plain_body = parsed.find(f"{{{ns.SOAP_ENV}}}Body"), plain.find(f"{{{ns.SOAP_ENV}}}Body")
    assert etree.tostring(body, method="c14n", exclusive=True) == etree.tostring(
        plain_body, method="c14n", exclusive=True
    )


def test_encoded_content_and_digests_match_the_reference() -> None:
    document = _document(4, size=1000)
    assert document.encoded_content() == base64.b64encode(document.content)
    assert document.digest() == confirmation_digest(document.content)
    assert document.digest("sha256") == confirmation_digest(document.content, "sha256")
    # The cached digests are not part of the document's identity.
    assert document == replace(document) and document._digests
    assert replace(document, file_name="inny.xml").digest() == document.digest()


def test_redelivered_answer_is_fresh_and_complete(sim: EpuapSimulator, office: _Office) -> None:
    first, second = _document(10), _document(11)
    sim.enqueue(BOX.box_address, first)
    sim.enqueue(BOX.box_address, second)

    payload_a, answer_a = office.fetch()
    payload_b, answer_b = office.fetch()  # not confirmed: the same document again
    assert _body_id(answer_a) != _body_id(answer_b)  # each answer signed on its own
    for answer in (answer_a, answer_b):
        verify_envelope(answer, [office.server.certificate])
        pulled = parse_fetch_response(answer).document
        assert pulled is not None and pulled.content == first.content
    assert base64.b64encode(first.content) in payload_a and payload_b.count(b"<zawartosc>") == 1
    fetches = [r for r in sim.records if r.operation is Operation.FETCH]
    assert [r.document_digest for r in fetches] == [first.digest()] * 2

    assert office.confirm(confirmation_digest(first.content)) == (1, "confirmed")
    assert office.fetch_verified() == second.content
    assert office.confirm(confirmation_digest(first.content)) == (1, "already confirmed")


def test_redeliver_confirmed_fault_serves_the_confirmed_document_again(
    sim: EpuapSimulator, office: _Office
) -> None:
    first, second = _document(20), _document(21)
    sim.enqueue(BOX.box_address, first)
    sim.enqueue(BOX.box_address, second)
    assert office.fetch_verified() == first.content
    assert office.confirm(first.digest()) == (1, "confirmed")
    assert office.fetch_verified() == second.content

    sim.inject(Fault(FaultKind.REDELIVER_CONFIRMED, Operation.FETCH))
    assert office.fetch_verified() == first.content
    assert office.confirm(first.digest()) == (1, "confirmed")
    assert office.fetch_verified() == second.content
    assert office.confirm(second.digest("sha256")) == (1, "confirmed")  # SHA-256 accepted too
    assert office.fetch_verified() is None
    assert sim.confirmed(BOX.box_address) == [first, first, second]


def test_bad_signature_fault_still_breaks_the_cached_answer(
    sim: EpuapSimulator, office: _Office
) -> None:
    document = _document(30)
    sim.enqueue(BOX.box_address, document)
    sim.inject(Fault(FaultKind.BAD_SIGNATURE, Operation.FETCH))
    payload, answer = office.fetch()
    assert b"<kod>7</kod>" in payload
    with pytest.raises(SignatureError, match="zmieniono po podpisaniu"):
        verify_envelope(answer, [office.server.certificate])
    # The next answer for the same document (built from the cached content) is intact.
    assert office.fetch_verified() == document.content


def test_wrong_digest_is_refused_and_sha256_only_when_allowed(
    sim: EpuapSimulator, office: _Office
) -> None:
    document = _document(40)
    sim.enqueue(BOX.box_address, document)
    sim.accept_sha256_digest = False
    assert office.confirm(document.digest("sha256"))[1] == "digest mismatch"
    assert office.confirm(confirmation_digest(b"inna"))[0] == 0
    assert sim.queue(BOX.box_address) == [document]
    assert office.confirm(document.digest()) == (1, "confirmed")


def test_only_the_head_of_the_queue_keeps_its_encoded_content(
    sim: EpuapSimulator, office: _Office
) -> None:
    first, second = _document(50), _document(51)
    sim.enqueue(BOX.box_address, first)
    sim.enqueue(BOX.box_address, second)
    office.fetch()
    box = sim._boxes[BOX.box_address]
    assert box.encoded is not None and box.encoded[0] is first
    office.confirm(first.digest())
    assert box.encoded is None  # a confirmed document's copy is let go


@pytest.mark.parametrize("style", ["kod0", "success_without_document", "success_empty_document"])
def test_empty_queue_answers_are_signed(sim: EpuapSimulator, office: _Office, style: str) -> None:
    sim.empty_style = style
    _payload, answer = office.fetch()
    verify_envelope(answer, [office.server.certificate])
    assert parse_fetch_response(answer).document is None
    assert sim.records[-1].outcome == "empty"


@pytest.mark.parametrize(("one_write_max", "writes"), [(None, 1), (16, 2)])
def test_http_answers_keep_alive_in_one_write_or_two_when_big(
    sim: EpuapSimulator,
    monkeypatch: pytest.MonkeyPatch,
    one_write_max: int | None,
    writes: int,
) -> None:
    if one_write_max is not None:
        monkeypatch.setattr(simulator_module, "_ONE_WRITE_MAX", one_write_max)
    counted: list[int] = []
    original = socketserver._SocketWriter.write

    def counting(self: socketserver._SocketWriter, data: bytes) -> int:  # type: ignore[override]
        counted.append(len(data))
        return original(self, data)  # type: ignore[arg-type]

    monkeypatch.setattr(socketserver._SocketWriter, "write", counting)
    path = SERVICE_PATHS[Operation.FETCH]
    with sim:
        host, port = sim.base_url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=5)
        try:
            for _ in range(2):  # the same connection: the answer left it usable
                counted.clear()
                connection.request("GET", f"{path}?wsdl")
                response = connection.getresponse()
                body = response.read()
                assert response.status == 200
                assert body == simulator_module.service_wsdl(path, sim.base_url)
                assert response.getheader("Content-Length") == str(len(body))
                assert len(counted) == writes and sum(counted) > len(body)
        finally:
            connection.close()
