"""XAdES-BES enveloped signatures on documents the office sends (WS-Doręczyciel ``dorecz``).

A ``dorecz`` delivery is a legally binding service of a document, so the document itself (not
only the SOAP envelope) carries the office's electronic seal: XAdES-BES (signing time and the
signing certificate's digest as signed properties), enveloped in the document root, RSA-SHA256,
the certificate in ``ds:KeyInfo``. signxml's XAdES support does the XML-DSig work.

Canonicalisation is inclusive C14N 1.0 on purpose: signxml digests the SignedProperties
reference (which has no Transforms) with the signature's C14N method, while XML-DSig says a
reference without transforms uses C14N 1.0 — with exc-c14n, libxmlsec1 (and so most
recipients) would reject the seal. With C14N 1.0 both readings are the same.
"""

from __future__ import annotations

from lxml import etree
from signxml import CanonicalizationMethod, DigestAlgorithm, SignatureMethod, methods
from signxml.exceptions import InvalidInput
from signxml.xades import XAdESDataObjectFormat, XAdESSigner

from clerk_app.integrations.epuap.errors import SignatureError
from clerk_app.integrations.epuap.safe_xml import HostileXmlError, parse_untrusted_xml
from clerk_app.integrations.epuap.wssecurity import SigningIdentity

DS_SIGNATURE = "{http://www.w3.org/2000/09/xmldsig#}Signature"


def sign_document_xades(document: bytes, identity: SigningIdentity) -> bytes:
    """``document`` (XML) with an enveloped XAdES-BES signature by ``identity``, as UTF-8."""
    try:
        # Our own letter, but through the hardened parser all the same (large PDFs inside).
        root = parse_untrusted_xml(document, large_text_nodes=True, what="Pismo do doręczenia")
    except HostileXmlError as exc:
        raise SignatureError(f"Nie można podpisać pisma: {exc}") from exc
    if any(True for _ in root.iter(DS_SIGNATURE)):
        raise SignatureError("Pismo jest już podpisane — nie podpisuję drugi raz")
    signer = XAdESSigner(
        method=methods.enveloped,
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_0,
        data_object_format=XAdESDataObjectFormat(
            Description="Pismo urzędu doręczane przez ePUAP", MimeType="text/xml"
        ),
    )
    # signxml re-parses the document; a PDF of over 10 MB is one base64 text node.
    signer._parser = etree.XMLParser(resolve_entities=False, huge_tree=True)
    try:
        signed = signer.sign(root, key=identity.private_key, cert=[identity.certificate])
    except InvalidInput as exc:
        raise SignatureError(f"Nie udało się podpisać pisma (XAdES): {exc}") from exc
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")
