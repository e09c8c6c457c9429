"""Senders and addressees (korespondenci): validated identifiers, fast autocomplete, audited PESEL.

PESEL, NIP and REGON are checked by their checksums so a mistyped digit is caught
at the desk. ``suggest`` matches the beginning of any word of the folded
``search_key`` (surname first, then first name; or the institution's words), so
"wisn" finds "Wiśniewski" and "dolina" finds "Starostwo Powiatowe w Zielonej Dolinie"
only by word starts. Showing a PESEL in full is a view of personal data and is audited.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any, cast

from sqlalchemy import Table, case, insert, or_, select
from sqlalchemy.orm import Session, make_transient_to_detached

from clerk_app.errors import ValidationError
from clerk_app.models import Correspondent, CorrespondentKind, Role
from clerk_app.models.types import utc_now
from clerk_app.services import audit, permissions
from clerk_app.services.database import Database
from clerk_app.services.register_types import (
    CorrespondentDetails,
    CorrespondentInput,
    CorrespondentSummary,
)
from clerk_app.services.text_fold import fold
from clerk_app.services.users import ALL_ROLES, CurrentUser

# Who may add correspondents: the registry (intake) and clerks writing outgoing letters.
CREATE_ROLES = frozenset({Role.REGISTRY_CLERK, Role.CASE_CLERK, Role.PLANNER, Role.ADMIN})
# Who may see a PESEL in full (each view is audited).
REVEAL_ROLES = frozenset({Role.REGISTRY_CLERK, Role.CASE_CLERK, Role.MANAGER, Role.ADMIN})

_PESEL_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
_NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)
_REGON9_WEIGHTS = (8, 9, 2, 3, 4, 5, 6, 7)
_REGON14_WEIGHTS = (2, 4, 8, 5, 0, 9, 7, 3, 6, 1, 2, 4, 8)
# PESEL month offsets by century: 1800s +80, 1900s +0, 2000s +20, 2100s +40, 2200s +60.
_PESEL_CENTURY = {80: 1800, 0: 1900, 20: 2000, 40: 2100, 60: 2200}
_POSTAL_CODE = re.compile(r"^\d{2}-\d{3}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MAX_LENGTHS = {
    "first_name": ("Imię", 100),
    "last_name": ("Nazwisko", 150),
    "institution_name": ("Nazwa instytucji", 300),
    "street": ("Ulica", 200),
    "building": ("Numer budynku", 20),
    "apartment": ("Numer lokalu", 20),
    "city": ("Miejscowość", 100),
    "email": ("E-mail", 200),
    "phone": ("Telefon", 40),
    "epuap_address": ("Adres skrytki ePUAP", 200),
    "ade": ("Adres do doręczeń elektronicznych", 100),
}


def _digits(text: str) -> str:
    """Drop the spaces and hyphens people type into identifiers (``123-456-32-18``)."""
    return re.sub(r"[\s-]", "", text)


def validate_pesel(value: str) -> str:
    """Return the PESEL (11 digits) or raise ``ValidationError`` saying what is wrong."""
    pesel = _digits(value)
    if len(pesel) != 11 or not (pesel.isascii() and pesel.isdigit()):
        raise ValidationError("PESEL: numer musi mieć 11 cyfr.")
    digits = [int(c) for c in pesel]
    check = (10 - sum(w * d for w, d in zip(_PESEL_WEIGHTS, digits, strict=False)) % 10) % 10
    if check != digits[10]:
        raise ValidationError(
            f"PESEL: nieprawidłowa cyfra kontrolna w numerze {pesel} "
            "(sprawdź, czy nie ma literówki)."
        )
    year2, month_code, day = int(pesel[0:2]), int(pesel[2:4]), int(pesel[4:6])
    offset = (month_code // 20) * 20
    century = _PESEL_CENTURY.get(offset)
    try:
        if century is None:
            raise ValueError
        date(century + year2, month_code - offset, day)
    except ValueError:
        raise ValidationError(
            f"PESEL: numer {pesel} zawiera nieistniejącą datę urodzenia."
        ) from None
    return pesel


def validate_nip(value: str) -> str:
    nip = _digits(value)
    if nip.upper().startswith("PL"):
        nip = nip[2:]
    if len(nip) != 10 or not (nip.isascii() and nip.isdigit()):
        raise ValidationError("NIP: numer musi mieć 10 cyfr.")
    total = sum(w * int(d) for w, d in zip(_NIP_WEIGHTS, nip, strict=False)) % 11
    if total == 10 or total != int(nip[9]):
        raise ValidationError(f"NIP: nieprawidłowa cyfra kontrolna w numerze {nip}.")
    return nip


def validate_regon(value: str) -> str:
    regon = _digits(value)
    if len(regon) not in (9, 14) or not (regon.isascii() and regon.isdigit()):
        raise ValidationError("REGON: numer musi mieć 9 albo 14 cyfr.")
    weights = _REGON9_WEIGHTS if len(regon) == 9 else _REGON14_WEIGHTS
    check = sum(w * int(d) for w, d in zip(weights, regon, strict=False)) % 11 % 10
    if check != int(regon[-1]):
        raise ValidationError(f"REGON: nieprawidłowa cyfra kontrolna w numerze {regon}.")
    return regon


def _clean(data: CorrespondentInput) -> CorrespondentInput:
    """Trim every text field, validate, and normalise identifiers; raise on the first error."""
    stripped: dict[str, Any] = {
        name: getattr(data, name).strip()
        for name in CorrespondentInput.__dataclass_fields__
        if name != "kind"
    }
    data = replace(data, **stripped)
    for name, (label, limit) in _MAX_LENGTHS.items():
        if len(getattr(data, name)) > limit:
            raise ValidationError(f"{label}: najwyżej {limit} znaków.")
    if data.kind == CorrespondentKind.PERSON:
        if not data.last_name:
            raise ValidationError("Nazwisko: pole jest wymagane dla osoby fizycznej.")
    elif not data.institution_name:
        raise ValidationError("Nazwa instytucji: pole jest wymagane.")
    changes: dict[str, Any] = {}
    if data.pesel:
        if data.kind != CorrespondentKind.PERSON:
            raise ValidationError("PESEL: podaje się tylko dla osoby fizycznej.")
        changes["pesel"] = validate_pesel(data.pesel)
    if data.nip:
        changes["nip"] = validate_nip(data.nip)
    if data.regon:
        changes["regon"] = validate_regon(data.regon)
    country = (data.country or "PL").upper()
    if len(country) != 2 or not country.isalpha():
        raise ValidationError("Kraj: podaj dwuliterowy kod kraju (np. PL).")
    changes["country"] = country
    if data.postal_code and country == "PL" and not _POSTAL_CODE.match(data.postal_code):
        raise ValidationError(
            f"Kod pocztowy: „{data.postal_code}” nie ma postaci 00-000 (np. 62-035)."
        )
    if data.email and not _EMAIL.match(data.email):
        raise ValidationError(f"E-mail: „{data.email}” nie jest poprawnym adresem.")
    return replace(data, **changes)


def display_name_of(data: CorrespondentInput) -> str:
    if data.kind == CorrespondentKind.PERSON:
        return " ".join(p for p in (data.first_name, data.last_name) if p)
    return data.institution_name


def search_key_of(data: CorrespondentInput) -> str:
    """Folded words, surname first for people, so a prefix of the surname matches first."""
    if data.kind == CorrespondentKind.PERSON:
        words = [data.last_name, data.first_name, data.institution_name]
    else:
        words = [data.institution_name]
    return " ".join(fold(w) for w in words if w)[:300]


def address_line(c: Correspondent | CorrespondentInput) -> str:
    """``Polna 3/5, 62-035 Zielona Dolina``; a village without streets: ``Dolina 12, …``."""
    number = c.building + (f"/{c.apartment}" if c.apartment else "")
    place = " ".join(p for p in (c.street or c.city, number) if p)
    town = " ".join(p for p in (c.postal_code, c.city) if p)
    if not c.street and town == c.city:
        town = ""
    parts = [p for p in (place, town) if p]
    if c.country and c.country != "PL":
        parts.append(c.country)
    return ", ".join(parts)


def mask_pesel(pesel: str) -> str:
    return "•" * 7 + pesel[-4:] if pesel else ""


def summary_of(c: Correspondent) -> CorrespondentSummary:
    return CorrespondentSummary(c.id, c.kind, c.display_name, address_line(c))


_TABLE = cast(Table, Correspondent.__table__)
_INSERT = insert(_TABLE).returning(_TABLE.c.id)


def create_in_session(
    session: Session, actor: CurrentUser | None, data: CorrespondentInput
) -> Correspondent:
    """Validate and add a correspondent inside the caller's transaction (audited).

    The register uses this so a new sender and the entry are saved together or not at all.
    """
    data = _clean(data)
    for field, label in (("pesel", "PESEL"), ("nip", "NIP"), ("regon", "REGON")):
        value = getattr(data, field)
        if not value:
            continue
        existing = session.scalar(
            select(Correspondent).where(getattr(Correspondent, field) == value).limit(1)
        )
        if existing is not None:
            raise ValidationError(
                f"{label}: korespondent z tym numerem już istnieje – "
                f"{existing.display_name} (nr {existing.id}); wybierz go z listy."
            )
    values: dict[str, Any] = {
        "kind": data.kind,
        "first_name": data.first_name,
        "last_name": data.last_name,
        "institution_name": data.institution_name,
        "pesel": data.pesel,
        "nip": data.nip,
        "regon": data.regon,
        "street": data.street,
        "building": data.building,
        "apartment": data.apartment,
        "postal_code": data.postal_code,
        "city": data.city,
        "country": data.country,
        "email": data.email,
        "phone": data.phone,
        "epuap_address": data.epuap_address,
        "ade": data.ade,
        "display_name": display_name_of(data)[:300],
        "search_key": search_key_of(data),
        "created_at": utc_now(),
    }
    # One Core INSERT instead of a flush; the object then joins the session as persistent
    # (every column loaded), so the caller and the register read it without a SELECT.
    session.flush()  # as before: what the caller has pending is written first
    correspondent = Correspondent(**values)
    correspondent.id = session.connection().execute(_INSERT, values).scalar_one()
    make_transient_to_detached(correspondent)
    session.add(correspondent)
    audit.record(
        session,
        actor,
        "create",
        "correspondent",
        correspondent.id,
        summary=f"nowy korespondent: {correspondent.display_name}",
        # Never the PESEL itself: the audit trail must not spread personal data.
        details={"kind": data.kind.value, "has_pesel": bool(data.pesel), "nip": data.nip},
    )
    return correspondent


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class CorrespondentService:
    def __init__(self, db: Database, user: CurrentUser) -> None:
        self.db = db
        self.user = user

    def create(self, data: CorrespondentInput) -> CorrespondentSummary:
        permissions.require(self.db, self.user, CREATE_ROLES, "dodanie korespondenta")
        with self.db.session(write=True) as session:
            return summary_of(create_in_session(session, self.user, data))

    def update(self, correspondent_id: int, data: CorrespondentInput) -> CorrespondentSummary:
        """Correct a correspondent's data (a new surname, a renamed institution).

        One transaction: the register's sender sort keys of every entry from this
        correspondent are rewritten in the same flush (see ``register_sort_upkeep``).
        """
        permissions.require(
            self.db,
            self.user,
            CREATE_ROLES,
            "zmiana korespondenta",
            "correspondent",
            correspondent_id,
        )
        data = _clean(data)
        with self.db.session(write=True) as session:
            c = session.get(Correspondent, correspondent_id, with_for_update=True)
            if c is None:
                raise ValidationError(f"Korespondent: nie ma korespondenta nr {correspondent_id}.")
            for field, label in (("pesel", "PESEL"), ("nip", "NIP"), ("regon", "REGON")):
                value = getattr(data, field)
                if not value:
                    continue
                other = session.scalar(
                    select(Correspondent.id)
                    .where(getattr(Correspondent, field) == value, Correspondent.id != c.id)
                    .limit(1)
                )
                if other is not None:
                    raise ValidationError(
                        f"{label}: ten numer ma już inny korespondent (nr {other})."
                    )
            before = c.display_name
            for field in CorrespondentInput.__dataclass_fields__:
                setattr(c, field, getattr(data, field))
            c.display_name = display_name_of(data)[:300]
            c.search_key = search_key_of(data)
            session.flush()
            audit.record(
                session,
                self.user,
                "update",
                "correspondent",
                c.id,
                summary=f"zmiana korespondenta: {before} → {c.display_name}",
                details={"kind": data.kind.value, "has_pesel": bool(data.pesel), "nip": data.nip},
            )
            return summary_of(c)

    def suggest(self, prefix: str, limit: int = 10) -> list[CorrespondentSummary]:
        """Correspondents whose words start with every word typed (diacritics ignored)."""
        tokens = fold(prefix).split()
        if not tokens or limit <= 0:
            return []
        key = Correspondent.search_key
        stmt = select(Correspondent)
        for token in tokens:
            escaped = _like_escape(token)
            stmt = stmt.where(
                or_(
                    key.like(f"{escaped}%", escape="\\"),
                    key.like(f"% {escaped}%", escape="\\"),
                )
            )
        first = _like_escape(tokens[0])
        starts_first = case((key.like(f"{first}%", escape="\\"), 0), else_=1)
        stmt = stmt.order_by(starts_first, key, Correspondent.id).limit(limit)
        with self.db.session() as session:
            return [summary_of(c) for c in session.scalars(stmt)]

    def get(self, correspondent_id: int, reveal_personal: bool = False) -> CorrespondentDetails:
        """The correspondent's details; ``reveal_personal`` shows the PESEL and audits the view."""
        permissions.require(
            self.db,
            self.user,
            REVEAL_ROLES if reveal_personal else ALL_ROLES,
            "wgląd w dane osobowe" if reveal_personal else "odczyt korespondenta",
            "correspondent",
            correspondent_id,
        )
        with self.db.session(write=reveal_personal) as session:
            c = session.get(Correspondent, correspondent_id)
            if c is None:
                raise ValidationError(f"Korespondent: nie ma korespondenta nr {correspondent_id}.")
            revealed = reveal_personal and bool(c.pesel)
            if revealed:
                audit.record(
                    session,
                    self.user,
                    "view_personal_data",
                    "correspondent",
                    c.id,
                    summary=f"wgląd w PESEL: {c.display_name}",
                    details={"fields": ["pesel"]},
                )
            return CorrespondentDetails(
                id=c.id,
                kind=c.kind,
                display_name=c.display_name,
                address_line=address_line(c),
                first_name=c.first_name,
                last_name=c.last_name,
                institution_name=c.institution_name,
                pesel=c.pesel if revealed else mask_pesel(c.pesel),
                pesel_revealed=revealed,
                nip=c.nip,
                regon=c.regon,
                street=c.street,
                building=c.building,
                apartment=c.apartment,
                postal_code=c.postal_code,
                city=c.city,
                country=c.country,
                email=c.email,
                phone=c.phone,
                epuap_address=c.epuap_address,
                ade=c.ade,
            )
