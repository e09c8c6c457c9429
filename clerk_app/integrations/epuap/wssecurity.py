"""WS-Security 1.0 X.509 signing and verification of SOAP envelopes, as ePUAP expects it.

Layout inside ``soap:Header/wsse:Security`` (order matters to ePUAP):
``wsse:BinarySecurityToken`` (X509v3, Base64Binary, wsu:Id) first, then ``ds:Signature`` with
exclusive C14N, RSA-SHA256 and one SHA-256 reference to the ``wsu:Id`` of ``soap:Body`` (with an
exc-c14n transform); ``ds:KeyInfo`` points at the token through ``wsse:SecurityTokenReference``.

This one profile is all ePUAP uses, so it is implemented directly with lxml's exclusive C14N
and cryptography's RSA instead of a general XML-DSig library: a general verifier copies the
whole envelope three times (serialise, re-parse) and re-parses what was signed, which for a
90 MB answer costs ~400 MB and most of the sync time. Verification accepts only this profile
(one reference to this envelope's Body, exc-c14n, SHA-256, RSA-SHA256) and rejects anything
else. Independent verifiers (xmlsec in the tests) check what we sign. Responses are checked
against a pinned certificate (or an allow-list, for the simulator): no chain validation, as
ePUAP uses a self-issued certificate.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from lxml import etree

from clerk_app.integrations.epuap import namespaces as ns
from clerk_app.integrations.epuap.errors import SignatureError

_SOAP_HEADER = f"{{{ns.SOAP_ENV}}}Header"
_SOAP_BODY = f"{{{ns.SOAP_ENV}}}Body"
_WSSE_SECURITY = f"{{{ns.WSSE}}}Security"
_WSSE_BST = f"{{{ns.WSSE}}}BinarySecurityToken"
_WSSE_STR = f"{{{ns.WSSE}}}SecurityTokenReference"
_WSSE_REFERENCE = f"{{{ns.WSSE}}}Reference"
_WSU_ID = f"{{{ns.WSU}}}Id"
_DS_SIGNATURE = f"{{{ns.DS}}}Signature"
_DS_KEYINFO = f"{{{ns.DS}}}KeyInfo"
_DS_SIGNED_INFO = f"{{{ns.DS}}}SignedInfo"
_DS_C14N_METHOD = f"{{{ns.DS}}}CanonicalizationMethod"
_DS_SIGNATURE_METHOD = f"{{{ns.DS}}}SignatureMethod"
_DS_REFERENCE = f"{{{ns.DS}}}Reference"
_DS_TRANSFORMS = f"{{{ns.DS}}}Transforms"
_DS_TRANSFORM = f"{{{ns.DS}}}Transform"
_DS_DIGEST_METHOD = f"{{{ns.DS}}}DigestMethod"
_DS_DIGEST_VALUE = f"{{{ns.DS}}}DigestValue"
_DS_SIGNATURE_VALUE = f"{{{ns.DS}}}SignatureValue"
# A certificate is a few KB: a bigger token is not one (and is not kept in the cache).
_MAX_TOKEN_CHARS = 64 * 1024
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
_EC_INCLUSIVE = f"{{{EXC_C14N}}}InclusiveNamespaces"


class Pkcs12Error(ValueError):
    """The office's PKCS#12 file cannot be used (wrong password, no RSA key, no certificate)."""


@dataclass(frozen=True)
class SigningIdentity:
    """The office system's private key and certificate (from its PKCS#12 file)."""

    private_key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    @property
    def fingerprint(self) -> str:
        return certificate_fingerprint(self.certificate)


def certificate_fingerprint(certificate: x509.Certificate) -> str:
    return certificate.fingerprint(hashes.SHA256()).hex()


