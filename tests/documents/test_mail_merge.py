"""Mail-merge print output: combined PDF, labels, envelopes, dispatch book page."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm

from clerk_app.documents.letter_model import Addressee, Office, PostalAddress
from clerk_app.documents.mail_merge import (
    DispatchRow,
    PrintForm,
    address_labels_pdf,
    combine_pdfs,
    dispatch_book_pdf,
    envelopes_pdf,
)

OFFICE = Office("Urząd Gminy Żabia Wola", PostalAddress("ul. Główna 3", "96-321", "Żabia Wola"),
                "Żabia Wola")  # fmt: skip


def people(count: int) -> list[Addressee]:
    return [
        Addressee(f"Łukasz Źrebię {n}", address=PostalAddress(f"ul. Ślężna {n}", "50-001",
                                                                "Wrocław"))
        for n in range(1, count + 1)
    ]  # fmt: skip


def reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in reader(data).pages)


def fonts(data: bytes) -> set[str]:
    names = set()
    for page in reader(data).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def test_labels_fill_a_sheet_of_24_then_start_a_new_one() -> None:
    pdf = address_labels_pdf(people(25))
    assert len(reader(pdf).pages) == 2
    content = text(pdf)
    assert "Łukasz Źrebię 25" in content and "ul. Ślężna 1" in content
    assert all("DejaVu" in name for name in fonts(pdf))


@pytest.mark.parametrize(("form", "size"), [(PrintForm.DL, (220, 110)), (PrintForm.C5, (229, 162))])
def test_envelopes_one_page_each_in_the_right_size(form: PrintForm, size: tuple[int, int]) -> None:
    pdf = envelopes_pdf(people(3), OFFICE, form)
    pages = reader(pdf).pages
    assert len(pages) == 3
    box = pages[0].mediabox
    assert (round(float(box.width) / mm), round(float(box.height) / mm)) == size
    assert "Urząd Gminy Żabia Wola" in text(pdf) and "50-001 Wrocław" in text(pdf)


def test_dispatch_book_lists_every_letter_with_total_fee() -> None:
    rows = [
        DispatchRow("Zofia Żak", "ul. Łąkowa 1, 00-001 Warszawa", "WYCH/1/2026", fee_grosze=1250),
        DispatchRow("Jerzy Ćwik", "ul. Źródlana 2, 00-002 Warszawa", "WYCH/2/2026",
                    tracking_no="00259007738000000001", fee_grosze=1250),
    ]  # fmt: skip
    content = text(dispatch_book_pdf(rows, OFFICE, date(2026, 11, 25)))
    assert "Książka nadawcza" in content and "25.11.2026 r." in content
    assert "Zofia Żak" in content and "WYCH/2/2026" in content
    assert "00259007738000000001" in content
    assert "25,00 zł" in content


def test_combined_pdf_keeps_every_page_in_order() -> None:
    one = address_labels_pdf(people(1))
    two = envelopes_pdf(people(2), OFFICE, PrintForm.DL)
    combined = combine_pdfs([one, two], title="UA.6727.1.2026", author=OFFICE.name)
    assert len(reader(combined).pages) == 3
    assert reader(combined).metadata is not None
    assert reader(combined).metadata.title == "UA.6727.1.2026"
