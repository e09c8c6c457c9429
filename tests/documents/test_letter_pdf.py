"""The letter PDF: searchable Polish text, embedded font, metadata, page numbers, files."""

from __future__ import annotations

import dataclasses
import io
import os
import re
from datetime import date
from pathlib import Path

import pytest
from PIL import Image as PilImage
from pypdf import PdfReader

from clerk_app.documents import letter_pdf
from clerk_app.documents.letter_model import (
    Addressee,
    AddresseeKind,
    AddresseeReference,
    HandlingClerk,
    Letter,
    LetterDataError,
    Office,
    PostalAddress,
    SignatureBlock,
)
from clerk_app.documents.letter_pdf import (
    LetterRenderError,
    keep_words_together,
    paragraph_markup,
    render_letter_pdf,
    write_letter_pdf,
)

PANGRAM = "Zażółć gęślą jaźń. ZAŻÓŁĆ GĘŚLĄ JAŹŃ."
NBSP = "\u00a0"
PAGE_NUMBER = re.compile(r"Strona \d+ z \d+")


def make_letter(**changes: object) -> Letter:
    office = Office(
        name="Urząd Miejski w Łańcucie",
        address=PostalAddress("ul. Plac Sobieskiego 18", "37-100", "Łańcut"),
        place="Łańcut",
        phone="17 225 20 11",
        email="sekretariat@lancut.example",
        e_delivery_address="AE:PL-28080-40239-TUSBF-26",
    )
    letter = Letter(
        office=office,
        case_sign="GK.6730.12.2026",
        issued_on=date(2026, 11, 25),
        addressees=(
            Addressee(
                "Małgorzata Źdźbło-Ślęczek",
                address=PostalAddress("ul. Żeromskiego 5/7", "37-100", "Łańcut"),
            ),
            Addressee(
                "Spółdzielnia Mieszkaniowa „Świt”",
                kind=AddresseeKind.INSTITUTION,
                e_delivery_address="AE:PL-12345-67890-ABCDE-11",
            ),
        ),
        subject="Zawiadomienie o wszczęciu postępowania",
        body=(
            f"{PANGRAM} Na podstawie art. 61 § 4 Kodeksu postępowania administracyjnego"
            " zawiadamiam o wszczęciu postępowania w sprawie ustalenia warunków zabudowy.",
            "Opłata skarbowa wynosi 1 234,50 zł.",
        ),
        signature=SignatureBlock("Jerzy Ćwikła", "Kierownik Wydziału Geodezji", True),
        reference=AddresseeReference("WN/15/2026", date(2026, 11, 3)),
        legal_basis="art. 61 § 4 ustawy z dnia 14 czerwca 1960 r. – Kodeks postępowania",
        instruction=("Strona ma prawo czynnego udziału w każdym stadium postępowania.",),
        for_information=("Rada Osiedla Śródmieście",),
        handled_by=HandlingClerk("Anna Łęcka", "17 225 20 30", "a.lecka@lancut.example"),
        title="Zawiadomienie – GK.6730.12.2026",
        keywords=("KPA", "zawiadomienie", "warunki zabudowy"),
    )
    return dataclasses.replace(letter, **changes)  # type: ignore[arg-type]


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """Collapse line breaks and no-break spaces the way a reader searches."""
    return " ".join(text.split())


def test_polish_text_is_extractable_exactly() -> None:
    pdf = render_letter_pdf(make_letter())
    pages = page_texts(pdf)
    text = flat(" ".join(pages))
    assert len(pages) == 1
    for expected in (
        PANGRAM,
        "Urząd Miejski w Łańcucie",
        "ul. Plac Sobieskiego 18",
        "tel. 17 225 20 11, e-mail: sekretariat@lancut.example",
        "Łańcut, 25 listopada 2026 r.",
        "Znak sprawy: GK.6730.12.2026",
        "Wasz znak: WN/15/2026 z dnia 3 listopada 2026 r.",
        "Małgorzata Źdźbło-Ślęczek ul. Żeromskiego 5/7 37-100 Łańcut",
        "Spółdzielnia Mieszkaniowa „Świt” adres do e-Doręczeń: AE:PL-12345-67890-ABCDE-11",
        "Zawiadomienie o wszczęciu postępowania",
        "Opłata skarbowa wynosi 1 234,50 zł.",
        "Podstawa prawna: art. 61 § 4 ustawy z dnia 14 czerwca 1960 r. – Kodeks postępowania",
        "Pouczenie Strona ma prawo czynnego udziału",
        "Jerzy Ćwikła Kierownik Wydziału Geodezji /podpisano elektronicznie/",
        "Otrzymują: 1. Małgorzata Źdźbło-Ślęczek, ul. Żeromskiego 5/7, 37-100 Łańcut",
        "2. Spółdzielnia Mieszkaniowa „Świt”, adres do e-Doręczeń: AE:PL-12345-67890-ABCDE-11",
        "3. a/a",
        "Do wiadomości: 1. Rada Osiedla Śródmieście",
        "Sprawę prowadzi: Anna Łęcka, tel. 17 225 20 30, e-mail: a.lecka@lancut.example",
    ):
        assert expected in text
    for letter in "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ":
        assert letter in text
    assert PAGE_NUMBER.search(text) is None