def load_pkcs12(data: bytes, password: str | bytes | None) -> SigningIdentity:
    """Key and certificate from PKCS#12 bytes; Polish errors the clerk can act on."""
    secret = password.encode("utf-8") if isinstance(password, str) else password
    try:
        key, certificate, _extra = pkcs12.load_key_and_certificates(data, secret or None)
    except ValueError as exc:
        raise Pkcs12Error(
            "Nie można otworzyć pliku PKCS#12: błędne hasło albo uszkodzony plik"
        ) from exc
    if key is None:
        raise Pkcs12Error("Plik PKCS#12 nie zawiera klucza prywatnego")
    if certificate is None:
        raise Pkcs12Error("Plik PKCS#12 nie zawiera certyfikatu")
    if not isinstance(key, rsa.RSAPrivateKey):
        raise Pkcs12Error("Klucz w pliku PKCS#12 nie jest kluczem RSA (ePUAP wymaga RSA)")
    public = certificate.public_key()
    if not isinstance(public, rsa.RSAPublicKey) or public.public_numbers() != (
        key.public_key().public_numbers()
    ):
        raise Pkcs12Error("Certyfikat w pliku PKCS#12 nie pasuje do klucza prywatnego")
    return SigningIdentity(key, certificate)


def load_pkcs12_file(path: Path, password: str | bytes | None) -> SigningIdentity:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise Pkcs12Error(f"Nie można odczytać pliku PKCS#12 {path}: {exc.strerror}") from exc
    return load_pkcs12(data, password)


def load_certificate(data: bytes) -> x509.Certificate:
    """A certificate from PEM or DER bytes (the pinned ePUAP certificate, allow-list entries)."""
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError as exc:
        raise SignatureError(
            "Plik certyfikatu jest nieprawidłowy (oczekiwano PEM lub DER)"
        ) from exc


def _exc_c14n(element: etree._Element, prefixes: Sequence[str] | None = None) -> bytes:
    """Exclusive C14N 1.0 of ``element`` (no comments), as lxml/libxml2 produce it."""
    return etree.tostring(
        element,
        method="c14n",
        exclusive=True,
        with_comments=False,
        inclusive_ns_prefixes=list(prefixes) if prefixes else None,
    )


# Text nodes longer than this (base64 documents) are hashed from Python, in slices: libxml2's
# canonicaliser would copy and escape them (≈ 2 ms for a 270 KB letter, 2× a 90 MB answer),
# and the caller of verify_envelope gets the text without another copy out of the tree.
DETACH_ABOVE = 64 * 1024
_HASH_SLICE = 1 << 20
_C14N_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#xD;"})
_C14N_SPECIAL = (b"&", b"<", b">", b"\r")


Detached = dict[etree._Element, str]


def _hash_text(digest: hashlib._Hash, value: str) -> None:
    """Feed the C14N form of a text node (``&<>`` and CR escaped) to ``digest``, in slices."""
    for start in range(0, len(value), _HASH_SLICE):
        piece = value[start : start + _HASH_SLICE].encode("utf-8")
        # base64 has none of these: the (slow, per character) escaping is then skipped.
        if any(special in piece for special in _C14N_SPECIAL):
            piece = value[start : start + _HASH_SLICE].translate(_C14N_TEXT).encode("utf-8")
        digest.update(piece)


