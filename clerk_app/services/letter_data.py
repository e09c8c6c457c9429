"""Template data (a plain mapping) → a ``Letter`` ready for the PDF layout.

The same data drives the letter from a case (``LetterService`` fills it from the
database) and ``clerk-app letter render --data FILE.json`` (the file holds it).
Keys the letter parts are read from::

    office:     {name, street, postal_code, city, place, phone, email, ade, address}
    case:       {sign, title, opened_on, due_on, ...}
    issued_on:  date or "RRRR-MM-DD" (today when missing)
    addressee:  {name, kind, street, postal_code, city, country, ade, department}
    addressees: [addressee, ...]   (instead of one addressee)
    signatory:  {name, position, authority_note, signed_electronically}
    clerk:      {name, phone, email}   ("Sprawę prowadzi")
    reference:  {sign, dated}          ("Wasz znak")
    recipients: ["...", ...]           ("Otrzymują"; the addressees when missing)
    for_information: ["...", ...]      ("Do wiadomości")

Every other key is a template field. Failures are ``ValidationError`` with the
Polish reason, naming the template line or the missing part.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

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
from clerk_app.documents.polish_format import PolishFormatError, to_date
from clerk_app.documents.templating import LetterTemplate, TemplateError
from clerk_app.errors import ValidationError


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _mapping(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError(f"Dane pisma: pole „{key}” musi być obiektem z polami.")
    return value


def _date(value: Any, field: str) -> date | None:
    if value is None or value == "":
        return None
    try:
        return to_date(value)
    except PolishFormatError as exc:
        raise ValidationError(f"Dane pisma, pole „{field}”: {exc}") from None


def postal_address(data: Mapping[str, Any]) -> PostalAddress | None:
    """The postal address of an office or addressee mapping; None without street and city."""
    street = _text(data.get("street"))
    city = _text(data.get("city"))
    if not street and not city:
        return None
    country = _text(data.get("country"))
    return PostalAddress(
        street=street or city,
        postal_code=_text(data.get("postal_code")),
        city=city,
        country="" if country.upper() in ("", "PL", "POLSKA") else country,
    )


def addressee_from(data: Mapping[str, Any]) -> Addressee:
    kind = _text(data.get("kind")) or "person"
    return Addressee(
        name=_text(data.get("name")),
        kind=AddresseeKind.INSTITUTION if kind == "institution" else AddresseeKind.PERSON,
        address=postal_address(data),
        e_delivery_address=_text(data.get("ade")),
        department=_text(data.get("department")),
    )


def office_from(data: Mapping[str, Any]) -> Office:
    address = postal_address(data) or PostalAddress("", "", "")
    return Office(
        name=_text(data.get("name")),
        address=address,
        place=_text(data.get("place")) or address.city,
        phone=_text(data.get("phone")),
        email=_text(data.get("email")),
        e_delivery_address=_text(data.get("ade")),
        website=_text(data.get("website")),
    )


def addressees_in(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The addressee mappings of the data: ``addressees`` or the single ``addressee``."""
    many = data.get("addressees")
    if many:
        if not isinstance(many, Sequence) or isinstance(many, str | bytes):
            raise ValidationError("Dane pisma: pole „addressees” musi być listą adresatów.")
        return [item for item in many if isinstance(item, Mapping)]
    one = data.get("addressee")
    return [one] if isinstance(one, Mapping) and one else []


def render_template(template: LetterTemplate, data: Mapping[str, Any]) -> Any:
    """Fill the template; a template failure becomes a ``ValidationError``."""
    try:
        return template.render(data)
    except TemplateError as exc:
        raise ValidationError(f"Nie można wypełnić szablonu: {exc}") from None


def letter_from_data(
    template: LetterTemplate,
    data: Mapping[str, Any],
    *,
    addressees: Sequence[Mapping[str, Any]] | None = None,
    today: date | None = None,
) -> Letter:
    """Render the template with ``data`` and assemble the checked letter.

    ``addressees`` overrides the data's (a mail merge sends one letter each).
    """
    text = render_template(template, data)
    office = office_from(_mapping(data, "office"))
    case = _mapping(data, "case")
    signatory = _mapping(data, "signatory")
    clerk = _mapping(data, "clerk")
    reference = _mapping(data, "reference")
    targets = addressees if addressees is not None else addressees_in(data)
    issued_on = _date(data.get("issued_on"), "issued_on") or today or date.today()
    recipients = tuple(_text(r) for r in data.get("recipients") or () if _text(r))
    informed = tuple(_text(r) for r in data.get("for_information") or () if _text(r))
    letter = Letter(
        office=office,
        case_sign=_text(case.get("sign")),
        issued_on=issued_on,
        addressees=tuple(addressee_from(item) for item in targets),
        subject=text.subject,
        body=text.body,
        signature=SignatureBlock(
            name=_text(signatory.get("name")),
            position=_text(signatory.get("position")),
            signed_electronically=bool(signatory.get("signed_electronically")),
            authority_note=_text(signatory.get("authority_note")),
        ),
        reference=(
            AddresseeReference(
                _text(reference.get("sign")), _date(reference.get("dated"), "reference.dated")
            )
            if reference and (_text(reference.get("sign")) or reference.get("dated"))
            else None
        ),
        legal_basis=text.legal_basis,
        instruction=text.instruction,
        recipients=recipients,
        for_information=informed,
        handled_by=HandlingClerk(
            _text(clerk.get("name")), _text(clerk.get("phone")), _text(clerk.get("email"))
        )
        if _text(clerk.get("name"))
        else None,
        title=f"{template.title} – {_text(case.get('sign'))}".strip(" –"),
        keywords=tuple(k for k in (template.name, _text(case.get("sign"))) if k),
    )
    try:
        letter.check()
    except LetterDataError as exc:
        raise ValidationError(str(exc)) from None
    return letter
