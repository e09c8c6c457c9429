"""The service side of the ePUAP messages: reading requests and building answers and receipts.

Used by the local simulator (and by tests that need a well-formed answer); mirrors
:mod:`envelope`, which holds the client side.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

from clerk_app.integrations.epuap import namespaces as ns
from clerk_app.integrations.epuap.envelope import (
    RESPONSE_ELEMENTS,
    EntityData,
    Mailbox,
    Operation,
    OutgoingDocument,
    decode_base64,
    new_envelope,
    soap_body,
)
from clerk_app.integrations.epuap.errors import EpuapProtocolError

_BODY_TO_OPERATION = {
    "ZapytaniePullOczekujace": Operation.PENDING,
    "ZapytaniePullPobierz": Operation.FETCH,
    "ZapytaniePullPotwierdz": Operation.CONFIRM,
}


def _ob(name: str) -> str:
    return f"{{{ns.OBIEKTY}}}{name}"


@dataclass(frozen=True)
class IncomingRequest:
    """A request as the service understood it."""

    operation: Operation
    mailbox: Mailbox | None = None
    digest: str | None = None
    entity_id: str | None = None
    recipient_box_address: str | None = None
    reply_box_address: str | None = None
    validate_only: bool = False
    document: OutgoingDocument | None = None
    document_id: str | None = None
    case_id: str | None = None
    extra_data: bytes | None = None


def _header_text(envelope: etree._Element, name: str) -> str | None:
    header = envelope.find(f"{{{ns.SOAP_ENV}}}Header")
    if header is None:
        return None
    element = header.find(_ob(name))
    return (element.text or "").strip() if element is not None else None


def _extra_data(envelope: etree._Element) -> bytes | None:
    text = _header_text(envelope, "DaneDodatkowe")
    return decode_base64(text, "DaneDodatkowe") if text else None


def read_request(envelope: etree._Element, path: str) -> IncomingRequest:
    """Dispatch on the body element (some clients send no SOAPAction)."""
    body = soap_body(envelope)
    element = next((c for c in body if isinstance(c.tag, str)), None)
    if element is None:
        raise EpuapProtocolError("Puste soap:Body")
    qname = etree.QName(element)
    if qname.namespace != ns.OBIEKTY:
        raise EpuapProtocolError(f"Nieznany element żądania {element.tag}")
    operation = _BODY_TO_OPERATION.get(qname.localname)
    if operation is not None:
        for name in ("podmiot", "nazwaSkrytki", "adresSkrytki"):
            if element.find(name) is None:
                # Qualified children (<ob:podmiot>) do not validate against the schema.
                raise EpuapProtocolError(f"Brak niekwalifikowanego elementu {name} w żądaniu")
        mailbox = Mailbox(
            element.findtext("podmiot") or "",
            element.findtext("nazwaSkrytki") or "",
            element.findtext("adresSkrytki") or "",
        )
        digest = element.findtext("skrot") if operation is Operation.CONFIRM else None
        return IncomingRequest(operation, mailbox=mailbox, digest=digest)
    if qname.localname == "Dokument":
        operation = (
            Operation.DELIVER if path.rstrip("/").endswith("doreczyciel") else Operation.SEND
        )
        document = OutgoingDocument(
            file_name=element.findtext("nazwaPliku") or "",
            file_type=element.findtext("typPliku"),
            content=decode_base64(element.findtext("zawartosc"), "zawartosc"),
        )
        return IncomingRequest(
            operation,
            entity_id=_header_text(envelope, "IdentyfikatorPodmiotu"),
            recipient_box_address=_header_text(envelope, "AdresSkrytki"),
            reply_box_address=_header_text(envelope, "AdresOdpowiedzi"),
            validate_only=(_header_text(envelope, "CzyProbne") or "").lower() == "true",
            document=document,
            document_id=_header_text(envelope, "IdentyfikatorDokumentu"),
            case_id=_header_text(envelope, "IdentyfikatorSprawy"),
            extra_data=_extra_data(envelope),
        )
    raise EpuapProtocolError(f"Nieobsługiwana operacja {qname.localname}")


def _response(operation: Operation) -> tuple[etree._Element, etree._Element]:
    envelope, _header, body = new_envelope()
    return envelope, etree.SubElement(body, _ob(RESPONSE_ELEMENTS[operation]))


def _add(parent: etree._Element, name: str, value: str | None) -> etree._Element:
    element = etree.SubElement(parent, name)
    if value is None:
        element.set("{http://www.w3.org/2001/XMLSchema-instance}nil", "true")
    else:
        element.text = value
    return element


def _status(parent: etree._Element, code: int, message: str | None, name: str = "status") -> None:
    status = etree.SubElement(parent, name)
    _add(status, "kod", str(code))
    _add(status, "komunikat", message)


def pending_response(count: int, code: int = 1, message: str | None = None) -> etree._Element:
    envelope, element = _response(Operation.PENDING)
    _status(element, code, message)
    _add(element, "oczekujace", str(count))
    return envelope


DEFAULT_SENDER = EntityData("jan_kowalski_test", "F", "Jan", "Kowalski", consent=True)


@dataclass(frozen=True)
class StoredDocument:
    """A document waiting in a simulated box, with the metadata pobierzNastepny returns."""

    file_name: str
    content: bytes
    file_type: str | None = "text/xml"
    sender: EntityData = field(default_factory=lambda: DEFAULT_SENDER)
    sender_user: str | None = "jan.kowalski"
    sender_system: str | None = None
    sent_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    reply_address: str | None = "/jan_kowalski_test/skrytka"
    is_test: bool = True
    extra_data: bytes = b""


def fetch_response(
    box: Mailbox, document: StoredDocument | None, *, empty_style: str = "kod0"
) -> etree._Element:
    """``OdpowiedzPullPobierz``; for an empty queue one of the variants seen in the wild."""
    envelope, element = _response(Operation.FETCH)
    if document is None:
        if empty_style == "kod0":
            _status(element, 0, "Brak dokumentów w kolejce")
            return envelope
        _status(element, 1, None)
        if empty_style == "success_empty_document":
            doc = etree.SubElement(element, "dokument")
            _add(doc, "nazwaPliku", "")
            _add(doc, "zawartosc", "")
        return envelope
    _status(element, 1, None)
    entity = etree.SubElement(element, "danePodmiotu")
    sender = document.sender
    _add(entity, "identyfikator", sender.identifier)
    _add(entity, "typOsoby", sender.person_type)
    for name, value in (
        ("imieSkrot", sender.first_name),
        ("nazwiskoNazwa", sender.surname_or_name),
        ("nip", sender.nip),
        ("pesel", sender.pesel),
        ("regon", sender.regon),
    ):
        if value is not None:
            _add(entity, name, value)
    _add(entity, "zgoda", "true" if sender.consent else "false")
    sender_data = etree.SubElement(element, "daneNadawcy")
    if document.sender_user is not None:
        _add(sender_data, "uzytkownik", document.sender_user)
    if document.sender_system is not None:
        _add(sender_data, "system", document.sender_system)
    _add(element, "dataNadania", document.sent_at.isoformat(timespec="milliseconds"))
    _add(element, "nazwaSkrytki", box.box_name)
    _add(element, "adresSkrytki", box.box_address)
    _add(element, "adresOdpowiedzi", document.reply_address)
    _add(element, "czyTestowe", "true" if document.is_test else "false")
    _add(element, "daneDodatkowe", base64.b64encode(document.extra_data).decode("ascii"))
    doc = etree.SubElement(element, "dokument")
    _add(doc, "nazwaPliku", document.file_name)
    if document.file_type:
        _add(doc, "typPliku", document.file_type)
    _add(doc, "zawartosc", base64.b64encode(document.content).decode("ascii"))
    return envelope


def confirm_response(code: int = 1, message: str | None = None) -> etree._Element:
    envelope, element = _response(Operation.CONFIRM)
    _status(element, code, message)
    return envelope


def send_response(
    document_id: str, upp_id: str | None, upp: bytes | None, code: int = 1
) -> etree._Element:
    envelope, element = _response(Operation.SEND)
    _status(element, code, None)
    _add(element, "identyfikatorDokumentu", document_id)
    if upp_id is not None:
        _add(element, "identyfikatorUpp", upp_id)
    if upp is not None:
        attachment = etree.SubElement(element, "zalacznik")
        _add(attachment, "nazwaPliku", "upp.xml")
        _add(attachment, "typPliku", "text/xml")
        _add(attachment, "zawartosc", base64.b64encode(upp).decode("ascii"))
    return envelope


def delivery_response(document_id: str, order_id: str, code: int = 1) -> etree._Element:
    envelope, element = _response(Operation.DELIVER)
    _status(element, code, None)
    _add(element, "identyfikatorDokumentu", document_id)
    _add(element, "identyfikatorZlecenia", order_id)
    return envelope


def fault_envelope(code: int, message: str, fault_string: str | None = None) -> etree._Element:
    """``soap:Fault`` with ``detail/ob:Wyjatek{kod, komunikat}`` as ePUAP sends it."""
    envelope = etree.Element(f"{{{ns.SOAP_ENV}}}Envelope", nsmap={"soapenv": ns.SOAP_ENV})
    body = etree.SubElement(envelope, f"{{{ns.SOAP_ENV}}}Body")
    fault = etree.SubElement(body, f"{{{ns.SOAP_ENV}}}Fault")
    _add(fault, "faultcode", "soapenv:Server")
    _add(fault, "faultstring", fault_string or message)
    detail = etree.SubElement(fault, "detail")
    exception = etree.SubElement(detail, _ob("Wyjatek"), nsmap={"ob": ns.OBIEKTY})
    _add(exception, "kod", str(code))
    _add(exception, "komunikat", message)
    return envelope


def receipt_xml(
    kind: str,
    *,
    receipt_id: str,
    document_id: str,
    event_time: datetime,
    addressee: str,
    sender: str,
    case_id: str | None = None,
) -> bytes:
    """An unsigned UPP or UPD in the CRD UPO namespace, certifying ``document_id``."""
    upo = ns.CRD_UPO
    root = etree.Element(f"{{{upo}}}Dokument", nsmap={"pos": upo})
    body = etree.SubElement(root, f"{{{upo}}}{kind}")

    def add(parent: etree._Element, name: str, value: str) -> etree._Element:
        element = etree.SubElement(parent, f"{{{upo}}}{name}")
        element.text = value
        return element

    add(body, "IdentyfikatorPoswiadczenia", receipt_id)
    if kind == "UPD":
        issuer = etree.SubElement(body, f"{{{upo}}}PodmiotWystawiajacyPoswiadczenie")
        add(issuer, "Nazwa", "ePUAP (symulator)")
    addressee_el = etree.SubElement(body, f"{{{upo}}}Adresat")
    add(addressee_el, "Nazwa", addressee)
    if kind == "UPP":
        sender_el = etree.SubElement(body, f"{{{upo}}}Nadawca")
        add(sender_el, "Nazwa", sender)
        add(body, "DataDoreczenia", event_time.isoformat())
        add(body, "DataWytworzeniaPoswiadczenia", event_time.isoformat())
    else:
        add(body, "DataOdbioru", event_time.isoformat())
        add(body, "DataUtworzeniaPoswiadczenia", event_time.isoformat())
        if case_id:
            add(body, "IdentyfikatorSprawy", case_id)
    add(body, "IdentyfikatorDokumentu", document_id)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


__all__ = [
    "IncomingRequest",
    "StoredDocument",
    "confirm_response",
    "delivery_response",
    "fault_envelope",
    "fetch_response",
    "pending_response",
    "read_request",
    "receipt_xml",
    "send_response",
]
