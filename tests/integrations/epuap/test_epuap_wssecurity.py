"""WS-Security signing in the layout ePUAP expects, checked by an independent verifier (xmlsec)."""

from __future__ import annotations

import copy

import pytest
import xmlsec
from cryptography.hazmat.primitives import serialization
from lxml import etree

from clerk_app.integrations.epuap import namespaces as ns
from clerk_app.integrations.epuap.envelope import (
    Mailbox,
    build_confirm_request,
    build_fetch_request,
    serialize,
)
from clerk_app.integrations.epuap.errors import SignatureError
from clerk_app.integrations.epuap.wssecurity import (
    Pkcs12Error,
    SigningIdentity,
    load_pkcs12_file,
    sign_envelope,
    verify_envelope,
)

BOX = Mailbox("ug_testowo", "skrytka", "/ug_testowo/skrytka")
DS = {"ds": ns.DS, "wsse": ns.WSSE, "wsu": ns.WSU, "soap": ns.SOAP_ENV}


def _signed(identity: SigningIdentity) -> bytes:
    return serialize(sign_envelope(build_confirm_request(BOX, "skrót-Żółw="), identity))


def _xmlsec_verify(data: bytes, identity: SigningIdentity) -> None:
    """Independent check with xmlsec (libxmlsec1), key taken from the certificate."""
    root = etree.fromstring(data)
    xmlsec.tree.add_ids(root, ["Id"])
    signature = xmlsec.tree.find_node(root, xmlsec.constants.NodeSignature)
    context = xmlsec.SignatureContext()
    context.key = xmlsec.Key.from_memory(
        identity.certificate.public_bytes(serialization.Encoding.PEM),
        xmlsec.constants.KeyDataFormatCertPem,
    )
    context.verify(signature)


def test_signature_verifies_with_xmlsec(office_identity: SigningIdentity) -> None:
    _xmlsec_verify(_signed(office_identity), office_identity)


def test_tampered_body_fails_xmlsec_and_our_verifier(office_identity: SigningIdentity) -> None:
    data = _signed(office_identity).replace(b"/ug_testowo/skrytka", b"/inny_urzad/skrytka")
    with pytest.raises(xmlsec.Error):
        _xmlsec_verify(data, office_identity)
    with pytest.raises(SignatureError, match="zmieniono"):
        verify_envelope(etree.fromstring(data), [office_identity.certificate])


def test_wss_layout_token_first_exc_c14n_rsa_sha256(office_identity: SigningIdentity) -> None:
    root = etree.fromstring(_signed(office_identity))
    security = root.find("soap:Header/wsse:Security", DS)
    assert security is not None
    children = [etree.QName(c).localname for c in security]
    assert children == ["BinarySecurityToken", "Signature"]
    token = security[0]
    assert token.get("ValueType", "").endswith("#X509v3")
    assert token.get("EncodingType", "").endswith("#Base64Binary")
    signed_info = security.find("ds:Signature/ds:SignedInfo", DS)
    assert signed_info is not None
    assert signed_info.find("ds:CanonicalizationMethod", DS).get("Algorithm") == ns.EXC_C14N
    assert signed_info.find("ds:SignatureMethod", DS).get("Algorithm", "").endswith("rsa-sha256")
    references = signed_info.findall("ds:Reference", DS)
    assert len(references) == 1
    body = root.find("soap:Body", DS)
    assert references[0].get("URI") == "#" + body.get(f"{{{ns.WSU}}}Id")
    assert references[0].find("ds:DigestMethod", DS).get("Algorithm", "").endswith("sha256")
    assert [
        t.get("Algorithm") for t in references[0].findall("ds:Transforms/ds:Transform", DS)
    ] == [ns.EXC_C14N]
    token_ref = security.find(
        "ds:Signature/ds:KeyInfo/wsse:SecurityTokenReference/wsse:Reference", DS
    )
    assert token_ref is not None
    assert token_ref.get("URI") == "#" + token.get(f"{{{ns.WSU}}}Id")


def test_pkcs12_with_password_loads_and_signs(office_pki) -> None:  # type: ignore[no-untyped-def]
    identity = load_pkcs12_file(office_pki.pkcs12_path, office_pki.password)
    assert identity.certificate == office_pki.identity.certificate
    _xmlsec_verify(_signed(identity), office_pki.identity)


def test_pkcs12_wrong_password_gives_clear_error(office_pki) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Pkcs12Error, match="błędne hasło"):
        load_pkcs12_file(office_pki.pkcs12_path, "złe hasło")
    with pytest.raises(Pkcs12Error, match="Nie można odczytać"):
        load_pkcs12_file(office_pki.pkcs12_path.with_name("brak.p12"), "x")


def test_signature_by_untrusted_certificate_is_refused(
    office_identity: SigningIdentity, stranger_identity: SigningIdentity
) -> None:
    root = etree.fromstring(_signed(stranger_identity))
    with pytest.raises(SignatureError, match="spoza listy zaufanych"):
        verify_envelope(root, [office_identity.certificate])


def test_token_swapped_for_trusted_certificate_still_fails(
    office_identity: SigningIdentity, stranger_identity: SigningIdentity
) -> None:
    """A stranger cannot pass by putting the trusted certificate into the token."""
    signed = etree.fromstring(_signed(stranger_identity))
    trusted = etree.fromstring(_signed(office_identity))
    token_path = "soap:Header/wsse:Security/wsse:BinarySecurityToken"
    signed.find(token_path, DS).text = trusted.find(token_path, DS).text
    with pytest.raises(SignatureError):
        verify_envelope(signed, [office_identity.certificate])


def test_unsigned_envelope_is_refused(office_identity: SigningIdentity) -> None:
    root = etree.fromstring(serialize(build_fetch_request(BOX)))
    with pytest.raises(SignatureError, match="nie jest podpisana"):
        verify_envelope(root, [office_identity.certificate])


def test_signature_wrapping_moved_body_is_refused(office_identity: SigningIdentity) -> None:
    """The signed Body hidden in the header, a forged Body in its place: must not verify."""
    root = etree.fromstring(_signed(office_identity))
    body = root.find("soap:Body", DS)
    header = root.find("soap:Header", DS)
    wrapper = etree.SubElement(header, "Wrapper")
    wrapper.append(copy.deepcopy(body))
    forged = copy.deepcopy(body)
    forged.find(f"{{{ns.OBIEKTY}}}ZapytaniePullPotwierdz/skrot").text = "inny"
    root.replace(body, forged)
    with pytest.raises(SignatureError):
        verify_envelope(root, [office_identity.certificate])
