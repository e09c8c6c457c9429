"""The service side of the ePUAP messages: reading requests and building answers and receipts.

Used by the local simulator (and by tests that need a well-formed answer); mirrors
:mod:`envelope`, which holds the client side.
"""

from __future__ import annotations

import base64
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pybase64
from lxml import etree

from clerk_app.integrations.epuap import namespaces as ns
from clerk_app.integrations.epuap.envelope import (
    RESPONSE_ELEMENTS,
    EntityData,
    Mailbox,
    Operation,
    OutgoingDocument,
    confirmation_digest,
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
    # algorithm -> skrot of the content; a document is fetched and confirmed many times
    _digests: dict[str, str] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def digest(self, algorithm: str = "sha1") -> str:
        """``skrot`` of the content (as potwierdzOdebranie carries it), computed once."""
        found = self._digests.get(algorithm)
        if found is None:
            found = self._digests[algorithm] = confirmation_digest(self.content, algorithm)
        return found

    def encoded_content(self) -> bytes:
        """The content as ``zawartosc`` carries it (base64, ASCII); not cached (it is big)."""
        # pybase64: same output as the standard library, ~50× faster on a 200 KB letter.
        return pybase64.b64encode(self.content)


def fetch_response(
    box: Mailbox, document: StoredDocument | None, *, empty_style: str = "kod0"
) -> etree._Element:
    """``OdpowiedzPullPobierz``; for an empty queue one of the variants seen in the wild."""
    if document is None:
        return _fetch_envelope(box, None, empty_style, "")
    return _fetch_envelope(box, document, empty_style, document.encoded_content().decode("ascii"))


# Stands for the base64 content while the skeleton of an answer is serialised (see
# FetchAnswer); random per process, so no sender's metadata can contain it by chance.
_CONTENT_MARKER = f"zawartosc{uuid.uuid4().hex}"
_MARKER_BYTES = _CONTENT_MARKER.encode("ascii")
# Our own serialisation is parsed back, never outside input; a parser per thread as lxml
# parsers must not be shared between threads that parse at the same time.
_TRUSTED = threading.local()


def _trusted_parser() -> etree.XMLParser:
    parser: etree.XMLParser | None = getattr(_TRUSTED, "parser", None)
    if parser is None:
        parser = _TRUSTED.parser = etree.XMLParser(
            huge_tree=True, resolve_entities=False, no_network=True, load_dtd=False
        )
    return parser


def _splice(serialized: bytes, content: bytes) -> bytes | None:
    """``serialized`` with the marker replaced by ``content``; None unless it is there once."""
    parts = serialized.split(_MARKER_BYTES)
    if len(parts) != 2:
        return None
    return b"".join((parts[0], content, parts[1]))


class FetchAnswer:
    """A pobierzNastepny answer carrying a document, built and written without lxml handling
    its big base64 text as a Python string.

    Setting a 270 KB text node from Python (UTF-8 conversion and character checks) and
    serialising it (escaping) cost about 1 ms per 200 KB letter. Base64 needs no XML
    escaping, so the small skeleton is serialised with a marker where the content goes and
    the bytes are spliced in: once to parse the tree that gets signed, once more in
    :meth:`serialize`. The result is byte for byte what lxml would write for the same tree.
    """

    def __init__(self, box: Mailbox, document: StoredDocument, encoded: bytes) -> None:
        self.encoded = encoded
        skeleton = etree.tostring(_fetch_envelope(box, document, "kod0", _CONTENT_MARKER))
        whole = _splice(skeleton, encoded)
        if whole is None:  # the marker turned up elsewhere: build the tree the slow way
            self.envelope = _fetch_envelope(box, document, "kod0", encoded.decode("ascii"))
            self.content: etree._Element | None = None
            return
        self.envelope = etree.fromstring(whole, _trusted_parser())
        self.content = self.envelope.find(_CONTENT_PATH)

    def serialize(self) -> bytes:
        """The envelope as :func:`envelope.serialize` writes it (sign it first, if at all).

        The content element keeps the marker afterwards: signing is over by then.
        """
        if self.content is not None:
            self.content.text = _CONTENT_MARKER
            spliced = _splice(
                etree.tostring(self.envelope, xml_declaration=True, encoding="UTF-8"),
                self.encoded,
            )
            if spliced is not None:
                return spliced
            self.content.text = self.encoded.decode("ascii")  # marker elsewhere too: no splice
            self.content = None
        return etree.tostring(self.envelope, xml_declaration=True, encoding="UTF-8")


_CONTENT_PATH = (
    f"{{{ns.SOAP_ENV}}}Body/{_ob(RESPONSE_ELEMENTS[Operation.FETCH])}/dokument/zawartosc"
)


def _fetch_envelope(
    box: Mailbox, document: StoredDocument | None, empty_style: str, content: str
) -> etree._Element:
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
    _add(doc, "zawartosc", content)
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
    "FetchAnswer",
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
