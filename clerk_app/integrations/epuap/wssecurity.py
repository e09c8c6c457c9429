"""WS-Security 1.0 X.509 signing and verification of SOAP envelopes, as ePUAP expects it.

Layout inside ``soap:Header/wsse:Security`` (order matters to ePUAP):
``wsse:BinarySecurityToken`` (X509v3, Base64Binary, wsu:Id) first, then ``ds:Signature`` with
exclusive C14N, RSA-SHA256 and one SHA-256 reference to the ``wsu:Id`` of ``soap:Body`` (with an
exc-c14n transform); ``ds:KeyInfo`` points at the token through ``wsse:SecurityTokenReference``.

The XML-DSig work (canonicalisation, digests, SignedInfo, signature value, reference checks)
is done by signxml (detached mode); this module only places its output in the WSS layout and
decides which certificate is trusted. Responses are checked against a pinned certificate (or an
allow-list, for the simulator): no chain validation, as ePUAP uses a self-issued certificate.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from lxml import etree
from signxml import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConfiguration,
    SignatureMethod,
    XMLSigner,
    XMLVerifier,
)
from signxml import methods as signxml_methods
from signxml.exceptions import InvalidCertificate, InvalidDigest, InvalidInput, InvalidSignature

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


def _signer() -> XMLSigner:
    signer = XMLSigner(
        method=signxml_methods.detached,
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    # signxml re-parses the envelope; text nodes over 10 MB (large base64 documents) need
    # huge trees. The envelope is our own tree here, never untrusted input.
    signer._parser = etree.XMLParser(resolve_entities=False, huge_tree=True)
    return signer


def sign_envelope(envelope: etree._Element, identity: SigningIdentity) -> etree._Element:
    """Sign ``envelope`` in place (and return it). The body must not change afterwards."""
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
    token.text = base64.b64encode(
        identity.certificate.public_bytes(serialization.Encoding.DER)
    ).decode("ascii")

    key_info = etree.Element(_DS_KEYINFO, nsmap={"ds": ns.DS})
    reference_holder = etree.SubElement(key_info, _WSSE_STR, nsmap={"wsse": ns.WSSE})
    etree.SubElement(
        reference_holder, _WSSE_REFERENCE, {"URI": f"#{token_id}", "ValueType": ns.X509_V3}
    )
    try:
        signature = _signer().sign(
            envelope,
            key=identity.private_key,
            reference_uri=f"#{body_id}",
            key_info=key_info,
        )
    except InvalidInput as exc:
        raise SignatureError(f"Nie udało się podpisać koperty SOAP: {exc}") from exc
    security.append(signature)
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
    try:
        der = base64.b64decode("".join((token.text or "").split()), validate=True)
        return x509.load_der_x509_certificate(der)
    except ValueError as exc:
        raise SignatureError(
            "Token BinarySecurityToken nie zawiera poprawnego certyfikatu"
        ) from exc


def verify_envelope(
    envelope: etree._Element, trusted: Sequence[x509.Certificate]
) -> x509.Certificate:
    """Check the WS-Security signature over ``soap:Body``; return the certificate that signed.

    The signing certificate must be one of ``trusted`` (compared exactly, no chain building).
    The single reference must point at *this* envelope's Body by its ``wsu:Id`` (so a signed
    Body moved elsewhere — signature wrapping — does not pass). Raises :class:`SignatureError`.
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

    config = SignatureConfiguration(
        location=f"./{{{ns.SOAP_ENV}}}Header/{{{ns.WSSE}}}Security/",
        expect_references=1,
        signature_methods=frozenset({SignatureMethod.RSA_SHA256}),
        digest_algorithms=frozenset({DigestAlgorithm.SHA256}),
    )
    last_error: Exception | None = None
    for certificate in candidates:
        try:
            # The envelope was already parsed by the hardened parser; large base64 documents
            # have text nodes over lxml's default 10 MB limit.
            result = XMLVerifier().verify(
                envelope,
                x509_cert=certificate,
                expect_config=config,
                parser=etree.XMLParser(resolve_entities=False, huge_tree=True),
            )
        except (InvalidSignature, InvalidDigest, InvalidCertificate, InvalidInput) as exc:
            last_error = exc
            continue
        signed = result.signed_xml if not isinstance(result, list) else None
        if signed is None or signed.tag != _SOAP_BODY or signed.get(_WSU_ID) != body_id:
            raise SignatureError("Podpis nie obejmuje elementu soap:Body tej wiadomości")
        if len(envelope.xpath("//*[@wsu:Id=$id]", namespaces={"wsu": ns.WSU}, id=body_id)) != 1:
            raise SignatureError("Identyfikator podpisanego elementu występuje więcej niż raz")
        return certificate
    reason = str(last_error) if last_error else "nieznany powód"
    if isinstance(last_error, InvalidDigest):
        raise SignatureError(
            "Podpis wiadomości jest nieważny: treść (soap:Body) zmieniono po podpisaniu"
        ) from last_error
    if isinstance(last_error, InvalidCertificate):
        raise SignatureError(f"Certyfikat podpisu jest nieważny: {reason}") from last_error
    raise SignatureError(f"Podpis wiadomości jest nieważny: {reason}") from last_error


def is_signed(envelope: etree._Element) -> bool:
    header = envelope.find(_SOAP_HEADER)
    security = header.find(_WSSE_SECURITY) if header is not None else None
    return security is not None and security.find(_DS_SIGNATURE) is not None