def _body_digest(
    body: etree._Element,
    prefixes: Sequence[str] | None = None,
    detached: Detached | None = None,
) -> bytes:
    """SHA-256 of exc-c14n(Body) without a canonical copy of its big text nodes.

    Big text nodes are swapped for unique markers, the small remainder is canonicalised by
    lxml, and the real text is escaped (C14N text rules) and hashed where its marker stands.
    Then the text is put back — or, with ``detached``, handed to the caller instead
    (element → text; the element's text is left empty), because putting it back into the
    tree costs another copy (two for a 90 MB answer).
    """
    swapped: list[tuple[etree._Element, str, str, str]] = []  # element, "text"|"tail", marker, text
    try:
        for element in body.iter():
            for slot in ("text", "tail"):
                if slot == "tail" and element is body:
                    continue
                value = getattr(element, slot)
                if value is not None and len(value) > DETACH_ABOVE:
                    marker = f"c14nMarker{uuid.uuid4().hex}"
                    setattr(element, slot, marker)
                    swapped.append((element, slot, marker, value))
                del value
        canonical = _exc_c14n(body, prefixes)
        digest = hashlib.sha256()
        rest = canonical
        for _element, _slot, marker, value in swapped:
            token = marker.encode("ascii")
            if canonical.count(token) != 1:  # random per call: never in a sender's text
                raise SignatureError("Nie można kanonikalizować treści wiadomości")
            before, _found, after = rest.partition(token)
            digest.update(before)
            _hash_text(digest, value)
            rest = after
        digest.update(rest)
        return digest.digest()
    finally:
        for element, slot, _marker, value in reversed(swapped):
            if detached is not None and slot == "text":
                element.text = None
                detached[element] = value
            else:
                setattr(element, slot, value)


@functools.lru_cache(maxsize=16)
def _token_text(certificate: x509.Certificate) -> str:
    """BinarySecurityToken content; the same for every request of one identity."""
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode("ascii")


@functools.lru_cache(maxsize=16)
def _token_certificate(text: str) -> x509.Certificate:
    """The certificate in a token; ePUAP sends the same one in every answer."""
    der = base64.b64decode("".join(text.split()), validate=True)
    return x509.load_der_x509_certificate(der)


def sign_envelope(
    envelope: etree._Element, identity: SigningIdentity, *, detached: Detached | None = None
) -> etree._Element:
    """Sign ``envelope`` in place (and return it). The body must not change afterwards.

    With ``detached``, big text nodes of the body are handed over (element → text) and left
    empty in the tree instead of being put back: for a caller that writes them itself.
    """
    body = envelope.find(_SOAP_BODY)
    if body is None:
        raise SignatureError("Koperta SOAP bez elementu Body — nie ma czego podpisać")
    body_id = body.get(_WSU_ID)
    if not body_id:
        body_id = f"id-{uuid.uuid4().hex}"
        body.set(_WSU_ID, body_id)
    header = envelope.find(_SOAP_HEADER)
    if header is None:
        header = etree.Element(_SOAP_HEADER)
        body.addprevious(header)
    if header.find(_WSSE_SECURITY) is not None:
        raise SignatureError("Koperta jest już podpisana (ma nagłówek wsse:Security)")

    security = etree.SubElement(header, _WSSE_SECURITY, nsmap={"wsse": ns.WSSE, "wsu": ns.WSU})
    security.set(f"{{{ns.SOAP_ENV}}}mustUnderstand", "1")
    token_id = f"X509-{uuid.uuid4().hex}"
    token = etree.SubElement(
        security,
        _WSSE_BST,
        {"EncodingType": ns.BASE64_BINARY, "ValueType": ns.X509_V3, _WSU_ID: token_id},
    )
    token.text = _token_text(identity.certificate)

    ds = {"ds": ns.DS}
    signature = etree.SubElement(security, _DS_SIGNATURE, nsmap=ds)
    signed_info = etree.SubElement(signature, _DS_SIGNED_INFO)
    etree.SubElement(signed_info, _DS_C14N_METHOD, Algorithm=EXC_C14N)
    etree.SubElement(signed_info, _DS_SIGNATURE_METHOD, Algorithm=RSA_SHA256)
    reference = etree.SubElement(signed_info, _DS_REFERENCE, URI=f"#{body_id}")
    transforms = etree.SubElement(reference, _DS_TRANSFORMS)
    etree.SubElement(transforms, _DS_TRANSFORM, Algorithm=EXC_C14N)
    etree.SubElement(reference, _DS_DIGEST_METHOD, Algorithm=SHA256)
    digest_value = etree.SubElement(reference, _DS_DIGEST_VALUE)
    digest_value.text = base64.b64encode(_body_digest(body, None, detached)).decode("ascii")
    value = etree.SubElement(signature, _DS_SIGNATURE_VALUE)
    key_info = etree.SubElement(signature, _DS_KEYINFO)
    reference_holder = etree.SubElement(key_info, _WSSE_STR, nsmap={"wsse": ns.WSSE})
    etree.SubElement(
        reference_holder, _WSSE_REFERENCE, {"URI": f"#{token_id}", "ValueType": ns.X509_V3}
    )
    # SignedInfo is canonicalised where it finally stands (exc-c14n ignores the ancestors).
    value.text = base64.b64encode(
        identity.private_key.sign(_exc_c14n(signed_info), padding.PKCS1v15(), hashes.SHA256())
    ).decode("ascii")
    return envelope


