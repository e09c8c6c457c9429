"""Office copies of letter templates: saved, versioned, used for letters, reverted, guarded."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from clerk_app.errors import PermissionDenied, ValidationError
from clerk_app.models import (
    AuditEvent,
    Channel,
    Correspondent,
    CorrespondentKind,
    Direction,
    Office,
    OrgUnit,
    RegisterEntry,
    Role,
    User,
    UserRole,
)
from clerk_app.models.letter_templates import OfficeTemplateVersion
from clerk_app.services.app_context import AppContext
from clerk_app.services.cases import CaseService
from clerk_app.services.jrwa_store import import_jrwa_plan
from clerk_app.services.kpa_deadlines import DeadlineKind
from clerk_app.services.letters import LetterService
from clerk_app.services.templates import TemplateService, shipped_source
from clerk_app.services.templates_sample import TemplateSourceError
from clerk_app.services.templates_store import effective_template
from clerk_app.services.users import CurrentUser

TODAY = date(2026, 3, 10)
NAME = "letter_generic"


@dataclass
class Office_:
    admin: CurrentUser
    manager: CurrentUser
    clerk: CurrentUser
    case_sign: str
    party_id: int


def _user(session, login: str, name: str, role: Role, unit_id: int) -> CurrentUser:  # type: ignore[no-untyped-def]
    user = User(login=login, full_name=name, position="inspektor", unit_id=unit_id)
    user.roles = [UserRole(role=role)]
    session.add(user)
    session.flush()
    return CurrentUser(user.id, login, name, frozenset({role}))


def seed(ctx: AppContext) -> Office_:
    with ctx.db.session(write=True) as session:
        office = Office(name="Urząd Gminy Łęknica", street="ul. Żurawia", building="1",
                        postal_code="68-208", city="Łęknica")  # fmt: skip
        session.add(office)
        session.flush()
        unit = OrgUnit(office_id=office.id, symbol="UA", name="Urbanistyka")
        session.add(unit)
        session.flush()
        admin = _user(session, "a.źrebiec", "Adam Źrebiec", Role.ADMIN, unit.id)
        manager = _user(session, "m.łoś", "Maria Łoś", Role.MANAGER, unit.id)
        clerk = _user(session, "k.ćwik", "Kinga Ćwik", Role.CASE_CLERK, unit.id)
        import_jrwa_plan(session, 2026)
        person = Correspondent(kind=CorrespondentKind.PERSON, first_name="Jan", last_name="Żółw",
                               display_name="Jan Żółw", search_key="zolw", street="ul. Polna",
                               building="1", postal_code="68-208", city="Łęknica")  # fmt: skip
        session.add(person)
        session.flush()
        entry = RegisterEntry(direction=Direction.INCOMING, register_symbol="RPW", year=2026,
                              seq_no=1, number="RPW/1/2026", received_on=date(2026, 3, 2),
                              title="Wniosek", correspondent_id=person.id,
                              channel=Channel.PAPER)  # fmt: skip
        session.add(entry)
        session.flush()
        unit_id, entry_id, party_id = unit.id, entry.id, person.id
    case = CaseService(ctx.db, clerk, today=lambda: TODAY).open_case(
        unit_id, "6727", "Warunki zabudowy", date(2026, 3, 2), DeadlineKind.ONE_MONTH,
        origin_entry_id=entry_id,
    )  # fmt: skip
    return Office_(admin, manager, clerk, case.sign, party_id)


def service(ctx: AppContext, user: CurrentUser) -> TemplateService:
    return TemplateService(ctx.db, user, today=lambda: TODAY)


def edited(marker: str) -> str:
    return shipped_source(NAME).replace("=== body\n", f"=== body\n{marker}\n\n", 1)


def letter_text(ctx: AppContext, office: Office_) -> str:
    letters = LetterService(ctx.db, ctx.blobs, office.clerk, today=lambda: TODAY)
    fields = {"subject": "Informacja", "body": "Treść pisma."}
    pdf = letters.preview(NAME, office.case_sign, fields, [office.party_id])
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_office_copy_is_used_for_letters_until_reverted(ctx: AppContext) -> None:
    office = seed(ctx)
    admin = service(ctx, office.admin)
    assert "Godło urzędu Łęknica" not in letter_text(ctx, office)

    state = admin.save(NAME, edited("Godło urzędu Łęknica"), base_version=0, note="nagłówek")
    assert (state.office_copy, state.version) == (True, 1)
    assert "Godło urzędu Łęknica" in letter_text(ctx, office)

    reverted = admin.revert_to_default(NAME, base_version=1)
    assert (reverted.office_copy, reverted.version) == (False, 2)
    assert reverted.source == shipped_source(NAME)
    assert effective_template(ctx.db, NAME).source == shipped_source(NAME)
    assert "Godło urzędu Łęknica" not in letter_text(ctx, office)


def test_versions_keep_author_time_and_sources(ctx: AppContext) -> None:
    office = seed(ctx)
    service(ctx, office.admin).save(NAME, edited("Pierwsza zmiana"), base_version=0)
    service(ctx, office.manager).save(NAME, edited("Druga zmiana"), base_version=1, note="popr.")
    service(ctx, office.admin).revert_to_default(NAME, base_version=2)

    history = service(ctx, office.clerk).history(NAME)
    assert [(v.version, v.author, v.is_default) for v in history] == [
        (3, "Adam Źrebiec", True),
        (2, "Maria Łoś", False),
        (1, "Adam Źrebiec", False),
    ]
    assert history[1].note == "popr."
    assert all(v.created_at.tzinfo is not None for v in history)
    reader = service(ctx, office.clerk)
    assert "Pierwsza zmiana" in reader.version_source(NAME, 1)
    assert reader.version_source(NAME, 3) == shipped_source(NAME)
    # Restoring an old version is saving its source again, as a new version.
    restored = service(ctx, office.admin).save(NAME, reader.version_source(NAME, 1), base_version=3)
    assert restored.version == 4 and "Pierwsza zmiana" in restored.source


def test_save_and_revert_are_audited(ctx: AppContext) -> None:
    office = seed(ctx)
    service(ctx, office.admin).save(NAME, edited("Zmiana"), base_version=0)
    service(ctx, office.admin).revert_to_default(NAME, base_version=1)
    with ctx.db.session() as session:
        events = session.execute(
            select(AuditEvent.action, AuditEvent.object_id, AuditEvent.user_login)
            .where(AuditEvent.object_type == "letter_template")
            .order_by(AuditEvent.id)
        ).all()
    assert [tuple(e) for e in events] == [
        ("template_saved", NAME, "a.źrebiec"),
        ("template_reverted", NAME, "a.źrebiec"),
    ]


def test_case_clerk_may_not_change_templates_and_the_refusal_is_audited(ctx: AppContext) -> None:
    office = seed(ctx)
    clerk = service(ctx, office.clerk)
    assert not clerk.may_edit
    with pytest.raises(PermissionDenied, match="administrator, kierownik"):
        clerk.save(NAME, edited("Nie wolno"), base_version=0)
    with pytest.raises(PermissionDenied):
        clerk.revert_to_default(NAME, base_version=0)
    with ctx.db.session() as session:
        assert session.scalar(select(func.count()).select_from(OfficeTemplateVersion)) == 0
        denied = session.scalar(
            select(func.count()).where(
                AuditEvent.action == "permission_denied",
                AuditEvent.object_type == "letter_template",
            )
        )
    assert denied == 2
    assert clerk.current(NAME).office_copy is False


@pytest.mark.parametrize(
    ("change", "marker", "reason"),
    [
        # A syntax error inside the body: the message names the file line.
        (lambda s: s.replace("{{ body }}", "{{ body + }}"), "{{ body + }}", "błąd składni"),
        # A misspelt placeholder in a branch the sample data does not take is still found.
        (
            lambda s: s.replace("=== body\n", "=== body\n{% if 0 %}{{ bodyy }}{% endif %}\n", 1),
            "bodyy",
            "nieznane pole „bodyy”",
        ),
        (lambda s: s.replace("{{ body }}", "{{ office.nme }}"), "nme", "nieznane pole „nme”"),
        (lambda s: s.replace("name: letter_generic", "name: inny"), "name: inny", "pozostać"),
        # The sandbox: no reaching Python internals from a template.
        (lambda s: s.replace("{{ body }}", "{{ ''.__class__.__mro__ }}"), "__class__", "zabron"),
    ],
)
def test_a_template_that_does_not_render_is_refused_naming_the_line(
    ctx: AppContext,
    change,
    marker,
    reason,  # type: ignore[no-untyped-def]
) -> None:
    office = seed(ctx)
    source = change(shipped_source(NAME))
    lines = source.splitlines()
    expected_line = next(n for n, text in enumerate(lines, start=1) if marker in text)
    with pytest.raises(TemplateSourceError, match=reason) as raised:
        service(ctx, office.admin).save(NAME, source, base_version=0)
    assert raised.value.line == expected_line
    assert f"wiersz {expected_line}" in str(raised.value)
    with ctx.db.session() as session:
        assert session.scalar(select(func.count()).select_from(OfficeTemplateVersion)) == 0


def test_a_letter_without_a_mandatory_part_is_refused(ctx: AppContext) -> None:
    office = seed(ctx)
    decision = shipped_source("kpa_decision")
    without_subject = decision.replace("=== subject\nDECYZJA", "=== subject\n{{ '' }}", 1)
    with pytest.raises(ValidationError, match="niekompletne: brak tematu"):
        service(ctx, office.admin).save("kpa_decision", without_subject, base_version=0)
    assert service(ctx, office.admin).current("kpa_decision").office_copy is False


def test_a_stale_editor_cannot_overwrite_a_newer_version(ctx: AppContext) -> None:
    office = seed(ctx)
    service(ctx, office.admin).save(NAME, edited("Zmiana kierownika"), base_version=0)
    with pytest.raises(ValidationError, match="w międzyczasie zapisano wersję 1"):
        service(ctx, office.manager).save(NAME, edited("Spóźniona zmiana"), base_version=0)
    assert "Zmiana kierownika" in service(ctx, office.clerk).current(NAME).source


def test_unchanged_source_and_unknown_template_are_refused(ctx: AppContext) -> None:
    office = seed(ctx)
    admin = service(ctx, office.admin)
    with pytest.raises(ValidationError, match="taka sama jak szablon wbudowany"):
        admin.save(NAME, shipped_source(NAME), base_version=0)
    with pytest.raises(ValidationError, match=re.escape("nie ma wbudowanego szablonu „../etc”")):
        admin.save("../etc", "x", base_version=0)
    with pytest.raises(ValidationError, match="już używa szablonu wbudowanego"):
        admin.revert_to_default(NAME, base_version=0)


def test_every_shipped_template_renders_in_the_editor_preview(ctx: AppContext) -> None:
    office = seed(ctx)
    editor = service(ctx, office.admin)
    for state in editor.templates():
        pdf = editor.preview(state.name, state.source)
        assert pdf.startswith(b"%PDF")
        # The preview carries the office's own letterhead.
        text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
        assert "Urząd Gminy Łęknica" in text, state.name


def test_placeholders_list_the_data_a_template_may_use(ctx: AppContext) -> None:
    office = seed(ctx)
    paths = {p.path: p.example for p in service(ctx, office.admin).placeholders("kpa_summons")}
    assert paths["office.name"] == "Urząd Gminy Łęknica"
    assert "case.sign" in paths and "appear_on" in paths and "parties[0].name" in paths
    assert paths["signatory.name"] == "Adam Źrebiec"
