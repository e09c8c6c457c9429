"""What an outgoing official letter (pismo) contains, as plain data.

The layout (``letter_pdf``) renders exactly these parts; services fill them from
the case, the correspondent, the office and the clerk. Text fields hold plain
text, never markup: the PDF layer escapes it. See docs/LETTERS.md for the parts
every letter must have.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clerk_app.documents.parcel_map import MapExtract


class LetterDataError(ValueError):
    """The letter lacks a part it must have; ``problems`` lists each one in Polish."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("Pismo jest niekompletne: " + "; ".join(problems))


@dataclass(frozen=True, slots=True)
class PostalAddress:
    """A Polish postal address: "ul. Długa 1/2", "80-001", "Gdańsk"."""

    street: str
    postal_code: str
    city: str
    country: str = ""  # empty for Poland, which is never written out

    def lines(self) -> tuple[str, ...]:
        city_line = f"{self.postal_code} {self.city}".strip()
        return tuple(
            line for line in (self.street.strip(), city_line, self.country.strip()) if line
        )


@dataclass(frozen=True, slots=True)
class Office:
    """The authority issuing the letter, as shown in the letterhead."""

    name: str
    address: PostalAddress
    place: str  # the town in the dateline ("Gdańsk, 25 listopada 2026 r.")
    phone: str = ""
    email: str = ""
    e_delivery_address: str = ""
    website: str = ""
    logo_path: Path | None = None

    def contact_lines(self) -> tuple[str, ...]:
        parts = [
            f"tel. {self.phone}" if self.phone else "",
            f"e-mail: {self.email}" if self.email else "",
        ]
        lines = [", ".join(part for part in parts if part)]
        if self.e_delivery_address:
            lines.append(f"adres do e-Doręczeń: {self.e_delivery_address}")
        if self.website:
            lines.append(self.website)
        return tuple(line for line in lines if line)


class AddresseeKind(Enum):
    PERSON = "person"
    INSTITUTION = "institution"


@dataclass(frozen=True, slots=True)
class Addressee:
    """Who the letter goes to: a postal address, an e-delivery address or both."""

    name: str
    kind: AddresseeKind = AddresseeKind.PERSON
    address: PostalAddress | None = None
    e_delivery_address: str = ""  # ADE, e.g. "AE:PL-28080-40239-TUSBF-26"
    # Extra name lines under an institution's name, e.g. "Wydział Geodezji".
    department: str = ""

    def lines(self) -> tuple[str, ...]:
        """Address lines below the name, in the order they are printed."""
        lines: list[str] = []
        if self.department:
            lines.append(self.department)
        if self.address is not None:
            lines.extend(self.address.lines())
        if self.e_delivery_address:
            lines.append(f"adres do e-Doręczeń: {self.e_delivery_address}")
        return tuple(lines)


@dataclass(frozen=True, slots=True)
class AddresseeReference:
    """The addressee's own sign and date when we answer their letter ("Wasz znak")."""

    sign: str
    dated: date | None = None


@dataclass(frozen=True, slots=True)
class SignatureBlock:
    """Name, surname and position of the signatory (art. 107 §1 KPA)."""

    name: str
    position: str
    # Sent with a qualified e-signature: print the note instead of a handwritten one.
    signed_electronically: bool = False
    # e.g. "z upoważnienia Burmistrza" above the name.
    authority_note: str = ""


@dataclass(frozen=True, slots=True)
class HandlingClerk:
    """ "Sprawę prowadzi:" the clerk the addressee can contact."""

    name: str
    phone: str = ""
    email: str = ""

    def line(self) -> str:
        parts = [self.name.strip()]
        if self.phone:
            parts.append(f"tel. {self.phone}")
        if self.email:
            parts.append(f"e-mail: {self.email}")
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class Letter:
    """Everything printed on one letter to one or more addressees."""

    office: Office
    case_sign: str  # "Znak sprawy", e.g. "GK.6730.12.2026"
    issued_on: date
    addressees: tuple[Addressee, ...]
    subject: str
    body: tuple[str, ...]  # paragraphs; a "\n" inside one is a line break
    signature: SignatureBlock
    reference: AddresseeReference | None = None
    legal_basis: str = ""
    instruction: tuple[str, ...] = ()  # "Pouczenie", paragraphs
    # "Otrzymują:"; empty means "the addressees", which is what most letters list.
    recipients: tuple[str, ...] = ()
    for_information: tuple[str, ...] = ()  # "Do wiadomości:"
    file_copy: bool = True  # "a/a" as the last recipient
    handled_by: HandlingClerk | None = None
    title: str = ""  # PDF metadata title; the subject when empty
    keywords: tuple[str, ...] = field(default_factory=tuple)
    # Map extracts (wyrys) printed as a graphic annex after the letter, one per parcel.
    map_extracts: tuple[MapExtract, ...] = ()

    def recipient_lines(self) -> tuple[str, ...]:
        """The numbered "Otrzymują:" list, ending with "a/a" when a file copy is kept."""
        recipients = self.recipients or tuple(
            ", ".join((addressee.name, *addressee.lines())) for addressee in self.addressees
        )
        return (*recipients, "a/a") if self.file_copy else recipients

    def problems(self) -> list[str]:
        """Missing mandatory parts, in Polish; an empty list means the letter can be issued."""
        problems: list[str] = []
        office = self.office
        if not office.name.strip():
            problems.append("brak nazwy urzędu w danych urzędu")
        if not office.place.strip():
            problems.append("brak miejscowości urzędu (do daty pisma)")
        if not (office.address.street.strip() and office.address.city.strip()):
            problems.append("brak adresu urzędu (ulica i miejscowość)")
        if not self.case_sign.strip():
            problems.append("brak znaku sprawy")
        if not self.addressees:
            problems.append("brak adresata")
        for addressee in self.addressees:
            if not addressee.name.strip():
                problems.append("adresat bez nazwy lub imienia i nazwiska")
            elif addressee.address is None and not addressee.e_delivery_address.strip():
                problems.append(
                    f"adresat „{addressee.name}” nie ma adresu pocztowego ani adresu do e-Doręczeń"
                )
        if not self.subject.strip():
            problems.append("brak tematu pisma")
        if not any(paragraph.strip() for paragraph in self.body):
            problems.append("brak treści pisma")
        if not self.signature.name.strip():
            problems.append("brak imienia i nazwiska podpisującego")
        if not self.signature.position.strip():
            problems.append("brak stanowiska podpisującego")
        if self.reference is not None and not self.reference.sign.strip():
            problems.append("podano datę pisma adresata bez jego znaku")
        return problems

    def check(self) -> None:
        """Raise ``LetterDataError`` naming every missing mandatory part."""
        problems = self.problems()
        if problems:
            raise LetterDataError(problems)
