"""Sample letter data for the template editor: its preview, placeholder list and checks.

The sample has the same shape as ``LetterService.case_context`` gives a real
letter (office, case, deadline, clerk, signatory, parties, addressee) plus a
value for every field the clerk fills for that template, so a template that
renders with it renders with a real case too. ``check_source`` is the one gate
for a template's source: the editor calls it for the preview, the template
service before saving.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from clerk_app.documents.letter_pdf import render_letter_pdf
from clerk_app.documents.templating import (
    LetterTemplate,
    TemplateError,
    parse_template,
    unknown_placeholders,
)
from clerk_app.errors import ValidationError
from clerk_app.services.letter_data import letter_from_data, office_from
from clerk_app.services.letters import (
    COMMON_FIELDS,
    TEMPLATE_FIELDS,
    FieldSpec,
    merge_fields,
    prepare_data,
)


class TemplateSourceError(ValidationError):
    """A template source that cannot be saved; ``line`` is its line in the source, if known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Placeholder:
    """A dotted path a template may use, with the sample value shown next to it."""

    path: str
    example: str


SAMPLE_OFFICE: dict[str, Any] = {
    "name": "Urząd Gminy Przykładowo",
    "short_name": "UG Przykładowo",
    "street": "ul. Źródlana 1",
    "postal_code": "00-950",
    "city": "Przykładowo",
    "place": "Przykładowo",
    "phone": "22 123 45 67",
    "email": "sekretariat@przykladowo.example",
    "ade": "",
}

# Values for the fields the clerk fills; anything not listed falls back by kind.
_SAMPLE_FIELDS: dict[str, Any] = {
    "subject": "Informacja w sprawie",
    "body": "Uprzejmie informuję, że wniosek jest rozpatrywany.",
    "applicant": "Zofia Źrebięcka",
    "delay_reason": "konieczność uzyskania opinii innego organu",
    "appeal_authority": "Samorządowe Kolegium Odwoławcze w Przykładowie",
    "capacity": "strony",
    "purpose": "złożenia wyjaśnień",
    "appear_mode": "osobiście",
    "appear_at": "10:00",
    "place": "pokój 12, ul. Źródlana 1",
    "defects": "brak podpisu pod wnioskiem",
    "legal_basis_text": "art. 59 ust. 1 ustawy o planowaniu i zagospodarowaniu przestrzennym",
    "ruling": "ustalić warunki zabudowy dla budynku mieszkalnego jednorodzinnego",
    "reasons": "Wniosek spełnia warunki określone w art. 61 ustawy.",
    "certified_fact": "nieruchomość nie jest objęta gminnym programem rewitalizacji",
    "parcel_ids": "146501_1.0001.12/3",
    "fees_instruction": "",
    "court_instruction": "",
}


def _sample_value(spec: FieldSpec, issued_on: date) -> Any:
    if spec.name in _SAMPLE_FIELDS:
        return _SAMPLE_FIELDS[spec.name]
    if spec.kind == "date":
        return issued_on + timedelta(days=14)
    if spec.kind == "int":
        return 7
    if spec.kind == "bool":
        return True  # takes the optional branches, so their placeholders are checked too
    return f"[{spec.label}]"


