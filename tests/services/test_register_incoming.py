"""Incoming registration: numbers, "brak danych", bad input refused whole, attachments, routing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from clerk_app.errors import PermissionDenied, ValidationError
from clerk_app.models import (
    Assignment,
    Attachment,
    AuditEvent,
    Channel,
    ClosedYear,
    Correspondent,
    CorrespondentKind,
    Office,
    OrgUnit,
    RegisterBook,
    RegisterEntry,
    Role,
    StandIn,
)
from clerk_app.services.app_context import AppContext
from clerk_app.services.register import RegisterService, shown
from clerk_app.services.register_types import (
    AttachmentInput,
    CorrespondentInput,
    IncomingDraft,
)
from clerk_app.services.users import CurrentUser, UserService

TODAY = date(2026, 3, 10)


@pytest.fixture
def office(ctx: AppContext) -> dict[str, int]:
    with ctx.db.session(write=True) as session:
        office = Office(name="Urząd Gminy Zielona Dolina", short_name="UG Zielona Dolina")
        session.add(office)
        session.flush()
        ua = OrgUnit(office_id=office.id, symbol="UA", name="Urbanistyka")
        gk = OrgUnit(office_id=office.id, symbol="GK", name="Gospodarka komunalna")
        closed = OrgUnit(office_id=office.id, symbol="XX", name="Zlikwidowany", active=False)
        sender = Correspondent(
            kind=CorrespondentKind.PERSON,
            first_name="Jan",
            last_name="Wiśniewski",
            display_name="Jan Wiśniewski",
            search_key="wisniewski jan",
        )
        session.add_all([ua, gk, closed, sender])
        session.flush()
        return {"UA": ua.id, "GK": gk.id, "XX": closed.id, "sender": sender.id}


@pytest.fixture
def clerk(ctx: AppContext) -> CurrentUser:
    return UserService(ctx.db).create_user("anna", "Anna Nowak", [Role.REGISTRY_CLERK])


@pytest.fixture
def service(ctx: AppContext, clerk: CurrentUser) -> RegisterService:
    return RegisterService(ctx.db, ctx.blobs, clerk, today=lambda: TODAY)


def draft(sender: int, **changes: object) -> IncomingDraft:
    values: dict[str, object] = {
        "received_on": date(2026, 3, 9),
        "channel": Channel.PAPER,
        "title": "Wniosek o wypis i wyrys",
        "correspondent_id": sender,
        "letter_date": date(2026, 3, 5),
        "letter_ref": "12/2026",
    }
    values.update(changes)
    return IncomingDraft(**values)  # type: ignore[arg-type]


def entry_count(ctx: AppContext) -> int:
    with ctx.db.session() as session:
        return session.scalar(select(func.count()).select_from(RegisterEntry)) or 0


def test_numbers_follow_each_other_and_restart_per_year(
    service: RegisterService, office: dict[str, int]
) -> None:
    first = service.register_incoming(draft(office["sender"]))
    second = service.register_incoming(draft(office["sender"]))
    old_year = service.register_incoming(
        draft(
            office["sender"],
            received_on=date(2025, 12, 31),
            letter_date=None,
            unknown=frozenset({"letter_date"}),
        )
    )
    assert (first.number, second.number, old_year.number) == (
        "RPW/1/2026",
        "RPW/2/2026",
        "RPW/1/2025",
    )
    row = service.get_entry(first.entry_id)
    assert row.sender == "Jan Wiśniewski"
    assert row.title == "Wniosek o wypis i wyrys"
    assert row.letter_ref == "12/2026" and row.received_on == date(2026, 3, 9)
    assert row.version == 1 and row.unknown_fields == frozenset()


def test_number_format_of_the_register_book_is_used(
    ctx: AppContext, service: RegisterService, office: dict[str, int]
) -> None:
    with ctx.db.session(write=True) as session:
        book = session.scalar(select(RegisterBook).where(RegisterBook.symbol == "RPW"))
        assert book is not None
        book.number_format = "{year}-{symbol}-{n:05d}"
    assert service.register_incoming(draft(office["sender"])).number == "2026-RPW-00001"


def test_registration_is_audited(
    ctx: AppContext, service: RegisterService, office: dict[str, int]
) -> None:
    result = service.register_incoming(draft(office["sender"]))
    with ctx.db.session() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.object_id == str(result.entry_id))
        ).all()
    assert [(e.action, e.user_login) for e in events] == [("register", "anna")]
    assert "RPW/1/2026" in events[0].summary


def test_unknown_fields_are_stored_and_shown_as_no_data(
    service: RegisterService, office: dict[str, int]
) -> None:
    result = service.register_incoming(
        IncomingDraft(
            received_on=date(2026, 3, 9),
            channel=Channel.PAPER,
            unknown=frozenset({"title", "sender", "letter_date", "letter_ref"}),
        )
    )
    row = service.get_entry(result.entry_id)
    assert row.unknown_fields == {"title", "sender", "letter_date", "letter_ref"}
    assert row.title is None and row.sender is None
    assert [shown(row, f) for f in ("title", "sender", "letter_date", "letter_ref")] == [
        "brak danych"
    ] * 4


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "Tytuł"),
        ({"correspondent_id": None}, "Nadawca"),
        ({"letter_date": None}, "Data pisma"),
        ({"letter_ref": ""}, "Znak pisma"),
        ({"unknown": frozenset({"title"})}, "Tytuł"),  # a value AND "brak danych"
        ({"unknown": frozenset({"notes"})}, "Brak danych"),
        ({"received_on": date(2026, 3, 11)}, "Data wpływu"),  # tomorrow
        ({"letter_date": date(2026, 3, 10)}, "Data pisma"),  # after the date received
        ({"channel": Channel.REGISTERED_ZPO}, "Sposób doręczenia"),
        ({"title": "x" * 501}, "Tytuł"),
        ({"assigned_unit_id": 999_999}, "Dekretacja"),
        ({"assigned_user_id": 999_999}, "Dekretacja"),
        ({"correspondent_id": 999_999}, "Nadawca"),
        ({"register_symbol": "XYZ"}, "Rejestr"),
        ({"register_symbol": "WYCH"}, "Rejestr"),
        ({"instruction": "Proszę o załatwienie"}, "Dekretacja"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_uses_no_number(
    ctx: AppContext,
    service: RegisterService,
    office: dict[str, int],
    changes: dict[str, object],
    field: str,
) -> None:
    with pytest.raises(ValidationError) as caught:
        service.register_incoming(draft(office["sender"], **changes))
    assert str(caught.value).startswith(field), str(caught.value)
    assert entry_count(ctx) == 0
    assert service.register_incoming(draft(office["sender"])).number == "RPW/1/2026"


def test_inactive_unit_is_refused(service: RegisterService, office: dict[str, int]) -> None:
    with pytest.raises(ValidationError, match="XX jest nieaktywna"):
        service.register_incoming(draft(office["sender"], assigned_unit_id=office["XX"]))


def test_closed_year_and_inactive_register_refuse_registration(
    ctx: AppContext, service: RegisterService, office: dict[str, int]
) -> None:
    with ctx.db.session(write=True) as session:
        session.add(ClosedYear(year=2025))
    with pytest.raises(ValidationError, match="Rok 2025 jest zamknięty"):
        service.register_incoming(
            draft(office["sender"], received_on=date(2025, 12, 30), letter_date=date(2025, 12, 1))
        )
    with ctx.db.session(write=True) as session:
        book = session.scalar(select(RegisterBook).where(RegisterBook.symbol == "RPW"))
        assert book is not None
        book.active = False
    with pytest.raises(ValidationError, match="„RPW” jest nieaktywny"):
        service.register_incoming(draft(office["sender"]))
    assert entry_count(ctx) == 0


def test_duplicate_tracking_number_names_the_existing_entry(
    ctx: AppContext, service: RegisterService, office: dict[str, int]
) -> None:
    service.register_incoming(draft(office["sender"], tracking_no="RR123456789PL"))
    with pytest.raises(ValidationError) as caught:
        service.register_incoming(draft(office["sender"], tracking_no=" rr 1234 56789 pl "))
    message = str(caught.value)
    assert message.startswith("Numer nadawczy")
    assert "RPW/1/2026" in message and "2026-03-09" in message
    assert entry_count(ctx) == 1
    # Entries without a tracking number never clash.
    service.register_incoming(draft(office["sender"]))
    service.register_incoming(draft(office["sender"]))
    assert entry_count(ctx) == 3


def test_attachments_are_stored_with_safe_names(
    ctx: AppContext, service: RegisterService, office: dict[str, int], tmp_path
) -> None:  # type: ignore[no-untyped-def]
    scan = tmp_path / "skan.pdf"
    scan.write_bytes(b"%PDF-1.4 scan")
    result = service.register_incoming(
        draft(
            office["sender"],
            attachments=(
                AttachmentInput("../../etc/passwd", b"root:x:0:0"),
                AttachmentInput("CON.txt", b"device"),
                AttachmentInput("pismo", b"%PDF-1.4", "application/pdf"),
                AttachmentInput("skan.pdf", scan, "application/pdf"),
                AttachmentInput("skan.pdf", b"another", "application/pdf"),
            ),
        )
    )
    assert service.get_entry(result.entry_id).attachment_count == 5
    with ctx.db.session() as session:
        rows = session.scalars(
            select(Attachment).where(Attachment.entry_id == result.entry_id).order_by(Attachment.id)
        ).all()
        names = [a.file_name for a in rows]
        contents = [ctx.blobs.get(session, a.sha256) for a in rows]
    assert names == ["passwd", "_CON.txt", "pismo.pdf", "skan.pdf", "skan (2).pdf"]
    assert contents[0] == b"root:x:0:0" and contents[3] == b"%PDF-1.4 scan"


def test_paper_attachment_count_typed_by_the_clerk(
    service: RegisterService, office: dict[str, int]
) -> None:
    result = service.register_incoming(draft(office["sender"], attachment_count=3))
    assert service.get_entry(result.entry_id).attachment_count == 3


def test_too_large_attachment_is_refused_and_nothing_is_saved(
    ctx: AppContext, clerk: CurrentUser, office: dict[str, int]
) -> None:
    service = RegisterService(
        ctx.db, ctx.blobs, clerk, max_attachment_bytes=1 << 20, today=lambda: TODAY
    )
    with pytest.raises(ValidationError, match=r"Załącznik „duzy\.pdf” jest za duży"):
        service.register_incoming(
            draft(
                office["sender"],
                attachments=(
                    AttachmentInput("maly.pdf", b"ok"),
                    AttachmentInput("duzy.pdf", b"x" * ((1 << 20) + 1)),
                ),
            )
        )
    assert entry_count(ctx) == 0
    with ctx.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_new_sender_is_saved_with_the_entry_or_not_at_all(
    ctx: AppContext, service: RegisterService, office: dict[str, int]
) -> None:
    person = CorrespondentInput(
        kind=CorrespondentKind.PERSON, first_name="Zofia", last_name="Łuczak", city="Dolina"
    )
    with ctx.db.session(write=True) as session:
        session.add(ClosedYear(year=2025))
    with pytest.raises(ValidationError):
        service.register_incoming(
            draft(
                None,  # type: ignore[arg-type]
                new_correspondent=person,
                received_on=date(2025, 12, 1),
                letter_date=date(2025, 11, 30),
            )
        )
    with ctx.db.session() as session:
        assert (
            session.scalar(select(Correspondent).where(Correspondent.last_name == "Łuczak")) is None
        )
    result = service.register_incoming(draft(None, new_correspondent=person))  # type: ignore[arg-type]
    assert service.get_entry(result.entry_id).sender == "Zofia Łuczak"


def test_external_id_makes_redelivery_idempotent(
    ctx: AppContext, service: RegisterService, office: dict[str, int]
) -> None:
    first = service.register_incoming(
        draft(office["sender"], channel=Channel.EPUAP, external_id="epuap-msg-77")
    )
    again = service.register_incoming(
        draft(office["sender"], channel=Channel.EPUAP, external_id="epuap-msg-77")
    )
    assert again == first
    assert entry_count(ctx) == 1
    other = service.register_incoming(
        draft(office["sender"], channel=Channel.EPUAP, external_id="epuap-msg-78")
    )
    assert other.number == "RPW/2/2026"


def test_assignment_at_intake_follows_a_stand_in(
    ctx: AppContext, service: RegisterService, office: dict[str, int]
) -> None:
    users = UserService(ctx.db)
    absent = users.create_user("k.lew", "Katarzyna Lewandowska", [Role.CASE_CLERK])
    substitute = users.create_user("p.woj", "Piotr Wójcik", [Role.CASE_CLERK])
    with ctx.db.session(write=True) as session:
        session.add(
            StandIn(
                absent_user_id=absent.id,
                substitute_id=substitute.id,
                date_from=date(2026, 3, 1),
                date_to=date(2026, 3, 20),
            )
        )
    result = service.register_incoming(
        draft(
            office["sender"],
            assigned_unit_id=office["GK"],
            assigned_user_id=absent.id,
            instruction="Proszę o odpowiedź",
        )
    )
    row = service.get_entry(result.entry_id)
    assert (row.assigned_unit, row.assigned_user) == ("GK", "Piotr Wójcik")
    with ctx.db.session() as session:
        assignment = session.scalar(select(Assignment).where(Assignment.entry_id == row.id))
        assert assignment is not None
        assert assignment.to_user_id == substitute.id
        assert assignment.instead_of_user_id == absent.id
        assert assignment.instruction == "Proszę o odpowiedź"
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_id == str(row.id))
        ).all()
    assert actions == ["register", "assign"]


def test_only_registry_clerks_and_admins_register(ctx: AppContext, office: dict[str, int]) -> None:
    case_clerk = UserService(ctx.db).create_user("m.k", "Marek Kowalski", [Role.CASE_CLERK])
    service = RegisterService(ctx.db, ctx.blobs, case_clerk, today=lambda: TODAY)
    with pytest.raises(PermissionDenied):
        service.register_incoming(draft(office["sender"]))
    assert entry_count(ctx) == 0
    with ctx.db.session() as session:
        denied = session.scalar(select(AuditEvent).where(AuditEvent.action == "permission_denied"))
        assert denied is not None and denied.user_login == "m.k"
    admin = UserService(ctx.db).create_user("t.z", "Tomasz Zieliński", [Role.ADMIN])
    assert (
        RegisterService(ctx.db, ctx.blobs, admin, today=lambda: TODAY)
        .register_incoming(draft(office["sender"]))
        .number
        == "RPW/1/2026"
    )


def test_managers_read_all_and_clerks_only_their_units_entries(
    ctx: AppContext, service: RegisterService, office: dict[str, int]
) -> None:
    to_ua = service.register_incoming(draft(office["sender"], assigned_unit_id=office["UA"]))
    to_gk = service.register_incoming(draft(office["sender"], assigned_unit_id=office["GK"]))
    users = UserService(ctx.db)
    manager = users.create_user("ewa", "Ewa Wiśniewska", [Role.MANAGER])
    planner = users.create_user("marek", "Marek Kowalski", [Role.PLANNER, Role.CASE_CLERK])
    with ctx.db.session(write=True) as session:
        from clerk_app.models import User

        row = session.get(User, planner.id)
        assert row is not None
        row.unit_id = office["UA"]
    as_manager = RegisterService(ctx.db, ctx.blobs, manager)
    assert as_manager.get_entry(to_gk.entry_id).assigned_unit == "GK"
    as_planner = RegisterService(ctx.db, ctx.blobs, planner)
    assert as_planner.get_entry(to_ua.entry_id).number == to_ua.number
    with pytest.raises(PermissionDenied):
        as_planner.get_entry(to_gk.entry_id)
    assert [r.number for r in as_planner.list_entries()] == [to_ua.number]
    assert [r.number for r in as_manager.list_entries()] == [to_gk.number, to_ua.number]
