"""The searchable text a parsed ePUAP document carries, and the element look-ups by local name."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from lxml import etree
from signxml import XMLSigner

from clerk_app.integrations.epuap import namespaces as ns
from clerk_app.integrations.epuap.document import Letter, Receipt, parse_incoming_document
from clerk_app.integrations.epuap.sample_letters import SampleAttachment, crd_letter
from clerk_app.services.text_extract import extract_text

from .conftest import make_identity

FIXTURES = Path(__file__).parent / "fixtures"


def _signed(data: bytes) -> bytes:
    identity = make_identity("Zofia Wójcik-Łęcka", given="Zofia", surname="Wójcik-Łęcka")
    signed = XMLSigner(c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#").sign(
        etree.fromstring(data),
        key=identity.private_key,
        cert=[identity.certificate.public_bytes(serialization.Encoding.PEM).decode()],
    )
    return etree.tostring(signed)


def _documents() -> dict[str, bytes]:
    documents = {path.name: path.read_bytes() for path in sorted(FIXTURES.glob("*.xml"))}
    documents["sample_200kb"] = crd_letter(4, pad_to=200 * 1024)
    documents["sample_attachments"] = crd_letter(
        2,
        attachments=(
            SampleAttachment("a.txt", "Zażółć gęślą jaźń".encode(), "text/plain"),
            SampleAttachment("b.pdf", b"", uri="https://epuap.gov.pl/FileRepo?fileId=1"),
        ),
    )
    documents["signed"] = _signed((FIXTURES / "wniosek_osoba_2017.xml").read_bytes())
    return documents


@pytest.mark.parametrize("name", sorted(_documents()))
def test_plain_text_is_what_text_extraction_finds_in_the_bytes(name: str) -> None:
    """The inbox registers the letter with this text instead of parsing its XML twice: the
    search index must get exactly what reading the file back would give."""
    data = _documents()[name]
    parsed = parse_incoming_document(data)
    expected = extract_text(name, "application/xml", data)
    assert expected  # every one of these has words
    assert parsed.plain_text == expected


def test_plain_text_has_the_words_but_no_signature_or_attachment_data() -> None:
    letter = parse_incoming_document(
        _signed(crd_letter(0, title="Wniosek o wypis — Łęczyca", pad_to=20_000))
    )
    assert isinstance(letter, Letter)
    assert "Wniosek o wypis — Łęczyca" in letter.plain_text
    assert "Zażółć gęślą jaźń" in letter.plain_text
    assert "JVBERi" not in letter.plain_text  # the PDF's base64
    assert "MII" not in letter.plain_text  # the certificate
    assert letter.signatures and letter.attachments


def test_receipt_carries_its_text_too() -> None:
    receipt = parse_incoming_document((FIXTURES / "upp_testowy.xml").read_bytes())
    assert isinstance(receipt, Receipt)
    assert "DOK-77781" in receipt.plain_text


def test_elements_inside_a_signature_or_nested_parties_are_not_the_letter_s() -> None:
    """Look-ups by local name in any namespace: an attachment inside ds:Object belongs to
    the signature, a person inside an institution is its employee, not another sender."""
    data = crd_letter(1).decode()
    employee = (
        f'<inst:Pracownik><oso:Osoba xmlns:oso="{ns.CRD_OSOBA}"><oso:Imie>Jan</oso:Imie>'
        "<oso:Nazwisko>Kowalski</oso:Nazwisko></oso:Osoba></inst:Pracownik>"
    )
    data = data.replace("</inst:Instytucja>", employee + "</inst:Instytucja>", 1)
    smuggled = (
        f'<ds:Signature xmlns:ds="{ns.DS}"><ds:Object>'
        f'<str:Zalacznik xmlns:str="{ns.CRD_STRUKTURA}" format="text/plain" '
        'kodowanie="base64" nazwaPliku="ukryty.txt">'
        "<str:DaneZalacznika>dWtyeXR5</str:DaneZalacznika></str:Zalacznik>"
        "</ds:Object></ds:Signature>"
    )
    data = data.replace("</wnio:Dokument>", smuggled + "</wnio:Dokument>")
    letter = parse_incoming_document(data.encode())
    assert isinstance(letter, Letter)
    assert [a.original_name for a in letter.attachments] == []
    assert [p.name for p in letter.addressees] == ["Urząd Gminy Testowo"]
    assert len(letter.senders) == 1 and letter.senders[0].kind == "person"