def sample_data(
    template_name: str,
    issued_on: date,
    *,
    office: Mapping[str, Any] | None = None,
    signatory: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Complete, prepared letter data for ``template_name`` (the office's own when given)."""
    office_data = dict(office) if office else dict(SAMPLE_OFFICE)
    if "address" not in office_data:
        office_data["address"] = ", ".join(office_from(office_data).address.lines())
    parties = [
        {"name": "Zofia Źrebięcka", "address": "ul. Łąkowa 5, 00-950 Przykładowo"},
        {"name": "Grzegorz Żółtowski", "address": "ul. Ogrodowa 2, 00-950 Przykładowo"},
    ]
    due_on = issued_on + timedelta(days=20)
    person = {"name": "Anna Śliwińska", "position": "inspektor"}
    base: dict[str, Any] = {
        "issued_on": issued_on,
        "office": office_data,
        "case": {
            "sign": "UA.6730.12.2026",
            "title": "Ustalenie warunków zabudowy dla działki nr 12/3",
            "opened_on": issued_on - timedelta(days=10),
            "due_on": due_on,
            "unit": "Referat Urbanistyki",
            "unit_symbol": "UA",
        },
        "deadline": {
            "due_on": due_on,
            "statutory_due_on": due_on,
            "paused_days": 0,
            "days_left": 20,
            "new_due_on": due_on + timedelta(days=30),
        },
        "clerk": {**person, "phone": "22 123 45 68", "email": "a.sliwinska@przykladowo.example"},
        "signatory": {**person, "authority_note": "", **(signatory or {})},
        "parties": parties,
        "addressee": {
            "name": "Zofia Źrebięcka",
            "kind": "person",
            "street": "ul. Łąkowa 5",
            "postal_code": "00-950",
            "city": "Przykładowo",
            "country": "",
            "ade": "",
        },
        "review_days": 7,
        "remedy_days": 7,
        "new_due_on": due_on + timedelta(days=30),
        "consequences": "W razie niestawienia się bez uzasadnionej przyczyny grozi grzywna.",
        "appear_mode": "osobiście",
        "capacity": "strony",
        "applicant": parties[0]["name"],
    }
    fields = {
        spec.name: _sample_value(spec, issued_on)
        for spec in (*TEMPLATE_FIELDS.get(template_name, ()), *COMMON_FIELDS)
        # Prefilled values (as a case gives them) stay; the signatory comes from the caller.
        if spec.name not in base and spec.name not in ("signatory.name", "signatory.position")
    }
    data = merge_fields(base, fields)
    if template_name == "planning_extract":
        data.update(_sample_planning())
    return prepare_data(template_name, data, issued_on)


def _sample_planning() -> dict[str, Any]:
    zone = {
        "symbol": "1MN",
        "designation": "zabudowa mieszkaniowa jednorodzinna",
        "plan_name": "Plan miejscowy „Źródła”",
        "percent": "100,0 %",
        "share": 1.0,
    }
    parcel = {
        "id": "146501_1.0001.12/3",
        "number": "12/3",
        "precinct": "Przykładowo",
        "area_m2": 1250,
        "zones": [zone],
        "uncovered": "",
    }
    provisions = [{"symbol": "1MN", "text": "Wysokość zabudowy do 9 m, dach dwuspadowy."}]
    return {"parcels": [parcel], "provisions": provisions}


def placeholders(data: Mapping[str, Any]) -> list[Placeholder]:
    """Every dotted path of the data with a short example (lists show their first item)."""
    return sorted(_walk(data, ""), key=lambda p: (p.path.count("."), p.path))


def _walk(value: Any, prefix: str) -> Iterator[Placeholder]:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            if isinstance(key, str) and not key.startswith("_"):
                yield from _walk(inner, f"{prefix}.{key}" if prefix else key)
        return
    if isinstance(value, list | tuple) and value and isinstance(value[0], Mapping):
        yield Placeholder(prefix, f"lista ({len(value)})")
        yield from _walk(value[0], f"{prefix}[0]")
        return
    example = value.isoformat() if isinstance(value, date) else str(value)
    yield Placeholder(prefix, example[:80])


def check_source(template_name: str, source: str, data: Mapping[str, Any]) -> LetterTemplate:
    """Parse ``source`` and render it with ``data``; raise ``TemplateSourceError`` naming the line.

    The header ``name`` must stay ``template_name`` (letters look templates up by it)
    and every top-level placeholder must exist in the data, also in branches the
    sample does not take.
    """
    label = f"{template_name} (kopia urzędu)"
    try:
        template = parse_template(source, label)
    except TemplateError as exc:
        raise TemplateSourceError(str(exc), exc.line) from None
    if template.name != template_name:
        line = _header_line(source, "name")
        raise TemplateSourceError(
            f"Szablon „{label}”, wiersz {line}: nazwa w nagłówku musi pozostać"
            f" „{template_name}” (jest „{template.name}”).",
            line,
        )
    unknown = unknown_placeholders(template, data.keys())
    if unknown:
        name, line = unknown[0]
        raise TemplateSourceError(
            f"Szablon „{label}”, wiersz {line}: nieznane pole „{name}”.", line
        )
    try:
        template.render(data)
    except TemplateError as exc:
        raise TemplateSourceError(str(exc), exc.line) from None
    return template


def render_sample_pdf(template: LetterTemplate, data: Mapping[str, Any]) -> bytes:
    """The letter PDF of the sample data (mandatory parts are checked as for a real letter)."""
    letter = letter_from_data(template, data, addressees=[data["addressee"]])
    return render_letter_pdf(letter)


def _header_line(source: str, key: str) -> int | None:
    for number, line in enumerate(source.splitlines(), start=1):
        if line.strip().lower().startswith(f"{key}:"):
            return number
    return None
