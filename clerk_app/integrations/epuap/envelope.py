"""SOAP 1.1 request envelopes for ePUAP and parsing of its answers.

Shapes follow obiektypk.xsd rev 1.10: the request's root element is in the ``ob`` namespace,
its children (``podmiot``, ``nazwaSkrytki``, ``adresSkrytki``, ``skrot``...) are unqualified.
Answers are parsed through :mod:`safe_xml`, and a SOAP fault is turned into
:class:`~clerk_app.integrations.epuap.errors.EpuapFault` *before* anything else looks at the
message (in particular before the signature check), so the clerk sees ePUAP's real error.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from lxml import etree

from clerk_app.integrations.epuap import namespaces as ns
from clerk_app.integrations.epuap import payload
from clerk_app.integrations.epuap.errors import EpuapFault, EpuapProtocolError
from clerk_app.integrations.epuap.payload import Payload, decode_base64_text
from clerk_app.integrations.epuap.payload import digest as payload_digest
from clerk_app.integrations.epuap.safe_xml import HostileXmlError, parse_untrusted_xml

#: Upper bound for one SOAP answer: the largest document in base64, plus the envelope.
DEFAULT_MAX_RESPONSE_BYTES = payload.MAX_DOCUMENT_BYTES * 4 // 3 + 16 * 1024 * 1024
MAX_ENTITY_ID_LENGTH = 100  # IdentyfikatorPodmiotuTyp maxLength in rev 1.10

SOAP_CONTENT_TYPE = "text/xml; charset=UTF-8"


class InvalidRequestError(ValueError):
    """Request parameters the service would reject; the message names the field."""


class Operation(StrEnum):
    PENDING = "oczekujaceDokumenty"
    FETCH = "pobierzNastepny"
    CONFIRM = "potwierdzOdebranie"
    SEND = "nadaj"
    DELIVER = "dorecz"


SERVICE_PATHS: dict[Operation, str] = {
    Operation.PENDING: "/pk_external_ws/services/pull",
    Operation.FETCH: "/pk_external_ws/services/pull",
    Operation.CONFIRM: "/pk_external_ws/services/pull",
    Operation.SEND: "/pk_external_ws/services/skrytka",
    Operation.DELIVER: "/pk_external_ws/services/doreczyciel",
}
SOAP_ACTIONS: dict[Operation, str] = {
    Operation.PENDING: ns.PULL + "oczekujaceDokumenty",
    Operation.FETCH: ns.PULL + "pobierzNastepny",
    Operation.CONFIRM: ns.PULL + "potwierdzOdebranie",
    Operation.SEND: ns.SKRYTKA + "nadaj",
    Operation.DELIVER: ns.DORECZYCIEL + "dorecz",
}
#: Body element of each request (ob namespace).
REQUEST_ELEMENTS: dict[Operation, str] = {
    Operation.PENDING: "ZapytaniePullOczekujace",
    Operation.FETCH: "ZapytaniePullPobierz",
    Operation.CONFIRM: "ZapytaniePullPotwierdz",
    Operation.SEND: "Dokument",
    Operation.DELIVER: "Dokument",
}
#: Body element of each answer (ob namespace).
RESPONSE_ELEMENTS: dict[Operation, str] = {
    Operation.PENDING: "OdpowiedzPullOczekujace",
    Operation.FETCH: "OdpowiedzPullPobierz",
    Operation.CONFIRM: "OdpowiedzPullPotwierdz",
    Operation.SEND: "OdpowiedzSkrytki",
    Operation.DELIVER: "OdpowiedzDoreczyciela",
}

_NSMAP = {"soapenv": ns.SOAP_ENV, "ob": ns.OBIEKTY, "wsu": ns.WSU}


def _ob(name: str) -> str:
    return f"{{{ns.OBIEKTY}}}{name}"


def _soap(name: str) -> str:
    return f"{{{ns.SOAP_ENV}}}{name}"


# --------------------------------------------------------------------------- request side


@dataclass(frozen=True)
class Mailbox:
    """The office's ePUAP box: entity id (podmiot), box name and box address, set separately."""

    entity_id: str
    box_name: str
    box_address: str

    def __post_init__(self) -> None:
        if not self.entity_id.strip():
            raise InvalidRequestError("Identyfikator podmiotu (podmiot) nie może być pusty")
        if len(self.entity_id) > MAX_ENTITY_ID_LENGTH:
            raise InvalidRequestError(
                f"Identyfikator podmiotu (podmiot) ma {len(self.entity_id)} znaków; "
                f"ePUAP dopuszcza najwyżej {MAX_ENTITY_ID_LENGTH}"
            )
        if not self.box_name.strip():
            raise InvalidRequestError("Nazwa skrytki (nazwaSkrytki) nie może być pusta")
        if not self.box_address.strip():
            raise InvalidRequestError("Adres skrytki (adresSkrytki) nie może być pusty")


