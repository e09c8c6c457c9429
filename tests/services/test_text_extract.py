"""Text of XML and PDF attachments for the search index; hostile files yield nothing."""

from __future__ import annotations

import io

import pytest

from clerk_app.services import text_extract
from clerk_app.services.text_extract import MAX_TEXT_CHARS, extract_text

LETTER = """<?xml version="1.0" encoding="UTF-8"?>
<wnio:Dokument xmlns:wnio="http://crd.gov.pl/wzor/2013/12/12/1410/"
               xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
  <wnio:TrescDokumentu>
    <wnio:Tytul>Wniosek o wypis i wyrys</wnio:Tytul>
    <wnio:Tresc>Proszę o wypis dla działki 118/3 w obrębie Łódź-Bałuty.</wnio:Tresc>
    <wnio:Zalacznik>{blob}</wnio:Zalacznik>
  </wnio:TrescDokumentu>
  <ds:Signature><ds:SignatureValue>c2lnbmF0dXJl</ds:SignatureValue>
    <ds:X509Certificate>MIIBszCCAVmgAwIBAgIU</ds:X509Certificate></ds:Signature>
</wnio:Dokument>
"""


def test_xml_letter_text_without_signature_and_base64() -> None:
    data = LETTER.format(blob="QUJD" * 200).encode()
    result = extract_text("wniosek.xml", "application/xml", data)
    assert result == (
        "Wniosek o wypis i wyrys Proszę o wypis dla działki 118/3 w obrębie Łódź-Bałuty."
    )


def test_short_crd_attachment_content_is_not_indexed_as_words() -> None:
    # A tiny attachment's base64 is shorter than the run the generic rule recognises.
    data = LETTER.format(
        blob="<wnio:DaneZalacznika>UHJvYmE=</wnio:DaneZalacznika>po załączniku"
    ).encode()
    result = extract_text("wniosek.xml", "application/xml", data)
    assert "UHJvYmE" not in result and result.endswith("po załączniku")


def test_xml_recognised_by_content_when_type_is_unknown() -> None:
    data = LETTER.format(blob="").encode()
    assert "działki" in extract_text("dokument", "application/octet-stream", data)


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "boom">]><a>&x;</a>',
        b'<!DOCTYPE a SYSTEM "http://example.invalid/a.dtd"><a>tekst</a>',
        b"<a><b>niezamkniety",
        b"\xff\xfe\x00garbage",
    ],
)
def test_hostile_or_broken_xml_gives_no_text(data: bytes) -> None:
    assert extract_text("zly.xml", "text/xml", data) == ""


def _pdf(text_lines: list[str]) -> bytes:
    from reportlab.pdfgen import canvas

    from clerk_app.documents.fonts import FONT_REGULAR, register_fonts

    register_fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.setFont(FONT_REGULAR, 11)
    for i, line in enumerate(text_lines):
        pdf.drawString(72, 760 - 16 * i, line)
    pdf.showPage()
    pdf.setFont(FONT_REGULAR, 11)
    pdf.drawString(72, 760, "Strona druga: Żółkiewka")
    pdf.save()
    return buffer.getvalue()


def test_pdf_text_with_polish_letters() -> None:
    data = _pdf(["Decyzja o warunkach zabudowy", "dla działki nr 3/4, obręb 0012 Łąkowa"])
    result = extract_text("decyzja.pdf", "application/pdf", data)
    assert "działki" in result
    assert "Łąkowa" in result
    assert "Żółkiewka" in result
    # Recognised by its first bytes as well.
    assert extract_text("skan", "", data) == result


def test_broken_pdf_gives_no_text() -> None:
    assert extract_text("zly.pdf", "application/pdf", b"%PDF-1.7\n1 0 obj <<< garbage") == ""


def test_pdf_page_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_extract, "MAX_PDF_PAGES", 1)
    result = extract_text("d.pdf", "application/pdf", _pdf(["Pierwsza"]))
    assert "Pierwsza" in result and "Żółkiewka" not in result


def test_size_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    long_text = ("słowo " * (MAX_TEXT_CHARS // 3)).encode()
    assert len(extract_text("a.txt", "text/plain", long_text)) == MAX_TEXT_CHARS
    monkeypatch.setattr(text_extract, "MAX_INPUT_BYTES", 100)
    assert extract_text("a.txt", "text/plain", b"x" * 101) == ""


def test_plain_text_in_windows_1250() -> None:
    assert extract_text("a.txt", "text/plain", "Zażółć gęślą jaźń".encode("cp1250")) == (
        "Zażółć gęślą jaźń"
    )


def test_other_binary_files_give_no_text() -> None:
    assert extract_text("zdjecie.jpg", "image/jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 50) == ""
    assert extract_text("pusty.pdf", "application/pdf", b"") == ""
