"""From the shipped generic template to a searchable PDF, as the letter dialog will do it."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from pypdf import PdfReader

from clerk_app.documents.letter_model import (
    Addressee,
    AddresseeReference,
    Letter,
    Office,
    PostalAddress,
    SignatureBlock,
)
from clerk_app.documents.letter_pdf import render_letter_pdf
from clerk_app.documents.templating import load_builtin_template


def test_generic_template_renders_into_a_letter_pdf() -> None:
    office = Office(
        "Urząd Gminy Łęczyca", PostalAddress("ul. Zamkowa 2", "99-100", "Łęczyca"), "Łęczyca"
    )
    data = {
        "office": {"name": office.name},
        "subject": "zwrotu opłaty za wniosek „Źródło & Syn”",
        "body": "Informuję, że opłata <b>zostanie zwrócona</b>.\n\nŻyczę miłego dnia.",
        "reference": {"sign": "ZS/3/2026", "dated": date(2026, 11, 2)},
        "fee": Decimal("1234.5"),
    }
    text = load_builtin_template("letter_generic").render(data)
    letter = Letter(
        office=office,
        case_sign="FN.3121.7.2026",
        issued_on=date(2026, 11, 25),
        addressees=(
            Addressee(
                "Źródło & Syn sp. j.", address=PostalAddress("ul. Ogrodowa 1", "99-100", "Łęczyca")
            ),
        ),
        subject=text.subject,
        body=text.body,
        legal_basis=text.legal_basis,
        instruction=text.instruction,
        signature=SignatureBlock("Piotr Żuławski", "Wójt Gminy"),
        reference=AddresseeReference("ZS/3/2026", date(2026, 11, 2)),
    )
    pdf = render_letter_pdf(letter)
    extracted = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )
    assert "Dotyczy: zwrotu opłaty za wniosek „Źródło & Syn”" in extracted
    assert "W odpowiedzi na pismo z dnia 2 listopada 2026 r. (znak: ZS/3/2026)" in extracted
    assert "Informuję, że opłata <b>zostanie zwrócona</b>." in extracted
    assert "Życzę miłego dnia." in extracted
    assert (
        "Opłata wynosi 1 234,50 zł (słownie: tysiąc dwieście trzydzieści cztery złote 50/100)."
        in extracted
    )
    assert "Podstawa prawna" not in extracted  # empty section prints nothing
    assert "Pouczenie" not in extracted