@dataclass(frozen=True)
class OutgoingDocument:
    """A document sent through nadaj/dorecz: file name, MIME type and content bytes."""

    file_name: str
    content: bytes
    file_type: str | None = "text/xml"


@dataclass(frozen=True)
class SendRequest:
    """WS-Skrytka ``nadaj``: parameters travel as SOAP headers, the document in the body."""

    entity_id: str
    recipient_box_address: str
    reply_box_address: str
    document: OutgoingDocument
    validate_only: bool = False
    extra_data: bytes | None = None


@dataclass(frozen=True)
class DeliveryRequest:
    """WS-Doręczyciel ``dorecz``: like nadaj plus a delivery deadline and document/case ids."""

    entity_id: str
    recipient_box_address: str
    reply_box_address: str
    document: OutgoingDocument
    delivery_deadline: datetime
    document_id: str
    case_id: str
    validate_only: bool = False
    extra_data: bytes | None = None


def new_envelope() -> tuple[etree._Element, etree._Element, etree._Element]:
    """An empty envelope with a header and a body carrying a fresh ``wsu:Id`` for signing."""
    envelope = etree.Element(_soap("Envelope"), nsmap=_NSMAP)
    header = etree.SubElement(envelope, _soap("Header"))
    body = etree.SubElement(envelope, _soap("Body"))
    body.set(f"{{{ns.WSU}}}Id", f"id-{uuid.uuid4().hex}")
    return envelope, header, body


def _text_child(parent: etree._Element, name: str, value: str) -> etree._Element:
    child = etree.SubElement(parent, name)  # unqualified on purpose (see module docstring)
    child.text = value
    return child


def _pull_request(operation: Operation, box: Mailbox) -> tuple[etree._Element, etree._Element]:
    envelope, _header, body = new_envelope()
    request = etree.SubElement(body, _ob(REQUEST_ELEMENTS[operation]))
    _text_child(request, "podmiot", box.entity_id)
    _text_child(request, "nazwaSkrytki", box.box_name)
    _text_child(request, "adresSkrytki", box.box_address)
    return envelope, request


def build_pending_request(box: Mailbox) -> etree._Element:
    """``oczekujaceDokumenty``: how many documents wait in the box."""
    return _pull_request(Operation.PENDING, box)[0]


def build_fetch_request(box: Mailbox) -> etree._Element:
    """``pobierzNastepny``: the head of the queue (it stays there until confirmed)."""
    return _pull_request(Operation.FETCH, box)[0]


def build_confirm_request(box: Mailbox, digest: str) -> etree._Element:
    """``potwierdzOdebranie`` with ``skrot`` = base64 SHA-1 of the received content."""
    if not digest:
        raise InvalidRequestError("Skrót dokumentu (skrot) nie może być pusty")
    envelope, request = _pull_request(Operation.CONFIRM, box)
    _text_child(request, "skrot", digest)
    return envelope


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _document_body(body: etree._Element, document: OutgoingDocument) -> None:
    element = etree.SubElement(body, _ob("Dokument"))
    _text_child(element, "nazwaPliku", document.file_name)
    if document.file_type:
        _text_child(element, "typPliku", document.file_type)
    _text_child(element, "zawartosc", _b64(document.content))


def _header_value(header: etree._Element, name: str, value: str) -> None:
    etree.SubElement(header, _ob(name)).text = value


def _check_entity(entity_id: str) -> None:
    Mailbox(entity_id, "-", "-")  # reuse the podmiot validation and its messages


def build_send_request(request: SendRequest) -> etree._Element:
    """WS-Skrytka ``nadaj``."""
    _check_entity(request.entity_id)
    envelope, header, body = new_envelope()
    _header_value(header, "IdentyfikatorPodmiotu", request.entity_id)
    _header_value(header, "AdresSkrytki", request.recipient_box_address)
    _header_value(header, "AdresOdpowiedzi", request.reply_box_address)
    _header_value(header, "CzyProbne", "true" if request.validate_only else "false")
    if request.extra_data is not None:
        _header_value(header, "DaneDodatkowe", _b64(request.extra_data))
    _document_body(body, request.document)
    return envelope


