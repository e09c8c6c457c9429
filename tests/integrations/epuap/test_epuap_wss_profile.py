"""The WS-Security verifier accepts what an independent signer makes in ePUAP's profile and
refuses every departure from it (another algorithm, extra references, an expired certificate)."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
import xmlsec
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from lxml import etree

from clerk_app.integrations.epuap import namespaces as ns
from clerk_app.integrations.epuap.envelope import Mailbox, build_confirm_request, serialize
from clerk_app.integrations.epuap.errors import SignatureError
from clerk_app.integrations.epuap.sample_letters import crd_letter
from clerk_app.integrations.epuap.server_messages import StoredDocument, fetch_response
from clerk_app.integrations.epuap.wssecurity import SigningIdentity, sign_envelope, verify_envelope

BOX = Mailbox("ug_testowo", "skrytka", "/ug_testowo/skrytka")
NS = {"ds": ns.DS, "wsse": ns.WSSE, "wsu": ns.WSU, "soap": ns.SOAP_ENV}


def _xmlsec_signed(identity: SigningIdentity, envelope: etree._Element) -> etree._Element:
    """The WSS layout signed by libxmlsec1 (as ePUAP's own stack would), re-parsed."""
    body = envelope.find("soap:Body", NS)
    body.set(f"{{{ns.WSU}}}Id", "id-body")
    header = envelope.find("soap:Header", NS)
    if header is None:
        header = etree.Element(f"{{{ns.SOAP_ENV}}}Header")
        body.addprevious(header)
    security = etree.SubElement(header, f"{{{ns.WSSE}}}Security", nsmap={"wsse": ns.WSSE})
    token = etree.SubElement(
        security,
        f"{{{ns.WSSE}}}BinarySecurityToken",
        {"EncodingType": ns.BASE64_BINARY, "ValueType": ns.X509_V3, f"{{{ns.WSU}}}Id": "tok"},
    )
    token.text = base64.b64encode(
        identity.certificate.public_bytes(serialization.Encoding.DER)
    ).decode()
    signature = xmlsec.template.create(
        envelope, xmlsec.constants.TransformExclC14N, xmlsec.constants.TransformRsaSha256
    )
    security.append(signature)
    reference = xmlsec.template.add_reference(
        signature, xmlsec.constants.TransformSha256, uri="#id-body"
    )
    xmlsec.template.add_transform(reference, xmlsec.constants.TransformExclC14N)
    key_info = xmlsec.template.ensure_key_info(signature)
    holder = etree.SubElement(key_info, f"{{{ns.WSSE}}}SecurityTokenReference")
    etree.SubElement(holder, f"{{{ns.WSSE}}}Reference", URI="#tok", ValueType=ns.X509_V3)
    xmlsec.tree.add_ids(envelope, ["Id"])
    context = xmlsec.SignatureContext()
    context.key = xmlsec.Key.from_memory(
        identity.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        xmlsec.constants.KeyDataFormatPem,
    )
    context.sign(signature)
    return etree.fromstring(serialize(envelope))


@pytest.mark.parametrize("size", [50_000, 3_000_000], ids=["small", "big-text-hashed-in-slices"])
def test_answer_signed_by_libxmlsec_verifies(office_identity: SigningIdentity, size: int) -> None:
    answer = fetch_response(BOX, StoredDocument("pismo.xml", crd_letter(3, pad_to=size)))
    signed = _xmlsec_signed(office_identity, answer)
    text_before = etree.tostring(signed)
    assert verify_envelope(signed, [office_identity.certificate]) == office_identity.certificate
    assert etree.tostring(signed) == text_before  # big text nodes are put back

    detached: dict[etree._Element, str] = {}
    verify_envelope(signed, [office_identity.certificate], detached=detached)
    if size > 1_000_000:
        [(element, text)] = detached.items()
        assert element.tag == "zawartosc" and element.text is None and len(text) > size


def test_libxmlsec_signature_over_changed_body_is_refused(
    office_identity: SigningIdentity,
) -> None:
    signed = _xmlsec_signed(office_identity, build_confirm_request(BOX, "skrót"))
    signed.find(f"soap:Body/{{{ns.OBIEKTY}}}ZapytaniePullPotwierdz/skrot", NS).text = "inny"
    with pytest.raises(SignatureError, match="zmieniono"):
        verify_envelope(signed, [office_identity.certificate])


def _resigned(identity: SigningIdentity, edit: str) -> etree._Element:
    """Our signature, edited in SignedInfo and signed again so only the profile is wrong."""
    from cryptography.hazmat.primitives.asymmetric import padding

    root = etree.fromstring(serialize(sign_envelope(build_confirm_request(BOX, "s"), identity)))
    signed_info = root.find("soap:Header/wsse:Security/ds:Signature/ds:SignedInfo", NS)
    if edit == "rsa_sha1":
        signed_info.find("ds:SignatureMethod", NS).set(
            "Algorithm", "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
        )
    elif edit == "inclusive_c14n":
        signed_info.find("ds:CanonicalizationMethod", NS).set(
            "Algorithm", "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
        )
    elif edit == "two_references":
        signed_info.append(etree.fromstring(etree.tostring(signed_info.find("ds:Reference", NS))))
    elif edit == "sha1_digest":
        signed_info.find("ds:Reference/ds:DigestMethod", NS).set(
            "Algorithm", "http://www.w3.org/2000/09/xmldsig#sha1"
        )
    elif edit == "other_uri":
        signed_info.find("ds:Reference", NS).set("URI", "#tok")
    canonical = etree.tostring(signed_info, method="c14n", exclusive=True)
    value = root.find("soap:Header/wsse:Security/ds:Signature/ds:SignatureValue", NS)
    value.text = base64.b64encode(
        identity.private_key.sign(canonical, padding.PKCS1v15(), hashes.SHA256())
    ).decode()
    return root


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ("rsa_sha1", "RSA-SHA256"),
        ("inclusive_c14n", "exc-c14n"),
        ("two_references", "1 odwołania"),
        ("sha1_digest", "SHA-256"),
        ("other_uri", "nie obejmuje elementu soap:Body"),
    ],
)
def test_departures_from_the_epuap_profile_are_refused(
    office_identity: SigningIdentity, edit: str, message: str
) -> None:
    with pytest.raises(SignatureError, match=message):
        verify_envelope(_resigned(office_identity, edit), [office_identity.certificate])


def test_expired_certificate_is_refused(office_identity: SigningIdentity) -> None:
    now = dt.datetime.now(dt.UTC)
    key = office_identity.private_key
    name = office_identity.certificate.subject
    expired = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=30))
        .not_valid_after(now - dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    identity = SigningIdentity(key, expired)
    root = etree.fromstring(serialize(sign_envelope(build_confirm_request(BOX, "s"), identity)))
    with pytest.raises(SignatureError, match="poza okresem ważności"):
        verify_envelope(root, [expired])
