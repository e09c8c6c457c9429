"""CRD letters and UPP/UPD receipts: contents, attachments, signatures, HTML view."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from lxml import etree
from signxml import XMLSigner

from clerk_app.integrations.epuap import namespaces as ns
from clerk_app.integrations.epuap.document import (
    DocumentFormatError,
    Letter,
    Receipt,
    SignatureCheck,
    parse_incoming_document,
)
from clerk_app.integrations.epuap.letter_html import render_letter_html, render_receipt_html
from clerk_app.integrations.epuap.safe_xml import HostileXmlError
from clerk_app.integrations.epuap.wssecurity import SigningIdentity

from .conftest import make_identity

FIXTURES = Path(__file__).parent / "fixtures"


def _letter(name: str) -> Letter:
    parsed = parse_incoming_document((FIXTURES / name).read_bytes())
    assert isinstance(parsed, Letter)
    return parsed


def test_person_letter_2017_template() -> None:
    letter = _letter("wniosek_osoba_2017.xml")
    assert letter.template_namespace == "http://crd.gov.pl/wzor/2017/10/24/4566/"
    assert letter.document_name == "Pismo ogólne do podmiotu publicznego"
    assert letter.title == "Wniosek o wydanie zaświadczenia o przeznaczeniu działki"
    assert letter.place == "Źródła Małe"
    assert letter.date == date(2024, 2, 29)  # the "stworzony" date, not the first one
    (sender,) = letter.senders
    assert sender.kind == "person"
    assert sender.name == "Zofia Wójcik-Łęcka" and sender.pesel == "90010112318"
    assert sender.address is not None
    assert sender.address.one_line() == "Żurawia 7/3, 12-345 Źródła Małe"
    (addressee,) = letter.addressees
    assert addressee.kind == "institution" and addressee.name == "Urząd Gminy Testowo"
    assert letter.paragraphs[0].startswith("Proszę o wydanie zaświadczenia")
    assert len(letter.paragraphs) == 2
    assert letter.stylesheets == ("http://crd.gov.pl/wzor/2017/10/24/4566/styl.xsl",)
    assert letter.signatures == ()


def test_attachments_base64_uri_and_bad_ones_each_reported() -> None:
    attachments = _letter("wniosek_osoba_2017.xml").attachments
    by_name = {a.original_name: a for a in attachments}
    receipt = by_name["potwierdzenie_opłaty.txt"]
    assert receipt.content == "Załącznik: potwierdzenie opłaty".encode()
    assert receipt.error is None

    traversal = by_name["../../Windows/system32/mapa"]
    assert traversal.file_name == "mapa.pdf"  # directory parts dropped, extension from MIME
    assert traversal.content is not None and traversal.content.startswith(b"%PDF")

    broken = by_name["zdjęcie.png"]
    assert broken.content is None
    assert broken.error is not None and "base64" in broken.error and "zdjęcie.png" in broken.error

    remote = by_name["skan wniosku.pdf"]
    assert remote.is_reference and remote.file_id == "987654" and remote.content is None

    local_file = by_name["CON.txt"]
    assert local_file.uri is None and local_file.error is not None
    assert local_file.file_name == "_CON.txt"
    assert len({a.file_name for a in attachments}) == len(attachments)


def test_institution_letter_other_template_date_in_windows1250() -> None:
    letter = _letter("pismo_instytucja_2013.xml")
    assert letter.template_namespace == "http://crd.gov.pl/wzor/2013/12/10/1410/"
    (sender,) = letter.senders  # the employee inside the institution is not a second sender
    assert sender.kind == "institution"
    assert sender.name == "Starostwo Powiatowe w Łodzi Wschodniej"
    assert letter.title == "Zawiadomienie o wszczęciu postępowania"
    assert letter.paragraphs == (
        "Zawiadamiam o wszczęciu postępowania w sprawie podziału nieruchomości.",
    )
    assert letter.date == date(2023, 11, 5)


def test_upp_is_recognised_with_the_document_it_certifies() -> None:
    receipt = parse_incoming_document((FIXTURES / "upp_testowy.xml").read_bytes())
    assert isinstance(receipt, Receipt)
    assert receipt.kind == "UPP"
    assert receipt.certified_document_id == "DOK-77781"
    assert receipt.receipt_id == "UPP-2024-000042"
    assert receipt.addressee_name == "Urząd Gminy Testowo"
    html = render_receipt_html(receipt)
    assert "DOK-77781" in html and "nie jest podpisane" in html


def test_upd_is_recognised() -> None:
    data = (FIXTURES / "upp_testowy.xml").read_bytes().replace(b"pos:UPP>", b"pos:UPD>")
    data = data.replace(b"DataDoreczenia", b"DataOdbioru")
    receipt = parse_incoming_document(data)
    assert isinstance(receipt, Receipt) and receipt.kind == "UPD"
    assert receipt.event_time == "2024-02-29T09:12:33"


def _sign_letter(identity: SigningIdentity, data: bytes) -> etree._Element:
    root = etree.fromstring(data)
    signed = XMLSigner(c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#").sign(
        root,
        key=identity.private_key,
        cert=[identity.certificate.public_bytes(serialization.Encoding.PEM).decode()],
    )
    return signed


@pytest.fixture(scope="module")
def signer() -> SigningIdentity:
    return make_identity("Zofia Wójcik-Łęcka", given="Zofia", surname="Wójcik-Łęcka")


def test_signed_letter_verifies_and_names_the_signer(signer: SigningIdentity) -> None:
    signed = _sign_letter(signer, (FIXTURES / "wniosek_osoba_2017.xml").read_bytes())
    letter = parse_incoming_document(etree.tostring(signed))
    assert isinstance(letter, Letter)
    (signature,) = letter.signatures
    assert signature.check is SignatureCheck.VERIFIED
    assert signature.signer_name == "Zofia Wójcik-Łęcka"
    assert not signature.is_trusted_profile


def test_letter_changed_after_signing_is_invalid(signer: SigningIdentity) -> None:
    signed = etree.tostring(
        _sign_letter(signer, (FIXTURES / "wniosek_osoba_2017.xml").read_bytes()), encoding="UTF-8"
    )
    tampered = signed.replace("działki nr 12/3".encode(), "działki nr 99/9".encode())
    assert tampered != signed
    letter = parse_incoming_document(tampered)
    assert isinstance(letter, Letter)
    assert letter.signatures[0].check is SignatureCheck.INVALID


def test_trusted_profile_name_and_pesel_are_read(signer: SigningIdentity) -> None:
    signed = _sign_letter(signer, (FIXTURES / "wniosek_osoba_2017.xml").read_bytes())
    signature = signed.find(f"{{{ns.DS}}}Signature")
    assert signature is not None
    # Shape of a Profil Zaufany signature: ppZP:PodpisZP inside the XAdES qualifying properties.
    fragment = (
        f'<ds:Object xmlns:ds="{ns.DS}"><xades:QualifyingProperties xmlns:xades="{ns.XADES}">'
        "<xades:SignedProperties><xades:SignedSignatureProperties>"
        "<xades:SigningTime>2024-02-29T09:10:00Z</xades:SigningTime>"
        "<xades:SignerRole><xades:ClaimedRoles><xades:ClaimedRole>"
        '<ppZP:PodpisZP xmlns:ppZP="http://crd.gov.pl/xml/schematy/ppzp/" '
        f'xmlns:os="{ns.CRD_OSOBA}"><ppZP:DaneZP><ppZP:DaneZPOsobyFizycznej>'
        "<os:Imie>ZOFIA</os:Imie><os:Nazwisko>WÓJCIK-ŁĘCKA</os:Nazwisko>"
        "<os:PESEL>90010112318</os:PESEL></ppZP:DaneZPOsobyFizycznej></ppZP:DaneZP>"
        "<ppZP:DanePodpisu><ppZP:IdKontaUzytkownikaEpuap>zofia.wl</ppZP:IdKontaUzytkownikaEpuap>"
        "</ppZP:DanePodpisu></ppZP:PodpisZP>"
        "</xades:ClaimedRole></xades:ClaimedRoles></xades:SignerRole>"
        "</xades:SignedSignatureProperties></xades:SignedProperties>"
        "</xades:QualifyingProperties></ds:Object>"
    )
    signature.append(etree.fromstring(fragment))
    letter = parse_incoming_document(etree.tostring(signed))
    assert isinstance(letter, Letter)
    (info,) = letter.signatures
    assert info.trusted_profile_name == "ZOFIA WÓJCIK-ŁĘCKA"
    assert info.trusted_profile_pesel == "90010112318"
    assert info.trusted_profile_account == "zofia.wl"
    assert info.signing_time == "2024-02-29T09:10:00Z"
    html = render_letter_html(letter)
    assert "Profil Zaufany: ZOFIA WÓJCIK-ŁĘCKA" in html


def test_signature_without_certificate_is_honestly_not_verified() -> None:
    data = (
        (FIXTURES / "upp_testowy.xml")
        .read_bytes()
        .replace(
            b"</pos:Dokument>",
            f'<ds:Signature xmlns:ds="{ns.DS}"><ds:SignedInfo/>'
            "<ds:SignatureValue>AA==</ds:SignatureValue></ds:Signature></pos:Dokument>".encode(),
        )
    )
    receipt = parse_incoming_document(data)
    assert receipt.signatures[0].check is SignatureCheck.NOT_VERIFIED


def test_html_view_escapes_everything_and_loads_nothing() -> None:
    data = (
        (FIXTURES / "wniosek_osoba_2017.xml")
        .read_bytes()
        .replace(b"Wniosek o wydanie", b"&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x&gt;")
    )
    letter = parse_incoming_document(data)
    assert isinstance(letter, Letter)
    html = render_letter_html(letter)
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "crd.gov.pl" not in html  # the stylesheet is never referenced
    assert "default-src 'none'" in html
    assert "Zofia Wójcik-Łęcka" in html and "nieprawidłowe kodowanie base64" in html


def test_unknown_or_hostile_documents_raise_typed_errors() -> None:
    with pytest.raises(DocumentFormatError, match="nie jest pismo CRD"):
        parse_incoming_document(b"<faktura><kwota>1</kwota></faktura>")
    with pytest.raises(HostileXmlError):
        parse_incoming_document(b'<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><d>&e;</d>')