def test_parts_appear_in_office_order() -> None:
    text = flat(" ".join(page_texts(render_letter_pdf(make_letter()))))
    order = [
        "Urząd Miejski w Łańcucie",
        "Znak sprawy:",
        "Małgorzata Źdźbło-Ślęczek",
        "Zawiadomienie o wszczęciu",
        PANGRAM,
        "Podstawa prawna:",
        "Pouczenie",
        "Jerzy Ćwikła",
        "Otrzymują:",
        "Do wiadomości:",
        "Sprawę prowadzi:",
    ]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)


def test_font_is_embedded_and_no_base14_font_is_used() -> None:
    reader = PdfReader(io.BytesIO(render_letter_pdf(make_letter())))
    fonts = [font.get_object() for font in reader.pages[0]["/Resources"]["/Font"].values()]
    assert fonts
    for font in fonts:
        assert "DejaVuSans" in font["/BaseFont"]
        assert "/FontFile2" in font["/FontDescriptor"].get_object()
        assert "/ToUnicode" in font  # what makes the text searchable


def test_metadata_names_title_author_and_case_sign() -> None:
    reader = PdfReader(io.BytesIO(render_letter_pdf(make_letter())))
    metadata = reader.metadata
    assert metadata is not None
    assert metadata.title == "Zawiadomienie – GK.6730.12.2026"
    assert metadata.author == "Urząd Miejski w Łańcucie"
    assert metadata.subject == "GK.6730.12.2026"
    assert metadata["/Keywords"] == "KPA, zawiadomienie, warunki zabudowy"
    assert metadata.creator == "Kancelaria"


def test_title_defaults_to_subject() -> None:
    reader = PdfReader(io.BytesIO(render_letter_pdf(make_letter(title=""))))
    assert reader.metadata is not None
    assert reader.metadata.title == "Zawiadomienie o wszczęciu postępowania"


def test_page_is_a4() -> None:
    page = PdfReader(io.BytesIO(render_letter_pdf(make_letter()))).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_multi_page_letter_numbers_every_page() -> None:
    long_body = tuple(f"Akapit {number}. {PANGRAM} " * 8 for number in range(1, 26))
    pages = page_texts(render_letter_pdf(make_letter(body=long_body)))
    total = len(pages)
    assert total >= 2
    for number, text in enumerate(pages, 1):
        assert f"Strona {number} z {total}" in flat(text)
    assert "Akapit 25." in flat(" ".join(pages))


def test_single_page_letter_has_no_page_number() -> None:
    pages = page_texts(render_letter_pdf(make_letter()))
    assert len(pages) == 1
    assert PAGE_NUMBER.search(pages[0]) is None


def test_template_text_cannot_inject_markup() -> None:
    body = ('Firma "Kowalski & Syn" <b>nie pogrubione</b> <font size="40">x</font> a<b',)
    text = flat(" ".join(page_texts(render_letter_pdf(make_letter(body=body)))))
    assert 'Firma "Kowalski & Syn" <b>nie pogrubione</b> <font size="40">x</font> a<b' in text


def test_control_characters_are_dropped_and_newlines_break_lines() -> None:
    body = ("Pierwsza linia\x00\x07\nDruga\tlinia",)
    pages = page_texts(render_letter_pdf(make_letter(body=body)))
    assert "Pierwsza linia\nDruga linia" in pages[0].replace(NBSP, " ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("w sprawie z urzędu", f"w{NBSP}sprawie z{NBSP}urzędu"),
        ("i w domu", f"i{NBSP}w{NBSP}domu"),
        (
            "Zgodnie z art. 10 § 1 ust. 2 pkt 3",
            f"Zgodnie z{NBSP}art.{NBSP}10 §{NBSP}1 ust.{NBSP}2 pkt{NBSP}3",
        ),
        ("kwota 1 234 567,50 zł", f"kwota 1{NBSP}234{NBSP}567,50{NBSP}zł"),
        ("dnia 14 czerwca 1960 r. o", f"dnia 14 czerwca 1960{NBSP}r. o"),
        ("tel. 17 225 20 11", f"tel.{NBSP}17{NBSP}225 20 11"),
        ("Kowalska-Nowak", "Kowalska-Nowak"),
        ("dom w", "dom w"),
    ],
)
def test_no_break_spaces_follow_polish_typesetting(text: str, expected: str) -> None:
    assert keep_words_together(text) == expected


