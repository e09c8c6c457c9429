"""A local ePUAP test server: the three pull operations, nadaj and dorecz, with fault injection.

Listens on 127.0.0.1 on an ephemeral port (HTTP, or HTTPS with a generated self-signed
certificate), keeps one queue per box address, verifies request signatures against an
allow-list of certificates, signs its answers with its own certificate, and records every
request so tests can assert order and exactly-once confirmation. It stops by itself after
``auto_stop_after`` seconds as a safety net.

Faults are injected with :meth:`EpuapSimulator.inject` and are consumed by the next matching
requests (see :class:`FaultKind`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import mimetypes
import socket
import ssl
import struct
import tempfile
import threading
import uuid
from collections import deque
from collections.abc import Iterable, Sequence
from copy import deepcopy
from dataclasses import dataclass, field
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import parse_qs

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree

from clerk_app.integrations.epuap import namespaces as ns
from clerk_app.integrations.epuap.envelope import (
    SERVICE_PATHS,
    Mailbox,
    Operation,
    parse_envelope,
    serialize,
)
from clerk_app.integrations.epuap.errors import EpuapProtocolError, SignatureError
from clerk_app.integrations.epuap.filerepo import DOWNLOAD_PATH
from clerk_app.integrations.epuap.outgoing import idempotency_key
from clerk_app.integrations.epuap.server_messages import (
    FetchAnswer,
    IncomingRequest,
    StoredDocument,
    confirm_response,
    delivery_response,
    fault_envelope,
    fetch_response,
    pending_response,
    read_request,
    receipt_xml,
    send_response,
)
from clerk_app.integrations.epuap.wssecurity import (
    Detached,
    SigningIdentity,
    sign_envelope,
    verify_envelope,
)

_MAX_REQUEST_BYTES = 128 * 1024 * 1024
# Answers up to this size go out with their headers in one write. A bigger body is not
# copied for that: the fresh buffer's page faults cost more CPU than the second write.
_ONE_WRITE_MAX = 64 * 1024


class FaultKind(StrEnum):
    SOAP_FAULT = "soap_fault"  # HTTP 500 with soap:Fault/ob:Wyjatek (unsigned)
    HTTP_ERROR = "http_error"  # HTTP status (401/500/503...) with an HTML page
    SLOW = "slow"  # answer after ``delay`` seconds
    RESET_MID_BODY = "reset_mid_body"  # headers + half the body, then a TCP reset
    TRUNCATED = "truncated"  # a complete HTTP answer whose XML is cut in half
    CONFIRM_LOST = "confirm_lost"  # confirm applied, then the connection is reset
    REDELIVER_CONFIRMED = "redeliver_confirmed"  # last confirmed document comes back
    BAD_SIGNATURE = "bad_signature"  # answer signed, then its body changed


@dataclass
class Fault:
    kind: FaultKind
    operation: Operation | None = None  # None: any operation
    times: int = 1
    http_status: int = 500
    delay: float = 0.0
    code: int = 1000
    message: str = "Błąd symulowany"


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the simulator saw it; ``outcome`` says what happened to it."""

    sequence: int
    operation: Operation | None
    path: str
    box_address: str | None
    digest: str | None
    signer_fingerprint: str | None
    http_status: int
    outcome: str
    document_digest: str | None = None


@dataclass
class _Box:
    mailbox: Mailbox
    queue: deque[StoredDocument] = field(default_factory=deque)
    confirmed: list[StoredDocument] = field(default_factory=list)
    sent: list[IncomingRequest] = field(default_factory=list)
    # idempotency key (DaneDodatkowe) -> the first answer, replayed for a repeated send
    answered: dict[str, tuple[etree._Element, str | None]] = field(default_factory=dict)
    # the base64 content of the document last fetched: fetched again until confirmed, and
    # only the head of the queue is kept (a confirmed document may be big)
    encoded: tuple[StoredDocument, bytes] | None = None

    def encoded_head(self, head: StoredDocument) -> bytes:
        if self.encoded is None or self.encoded[0] is not head:
            self.encoded = (head, head.encoded_content())
        return self.encoded[1]

    def forget_encoded(self, document: StoredDocument) -> None:
        if self.encoded is not None and self.encoded[0] is document:
            self.encoded = None


