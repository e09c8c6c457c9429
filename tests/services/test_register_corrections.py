"""Corrections keep every earlier version; outgoing entries and their delivery status."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from clerk_app.errors import PermissionDenied, ValidationError
from clerk_app.models import (
    AuditEvent,
    Case,
    Channel,
    Correspondent,
    CorrespondentKind,
    DeliveryStatus,
    JrwaClass,
    JrwaPlan,
    Office,
    OrgUnit,
    RegisterEntry,
    RegisterEntryVersion,
    Role,
)
from clerk_app.services.app_context import AppContext
from clerk_app.services.register import RegisterService
from clerk_app.services.register_types import IncomingDraft, OutgoingDraft
from clerk_app.services.users import CurrentUser, UserService

TODAY = date(2026, 3, 10)


@pytest.fixture
def people(ctx: AppContext) -> list[int]:
    with ctx.db.session(write=True) as session:
        rows = [
            Correspondent(
                kind=CorrespondentKind.PERSON,
                first_name=first,
                last_name=last,
                display_name=f"{first} {last}",
                search_key=f"{last} {first}".lower(),
            )
            for first, last in (("Jan", "Mazur"), ("Ewa", "Nowak"))
        ]
        session.add_all(rows)
        session.flush()
        return [r.id for r in rows]


@pytest.fixture
def clerk(ctx: AppContext) -> CurrentUser:
    return UserService(ctx.db).create_user("anna", "Anna Nowak", [Role.REGISTRY_CLERK])


@pytest.fixture
def service(ctx: AppContext, clerk: CurrentUser) -> RegisterService:
    return RegisterService(ctx.db, ctx.blobs, clerk, today=lambda: TODAY)


def register(service: RegisterService, sender: int, **changes: object) -> int:
    values: dict[str, object] = {
        "received_on": date(2026, 3, 9),
        "channel": Channel.PAPER,
        "title": "Skarga na hałas",
        "correspondent_id": sender,
        "letter_date": date(2026, 3, 2),
        "unknown": frozenset({"letter_ref"}),
    }
    values.update(changes)
    return service.register_incoming(IncomingDraft(**values)).entry_id  # type: ignore[arg-type]


def test_correction_keeps_the_old_values_with_who_when_why(
    ctx: AppContext, service: RegisterService, people: list[int]
) -> None:
    entry_id = register(service, people[0])
    row = service.correct_entry(
        entry_id,
        {"title": "Skarga na hałas z warsztatu", "correspondent_id": people[1]},
        "literówka w tytule i pomylony nadawca",
    )
    assert (row.title, row.sender, row.version) == ("Skarga na hałas z warsztatu", "Ewa Nowak", 2)
    row = service.correct_entry(entry_id, {"letter_ref": "AB/1/26"}, "znak odczytany z koperty")
    assert row.version == 3
    assert row.letter_ref == "AB/1/26" and row.unknown_fields == frozenset()

    versions = service.entry_versions(entry_id)
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].values["title"] == "Skarga na hałas"
    assert versions[0].values["correspondent_id"] == people[0]
    assert versions[0].values["letter_date"] == "2026-03-02"
    assert versions[1].values["unknown"] == ["letter_ref"]
    assert versions[0].changed_by == "Anna Nowak"
    assert versions[0].reason == "literówka w tytule i pomylony nadawca"
    assert versions[0].changed_at.tzinfo is not None
    with ctx.db.session() as session:
        assert session.get(RegisterEntry, entry_id) is not None  # nothing is deleted
        events = session.scalars(
            select(AuditEvent).where(
                AuditEvent.object_id == str(entry_id), AuditEvent.action == "correct"
            )
        ).all()
    assert len(events) == 2
    assert "literówka" in events[0].summary and "Skarga na hałas" in events[0].details


@pytest.mark.parametrize(
    ("changes", "reason", "message"),
    [
        ({"title": "Nowy"}, "   ", "Powód korekty"),
        ({}, "bo tak", "Korekta: nie wskazano"),
        ({"title": "Skarga na hałas"}, "bez zmian", "Korekta: podane wartości"),
        ({"number": "RPW/9/2026"}, "zmiana numeru", "Korekta: pola „number”"),
        (
            {
                "received_on": "2025-12-31",
                "letter_date": None,
                "unknown": ["letter_date", "letter_ref"],
            },
            "inny rok",
            "Data wpływu: korekta nie może zmienić roku",
        ),
        ({"received_on": "2026-02-30"}, "zła data", "Data wpływu: „2026-02-30” nie jest datą"),
        ({"letter_date": "2026-03-20"}, "data", "Data pisma"),
        ({"title": None}, "usuń tytuł", "Tytuł: wpisz wartość albo zaznacz"),
        ({"channel": "goląb"}, "kanał", "Sposób doręczenia"),
        ({"correspondent_id": 999_999}, "nadawca", "Nadawca/adresat"),
    ],
)
def test_bad_corrections_change_nothing(
    ctx: AppContext,
    service: RegisterService,
    people: list[int],
    changes: dict[str, object],
    reason: str,
    message: str,
) -> None:
    entry_id = register(service, people[0])
    with pytest.raises(ValidationError) as caught:
        service.correct_entry(entry_id, changes, reason)
    assert str(caught.value).startswith(message), str(caught.value)
    row = service.get_entry(entry_id)
    assert (row.version, row.title) == (1, "Skarga na hałas")
    with ctx.db.session() as session:
        assert session.scalar(select(RegisterEntryVersion)) is None


def test_title_can_become_no_data_when_marked(service: RegisterService, people: list[int]) -> None:
    entry_id = register(service, people[0])
    row = service.correct_entry(
        entry_id, {"title": None, "unknown": ["title", "letter_ref"]}, "tytuł był zgadywany"
    )
    assert row.title is None and row.unknown_fields == {"title", "letter_ref"}


def test_correction_cannot_duplicate_a_tracking_number(
    service: RegisterService, people: list[int]
) -> None:
    register(service, people[0], tracking_no="RR000000001PL")
    second = register(service, people[0])
    with pytest.raises(ValidationError, match="RPW/1/2026"):
        service.correct_entry(second, {"tracking_no": "rr000000001pl"}, "numer z koperty")


def test_only_the_registry_corrects(
    ctx: AppContext, service: RegisterService, people: list[int]
) -> None:
    entry_id = register(service, people[0])
    manager = UserService(ctx.db).create_user("ewa", "Ewa Wiśniewska", [Role.MANAGER])
    with pytest.raises(PermissionDenied):
        RegisterService(ctx.db, ctx.blobs, manager).correct_entry(entry_id, {"title": "X"}, "chcę")
    assert service.get_entry(entry_id).version == 1


@pytest.fixture
def case_id(ctx: AppContext, clerk: CurrentUser) -> int:
    with ctx.db.session(write=True) as session:
        office = Office(name="Urząd")
        plan = JrwaPlan(valid_from_year=2026, name="JRWA 2026")
        session.add_all([office, plan])
        session.flush()
        unit = OrgUnit(office_id=office.id, symbol="UA", name="Urbanistyka")
        jrwa = JrwaClass(plan_id=plan.id, symbol="6727", title="Wypisy", is_end_class=True)
        session.add_all([unit, jrwa])
        session.flush()
        case = Case(
            sign="UA.6727.1.2026",
            unit_id=unit.id,
            jrwa_class_id=jrwa.id,
            year=2026,
            seq_no=1,
            title="Wypis",
            handler_id=clerk.id,
            opened_on=date(2026, 3, 2),
        )
        session.add(case)
        session.flush()
        return case.id


def test_outgoing_entry_is_numbered_in_its_own_register_and_linked_to_the_case(
    service: RegisterService, people: list[int], case_id: int
) -> None:
    register(service, people[0])
    pending = service.register_outgoing(
        OutgoingDraft(
            title="Wypis i wyrys",
            channel=Channel.REGISTERED_ZPO,
            correspondent_id=people[0],
            case_id=case_id,
            tracking_no="RR111PL",
            fee_grosze=1280,
        )
    )
    assert pending.number == "WYCH/1/2026"
    row = service.get_entry(pending.entry_id)
    assert row.case_sign == "UA.6727.1.2026" and row.assigned_unit == "UA"
    assert row.delivery_status == DeliveryStatus.PENDING and row.sent_on is None
    assert row.extra["fee_grosze"] == "1280"

    sent = service.register_outgoing(
        OutgoingDraft(
            title="Odpowiedź na skargę",
            channel=Channel.EPUAP,
            correspondent_id=people[1],
            sent_on=date(2026, 3, 9),
        )
    )
    assert sent.number == "WYCH/2/2026"
    assert service.get_entry(sent.entry_id).delivery_status == DeliveryStatus.SENT


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": " "}, "Tytuł"),
        ({"correspondent_id": None}, "Adresat"),
        ({"sent_on": date(2026, 3, 11)}, "Data wysłania"),
        ({"fee_grosze": -5}, "Opłata"),
        ({"case_id": 999_999}, "Sprawa"),
        ({"register_symbol": "RPW"}, "Rejestr"),
    ],
)
def test_bad_outgoing_input_is_refused(
    service: RegisterService, people: list[int], changes: dict[str, object], message: str
) -> None:
    values: dict[str, object] = {
        "title": "Pismo",
        "channel": Channel.REGISTERED_ZPO,
        "correspondent_id": people[0],
    }
    values.update(changes)
    with pytest.raises(ValidationError) as caught:
        service.register_outgoing(OutgoingDraft(**values))  # type: ignore[arg-type]
    assert str(caught.value).startswith(message), str(caught.value)


def test_delivery_status_from_the_return_receipt(
    ctx: AppContext, service: RegisterService, people: list[int]
) -> None:
    out = service.register_outgoing(
        OutgoingDraft(
            title="Decyzja",
            channel=Channel.REGISTERED_ZPO,
            correspondent_id=people[0],
            sent_on=date(2026, 3, 2),
        )
    )
    with pytest.raises(ValidationError, match="Data doręczenia: pole jest wymagane"):
        service.set_delivery(out.entry_id, DeliveryStatus.DELIVERED)
    with pytest.raises(ValidationError, match="wcześniejsza niż data wysłania"):
        service.set_delivery(out.entry_id, DeliveryStatus.DELIVERED, date(2026, 3, 1))
    with pytest.raises(ValidationError, match="w przyszłości"):
        service.set_delivery(out.entry_id, DeliveryStatus.DELIVERED, date(2026, 3, 11))
    row = service.set_delivery(
        out.entry_id, DeliveryStatus.DELIVERED, date(2026, 3, 5), note="ZPO wróciło"
    )
    assert row.delivery_status == DeliveryStatus.DELIVERED
    assert row.extra["delivered_on"] == "2026-03-05" and "ZPO wróciło" in row.notes
    with ctx.db.session() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "delivery"))
        assert event is not None and '"to":"delivered"' in event.details

    incoming = register(service, people[0])
    with pytest.raises(ValidationError, match="tylko przesyłek wychodzących"):
        service.set_delivery(incoming, DeliveryStatus.SENT)
