"""A letter served by ``dorecz`` carries the office's XAdES-BES seal that independent
verifiers (libxmlsec1, signxml's XAdES verifier) accept, and the office keeps it as served."""

from __future__ import annotations

import pytest
import xmlsec
from cryptography.hazmat.primitives import serialization
from lxml import etree
from signxml.xades import XAdESVerifier
from sqlalchemy import select

from clerk_app.integrations.epuap.document import Letter, SignatureCheck, parse_incoming_document
from clerk_app.integrations.epuap.errors import SignatureError
from clerk_app.integrations.epuap.simulator import EpuapSimulator
from clerk_app.integrations.epuap.wssecurity import SigningIdentity
from clerk_app.integrations.epuap.xades import sign_document_xades
from clerk_app.models import Attachment, RegisterEntry
from clerk_app.services.app_context import AppContext
from clerk_app.services.inbox.outbox import OutboxService

from .conftest import OFFICE_BOX
from .test_epuap_outbox_send import _outgoing, outbox  # noqa: F401 - fixture

XADES = "http://uri.etsi.org/01903/v1.3.2#"
NS = {"ds": "http://www.w3.org/2000/09/xmldsig#", "xades": XADES}


def _xmlsec_verify(document: bytes, identity: SigningIdentity) -> None:
    root = etree.fromstring(document, etree.XMLParser(huge_tree=True))
    xmlsec.tree.add_ids(root, ["Id"])
    signature = xmlsec.tree.find_node(root, xmlsec.constants.NodeSignature)
    context = xmlsec.SignatureContext()
    context.key = xmlsec.Key.from_memory(
        identity.certificate.public_bytes(serialization.Encoding.PEM),
        xmlsec.constants.KeyDataFormatCertPem,
    )
    context.verify(signature)


def _served(simulator: EpuapSimulator) -> bytes:
    [request] = simulator.sent_requests(OFFICE_BOX[2])
    assert request.document is not None
    return request.document.content


def test_dorecz_document_is_xades_signed_and_verifies_independently(
    ctx: AppContext,
    simulator: EpuapSimulator,
    outbox: OutboxService,  # noqa: F811 - the imported fixture
    office_identity: SigningIdentity,
) -> None:
    number = _outgoing(ctx, title="Decyzja o warunkach zabudowy — Łęczna")
    outcome = outbox.send(number, operation="dorecz")
    assert outcome.state == "sent", outcome.message
    served = _served(simulator)

    _xmlsec_verify(served, office_identity)
    result = XAdESVerifier().verify(
        served, x509_cert=office_identity.certificate, parser=etree.XMLParser(huge_tree=True)
    )
    assert isinstance(result, list) and len(result) >= 2  # the document + SignedProperties
    root = etree.fromstring(served)
    assert root.find(".//xades:SignedProperties/*/xades:SigningTime", NS) is not None
    assert root.find(".//xades:SigningCertificateV2", NS) is not None

    # A recipient's reader (ours) still reads the letter and names the seal's owner.
    letter = parse_incoming_document(served)
    assert isinstance(letter, Letter)
    assert letter.title == "Decyzja o warunkach zabudowy — Łęczna"
    assert [a.file_name for a in letter.attachments] == ["decyzja łąka.pdf"]
    [seal] = letter.signatures
    assert seal.check is SignatureCheck.VERIFIED
    assert seal.signer_name and "Testowo" in seal.signer_name

    # The office keeps the document exactly as served.
    with ctx.db.session() as session:
        entry_id = session.scalar(select(RegisterEntry.id).where(RegisterEntry.number == number))
        kept = session.scalars(
            select(Attachment).where(
                Attachment.entry_id == entry_id, Attachment.file_name.like("%_podpisane.xml")
            )
        ).all()
        assert len(kept) == 1
        assert ctx.blobs.get(session, kept[0].sha256) == served


def test_changed_signed_letter_fails_the_independent_check(
    office_identity: SigningIdentity,
) -> None:
    from datetime import date

    from clerk_app.integrations.epuap.outgoing import OutgoingLetter, build_outgoing_letter

    document = build_outgoing_letter(
        OutgoingLetter(
            "RPW/7/2026", "Decyzja", "Urząd", "Jan Kowalski", date(2026, 3, 2), "d.pdf", b"%PDF"
        )
    )
    signed = sign_document_xades(document, office_identity)
    _xmlsec_verify(signed, office_identity)
    forged = signed.replace(b"Jan Kowalski", b"Jan Nowak")
    with pytest.raises(xmlsec.Error):
        _xmlsec_verify(forged, office_identity)
    with pytest.raises(SignatureError, match="już podpisane"):
        sign_document_xades(signed, office_identity)