def generate_identity(
    common_name: str, *, days: int = 30, hosts: Sequence[str] = ()
) -> SigningIdentity:
    """A fresh RSA key and self-signed certificate (simulator, tests, demo mode)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
    )
    if hosts:
        alt: list[x509.GeneralName] = []
        for host in hosts:
            try:
                alt.append(x509.IPAddress(ipaddress.ip_address(host)))
            except ValueError:
                alt.append(x509.DNSName(host))
        builder = builder.add_extension(x509.SubjectAlternativeName(alt), critical=False)
    return SigningIdentity(key, builder.sign(key, hashes.SHA256()))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = False


class EpuapSimulator:
    """Local ePUAP stand-in; use as a context manager or call :meth:`start`/:meth:`stop`."""

    def __init__(
        self,
        *,
        allowed_certificates: Iterable[x509.Certificate] = (),
        identity: SigningIdentity | None = None,
        tls: bool = False,
        sign_responses: bool = True,
        require_signed_requests: bool = True,
        empty_style: str = "kod0",
        accept_sha256_digest: bool = True,
        auto_stop_after: float | None = 600.0,
        port: int = 0,
    ) -> None:
        self.port = port
        self.allowed_certificates = list(allowed_certificates)
        self.identity = identity or generate_identity("ePUAP symulator")
        self.tls = tls
        self.sign_responses = sign_responses
        self.require_signed_requests = require_signed_requests
        self.empty_style = empty_style
        self.accept_sha256_digest = accept_sha256_digest
        self.auto_stop_after = auto_stop_after
        self._boxes: dict[str, _Box] = {}
        self._faults: list[Fault] = []
        self._repo: dict[str, tuple[bytes, bool]] = {}  # fileId -> (content, download once)
        self.repo_downloads: list[str] = []  # fileIds served, in order
        self._records: list[RecordedRequest] = []
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._timer: threading.Timer | None = None
        self._tls_identity: SigningIdentity | None = None
        self._tls_dir: tempfile.TemporaryDirectory[str] | None = None

    # ------------------------------------------------------------------ configuration

    def add_box(self, entity_id: str, box_name: str, box_address: str) -> Mailbox:
        mailbox = Mailbox(entity_id, box_name, box_address)
        with self._lock:
            self._boxes.setdefault(box_address, _Box(mailbox))
        return mailbox

    def enqueue(self, box_address: str, document: StoredDocument) -> None:
        with self._lock:
            self._boxes[box_address].queue.append(document)

    def load_folder(self, box_address: str, folder: Path) -> int:
        """Queue every file of ``folder`` (sorted by name) as a document of ``box_address``."""
        count = 0
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            self.enqueue(box_address, StoredDocument(path.name, path.read_bytes(), mime))
            count += 1
        return count

    def add_repo_file(self, content: bytes, *, once: bool = True) -> str:
        """Put a file into the simulated FileRepo; returns the URI a letter refers to.

        The URI names the production host on purpose: clients must use only its fileId.
        ``once``: the file disappears after its first download, as on the real service.
        """
        file_id = uuid.uuid4().hex
        with self._lock:
            self._repo[file_id] = (content, once)
        return f"https://ws.epuap.gov.pl{DOWNLOAD_PATH}?fileId={file_id}"

    def repo_files(self) -> list[str]:
        with self._lock:
            return list(self._repo)

    def download(self, file_id: str) -> bytes | None:
        """FileRepo download: the content (removed if one-shot), or None when unknown."""
        with self._lock:
            found = self._repo.get(file_id)
            if found is None:
                return None
            content, once = found
            if once:
                del self._repo[file_id]
            self.repo_downloads.append(file_id)
            return content

    def queue(self, box_address: str) -> list[StoredDocument]:
        with self._lock:
            return list(self._boxes[box_address].queue)

    def confirmed(self, box_address: str) -> list[StoredDocument]:
        with self._lock:
            return list(self._boxes[box_address].confirmed)

    def sent_requests(self, box_address: str) -> list[IncomingRequest]:
        """Documents this box sent through nadaj/dorecz."""
        with self._lock:
            return list(self._boxes[box_address].sent)

    def inject(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def records(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._records)

    # ------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("Symulator ePUAP nie jest uruchomiony")
        host, port = self._server.server_address[:2]
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{host!s}:{port}"

    @property
    def running(self) -> bool:
        return self._server is not None and not self._stopping.is_set()

    @property
    def tls_certificate(self) -> x509.Certificate | None:
        return self._tls_identity.certificate if self._tls_identity else None

    def client_ssl_context(self) -> ssl.SSLContext:
        """An SSL context for clients that trusts exactly this simulator's TLS certificate."""
        if self._tls_identity is None:
            raise RuntimeError("Symulator nie działa w trybie HTTPS")
        pem = self._tls_identity.certificate.public_bytes(serialization.Encoding.PEM)
        return ssl.create_default_context(cadata=pem.decode("ascii"))

    def start(self) -> EpuapSimulator:
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server(("127.0.0.1", self.port), _make_handler(self))
        if self.tls:
            self._tls_identity = generate_identity("127.0.0.1", hosts=["127.0.0.1", "localhost"])
            self._tls_dir = tempfile.TemporaryDirectory(prefix="epuap-sim-tls-")
            cert_path = Path(self._tls_dir.name) / "cert.pem"
            key_path = Path(self._tls_dir.name) / "key.pem"
            cert_path.write_bytes(
                self._tls_identity.certificate.public_bytes(serialization.Encoding.PEM)
            )
            key_path.write_bytes(
                self._tls_identity.private_key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert_path, key_path)
            server.socket = context.wrap_socket(server.socket, server_side=True)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
        if self.auto_stop_after:
            self._timer = threading.Timer(self.auto_stop_after, self.stop)
            self._timer.daemon = True
            self._timer.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        server, self._server = self._server, None
        if self._timer is not None and self._timer is not threading.current_thread():
            self._timer.cancel()
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        if self._tls_dir is not None:
            self._tls_dir.cleanup()
            self._tls_dir = None

    def __enter__(self) -> EpuapSimulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ request handling

    def _take_fault(self, operation: Operation | None) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.times > 0 and (fault.operation in (None, operation)):
                    fault.times -= 1
                    if fault.times == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _record(self, **values: object) -> None:
        with self._lock:
            self._records.append(RecordedRequest(sequence=len(self._records) + 1, **values))  # type: ignore[arg-type]

    def _sign(self, answer: etree._Element | FetchAnswer) -> bytes:
        envelope = answer.envelope if isinstance(answer, FetchAnswer) else answer
        if self.sign_responses:
            # A fetch answer splices its content in when serialised: the 270 KB text need
            # not be put back into the tree after hashing.
            detached: Detached | None = None
            if isinstance(answer, FetchAnswer) and answer.content is not None:
                detached = {}
            sign_envelope(envelope, self.identity, detached=detached)
            for element, text in (detached or {}).items():
                if isinstance(answer, FetchAnswer) and element is not answer.content:
                    element.text = text  # any other big text stays in the tree
        return answer.serialize() if isinstance(answer, FetchAnswer) else serialize(envelope)

    def _digest_matches(self, digest: str, document: StoredDocument) -> bool:
        if digest == document.digest():
            return True
        return self.accept_sha256_digest and digest == document.digest("sha256")

    def handle(self, path: str, body: bytes) -> tuple[int, bytes, str, Fault | None]:
        """Process one POST; returns (HTTP status, body, outcome, fault to apply on the wire)."""
        try:
            envelope = parse_envelope(body, max_bytes=_MAX_REQUEST_BYTES)
        except EpuapProtocolError as exc:
            self._record(
                operation=None,
                path=path,
                box_address=None,
                digest=None,
                signer_fingerprint=None,
                http_status=500,
                outcome=f"malformed: {exc}",
            )
            return 500, serialize(fault_envelope(9001, f"Nieprawidłowe żądanie: {exc}")), "", None
        signer: x509.Certificate | None = None
        signature_problem: str | None = None
        if self.require_signed_requests:
            try:
                signer = verify_envelope(envelope, self.allowed_certificates)
            except SignatureError as exc:
                signature_problem = str(exc)
        try:
            request = read_request(envelope, path)
        except (EpuapProtocolError, ValueError) as exc:
            request = None
            request_problem: str | None = str(exc)
        else:
            request_problem = None
        operation = request.operation if request else None
        box_address = (
            request.mailbox.box_address
            if request and request.mailbox
            else (request.reply_box_address if request else None)
        )
        fingerprint = signer.fingerprint(hashes.SHA256()).hex() if signer else None
        base = {
            "operation": operation,
            "path": path,
            "box_address": box_address,
            "digest": request.digest if request else None,
            "signer_fingerprint": fingerprint,
        }
        if signature_problem is not None:
            self._record(
                **base, http_status=500, outcome=f"rejected signature: {signature_problem}"
            )
            return (
                500,
                serialize(fault_envelope(9002, f"Błąd weryfikacji podpisu: {signature_problem}")),
                "",
                None,
            )
        if request is None:
            self._record(**base, http_status=500, outcome=f"malformed: {request_problem}")
            return (
                500,
                serialize(fault_envelope(9001, f"Nieprawidłowe żądanie: {request_problem}")),
                "",
                None,
            )
        if SERVICE_PATHS[request.operation] != path.split("?", 1)[0].rstrip("/"):
            self._record(**base, http_status=404, outcome="wrong path")
            return 404, b"<html><body><h1>404 Not Found</h1></body></html>", "", None

        fault = self._take_fault(request.operation)
        if fault is not None and fault.kind is FaultKind.SOAP_FAULT:
            self._record(**base, http_status=500, outcome="soap fault injected")
            return 500, serialize(fault_envelope(fault.code, fault.message)), "", None
        if fault is not None and fault.kind is FaultKind.HTTP_ERROR:
            self._record(**base, http_status=fault.http_status, outcome="http error injected")
            page = (
                f"<html><head><title>Error {fault.http_status}</title></head><body>"
                f"<h1>HTTP {fault.http_status}</h1><p>{fault.message}</p></body></html>"
            )
            return fault.http_status, page.encode("utf-8"), "", None

        status, envelope_out, outcome, document_digest = self._dispatch(request, fault)
        self._record(**base, http_status=status, outcome=outcome, document_digest=document_digest)
        payload = self._sign(envelope_out)
        if fault is not None and fault.kind is FaultKind.BAD_SIGNATURE:
            payload = payload.replace(b"<kod>1</kod>", b"<kod>7</kod>", 1)
        return status, payload, outcome, fault

    def _dispatch(
        self, request: IncomingRequest, fault: Fault | None
    ) -> tuple[int, etree._Element | FetchAnswer, str, str | None]:
        with self._lock:
            if request.mailbox is not None:
                box = self._boxes.get(request.mailbox.box_address)
                if box is None or box.mailbox.entity_id != request.mailbox.entity_id:
                    return (
                        500,
                        fault_envelope(401, "Brak uprawnień do skrytki lub skrytka nie istnieje"),
                        "unknown box",
                        None,
                    )
                if request.operation is Operation.PENDING:
                    return 200, pending_response(len(box.queue)), "pending", None
                if request.operation is Operation.FETCH:
                    if (
                        fault is not None
                        and fault.kind is FaultKind.REDELIVER_CONFIRMED
                        and box.confirmed
                    ):
                        box.queue.appendleft(box.confirmed[-1])
                    if not box.queue:
                        empty = fetch_response(box.mailbox, None, empty_style=self.empty_style)
                        return 200, empty, "empty", None
                    head = box.queue[0]
                    answer = FetchAnswer(box.mailbox, head, box.encoded_head(head))
                    return 200, answer, "fetched", head.digest()
                assert request.operation is Operation.CONFIRM
                digest = request.digest or ""
                if box.queue and self._digest_matches(digest, box.queue[0]):
                    confirmed = box.queue.popleft()
                    box.confirmed.append(confirmed)
                    box.forget_encoded(confirmed)
                    return 200, confirm_response(), "confirmed", confirmed.digest()
                if any(self._digest_matches(digest, d) for d in box.confirmed):
                    # A repeated confirmation (its first answer was lost): harmless success.
                    return 200, confirm_response(), "already confirmed", None
                return (
                    200,
                    confirm_response(0, "Skrót nie odpowiada dokumentowi w kolejce"),
                    ("digest mismatch"),
                    None,
                )
            return self._send(request)

    def _send(self, request: IncomingRequest) -> tuple[int, etree._Element, str, str | None]:
        assert request.document is not None
        sender_box = self._boxes.get(request.reply_box_address or "")
        if sender_box is None or sender_box.mailbox.entity_id != request.entity_id:
            return (
                500,
                fault_envelope(401, "Nadawca nie ma skrytki o podanym adresie zwrotnym"),
                ("unknown sender"),
                None,
            )
        recipient = self._boxes.get(request.recipient_box_address or "")
        if recipient is None:
            return (
                500,
                fault_envelope(404, "Skrytka adresata nie istnieje"),
                "unknown recipient",
                None,
            )
        document_id = uuid.uuid4().hex
        if request.validate_only:
            if request.operation is Operation.SEND:
                return 200, send_response(document_id, None, None), "validated", None
            return 200, delivery_response(document_id, uuid.uuid4().hex), "validated", None
        key = idempotency_key(request.extra_data)
        if key is not None and f"{request.operation}:{key}" in sender_box.answered:
            first, first_digest = sender_box.answered[f"{request.operation}:{key}"]
            return 200, deepcopy(first), "replayed", first_digest
        status, answer, outcome, digest = self._deliver(request, sender_box, recipient, document_id)
        if key is not None:
            sender_box.answered[f"{request.operation}:{key}"] = (deepcopy(answer), digest)
        return status, answer, outcome, digest

    def _deliver(
        self, request: IncomingRequest, sender_box: _Box, recipient: _Box, document_id: str
    ) -> tuple[int, etree._Element, str, str | None]:
        assert request.document is not None
        now = dt.datetime.now(dt.UTC)
        sender_box.sent.append(request)
        delivered = StoredDocument(
            file_name=request.document.file_name,
            content=request.document.content,
            file_type=request.document.file_type,
            sent_at=now,
            reply_address=request.reply_box_address,
        )
        recipient.queue.append(delivered)
        digest = delivered.digest()
        if request.operation is Operation.SEND:
            upp_id = uuid.uuid4().hex
            upp = receipt_xml(
                "UPP",
                receipt_id=upp_id,
                document_id=document_id,
                event_time=now,
                addressee=recipient.mailbox.entity_id,
                sender=sender_box.mailbox.entity_id,
            )
            return 200, send_response(document_id, upp_id, upp), "sent", digest
        document_id = request.document_id or document_id
        upd = receipt_xml(
            "UPD",
            receipt_id=uuid.uuid4().hex,
            document_id=document_id,
            event_time=now,
            addressee=recipient.mailbox.entity_id,
            sender=sender_box.mailbox.entity_id,
            case_id=request.case_id,
        )
        sender_box.queue.append(StoredDocument("upd.xml", upd, "text/xml", sent_at=now))
        return 200, delivery_response(document_id, uuid.uuid4().hex), "delivered", digest