def test_no_line_ends_with_a_single_letter_word() -> None:
    sentence = (
        "Sprawa w toku i w trakcie, a także z urzędu o to i o tamto, u nas w mieście z wnioskiem "
    )
    body = tuple(sentence * 6 + f"numer {number}" for number in range(8))
    for page in page_texts(render_letter_pdf(make_letter(body=body))):
        for line in page.splitlines():
            words = line.replace(NBSP, " ").split()
            if words:
                assert words[-1] not in {"w", "i", "a", "z", "o", "u"}, line


def test_paragraph_markup_escapes_reportlab_tags() -> None:
    assert paragraph_markup("jeden < dwa & trzy > cztery\npięć") == (
        "jeden &lt; dwa &amp; trzy &gt; cztery<br/>pięć"
    )


def test_logo_is_drawn_in_the_letterhead(tmp_path: Path) -> None:
    logo = tmp_path / "herb.png"
    PilImage.new("RGB", (60, 80), (200, 30, 30)).save(logo)
    letter = make_letter(office=dataclasses.replace(make_letter().office, logo_path=logo))
    page = PdfReader(io.BytesIO(render_letter_pdf(letter))).pages[0]
    images = [
        item
        for item in page["/Resources"]["/XObject"].values()
        if item.get_object()["/Subtype"] == "/Image"
    ]
    assert len(images) == 1
    assert "Urząd Miejski w Łańcucie" in page.extract_text()


@pytest.mark.parametrize("content", [None, b"to nie jest obraz"])
def test_unreadable_logo_is_reported_in_polish(tmp_path: Path, content: bytes | None) -> None:
    logo = tmp_path / "herb.png"
    if content is not None:
        logo.write_bytes(content)
    letter = make_letter(office=dataclasses.replace(make_letter().office, logo_path=logo))
    with pytest.raises(LetterRenderError, match="Nie można odczytać logo urzędu"):
        render_letter_pdf(letter)


def test_incomplete_letter_is_refused_before_rendering() -> None:
    letter = make_letter(case_sign=" ", addressees=(Addressee("Jan Kowalski"),))
    with pytest.raises(LetterDataError) as error:
        render_letter_pdf(letter)
    assert "brak znaku sprawy" in error.value.problems
    assert any("Jan Kowalski" in problem for problem in error.value.problems)


# --- writing files ------------------------------------------------------------


def test_write_creates_the_pdf(tmp_path: Path) -> None:
    target = tmp_path / "pismo.pdf"
    assert write_letter_pdf(make_letter(), target) == target
    assert target.read_bytes().startswith(b"%PDF-")
    assert PANGRAM in flat(page_texts(target.read_bytes())[0])
    assert sorted(path.name for path in tmp_path.iterdir()) == ["pismo.pdf"]


def test_failed_write_leaves_no_file_and_keeps_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = tmp_path / "nowe.pdf"
    existing = tmp_path / "stare.pdf"
    existing.write_bytes(b"poprzednia wersja")

    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(letter_pdf.os, "fsync", disk_full)
    for target in (fresh, existing):
        with pytest.raises(LetterRenderError, match="Nie można zapisać pisma"):
            write_letter_pdf(make_letter(), target)
    assert not fresh.exists()
    assert existing.read_bytes() == b"poprzednia wersja"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["stare.pdf"]


def test_failed_rename_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def locked(*args: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(letter_pdf.os, "replace", locked)
    with pytest.raises(LetterRenderError, match="otwarty w innym programie"):
        write_letter_pdf(make_letter(), tmp_path / "pismo.pdf")
    assert list(tmp_path.iterdir()) == []


def test_invalid_letter_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(LetterDataError):
        write_letter_pdf(make_letter(subject=""), tmp_path / "pismo.pdf")
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(LetterRenderError, match="czy folder istnieje"):
        write_letter_pdf(make_letter(), tmp_path / "brak" / "pismo.pdf")


def test_write_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "pismo.pdf"
    target.write_bytes(b"stare")
    write_letter_pdf(make_letter(), target)
    assert target.read_bytes().startswith(b"%PDF-")
    assert os.listdir(tmp_path) == ["pismo.pdf"]