def build_delivery_request(request: DeliveryRequest) -> etree._Element:
    """WS-Doręczyciel ``dorecz`` (a document with a receipt of delivery, UPD)."""
    _check_entity(request.entity_id)
    if request.delivery_deadline.tzinfo is None:
        raise InvalidRequestError("Termin doręczenia musi mieć strefę czasową")
    envelope, header, body = new_envelope()
    _header_value(header, "IdentyfikatorPodmiotu", request.entity_id)
    _header_value(header, "AdresSkrytki", request.recipient_box_address)
    _header_value(header, "AdresOdpowiedzi", request.reply_box_address)
    _header_value(header, "TerminDoreczenia", request.delivery_deadline.isoformat())
    _header_value(header, "CzyProbne", "true" if request.validate_only else "false")
    _header_value(header, "IdentyfikatorDokumentu", request.document_id)
    _header_value(header, "IdentyfikatorSprawy", request.case_id)
    if request.extra_data is not None:
        _header_value(header, "DaneDodatkowe", _b64(request.extra_data))
    _document_body(body, request.document)
    return envelope


def serialize(envelope: etree._Element) -> bytes:
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def confirmation_digest(content: bytes, algorithm: str = "sha1") -> str:
    """``skrot`` for potwierdzOdebranie: base64 of the digest of the decoded content bytes."""
    return base64.b64encode(hashlib.new(algorithm, content).digest()).decode("ascii")


# --------------------------------------------------------------------------- answer side


@dataclass(frozen=True)
class Status:
    code: int
    message: str | None

    @property
    def ok(self) -> bool:
        return self.code == 1


@dataclass(frozen=True)
class EntityData:
    """``danePodmiotu``: who sent the document (as ePUAP knows them)."""

    identifier: str
    person_type: str
    first_name: str | None = None
    surname_or_name: str | None = None
    nip: str | None = None
    pesel: str | None = None
    regon: str | None = None
    consent: bool = False


@dataclass(frozen=True)
class PulledDocument:
    """One document from ``pobierzNastepny``, with the raw answer kept for durable storage."""

    sender: EntityData
    sender_user: str | None
    sender_system: str | None
    sent_at: datetime
    box_name: str
    box_address: str
    reply_address: str | None
    is_test: bool
    extra_data: bytes
    file_name: str
    file_type: str | None
    content: Payload  # a spool file when large (see payload.py)

    @property
    def digest(self) -> str:
        """The ``skrot`` that confirms this document (SHA-1, as ePUAP expects)."""
        return base64.b64encode(payload_digest(self.content, "sha1")).decode("ascii")

    @property
    def sha256(self) -> str:
        return payload_digest(self.content, "sha256").hex()


@dataclass(frozen=True)
class PendingResult:
    status: Status
    count: int


@dataclass(frozen=True)
class FetchResult:
    """``document`` is None when the queue is empty (kod 0, or success without a document)."""

    status: Status
    document: PulledDocument | None
    raw_response: Payload = field(default=b"", repr=False)


@dataclass(frozen=True)
class ConfirmResult:
    status: Status


@dataclass(frozen=True)
class AttachedFile:
    file_name: str
    file_type: str | None
    content: bytes


@dataclass(frozen=True)
class SendResult:
    """``OdpowiedzSkrytki``: the UPP may come in ``zalacznik`` or later into our box."""

    status: Status
    document_id: str
    upp_id: str | None
    recipient_status: Status | None
    attachment: AttachedFile | None


@dataclass(frozen=True)
class DeliveryResult:
    status: Status
    document_id: str | None
    order_id: str | None


def _local(element: etree._Element) -> str:
    # Plain string work: etree.QName costs ~4× as much, and a fetch answer asks ~100 times.
    tag = element.tag
    if not isinstance(tag, str):
        return etree.QName(element).localname
    return tag.rpartition("}")[2]


def _children(element: etree._Element) -> Iterator[etree._Element]:
    for child in element:
        if isinstance(child.tag, str):
            yield child


def child(element: etree._Element, name: str) -> etree._Element | None:
    """First child with this local name; namespace-lenient because servers differ."""
    for candidate in _children(element):
        if _local(candidate) == name:
            return candidate
    return None


def _is_nil(element: etree._Element) -> bool:
    return element.get("{http://www.w3.org/2001/XMLSchema-instance}nil") in ("true", "1")


