"""Correspondents: checksums caught at the desk, autocomplete without diacritics, audited PESEL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from clerk_app.errors import PermissionDenied, ValidationError
from clerk_app.models import AuditEvent, Correspondent, CorrespondentKind, Role
from clerk_app.services.app_context import AppContext
from clerk_app.services.correspondents import (
    CorrespondentService,
    validate_nip,
    validate_pesel,
    validate_regon,
)
from clerk_app.services.register_types import CorrespondentInput
from clerk_app.services.users import UserService

PERSON = CorrespondentKind.PERSON
INSTITUTION = CorrespondentKind.INSTITUTION


@pytest.fixture
def service(ctx: AppContext) -> CorrespondentService:
    clerk = UserService(ctx.db).create_user("anna", "Anna Nowak", [Role.REGISTRY_CLERK])
    return CorrespondentService(ctx.db, clerk)


@pytest.mark.parametrize(
    ("check", "value", "normalised"),
    [
        (validate_pesel, "44051401359", "44051401359"),
        (validate_pesel, "02270803624", "02270803624"),  # born 2002: month + 20
        (validate_nip, "123-456-32-18", "1234563218"),
        (validate_nip, "PL 1234563218", "1234563218"),
        (validate_regon, "123456785", "123456785"),
        (validate_regon, "12345678500010", "12345678500010"),
    ],
)
def test_valid_identifiers_are_normalised(check, value: str, normalised: str) -> None:  # type: ignore[no-untyped-def]
    assert check(value) == normalised


@pytest.mark.parametrize(
    ("check", "value", "message"),
    [
        (validate_pesel, "44051401358", "PESEL: nieprawidłowa cyfra kontrolna"),
        (validate_pesel, "4405140135", "PESEL: numer musi mieć 11 cyfr"),
        (validate_pesel, "4405140135a", "PESEL: numer musi mieć 11 cyfr"),
        (validate_pesel, "44133101350", "PESEL: "),  # month 13 does not exist
        (validate_nip, "1234563217", "NIP: nieprawidłowa cyfra kontrolna"),
        (validate_nip, "123456321", "NIP: numer musi mieć 10 cyfr"),
        (validate_regon, "123456784", "REGON: nieprawidłowa cyfra kontrolna"),
        (validate_regon, "12345678500011", "REGON: nieprawidłowa cyfra kontrolna"),
        (validate_regon, "1234567", "REGON: numer musi mieć 9 albo 14 cyfr"),
    ],
)
def test_wrong_identifiers_are_refused_in_polish(check, value: str, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        check(value)
    assert str(caught.value).startswith(message)


def test_pesel_with_an_impossible_birth_date_is_refused() -> None:
    # Checksum fits, but 31 February does not exist.
    digits = [int(c) for c in "8502310000"]
    weights = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
    check = (10 - sum(w * d for w, d in zip(weights, digits, strict=True)) % 10) % 10
    with pytest.raises(ValidationError, match="nieistniejącą datę"):
        validate_pesel(f"8502310000{check}")


def test_create_validates_and_builds_the_name_and_search_key(
    ctx: AppContext, service: CorrespondentService
) -> None:
    created = service.create(
        CorrespondentInput(
            kind=PERSON,
            first_name=" Jan ",
            last_name="Wiśniewski",
            pesel="44051401359",
            street="Polna",
            building="3",
            apartment="5",
            postal_code="62-035",
            city="Zielona Dolina",
        )
    )
    assert created.display_name == "Jan Wiśniewski"
    assert created.address_line == "Polna 3/5, 62-035 Zielona Dolina"
    with ctx.db.session() as session:
        row = session.get(Correspondent, created.id)
        assert row is not None and row.search_key == "wisniewski jan"
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "create"))
        assert event is not None and "44051401359" not in event.details


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (CorrespondentInput(kind=PERSON, first_name="Jan"), "Nazwisko"),
        (CorrespondentInput(kind=INSTITUTION), "Nazwa instytucji"),
        (CorrespondentInput(kind=PERSON, last_name="Nowak", pesel="123"), "PESEL"),
        (CorrespondentInput(kind=INSTITUTION, institution_name="Urząd", nip="1"), "NIP"),
        (CorrespondentInput(kind=INSTITUTION, institution_name="Urząd", regon="2"), "REGON"),
        (CorrespondentInput(kind=PERSON, last_name="Nowak", postal_code="62035"), "Kod pocztowy"),
        (CorrespondentInput(kind=PERSON, last_name="Nowak", email="nowak@"), "E-mail"),
        (CorrespondentInput(kind=PERSON, last_name="N" * 151), "Nazwisko"),
    ],
)
def test_bad_correspondent_is_refused_and_not_saved(
    ctx: AppContext, service: CorrespondentService, data: CorrespondentInput, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        service.create(data)
    assert str(caught.value).startswith(message), str(caught.value)
    with ctx.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Correspondent)) == 0


def test_the_same_pesel_twice_points_at_the_existing_person(
    service: CorrespondentService,
) -> None:
    service.create(CorrespondentInput(kind=PERSON, last_name="Mazur", pesel="44051401359"))
    with pytest.raises(ValidationError, match="już istnieje – Mazur"):
        service.create(CorrespondentInput(kind=PERSON, last_name="Mazur", pesel="44051401359"))


def test_suggest_ignores_diacritics_and_matches_word_starts(
    service: CorrespondentService,
) -> None:
    for first, last in [("Jan", "Wiśniewski"), ("Ewa", "Wiśniewska"), ("Łukasz", "Żak")]:
        service.create(CorrespondentInput(kind=PERSON, first_name=first, last_name=last))
    service.create(
        CorrespondentInput(kind=INSTITUTION, institution_name="Starostwo Powiatowe w Łodzi")
    )
    service.create(CorrespondentInput(kind=PERSON, first_name="Anna", last_name="Kowisniak"))

    assert [s.display_name for s in service.suggest("wisn")] == ["Ewa Wiśniewska", "Jan Wiśniewski"]
    assert [s.display_name for s in service.suggest("WIŚNIEWSKI")] == ["Jan Wiśniewski"]
    assert [s.display_name for s in service.suggest("lukasz")] == ["Łukasz Żak"]
    assert [s.display_name for s in service.suggest("lodz")] == ["Starostwo Powiatowe w Łodzi"]
    assert [s.display_name for s in service.suggest("wis jan")] == ["Jan Wiśniewski"]
    assert service.suggest("") == [] and service.suggest("isn") == []
    assert len(service.suggest("w", limit=2)) == 2


def test_suggest_treats_like_wildcards_as_text(service: CorrespondentService) -> None:
    service.create(CorrespondentInput(kind=PERSON, last_name="Nowak"))
    assert service.suggest("%") == [] and service.suggest("_owak") == []


def test_revealing_a_pesel_is_audited(ctx: AppContext, service: CorrespondentService) -> None:
    created = service.create(
        CorrespondentInput(kind=PERSON, last_name="Mazur", pesel="44051401359")
    )
    masked = service.get(created.id)
    assert masked.pesel == "•••••••1359" and not masked.pesel_revealed
    with ctx.db.session() as session:
        assert (
            session.scalar(select(AuditEvent).where(AuditEvent.action == "view_personal_data"))
            is None
        )
    shown = service.get(created.id, reveal_personal=True)
    assert shown.pesel == "44051401359" and shown.pesel_revealed
    with ctx.db.session() as session:
        views = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "view_personal_data")
        ).all()
    assert [(v.user_login, v.object_id) for v in views] == [("anna", str(created.id))]


def test_planner_may_not_reveal_a_pesel(ctx: AppContext, service: CorrespondentService) -> None:
    created = service.create(
        CorrespondentInput(kind=PERSON, last_name="Mazur", pesel="44051401359")
    )
    planner = UserService(ctx.db).create_user("marek", "Marek", [Role.PLANNER])
    with pytest.raises(PermissionDenied):
        CorrespondentService(ctx.db, planner).get(created.id, reveal_personal=True)
    assert CorrespondentService(ctx.db, planner).get(created.id).pesel == "•••••••1359"


def test_unknown_correspondent(service: CorrespondentService) -> None:
    with pytest.raises(ValidationError, match="nie ma korespondenta nr 4242"):
        service.get(4242)