def _certificate_from_token(
    security: etree._Element, signature: etree._Element
) -> x509.Certificate | None:
    reference = signature.find(f"{_DS_KEYINFO}/{_WSSE_STR}/{_WSSE_REFERENCE}")
    tokens = security.findall(_WSSE_BST)
    token: etree._Element | None = None
    if reference is not None:
        uri = (reference.get("URI") or "").lstrip("#")
        token = next((t for t in tokens if t.get(_WSU_ID) == uri), None)
        if token is None:
            raise SignatureError("Odwołanie do tokenu certyfikatu wskazuje nieistniejący token")
    elif len(tokens) == 1:
        token = tokens[0]
    if token is None:
        return None
    text = token.text or ""
    if len(text) > _MAX_TOKEN_CHARS:
        raise SignatureError("Token BinarySecurityToken jest za duży")
    try:
        return _token_certificate(text)
    except ValueError as exc:
        raise SignatureError(
            "Token BinarySecurityToken nie zawiera poprawnego certyfikatu"
        ) from exc


def verify_envelope(
    envelope: etree._Element,
    trusted: Sequence[x509.Certificate],
    *,
    detached: Detached | None = None,
) -> x509.Certificate:
    """Check the WS-Security signature over ``soap:Body``; return the certificate that signed.

    The signing certificate must be one of ``trusted`` (compared exactly, no chain building).
    The single reference must point at *this* envelope's Body by its ``wsu:Id`` (so a signed
    Body moved elsewhere — signature wrapping — does not pass). Raises :class:`SignatureError`.
    With ``detached``, big text nodes of the Body end up there instead of in the tree (see
    :func:`_body_digest`) — whether or not the signature holds.
    """
    if not trusted:
        raise SignatureError("Brak zaufanego certyfikatu do sprawdzenia podpisu")
    header = envelope.find(_SOAP_HEADER)
    security = header.find(_WSSE_SECURITY) if header is not None else None
    signature = security.find(_DS_SIGNATURE) if security is not None else None
    if security is None or signature is None:
        raise SignatureError("Wiadomość nie jest podpisana (brak wsse:Security/ds:Signature)")
    body = envelope.find(_SOAP_BODY)
    body_id = body.get(_WSU_ID) if body is not None else None
    if body is None or not body_id:
        raise SignatureError("Element soap:Body nie ma atrybutu wsu:Id — nie jest podpisany")

    token_cert = _certificate_from_token(security, signature)
    if token_cert is not None:
        matching = [c for c in trusted if c == token_cert]
        if not matching:
            raise SignatureError(
                "Wiadomość podpisano certyfikatem spoza listy zaufanych "
                f"(odcisk SHA-256 {certificate_fingerprint(token_cert)})"
            )
        candidates = matching
    else:
        candidates = list(trusted)

    signed_info = signature.find(_DS_SIGNED_INFO)
    if signed_info is None:
        raise SignatureError("Podpis wiadomości jest nieważny: brak elementu ds:SignedInfo")
    info_prefixes = _profile_c14n(signed_info.find(_DS_C14N_METHOD), "SignedInfo")
    if _algorithm(signed_info.find(_DS_SIGNATURE_METHOD)) != RSA_SHA256:
        raise SignatureError(
            "Podpis wiadomości jest nieważny: algorytm podpisu inny niż RSA-SHA256"
        )
    references = signed_info.findall(_DS_REFERENCE)
    if len(references) != 1:
        raise SignatureError(
            f"Podpis wiadomości jest nieważny: oczekiwano 1 odwołania, jest {len(references)}"
        )
    reference = references[0]
    if reference.get("URI") != f"#{body_id}":
        raise SignatureError("Podpis nie obejmuje elementu soap:Body tej wiadomości")
    if len(envelope.xpath("//*[@wsu:Id=$id]", namespaces={"wsu": ns.WSU}, id=body_id)) != 1:
        raise SignatureError("Identyfikator podpisanego elementu występuje więcej niż raz")
    transforms = reference.find(_DS_TRANSFORMS)
    steps = transforms.findall(_DS_TRANSFORM) if transforms is not None else []
    if len(steps) != 1:
        raise SignatureError(
            "Podpis wiadomości jest nieważny: oczekiwano jednej transformacji exc-c14n"
        )
    body_prefixes = _profile_c14n(steps[0], "Reference")
    if _algorithm(reference.find(_DS_DIGEST_METHOD)) != SHA256:
        raise SignatureError("Podpis wiadomości jest nieważny: skrót inny niż SHA-256")
    expected_digest = _b64(reference.find(_DS_DIGEST_VALUE), "DigestValue")
    signature_value = _b64(signature.find(_DS_SIGNATURE_VALUE), "SignatureValue")

    signed_bytes = _exc_c14n(signed_info, info_prefixes)
    now = datetime.now(UTC)
    last_problem = "nieznany powód"
    for certificate in candidates:
        if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
            last_problem = "certyfikat jest poza okresem ważności"
            continue
        public = certificate.public_key()
        if not isinstance(public, rsa.RSAPublicKey):
            last_problem = "certyfikat nie ma klucza RSA"
            continue
        try:
            public.verify(signature_value, signed_bytes, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            last_problem = "wartość podpisu nie zgadza się z kluczem certyfikatu"
            continue
        # The signature holds; now the Body must be exactly what SignedInfo describes.
        if not hmac.compare_digest(_body_digest(body, body_prefixes, detached), expected_digest):
            raise SignatureError(
                "Podpis wiadomości jest nieważny: treść (soap:Body) zmieniono po podpisaniu"
            )
        return certificate
    if last_problem == "certyfikat jest poza okresem ważności":
        raise SignatureError(f"Certyfikat podpisu jest nieważny: {last_problem}")
    raise SignatureError(f"Podpis wiadomości jest nieważny: {last_problem}")


def _algorithm(element: etree._Element | None) -> str | None:
    return element.get("Algorithm") if element is not None else None


def _profile_c14n(element: etree._Element | None, where: str) -> list[str]:
    """The InclusiveNamespaces prefixes of an exc-c14n step; any other algorithm is refused."""
    if _algorithm(element) != EXC_C14N:
        raise SignatureError(
            f"Podpis wiadomości jest nieważny: kanonikalizacja {where} inna niż exc-c14n"
        )
    assert element is not None
    inclusive = element.find(_EC_INCLUSIVE)
    if inclusive is None:
        return []
    return [p if p != "#default" else "" for p in (inclusive.get("PrefixList") or "").split()]


def _b64(element: etree._Element | None, name: str) -> bytes:
    try:
        return base64.b64decode("".join((element.text or "").split()), validate=True)  # type: ignore[union-attr]
    except (AttributeError, binascii.Error, ValueError) as exc:
        raise SignatureError(f"Podpis wiadomości jest nieważny: błędny element {name}") from exc


def is_signed(envelope: etree._Element) -> bool:
    header = envelope.find(_SOAP_HEADER)
    security = header.find(_WSSE_SECURITY) if header is not None else None
    return security is not None and security.find(_DS_SIGNATURE) is not None