def child_text(element: etree._Element, name: str) -> str | None:
    found = child(element, name)
    if found is None or _is_nil(found):
        return None
    return (found.text or "").strip()


def _required_text(element: etree._Element, name: str, where: str) -> str:
    value = child_text(element, name)
    if value is None:
        raise EpuapProtocolError(f"W odpowiedzi ePUAP brak elementu {name} ({where})")
    return value


def _int(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError as exc:
        raise EpuapProtocolError(f"Element {name} nie jest liczbą: {value!r}") from exc


def _bool(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "1")


def decode_base64(text: str | None, what: str) -> bytes:
    """Strict base64 (whitespace allowed); a clear error naming ``what`` otherwise."""
    cleaned = "".join((text or "").split())
    try:
        return base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise EpuapProtocolError(f"{what}: nieprawidłowe kodowanie base64") from exc


def parse_envelope(data: Payload, *, max_bytes: int = DEFAULT_MAX_RESPONSE_BYTES) -> etree._Element:
    """Parse a SOAP answer safely; raises EpuapProtocolError for anything not an Envelope."""
    try:
        root = parse_untrusted_xml(
            data, max_bytes=max_bytes, large_text_nodes=True, what="Odpowiedź ePUAP"
        )
    except HostileXmlError as exc:
        raise EpuapProtocolError(str(exc)) from exc
    if root.tag != _soap("Envelope"):
        raise EpuapProtocolError(
            f"Odpowiedź ePUAP nie jest kopertą SOAP 1.1 (element główny {root.tag})"
        )
    return root


def soap_body(envelope: etree._Element) -> etree._Element:
    body = envelope.find(_soap("Body"))
    if body is None:
        raise EpuapProtocolError("Odpowiedź ePUAP nie ma elementu soap:Body")
    return body


def read_fault(envelope: etree._Element, http_status: int | None = None) -> EpuapFault | None:
    """The SOAP fault in the body, if any, as an exception object (not raised)."""
    body = soap_body(envelope)
    fault = next((c for c in _children(body) if _local(c) == "Fault"), None)
    if fault is None:
        return None
    fault_code = child_text(fault, "faultcode") or ""
    fault_string = child_text(fault, "faultstring") or ""
    code: int | None = None
    message = fault_string
    detail = child(fault, "detail")
    if detail is not None:
        exception = next((e for e in detail.iter() if _local(e) == "Wyjatek"), None)
        if exception is not None:
            raw_code = child_text(exception, "kod")
            if raw_code:
                try:
                    code = int(raw_code)
                except ValueError:
                    code = None
            message = child_text(exception, "komunikat") or fault_string
    return EpuapFault(
        code,
        message or "nieznany błąd (pusty komunikat)",
        fault_code=fault_code,
        fault_string=fault_string,
        http_status=http_status,
    )


def raise_for_fault(envelope: etree._Element, http_status: int | None = None) -> None:
    fault = read_fault(envelope, http_status)
    if fault is not None:
        raise fault


def response_element(envelope: etree._Element, operation: Operation) -> etree._Element:
    """The answer element of ``operation`` (after checking for a fault)."""
    raise_for_fault(envelope)
    expected = RESPONSE_ELEMENTS[operation]
    body = soap_body(envelope)
    element = next((c for c in _children(body) if _local(c) == expected), None)
    if element is None:
        found = ", ".join(_local(c) for c in _children(body)) or "pusta treść"
        raise EpuapProtocolError(
            f"Oczekiwano odpowiedzi {expected} na {operation.value}, otrzymano: {found}"
        )
    return element


def _status(element: etree._Element, name: str = "status") -> Status:
    status = child(element, name)
    if status is None:
        raise EpuapProtocolError(f"W odpowiedzi ePUAP brak elementu {name}")
    return Status(
        code=_int(_required_text(status, "kod", name), "kod"),
        message=child_text(status, "komunikat"),
    )


def parse_pending_response(envelope: etree._Element) -> PendingResult:
    element = response_element(envelope, Operation.PENDING)
    status = _status(element)
    count_text = child_text(element, "oczekujace")
    count = _int(count_text, "oczekujace") if count_text else 0
    if count < 0:
        raise EpuapProtocolError(f"Ujemna liczba oczekujących dokumentów: {count}")
    return PendingResult(status, count)


def parse_fetch_response(
    envelope: etree._Element,
    raw: Payload = b"",
    detached: dict[etree._Element, str] | None = None,
) -> FetchResult:
    """``detached``: big text nodes the signature check took out of the tree (element → text)."""
    element = response_element(envelope, Operation.FETCH)
    status = _status(element)
    document_el = child(element, "dokument")
    content_el = child(document_el, "zawartosc") if document_el is not None else None
    if detached and content_el is not None and content_el in detached:
        content_text: str | None = detached.pop(content_el).strip()
    else:
        content_text = child_text(document_el, "zawartosc") if document_el is not None else None
    file_name = child_text(document_el, "nazwaPliku") if document_el is not None else None
    if not status.ok or document_el is None or (not content_text and not file_name):
        return FetchResult(status, None, raw)
    assert document_el is not None

    entity_el = child(element, "danePodmiotu")
    if entity_el is None:
        raise EpuapProtocolError("W odpowiedzi pobierzNastepny brak danePodmiotu")
    sender = EntityData(
        identifier=_required_text(entity_el, "identyfikator", "danePodmiotu"),
        person_type=child_text(entity_el, "typOsoby") or "",
        first_name=child_text(entity_el, "imieSkrot"),
        surname_or_name=child_text(entity_el, "nazwiskoNazwa"),
        nip=child_text(entity_el, "nip"),
        pesel=child_text(entity_el, "pesel"),
        regon=child_text(entity_el, "regon"),
        consent=_bool(child_text(entity_el, "zgoda")),
    )
    sender_el = child(element, "daneNadawcy")
    sent_text = _required_text(element, "dataNadania", "pobierzNastepny")
    try:
        sent_at = datetime.fromisoformat(sent_text)
    except ValueError as exc:
        raise EpuapProtocolError(f"Nieprawidłowa data nadania: {sent_text!r}") from exc
    document = PulledDocument(
        sender=sender,
        sender_user=child_text(sender_el, "uzytkownik") if sender_el is not None else None,
        sender_system=child_text(sender_el, "system") if sender_el is not None else None,
        sent_at=sent_at,
        box_name=child_text(element, "nazwaSkrytki") or "",
        box_address=child_text(element, "adresSkrytki") or "",
        reply_address=child_text(element, "adresOdpowiedzi") or None,
        is_test=_bool(child_text(element, "czyTestowe")),
        extra_data=decode_base64(child_text(element, "daneDodatkowe"), "daneDodatkowe"),
        file_name=file_name or "",
        file_type=child_text(document_el, "typPliku") or None,
        content=_decode_content(document_el, content_text),
    )
    return FetchResult(status, document, raw)


def _decode_content(document_el: etree._Element, text: str | None) -> Payload:
    """``zawartosc`` decoded; a large one straight into a spool file, and its text is dropped
    from the tree first (the tree is not verified again after this), so the answer's text
    exists once at a time. Small answers leave the tree as it was."""
    found = child(document_el, "zawartosc")
    if found is not None and text is not None and len(text) > payload.SPOOL_ABOVE:
        found.text = None
    try:
        return decode_base64_text(text or "")
    except (binascii.Error, ValueError) as exc:
        raise EpuapProtocolError(
            "Treść dokumentu (zawartosc): nieprawidłowe kodowanie base64"
        ) from exc


def parse_confirm_response(envelope: etree._Element) -> ConfirmResult:
    return ConfirmResult(_status(response_element(envelope, Operation.CONFIRM)))


def _attached(element: etree._Element | None, what: str) -> AttachedFile | None:
    if element is None:
        return None
    return AttachedFile(
        file_name=child_text(element, "nazwaPliku") or "",
        file_type=child_text(element, "typPliku") or None,
        content=decode_base64(child_text(element, "zawartosc"), what),
    )


def parse_send_response(envelope: etree._Element) -> SendResult:
    element = response_element(envelope, Operation.SEND)
    recipient = child(element, "statusOdbiorcy")
    return SendResult(
        status=_status(element),
        document_id=child_text(element, "identyfikatorDokumentu") or "",
        upp_id=child_text(element, "identyfikatorUpp") or None,
        recipient_status=_status(element, "statusOdbiorcy") if recipient is not None else None,
        attachment=_attached(child(element, "zalacznik"), "Załącznik odpowiedzi (UPP)"),
    )


def parse_delivery_response(envelope: etree._Element) -> DeliveryResult:
    element = response_element(envelope, Operation.DELIVER)
    return DeliveryResult(
        status=_status(element),
        document_id=child_text(element, "identyfikatorDokumentu") or None,
        order_id=child_text(element, "identyfikatorZlecenia") or None,
    )
