"""Request envelopes validate against our schema of the ePUAP request elements; answers parse."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from clerk_app.integrations.epuap import namespaces as ns
from clerk_app.integrations.epuap.envelope import (
    DeliveryRequest,
    InvalidRequestError,
    Mailbox,
    OutgoingDocument,
    SendRequest,
    build_confirm_request,
    build_delivery_request,
    build_fetch_request,
    build_pending_request,
    build_send_request,
    confirmation_digest,
    parse_confirm_response,
    parse_envelope,
    parse_fetch_response,
    parse_pending_response,
    parse_send_response,
    raise_for_fault,
    serialize,
)
from clerk_app.integrations.epuap.errors import EpuapFault, EpuapProtocolError
from clerk_app.integrations.epuap.server_messages import (
    StoredDocument,
    confirm_response,
    fault_envelope,
    fetch_response,
    pending_response,
    receipt_xml,
    send_response,
)

FIXTURES = Path(__file__).parent / "fixtures"
BOX = Mailbox("ug_testowo", "skrytka", "/ug_testowo/skrytka")


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(FIXTURES / "epuap_requests.xsd")))


def _body_payload(envelope: etree._Element) -> etree._Element:
    roundtrip = etree.fromstring(serialize(envelope))
    body = roundtrip.find(f"{{{ns.SOAP_ENV}}}Body")
    assert body is not None
    return body[0]


@pytest.mark.parametrize(
    ("envelope", "element"),
    [
        (build_pending_request(BOX), "ZapytaniePullOczekujace"),
        (build_fetch_request(BOX), "ZapytaniePullPobierz"),
        (build_confirm_request(BOX, "qUqP5cyxm6YcTAhz05Hph5gvu9M="), "ZapytaniePullPotwierdz"),
    ],
)
def test_pull_requests_validate_with_qualified_root_and_unqualified_children(
    schema: etree.XMLSchema, envelope: etree._Element, element: str
) -> None:
    payload = _body_payload(envelope)
    assert payload.tag == f"{{{ns.OBIEKTY}}}{element}"
    schema.assertValid(payload)
    assert [child.tag for child in payload][:3] == ["podmiot", "nazwaSkrytki", "adresSkrytki"]
    assert payload.findtext("adresSkrytki") == "/ug_testowo/skrytka"


def test_schema_rejects_the_qualified_children_trap(schema: etree.XMLSchema) -> None:
    payload = _body_payload(build_pending_request(BOX))
    payload[0].tag = f"{{{ns.OBIEKTY}}}podmiot"
    assert not schema.validate(payload)


def test_body_carries_wsu_id_and_soap11_namespace() -> None:
    root = etree.fromstring(serialize(build_fetch_request(BOX)))
    assert root.tag == f"{{{ns.SOAP_ENV}}}Envelope"
    body = root.find(f"{{{ns.SOAP_ENV}}}Body")
    assert body is not None and body.get(f"{{{ns.WSU}}}Id", "").startswith("id-")


def test_entity_id_longer_than_100_characters_is_refused() -> None:
    with pytest.raises(InvalidRequestError, match="najwyżej 100"):
        Mailbox("x" * 101, "skrytka", "/x/skrytka")
    Mailbox("x" * 100, "skrytka", "/x/skrytka")


def test_send_request_headers_and_document_validate(schema: etree.XMLSchema) -> None:
    content = "Decyzja — Łódź, żółć".encode()
    envelope = build_send_request(
        SendRequest(
            entity_id="ug_testowo",
            recipient_box_address="/jan_kowalski_test/skrytka",
            reply_box_address="/ug_testowo/skrytka",
            document=OutgoingDocument("decyzja.xml", content),
            validate_only=True,
            extra_data=b"<dane/>",
        )
    )
    root = etree.fromstring(serialize(envelope))
    header = root.find(f"{{{ns.SOAP_ENV}}}Header")
    assert header is not None
    names = [etree.QName(h).localname for h in header]
    assert names == [
        "IdentyfikatorPodmiotu",
        "AdresSkrytki",
        "AdresOdpowiedzi",
        "CzyProbne",
        "DaneDodatkowe",
    ]
    for element in header:
        schema.assertValid(element)
    payload = _body_payload(envelope)
    schema.assertValid(payload)
    assert base64.b64decode(payload.findtext("zawartosc") or "") == content


def test_delivery_request_carries_deadline_and_ids(schema: etree.XMLSchema) -> None:
    envelope = build_delivery_request(
        DeliveryRequest(
            entity_id="ug_testowo",
            recipient_box_address="/jan_kowalski_test/skrytka",
            reply_box_address="/ug_testowo/skrytka",
            document=OutgoingDocument("decyzja.xml", b"<x/>"),
            delivery_deadline=datetime(2024, 5, 6, 12, 0, tzinfo=UTC),
            document_id="RG.6831.1.2024",
            case_id="RG.6831.1.2024",
        )
    )
    root = etree.fromstring(serialize(envelope))
    header = root.find(f"{{{ns.SOAP_ENV}}}Header")
    assert header is not None
    for element in header:
        schema.assertValid(element)
    assert header.findtext(f"{{{ns.OBIEKTY}}}TerminDoreczenia") == "2024-05-06T12:00:00+00:00"
    schema.assertValid(_body_payload(envelope))


def test_delivery_deadline_without_timezone_is_refused() -> None:
    with pytest.raises(InvalidRequestError, match="strefę czasową"):
        build_delivery_request(
            DeliveryRequest(
                "ug_testowo",
                "/a/s",
                "/b/s",
                OutgoingDocument("a.xml", b"<a/>"),
                datetime(2024, 5, 6),
                "1",
                "1",
            )
        )


def test_confirmation_digest_is_base64_sha1_of_decoded_content() -> None:
    content = "Zażółć gęślą jaźń".encode()
    expected = base64.b64encode(hashlib.sha1(content).digest()).decode()
    assert confirmation_digest(content) == expected
    assert confirmation_digest(content, "sha256") != expected


def test_fetch_response_parses_every_field() -> None:
    content = "<pismo>Wniosek — Gęślarzewo</pismo>".encode()
    stored = StoredDocument("wniosek.xml", content, extra_data=b"<extra/>")
    root = parse_envelope(serialize(fetch_response(BOX, stored)))
    result = parse_fetch_response(root, b"raw")
    assert result.status.ok and result.document is not None
    doc = result.document
    assert doc.content == content
    assert doc.file_name == "wniosek.xml"
    assert doc.sender.identifier == "jan_kowalski_test" and doc.sender.consent
    assert doc.reply_address == "/jan_kowalski_test/skrytka"
    assert doc.extra_data == b"<extra/>"
    assert doc.digest == confirmation_digest(content)
    assert result.raw_response == b"raw"


@pytest.mark.parametrize("style", ["kod0", "success_without_document", "success_empty_document"])
def test_every_empty_queue_variant_reads_as_no_document(style: str) -> None:
    root = parse_envelope(serialize(fetch_response(BOX, None, empty_style=style)))
    assert parse_fetch_response(root).document is None


def test_pending_confirm_and_send_responses_parse() -> None:
    assert parse_pending_response(parse_envelope(serialize(pending_response(7)))).count == 7
    assert parse_confirm_response(parse_envelope(serialize(confirm_response()))).status.ok
    upp = receipt_xml(
        "UPP",
        receipt_id="U1",
        document_id="D1",
        event_time=datetime.now(UTC),
        addressee="a",
        sender="b",
    )
    result = parse_send_response(parse_envelope(serialize(send_response("D1", "U1", upp))))
    assert result.document_id == "D1" and result.upp_id == "U1"
    assert result.attachment is not None and result.attachment.content == upp


def test_fault_is_read_into_typed_error_with_code_and_message() -> None:
    root = parse_envelope(serialize(fault_envelope(21, "Skrytka o podanym adresie nie istnieje")))
    with pytest.raises(EpuapFault) as caught:
        raise_for_fault(root, http_status=500)
    assert caught.value.code == 21
    assert caught.value.http_status == 500
    assert "Skrytka o podanym adresie nie istnieje" in str(caught.value)
    # The fault wins even when the caller asks for a normal answer.
    with pytest.raises(EpuapFault):
        parse_pending_response(root)


def test_answer_with_wrong_element_or_bad_base64_is_a_protocol_error() -> None:
    with pytest.raises(EpuapProtocolError, match="OdpowiedzPullOczekujace"):
        parse_pending_response(parse_envelope(serialize(confirm_response())))
    broken = serialize(fetch_response(BOX, StoredDocument("a.xml", b"abc")))
    broken = broken.replace(b"<zawartosc>YWJj</zawartosc>", b"<zawartosc>@@@</zawartosc>")
    with pytest.raises(EpuapProtocolError, match="base64"):
        parse_fetch_response(parse_envelope(broken))


def test_non_soap_or_doctype_answer_is_refused() -> None:
    with pytest.raises(EpuapProtocolError, match="SOAP"):
        parse_envelope(b"<html><body>Service Unavailable</body></html>")
    with pytest.raises(EpuapProtocolError, match="DOCTYPE"):
        parse_envelope(b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')
