"""Letters from a case: KPA templates, saving (attachment + outgoing entry + history), errors."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from clerk_app.documents.templating import builtin_template_names, load_builtin_template
from clerk_app.errors import PermissionDenied, ValidationError
from clerk_app.models import (
    Attachment,
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
from clerk_app.services import audit
from clerk_app.services.app_context import AppContext
from clerk_app.services.cases import CaseService
from clerk_app.services.jrwa_store import import_jrwa_plan
from clerk_app.services.kpa_deadlines import DeadlineKind
from clerk_app.services.letters import LetterService, prepare_data
from clerk_app.services.users import CurrentUser

TODAY = date(2026, 3, 10)
KPA_TEMPLATES = {
    "kpa_initiation_notice",
    "kpa_evidence_review",
    "kpa_delay_notice",
    "kpa_summons",
    "kpa_remedy_defects",
    "kpa_procedural_decision",
    "kpa_decision",
    "kpa_certificate",
    "planning_extract",
}


@dataclass
class Setup:
    clerk: CurrentUser
    registry: CurrentUser
    case_id: int
    sign: str
    parties: dict[str, int]


def _person(first: str, last: str, **address: str) -> Correspondent:
    return Correspondent(
        kind=CorrespondentKind.PERSON,
        first_name=first,
        last_name=last,
        display_name=f"{first} {last}",
        search_key=f"{last} {first}".lower(),
        **address,
    )


@pytest.fixture
def setup(ctx: AppContext) -> Setup:
    with ctx.db.session(write=True) as session:
        office = Office(
            name="Urząd Gminy Żółkiewka",
            street="ul. Źródlana",
            building="5",
            postal_code="22-335",
            city="Żółkiewka",
            phone="84 123 45 67",
        )
        session.add(office)
        session.flush()
        unit = OrgUnit(office_id=office.id, symbol="UA", name="Referat Urbanistyki")
        session.add(unit)
        session.flush()
        users = {}
        for login, name, position, roles in [
            ("m.ślązak", "Małgorzata Ślązak", "inspektor", {Role.CASE_CLERK}),
            ("a.nowak", "Anna Nowak", "kancelaria", {Role.REGISTRY_CLERK}),
        ]:
            user = User(login=login, full_name=name, position=position, unit_id=unit.id)
            user.roles = [UserRole(role=r) for r in roles]
            session.add(user)
            session.flush()
            users[login] = CurrentUser(user.id, login, name, frozenset(roles))
        import_jrwa_plan(session, 2026)
        parties = {}
        for key, person in {
            "jan": _person("Jan", "Kałuża", street="ul. Polna", building="3", postal_code="22-335",
                           city="Żółkiewka"),
            "ewa": _person("Ewa", "Gęś", street="ul. Leśna", building="7", apartment="2",
                           postal_code="22-300", city="Krasnystaw"),
            "nobody": _person("Zenon", "Bezadresu"),
        }.items():  # fmt: skip
            session.add(person)
            session.flush()
            parties[key] = person.id
        entry_ids = []
        for seq, key in enumerate(("jan", "ewa", "nobody"), start=1):
            entry = RegisterEntry(
                direction=Direction.INCOMING,
                register_symbol="RPW",
                year=2026,
                seq_no=seq,
                number=f"RPW/{seq}/2026",
                received_on=date(2026, 3, 2),
                title="Wniosek o wypis i wyrys",
                correspondent_id=parties[key],
                channel=Channel.PAPER,
            )
            session.add(entry)
            session.flush()
            audit.record(session, None, "register", "register_entry", entry.id, summary="Rejestr")
            entry_ids.append(entry.id)
    clerk = users["m.ślązak"]
    cases = CaseService(ctx.db, clerk, today=lambda: TODAY)
    row = cases.open_case(
        unit.id, "6727", "Wypis i wyrys – działka 12/3", date(2026, 3, 2),
        DeadlineKind.ONE_MONTH, origin_entry_id=entry_ids[0],
    )  # fmt: skip
    for entry_id in entry_ids[1:]:
        cases.link_entry(row.id, entry_id)
    return Setup(clerk, users["a.nowak"], row.id, row.sign, parties)


def service(ctx: AppContext, user: CurrentUser) -> LetterService:
    return LetterService(ctx.db, ctx.blobs, user, today=lambda: TODAY)


def pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages
    )


def test_every_kpa_template_is_shipped_and_parses() -> None:
    assert set(builtin_template_names()) >= KPA_TEMPLATES
    for name in KPA_TEMPLATES:
        assert load_builtin_template(name).title


def test_context_prefills_case_parties_office_clerk_and_deadlines(
    ctx: AppContext, setup: Setup
) -> None:
    context = service(ctx, setup.clerk).case_context(setup.sign)
    assert [p.name for p in context.parties] == ["Jan Kałuża", "Ewa Gęś", "Zenon Bezadresu"]
    assert [p.has_address for p in context.parties] == [True, True, False]
    data = context.data
    assert data["case"]["sign"] == setup.sign
    assert data["office"]["address"] == "ul. Źródlana 5, 22-335 Żółkiewka"
    assert data["clerk"]["name"] == "Małgorzata Ślązak"
    assert data["deadline"]["due_on"] == date(2026, 4, 2)
    assert data["deadline"]["new_due_on"] == date(2026, 5, 4)  # a month on, off the weekend


def test_initiation_notice_pdf_has_polish_text(ctx: AppContext, setup: Setup) -> None:
    pdf = service(ctx, setup.clerk).preview(
        "kpa_initiation_notice", setup.sign, {"request_date": "2026-03-02"}, [setup.parties["jan"]]
    )
    text = pdf_text(pdf)
    assert "Zawiadomienie o wszczęciu postępowania administracyjnego" in text
    assert (
        "Urząd Gminy Żółkiewka zawiadamia, że na wniosek Jan Kałuża z dnia 2 marca 2026 r." in text
    )
    assert "Wypis i wyrys – działka 12/3" in text
    assert "Sprawę prowadzi: Małgorzata Ślązak" in text


def test_save_attaches_registers_and_records_history_in_one_go(
    ctx: AppContext, setup: Setup
) -> None:
    letters = service(ctx, setup.clerk)
    saved = letters.save(
        "kpa_remedy_defects",
        setup.sign,
        {"defects": "dołączenie mapy z zaznaczoną działką", "remedy_days": 10},
        setup.parties["ewa"],
    )
    assert saved.number.startswith("WYCH/")
    with ctx.db.session() as session:
        entry = session.get(RegisterEntry, saved.entry_id)
        assert entry is not None
        assert entry.direction is Direction.OUTGOING
        assert entry.case_id == setup.case_id
        assert entry.correspondent_id == setup.parties["ewa"]
        attachment = session.get(Attachment, saved.attachment_id)
        assert attachment is not None
        assert attachment.case_id == setup.case_id and attachment.entry_id == entry.id
        data = ctx.blobs.get(session, attachment.sha256)
    assert "w terminie 10 dni od dnia doręczenia niniejszego wezwania" in pdf_text(data)
    assert "pozostawienie wniosku bez rozpoznania" in pdf_text(data)
    history = CaseService(ctx.db, setup.clerk, today=lambda: TODAY).case_history(setup.case_id)
    whats = [row.what_done for row in history.rows]
    assert any("Sporządzenie pisma" in what and saved.number in what for what in whats)
    assert saved.number in [row.document_id for row in history.rows]


def test_remedy_deadline_shorter_than_seven_days_is_refused_and_computed() -> None:
    with pytest.raises(ValidationError, match="co najmniej 7 dni"):
        prepare_data("kpa_remedy_defects", {"remedy_days": 5}, TODAY)
    data = prepare_data("kpa_remedy_defects", {"remedy_days": "7"}, TODAY)
    assert data["remedy_days"] == 7
    assert data["remedy_due_on"] == date(2026, 3, 17)


def test_decision_refuses_to_render_while_a_mandatory_part_is_empty(
    ctx: AppContext, setup: Setup
) -> None:
    letters = service(ctx, setup.clerk)
    fields = {
        "legal_basis_text": "art. 104 KPA",
        "ruling": "ustalić warunki zabudowy",
        "reasons": "",
        "appeal_authority": "Samorządowego Kolegium Odwoławczego w Zamościu",
    }
    with pytest.raises(ValidationError, match="reasons"):
        letters.preview("kpa_decision", setup.sign, fields, [setup.parties["jan"]])
    with pytest.raises(ValidationError, match="appeal_authority"):
        letters.preview(
            "kpa_decision", setup.sign, {**fields, "appeal_authority": " ", "reasons": "X"},
            [setup.parties["jan"]],
        )  # fmt: skip
    pdf = letters.preview(
        "kpa_decision", setup.sign, {**fields, "granted_in_full": True}, [setup.parties["jan"]]
    )
    text = pdf_text(pdf)
    assert "DECYZJA" in text and "art. 107 § 4" in text
    assert "Samorządowego Kolegium Odwoławczego w Zamościu" in text
    assert "1. Jan Kałuża" in text and "2. Ewa Gęś" in text


def test_addressee_without_address_is_refused_and_nothing_registered(
    ctx: AppContext, setup: Setup
) -> None:
    with pytest.raises(ValidationError, match=r"Zenon Bezadresu.*nie ma adresu"):
        service(ctx, setup.clerk).save(
            "kpa_initiation_notice", setup.sign, {}, setup.parties["nobody"]
        )
    with ctx.db.session() as session:
        outgoing = session.scalar(
            select(func.count()).where(RegisterEntry.direction == Direction.OUTGOING)
        )
        assert outgoing == 0
        assert session.scalar(select(func.count(Attachment.id))) == 0


def test_unknown_placeholder_and_missing_office_data_give_polish_errors(
    ctx: AppContext, setup: Setup
) -> None:
    letters = service(ctx, setup.clerk)
    with pytest.raises(ValidationError, match="body"):
        letters.preview("letter_generic", setup.sign, {"subject": "Test"}, [setup.parties["jan"]])
    with ctx.db.session(write=True) as session:
        office = session.scalars(select(Office)).one()
        office.street = ""
        office.city = ""
    with pytest.raises(ValidationError, match="brak adresu urzędu"):
        letters.preview(
            "letter_generic", setup.sign, {"subject": "Test", "body": "Treść"},
            [setup.parties["jan"]],
        )  # fmt: skip


def test_delay_notice_new_date_must_be_later(ctx: AppContext, setup: Setup) -> None:
    letters = service(ctx, setup.clerk)
    jan = [setup.parties["jan"]]
    with pytest.raises(ValidationError, match="musi być późniejszy"):
        letters.preview(
            "kpa_delay_notice", setup.sign,
            {"delay_reason": "opinia", "new_due_on": "2026-03-20"}, jan,
        )  # fmt: skip
    text = pdf_text(
        letters.preview(
            "kpa_delay_notice", setup.sign, {"delay_reason": "oczekiwanie na opinię"}, jan
        )
    )
    assert "Nowy termin załatwienia sprawy: 4 maja 2026 r." in text


def test_registry_clerk_cannot_write_letters_in_a_case(ctx: AppContext, setup: Setup) -> None:
    with pytest.raises(PermissionDenied):
        service(ctx, setup.registry).case_context(setup.sign)
    with ctx.db.session() as session:
        assert session.scalar(select(func.count()).where(AuditEvent.action == "permission_denied"))


def test_mail_merge_one_letter_each_with_full_recipient_list(ctx: AppContext, setup: Setup) -> None:
    seen: list[tuple[int, int]] = []
    result = service(ctx, setup.clerk).mail_merge(
        "kpa_evidence_review",
        setup.sign,
        {},
        [setup.parties["jan"], setup.parties["ewa"]],
        progress=lambda done, total: seen.append((done, total)),
    )
    assert result is not None
    assert len(result.letters) == 2 and len({s.number for s in result.letters}) == 2
    for pdf in result.pdfs:
        text = pdf_text(pdf)
        assert "Otrzymują:" in text and "Jan Kałuża" in text and "Ewa Gęś" in text
    assert len(PdfReader(io.BytesIO(result.combined_pdf)).pages) >= 2
    labels = pdf_text(result.print_pdf)
    assert "Ewa Gęś" in labels and "ul. Leśna 7/2" in labels
    book = pdf_text(result.dispatch_book_pdf)
    assert "Książka nadawcza" in book and result.letters[1].number in book
    assert seen[-1] == (3, 3)


def test_cancelled_mail_merge_registers_nothing(ctx: AppContext, setup: Setup) -> None:
    result = service(ctx, setup.clerk).mail_merge(
        "kpa_evidence_review",
        setup.sign,
        {},
        [setup.parties["jan"], setup.parties["ewa"]],
        cancelled=lambda: True,
    )
    assert result is None
    with ctx.db.session() as session:
        assert not session.scalar(
            select(func.count()).where(RegisterEntry.direction == Direction.OUTGOING)
        )


def test_mail_merge_indexes_each_letters_own_text_without_reading_the_pdf_back(
    ctx: AppContext, setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clerk_app.services import text_extract
    from clerk_app.services.search import search

    def no_pdf_reading(*args: object) -> str:
        raise AssertionError("the merged letter's PDF was read back for its text")

    monkeypatch.setattr(text_extract, "extract_text", no_pdf_reading)
    events_before = _merge_events(ctx)
    result = service(ctx, setup.clerk).mail_merge(
        "kpa_evidence_review", setup.sign, {}, [setup.parties["jan"], setup.parties["ewa"]]
    )
    assert result is not None
    with ctx.db.session() as session:
        texts = session.scalars(select(Attachment.extracted_text).order_by(Attachment.id)).all()
        assert len(texts) == 2
        for text, pdf in zip(texts, result.pdfs, strict=True):
            # The words the clerk sees in the PDF are what the search knows.
            assert setup.sign in text and "Jan Kałuża" in text and "Ewa Gęś" in text
            assert "\n" not in text
            assert set(pdf_text(pdf).split()) <= set(text.split())
        # The merge's audit events, batched, still form an exact chain.
        assert audit.verify_chain(session).ok
    assert _merge_events(ctx) - events_before == 4  # registered + letter, per letter
    hits = search(ctx.db, setup.clerk, "otrzymuja kaluza ges")
    entry_ids = {s.entry_id for s in result.letters}
    assert entry_ids <= {h.object_id for h in hits if h.kind == "entry"}
    # Filed in the case, the letters' words find the case too.
    assert setup.case_id in {h.object_id for h in hits if h.kind == "case"}


def _merge_events(ctx: AppContext) -> int:
    with ctx.db.session() as session:
        return (
            session.scalar(
                select(func.count()).where(AuditEvent.action.in_(("register", "letter")))
            )
            or 0
        )