_WSDL_OPERATIONS = {
    "/pk_external_ws/services/pull": (
        ns.PULL,
        "pull",
        [
            ("oczekujaceDokumenty", "ZapytaniePullOczekujace", "OdpowiedzPullOczekujace"),
            ("pobierzNastepny", "ZapytaniePullPobierz", "OdpowiedzPullPobierz"),
            ("potwierdzOdebranie", "ZapytaniePullPotwierdz", "OdpowiedzPullPotwierdz"),
        ],
    ),
    "/pk_external_ws/services/skrytka": (
        ns.SKRYTKA,
        "skrytka",
        [("nadaj", "Dokument", "OdpowiedzSkrytki")],
    ),
    "/pk_external_ws/services/doreczyciel": (
        ns.DORECZYCIEL,
        "doreczyciel",
        [("dorecz", "Dokument", "OdpowiedzDoreczyciela")],
    ),
}


def service_wsdl(path: str, base_url: str) -> bytes | None:
    """A minimal document/literal WSDL 1.1 of one simulated service (its operations and address).

    Element types live in the official obiektypk.xsd (not shipped); this WSDL names the
    elements and the endpoint so tools can discover the simulator.
    """
    spec = _WSDL_OPERATIONS.get(path)
    if spec is None:
        return None
    target, name, operations = spec
    wsdl = "http://schemas.xmlsoap.org/wsdl/"
    soap = "http://schemas.xmlsoap.org/wsdl/soap/"
    root = etree.Element(
        f"{{{wsdl}}}definitions",
        nsmap={"wsdl": wsdl, "soap": soap, "tns": target, "ob": ns.OBIEKTY},
        targetNamespace=target,
        name=name,
    )
    types = etree.SubElement(root, f"{{{wsdl}}}types")
    schema = etree.SubElement(
        types, "{http://www.w3.org/2001/XMLSchema}schema", targetNamespace=target
    )
    etree.SubElement(
        schema,
        "{http://www.w3.org/2001/XMLSchema}import",
        namespace=ns.OBIEKTY,
        schemaLocation="obiektypk.xsd",
    )
    port_type = etree.Element(f"{{{wsdl}}}portType", name=name)
    binding = etree.Element(f"{{{wsdl}}}binding", name=f"{name}SoapBinding", type=f"tns:{name}")
    etree.SubElement(
        binding,
        f"{{{soap}}}binding",
        style="document",
        transport="http://schemas.xmlsoap.org/soap/http",
    )
    for operation, request, response in operations:
        for suffix, element in (("Request", request), ("Response", response)):
            message = etree.SubElement(root, f"{{{wsdl}}}message", name=f"{operation}{suffix}")
            etree.SubElement(message, f"{{{wsdl}}}part", name="body", element=f"ob:{element}")
        op = etree.SubElement(port_type, f"{{{wsdl}}}operation", name=operation)
        etree.SubElement(op, f"{{{wsdl}}}input", message=f"tns:{operation}Request")
        etree.SubElement(op, f"{{{wsdl}}}output", message=f"tns:{operation}Response")
        bop = etree.SubElement(binding, f"{{{wsdl}}}operation", name=operation)
        etree.SubElement(bop, f"{{{soap}}}operation", soapAction=target + operation)
        for direction in ("input", "output"):
            io = etree.SubElement(bop, f"{{{wsdl}}}{direction}")
            etree.SubElement(io, f"{{{soap}}}body", use="literal")
    root.append(port_type)
    root.append(binding)
    service = etree.SubElement(root, f"{{{wsdl}}}service", name=f"{name}Service")
    port = etree.SubElement(service, f"{{{wsdl}}}port", name=name, binding=f"tns:{name}SoapBinding")
    etree.SubElement(port, f"{{{soap}}}address", location=base_url + path)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _make_handler(simulator: EpuapSimulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "ePUAP-simulator/1.0"

        def log_message(self, format: str, *args: object) -> None:
            return  # keep test output clean; every request is recorded instead

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in separate writes: without this, delayed ACKs add
            # ~40 ms to every answer on a keep-alive connection.
            with contextlib.suppress(OSError):
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            if path.rstrip("/") == DOWNLOAD_PATH:
                file_id = (parse_qs(query).get("fileId") or [""])[0]
                fault = simulator._take_fault(None) if file_id else None
                if fault is not None and fault.kind is FaultKind.HTTP_ERROR:
                    self._send(fault.http_status, b"<html>error</html>", "text/html")
                    return
                content = simulator.download(file_id)
                if content is None:
                    self._send(404, b"<html><body>Brak pliku</body></html>", "text/html")
                    return
                self._send(200, content, "application/octet-stream")
                return
            if query.lower() == "wsdl":
                wsdl = service_wsdl(path.rstrip("/"), simulator.base_url)
                if wsdl is not None:
                    self._send(200, wsdl, "text/xml; charset=UTF-8")
                    return
                self._send(404, b"<html><body>No such service</body></html>", "text/html")
                return
            body = b"<html><body><p>Symulator ePUAP: usluga SOAP, uzyj POST.</p></body></html>"
            self._send(405, body, "text/html")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length <= 0 or length > _MAX_REQUEST_BYTES:
                self._send(413, b"<html><body>Request too large</body></html>", "text/html")
                return
            data = self.rfile.read(length)
            status, payload, outcome, fault = simulator.handle(self.path, data)
            content_type = (
                "text/xml; charset=UTF-8"
                if payload.lstrip().startswith(b"<?xml") or (b"Envelope" in payload[:200])
                else "text/html; charset=UTF-8"
            )
            if (
                fault is not None
                and fault.kind is FaultKind.SLOW
                and simulator._stopping.wait(fault.delay)
            ):
                return
            if (fault is not None and fault.kind in (FaultKind.RESET_MID_BODY,)) or (
                fault is not None
                and fault.kind is FaultKind.CONFIRM_LOST
                and outcome in ("confirmed", "already confirmed")
            ):
                self._reset_mid_body(status, payload, content_type)
                return
            if fault is not None and fault.kind is FaultKind.TRUNCATED:
                payload = payload[: len(payload) // 2]
            self._send(status, payload, content_type)

        def _send(self, status: int, payload: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            if len(payload) > _ONE_WRITE_MAX:
                self.end_headers()
                self.wfile.write(payload)
                return
            # Headers and body in one write: one segment and one wake-up of the client fewer
            # per answer (end_headers would send the headers on their own).
            headers: list[bytes] = getattr(self, "_headers_buffer", [])
            self._headers_buffer: list[bytes] = []
            self.wfile.write(b"".join((*headers, b"\r\n", payload)))

        def _reset_mid_body(self, status: int, payload: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            # SO_LINGER 0 turns close() into a TCP reset, like a proxy dying mid-answer.
            raw = self.connection
            with contextlib.suppress(OSError):
                raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            with contextlib.suppress(OSError):
                raw.close()

    return Handler
