"""Letter data: the mandatory parts are enforced and the distribution list is built."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

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


def make_letter(**changes: object) -> Letter:
    letter = Letter(
        office=Office(
            "Starostwo Powiatowe w Żninie",
            PostalAddress("ul. Potockiego 1", "88-400", "Żnin"),
            "Żnin",
        ),
        case_sign="GN.6821.4.2026",
        issued_on=date(2026, 11, 25),
        addressees=(
            Addressee("Jan Kowalski", address=PostalAddress("ul. Łąkowa 3", "88-400", "Żnin")),
        ),
        subject="Wezwanie",
        body=("Treść.",),
        signature=SignatureBlock("Ewa Nowak", "Starosta"),
    )
    return dataclasses.replace(letter, **changes)  # type: ignore[arg-type]


def test_complete_letter_has_no_problems() -> None:
    letter = make_letter()
    assert letter.problems() == []
    letter.check()


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"case_sign": " "}, "brak znaku sprawy"),
        ({"subject": ""}, "brak tematu pisma"),
        ({"body": ("  ", "")}, "brak treści pisma"),
        ({"addressees": ()}, "brak adresata"),
        ({"addressees": (Addressee(""),)}, "adresat bez nazwy lub imienia i nazwiska"),
        (
            {"addressees": (Addressee("Anna Żak"),)},
            "adresat „Anna Żak” nie ma adresu pocztowego ani adresu do e-Doręczeń",
        ),
        ({"signature": SignatureBlock("", "Starosta")}, "brak imienia i nazwiska podpisującego"),
        ({"signature": SignatureBlock("Ewa Nowak", "")}, "brak stanowiska podpisującego"),
        (
            {"reference": AddresseeReference("", date(2026, 11, 1))},
            "podano datę pisma adresata bez jego znaku",
        ),
    ],
)
def test_each_missing_part_is_named(changes: dict[str, object], problem: str) -> None:
    letter = make_letter(**changes)
    with pytest.raises(LetterDataError) as error:
        letter.check()
    assert error.value.problems == (problem,)
    assert isinstance(error.value, ValueError)
    assert str(error.value) == f"Pismo jest niekompletne: {problem}"


def test_missing_office_data_is_reported_together() -> None:
    office = Office("", PostalAddress("", "", ""), "")
    problems = make_letter(office=office).problems()
    assert problems == [
        "brak nazwy urzędu w danych urzędu",
        "brak miejscowości urzędu (do daty pisma)",
        "brak adresu urzędu (ulica i miejscowość)",
    ]


def test_e_delivery_address_alone_is_enough() -> None:
    addressee = Addressee(
        "Gmina Żnin", kind=AddresseeKind.INSTITUTION, e_delivery_address="AE:PL-1-2-3-4"
    )
    assert make_letter(addressees=(addressee,)).problems() == []
    assert addressee.lines() == ("adres do e-Doręczeń: AE:PL-1-2-3-4",)


def test_recipients_default_to_every_addressee_then_file_copy() -> None:
    letter = make_letter(
        addressees=(
            Addressee("Jan Kowalski", address=PostalAddress("ul. Łąkowa 3", "88-400", "Żnin")),
            Addressee("Urząd Gminy", department="Referat Podatków", e_delivery_address="AE:X"),
        )
    )
    assert letter.recipient_lines() == (
        "Jan Kowalski, ul. Łąkowa 3, 88-400 Żnin",
        "Urząd Gminy, Referat Podatków, adres do e-Doręczeń: AE:X",
        "a/a",
    )


def test_explicit_recipients_and_no_file_copy() -> None:
    letter = make_letter(recipients=("Strony postępowania wg rozdzielnika",), file_copy=False)
    assert letter.recipient_lines() == ("Strony postępowania wg rozdzielnika",)


def test_address_and_contact_lines_skip_empty_parts() -> None:
    assert PostalAddress("ul. Długa 1", "80-001", "Gdańsk", "Niemcy").lines() == (
        "ul. Długa 1",
        "80-001 Gdańsk",
        "Niemcy",
    )
    office = Office("Urząd", PostalAddress("a", "b", "c"), "c", email="u@example.pl")
    assert office.contact_lines() == ("e-mail: u@example.pl",)
    assert HandlingClerk("Anna Łęcka", phone="12 345").line() == "Anna Łęcka, tel. 12 345"
