"""Letters from a case: template data from the database, rendering, saving, mail merge.

``LetterService`` fills the template data (see ``letter_data``) from the case:
its sign, title and deadlines, the parties (correspondents of the register
entries of the case), the office and the signed-in clerk. The clerk's fields
(``FieldSpec`` per built-in template) are merged on top. Saving renders the PDF
first, then in ONE transaction registers the outgoing entry with the PDF as its
attachment, links the attachment to the case and records a ``letter`` event on
the case (so the case history shows it): nothing is half-registered.

Saving an art. 36 delay notice also records the notice and the new deadline
on the case in that same transaction.

Template-specific rules live here, not in the templates: the art. 64 § 2 KPA
deadline of at least 7 days (its end date computed by the deadline engine), the
art. 36 KPA new date proposed from the engine, the art. 107 § 4 KPA exception for
the reasons of a decision granting the request in full, and the parcels with
their plan zones for the planning certificate extract.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from clerk_app.documents.letter_model import Letter
from clerk_app.documents.letter_pdf import render_letter_pdf
from clerk_app.documents.mail_merge import (
    DispatchRow,
    PrintForm,
    address_labels_pdf,
    combine_pdfs,
    dispatch_book_pdf,
    envelopes_pdf,
)
from clerk_app.documents.parcel_map import MapExtract
from clerk_app.documents.polish_format import format_date_words, format_place_date
from clerk_app.documents.templating import (
    LetterTemplate,
    TemplateError,
    builtin_template_names,
    load_builtin_template,
)
from clerk_app.errors import ValidationError
from clerk_app.models import (
    Attachment,
    Case,
    Channel,
    Correspondent,
    CorrespondentKind,
    OrgUnit,
    RegisterEntry,
    User,
)
from clerk_app.models import Office as OfficeRow
from clerk_app.models.letter_templates import OfficeTemplate, OfficeTemplateVersion
from clerk_app.services import audit
from clerk_app.services.blob_store import BlobStore
from clerk_app.services.cases import CaseService
from clerk_app.services.correspondents import address_line
from clerk_app.services.database import Database
from clerk_app.services.kpa_deadlines import DeadlineKind, DeadlineTerm, due_date
from clerk_app.services.letter_data import addressee_from, letter_from_data, office_from
from clerk_app.services.register import RegisterService
from clerk_app.services.register_types import AttachmentInput, OutgoingDraft
from clerk_app.services.templates_store import effective_template, office_id
from clerk_app.services.users import CurrentUser

MIN_REMEDY_DAYS = 7  # art. 64 § 2 KPA
DEFAULT_REVIEW_DAYS = 7
GRANTED_IN_FULL_REASONS = (
    "Decyzja uwzględnia w całości żądanie strony, w związku z czym na podstawie "
    "art. 107 § 4 Kodeksu postępowania administracyjnego odstąpiono od jej uzasadnienia."
)
DEFAULT_SUMMONS_CONSEQUENCES = (
    "W razie niestawienia się bez uzasadnionej przyczyny osoba wezwana może zostać ukarana "
    "grzywną (art. 88 § 1 KPA)."
)

ProgressFn = Callable[[int, int], None]
CancelledFn = Callable[[], bool]


@dataclass(frozen=True)
class FieldSpec:
    """A field the clerk fills or edits; ``kind`` is text, multiline, date, int or bool."""

    name: str
    label: str
    kind: str = "text"


@dataclass(frozen=True)
class TemplateInfo:
    name: str
    title: str
    kind: str
    description: str
    fields: tuple[FieldSpec, ...]
    office_copy: bool = False  # the office's edited copy is in use, not the shipped default


@dataclass(frozen=True)
class PartyRow:
    """A party of the case (a correspondent of one of its register entries)."""

    correspondent_id: int
    name: str
    address_line: str
    has_address: bool


@dataclass(frozen=True)
class LetterContext:
    """What a letter from this case starts from; ``data`` is the template data."""

    case_id: int
    sign: str
    title: str
    parties: tuple[PartyRow, ...]
    data: Mapping[str, Any] = field(repr=False)


@dataclass(frozen=True)
class SavedLetter:
    entry_id: int
    number: str  # outgoing register number
    attachment_id: int
    file_name: str
    addressee: str


@dataclass(frozen=True)
class MergeResult:
    letters: tuple[SavedLetter, ...]
    pdfs: tuple[bytes, ...]  # one per addressee, in the order of ``letters``
    combined_pdf: bytes
    print_pdf: bytes  # address labels or envelopes
    dispatch_book_pdf: bytes


_T, _M, _D, _I, _B = "text", "multiline", "date", "int", "bool"
TEMPLATE_FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "letter_generic": (FieldSpec("subject", "Temat"), FieldSpec("body", "Treść", _M)),
    "kpa_initiation_notice": (
        FieldSpec("request_date", "Data wniosku (pusta: z urzędu)", _D),
        FieldSpec("applicant", "Wnioskodawca"),
    ),
    "kpa_evidence_review": (FieldSpec("review_days", "Termin na zapoznanie się (dni)", _I),),
    "kpa_delay_notice": (
        FieldSpec("delay_reason", "Przyczyna zwłoki", _M),
        FieldSpec("new_due_on", "Nowy termin załatwienia sprawy", _D),
        FieldSpec("appeal_authority", "Organ właściwy do rozpatrzenia ponaglenia"),
    ),
    "kpa_summons": (
        FieldSpec("capacity", "W charakterze (np. strony, świadka)"),
        FieldSpec("purpose", "W jakim celu"),
        FieldSpec("appear_mode", "Osobiście / przez pełnomocnika / na piśmie"),
        FieldSpec("appear_on", "Termin", _D),
        FieldSpec("appear_at", "Godzina"),
        FieldSpec("place", "Miejsce"),
        FieldSpec("consequences", "Skutki niezastosowania się", _M),
    ),
    "kpa_remedy_defects": (
        FieldSpec("request_date", "Data wniosku", _D),
        FieldSpec("defects", "Braki do usunięcia", _M),
        FieldSpec("remedy_days", "Termin na usunięcie braków (dni, co najmniej 7)", _I),
    ),
    "kpa_procedural_decision": (
        FieldSpec("legal_basis_text", "Podstawa prawna"),
        FieldSpec("ruling", "Rozstrzygnięcie", _M),
        FieldSpec("reasons", "Uzasadnienie", _M),
        FieldSpec("interlocutory_appeal", "Przysługuje zażalenie", _B),
        FieldSpec("appeal_authority", "Organ odwoławczy"),
    ),
    "kpa_decision": (
        FieldSpec("legal_basis_text", "Podstawa prawna"),
        FieldSpec("ruling", "Rozstrzygnięcie", _M),
        FieldSpec("granted_in_full", "Żądanie strony uwzględnione w całości", _B),
        FieldSpec("reasons", "Uzasadnienie faktyczne i prawne", _M),
        FieldSpec("appeal_authority", "Organ odwoławczy"),
        FieldSpec("fees_instruction", "Pouczenie o opłatach", _M),
        FieldSpec("court_instruction", "Pouczenie o skardze do sądu", _M),
    ),
    "kpa_certificate": (
        FieldSpec("request_date", "Data wniosku", _D),
        FieldSpec("certified_fact", "Treść zaświadczenia", _M),
        FieldSpec("purpose", "Cel wydania"),
    ),
    "planning_extract": (
        FieldSpec("request_date", "Data wniosku", _D),
        FieldSpec("parcel_ids", "Działki (identyfikatory, oddzielone przecinkami)"),
    ),
}
COMMON_FIELDS = (
    FieldSpec("signatory.name", "Podpisujący – imię i nazwisko"),
    FieldSpec("signatory.position", "Podpisujący – stanowisko"),
    FieldSpec("signatory.authority_note", "Z upoważnienia"),
)


def _template(name: str) -> LetterTemplate:
    try:
        return load_builtin_template(name)
    except TemplateError as exc:
        raise ValidationError(f"Szablon: {exc}") from None


def _info(template: LetterTemplate, *, office_copy: bool = False) -> TemplateInfo:
    fields = TEMPLATE_FIELDS.get(template.name, ())
    return TemplateInfo(
        template.name,
        template.title,
        template.kind,
        template.description,
        fields + COMMON_FIELDS,
        office_copy,
    )


def templates_in_use(db: Database) -> list[TemplateInfo]:
    """The templates this office's letters use: the office copy's title where one exists."""
    with db.session() as session:
        office = office_id(session)
        copied = set(
            session.scalars(
                select(OfficeTemplate.name)
                .join(
                    OfficeTemplateVersion,
                    (OfficeTemplateVersion.template_id == OfficeTemplate.id)
                    & (OfficeTemplateVersion.version == OfficeTemplate.version),
                )
                # A NULL source is a revert: the shipped default is in use again.
                .where(
                    OfficeTemplate.office_id == office, OfficeTemplateVersion.source.is_not(None)
                )
            )
        )
    infos = []
    for name in builtin_template_names():
        if name not in copied:
            infos.append(_info(_template(name)))
            continue
        try:
            infos.append(_info(effective_template(db, name), office_copy=True))
        except ValidationError:
            # A copy the program no longer parses still belongs in the list (marked as a
            # copy); a letter from it reports where and why.
            shipped = _info(_template(name), office_copy=True)
            infos.append(replace(shipped, title=name))
    return infos


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    """Set a dotted field ("signatory.name") in nested dictionaries."""
    parts = path.split(".")
    target = data
    for part in parts[:-1]:
        inner = target.get(part)
        inner = dict(inner) if isinstance(inner, Mapping) else {}
        target[part] = inner
        target = inner
    target[parts[-1]] = value


def merge_fields(base: Mapping[str, Any], fields: Mapping[str, Any]) -> dict[str, Any]:
    """The base data with the clerk's fields (dotted names allowed) on top."""
    data = {
        key: dict(value) if isinstance(value, Mapping) else value for key, value in base.items()
    }
    for name, value in fields.items():
        _put(data, name, value)
    return data


def _int_field(data: Mapping[str, Any], name: str, label: str) -> int:
    value = data.get(name)
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(f"{label}: podaj liczbę dni (podano „{value}”).") from None
    return number


def prepare_data(template_name: str, data: Mapping[str, Any], today: date) -> dict[str, Any]:
    """Template-specific checks and computed fields; returns a new dictionary."""
    out = dict(data)
    issued_on = out.get("issued_on") or today
    if isinstance(issued_on, str):
        try:
            issued_on = date.fromisoformat(issued_on.strip())
        except ValueError:
            raise ValidationError(
                f"Data pisma: „{issued_on}” nie jest datą (oczekiwano RRRR-MM-DD)."
            ) from None
    out["issued_on"] = issued_on
    if template_name == "kpa_remedy_defects":
        days = _int_field(out, "remedy_days", "Termin na usunięcie braków")
        if days < MIN_REMEDY_DAYS:
            raise ValidationError(
                f"Termin na usunięcie braków: co najmniej {MIN_REMEDY_DAYS} dni "
                f"(art. 64 § 2 KPA), podano {days}."
            )
        out["remedy_days"] = days
        # Counted from delivery; the earliest possible end if delivered on the day of issue.
        out["remedy_due_on"] = due_date(DeadlineTerm(DeadlineKind.CUSTOM_DAYS, days), issued_on)
    elif template_name == "kpa_evidence_review":
        out["review_days"] = _int_field(out, "review_days", "Termin na zapoznanie się z aktami")
        if out["review_days"] < 1:
            raise ValidationError("Termin na zapoznanie się z aktami: co najmniej 1 dzień.")
    elif template_name == "kpa_decision":
        if out.get("granted_in_full") and _blank(out.get("reasons")):
            out["reasons"] = GRANTED_IN_FULL_REASONS
    elif template_name == "kpa_delay_notice":
        new_due = out.get("new_due_on")
        deadline = out.get("deadline")
        current = deadline.get("due_on") if isinstance(deadline, Mapping) else None
        if isinstance(new_due, str) and new_due.strip():
            try:
                new_due = date.fromisoformat(new_due.strip())
            except ValueError:
                raise ValidationError(
                    f"Nowy termin załatwienia sprawy: „{new_due}” nie jest datą (RRRR-MM-DD)."
                ) from None
            out["new_due_on"] = new_due
        if isinstance(new_due, date) and isinstance(current, date) and new_due <= current:
            raise ValidationError(
                f"Nowy termin załatwienia sprawy: {new_due.isoformat()} musi być późniejszy "
                f"niż obecny termin {current.isoformat()}."
            )
    return out


class LetterService:
    """Letters from cases for one signed-in user; ``today`` is injectable for tests."""

    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        user: CurrentUser,
        *,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.user = user
        self._today = today

    # -- templates --

    @staticmethod
    def templates() -> list[TemplateInfo]:
        """The shipped templates (what an installation without a database uses)."""
        return [_info(_template(name)) for name in builtin_template_names()]

    def templates_in_use(self) -> list[TemplateInfo]:
        return templates_in_use(self.db)

    # -- the data of a case --

    def case_context(self, sign_or_id: str | int) -> LetterContext:
        """The case's template data; the clerk must be allowed to work on the case."""
        with self.db.session() as session:
            case = self._find(session, sign_or_id)
            case_id = case.id
        # Permission (case clerk in scope, or manager) is checked, and a refusal audited, here.
        deadline = CaseService(self.db, self.user, today=self._today).deadline_status(case_id)
        with self.db.session() as session:
            case = self._find(session, case_id)
            office = session.scalars(select(OfficeRow).order_by(OfficeRow.id)).first()
            unit = session.get(OrgUnit, case.unit_id)
            handler = session.get(User, case.handler_id) if case.handler_id else None
            me = session.get(User, self.user.id)
            parties = self._parties(session, case)
        today = self._today()
        new_due = (
            due_date(DeadlineTerm(DeadlineKind.ONE_MONTH), deadline.due_on) if deadline else None
        )
        clerk = handler or me
        data: dict[str, Any] = {
            "issued_on": today,
            "office": _office_data(office),
            "case": {
                "sign": case.sign,
                "title": case.title,
                "opened_on": case.opened_on,
                "due_on": deadline.due_on if deadline else case.due_on,
                "unit": unit.name if unit else "",
                "unit_symbol": unit.symbol if unit else "",
            },
            "deadline": {
                "due_on": deadline.due_on if deadline else None,
                "statutory_due_on": deadline.statutory_due_on if deadline else None,
                "paused_days": deadline.paused_days if deadline else 0,
                "days_left": deadline.days_left if deadline else None,
                "new_due_on": new_due,
            },
            "clerk": {
                "name": clerk.full_name if clerk else "",
                "position": clerk.position if clerk else "",
                "phone": clerk.phone if clerk else "",
                "email": clerk.email if clerk else "",
            },
            "signatory": {
                "name": me.full_name if me else self.user.full_name,
                "position": me.position if me else "",
                "authority_note": "",
            },
            "parties": [
                {"name": p.name, "address": p.address_line, "correspondent_id": p.correspondent_id}
                for p, _ in parties
            ],
            "_addressees": {p.correspondent_id: a for p, a in parties},
            # Field defaults the clerk sees prefilled.
            "review_days": DEFAULT_REVIEW_DAYS,
            "remedy_days": MIN_REMEDY_DAYS,
            "new_due_on": new_due,
            "consequences": DEFAULT_SUMMONS_CONSEQUENCES,
            "appear_mode": "osobiście",
            "capacity": "strony",
            "applicant": parties[0][0].name if parties else "",
        }
        return LetterContext(case_id, case.sign, case.title, tuple(p for p, _ in parties), data)

    def _find(self, session: Session, sign_or_id: str | int) -> Case:
        if isinstance(sign_or_id, int):
            case = session.get(Case, sign_or_id)
        else:
            case = session.scalar(select(Case).where(Case.sign == sign_or_id.strip()))
        if case is None:
            raise ValidationError(f"Znak sprawy: nie ma sprawy „{sign_or_id}”.")
        return case

    @staticmethod
    def _parties(session: Session, case: Case) -> list[tuple[PartyRow, dict[str, Any]]]:
        ids = session.scalars(
            select(RegisterEntry.correspondent_id)
            .where(
                or_(RegisterEntry.case_id == case.id, RegisterEntry.id == case.origin_entry_id),
                RegisterEntry.correspondent_id.is_not(None),
            )
            .order_by(RegisterEntry.registered_at, RegisterEntry.id)
        ).all()
        seen: list[int] = []
        for cid in ids:
            if cid is not None and cid not in seen:
                seen.append(cid)
        rows = []
        for cid in seen:
            c = session.get(Correspondent, cid)
            if c is None:
                continue
            addressee = _addressee_data(c)
            has_address = bool((c.street or c.city) or c.ade)
            rows.append((PartyRow(c.id, c.display_name, address_line(c), has_address), addressee))
        return rows

    # -- rendering --

    def letter_data(
        self, template_name: str, context: LetterContext, fields: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The complete template data: the case's, the clerk's fields, computed fields."""
        return self._prepared(template_name, context, fields)[0]

    def _prepared(
        self, template_name: str, context: LetterContext, fields: Mapping[str, Any]
    ) -> tuple[dict[str, Any], tuple[MapExtract, ...]]:
        """The template data and the map extracts (wyrys) the letter carries, if any."""
        base = {k: v for k, v in context.data.items() if not k.startswith("_")}
        data = merge_fields(base, fields)
        maps: tuple[MapExtract, ...] = ()
        if template_name == "planning_extract":
            planning, maps = self._planning_data(data.get("parcel_ids"))
            data.update(planning)
        return prepare_data(template_name, data, self._today()), maps

    def build_letters(
        self,
        template_name: str,
        context: LetterContext,
        fields: Mapping[str, Any],
        addressee_ids: Sequence[int],
        *,
        recipients_of_all: bool = True,
    ) -> list[Letter]:
        """One checked letter per addressee; each lists all of them under "Otrzymują"."""
        return self._build(template_name, context, fields, addressee_ids, recipients_of_all)[0]

    def _build(
        self,
        template_name: str,
        context: LetterContext,
        fields: Mapping[str, Any],
        addressee_ids: Sequence[int],
        recipients_of_all: bool = True,
    ) -> tuple[list[Letter], dict[str, Any]]:
        """The letters and the template data they were filled from."""
        if not addressee_ids:
            raise ValidationError("Adresat: wybierz co najmniej jednego adresata.")
        template = effective_template(self.db, template_name)  # the office copy, if any
        data, maps = self._prepared(template_name, context, fields)
        targets = context.data.get("_addressees", {})
        chosen = []
        for cid in addressee_ids:
            if cid not in targets:
                raise ValidationError(f"Adresat: korespondent nr {cid} nie jest stroną sprawy.")
            chosen.append(targets[cid])
        if recipients_of_all and len(chosen) > 1:
            data["recipients"] = [
                ", ".join((a.name, *a.lines())) for a in (addressee_from(t) for t in chosen)
            ]
        letters = []
        for target in chosen:
            one = dict(data, addressee=target)
            letter = letter_from_data(template, one, addressees=[target])
            letters.append(replace(letter, map_extracts=maps) if maps else letter)
        return letters, data

    def preview(
        self,
        template_name: str,
        case: str | int,
        fields: Mapping[str, Any],
        addressee_ids: Sequence[int],
    ) -> bytes:
        """The PDF of the first letter, nothing saved."""
        context = self.case_context(case)
        letter = self.build_letters(template_name, context, fields, addressee_ids[:1])[0]
        return render_letter_pdf(letter)

    # -- saving --

    def save(
        self,
        template_name: str,
        case: str | int,
        fields: Mapping[str, Any],
        addressee_id: int,
        *,
        channel: Channel = Channel.PAPER,
    ) -> SavedLetter:
        """Render, then attach to the case and register as outgoing in one transaction."""
        register = RegisterService(self.db, self.blobs, self.user, today=self._today)
        register.authorize_outgoing()
        context = self.case_context(case)
        record_on_case = self._case_record(template_name, context)
        letters, data = self._build(template_name, context, fields, [addressee_id])
        pdf = render_letter_pdf(letters[0])
        with self.db.session(write=True) as session:
            saved = self._store(
                session, register, context, template_name, letters[0], pdf, addressee_id, channel
            )
            record_on_case(session, data)
            return saved

    def _case_record(
        self, template_name: str, context: LetterContext
    ) -> Callable[[Session, Mapping[str, Any]], None]:
        """What saving this kind of letter also records on the case, in the same transaction.

        An art. 36 delay notice sets the case's notice date and new deadline (the
        permission is checked, and a refusal audited, before the transaction opens).
        """
        if template_name != "kpa_delay_notice":
            return lambda session, data: None
        cases = CaseService(self.db, self.user, today=self._today)
        cases.authorize_delay_notice(context.case_id)

        def record(session: Session, data: Mapping[str, Any]) -> None:
            new_due = data.get("new_due_on")
            if not isinstance(new_due, date):
                raise ValidationError("Nowy termin załatwienia sprawy: pole jest wymagane.")
            cases.record_delay_notice_in(
                session,
                context.case_id,
                sent_on=data["issued_on"],
                new_date=new_due,
                reason=str(data.get("delay_reason") or ""),
            )

        return record

    def _store(
        self,
        session: Session,
        register: RegisterService,
        context: LetterContext,
        template_name: str,
        letter: Letter,
        pdf: bytes,
        addressee_id: int,
        channel: Channel,
    ) -> SavedLetter:
        addressee = letter.addressees[0].name
        file_name = f"{template_name}_{context.sign}_{addressee_id}.pdf".replace("/", "-")
        result = register.register_outgoing_in(
            session,
            OutgoingDraft(
                title=f"{letter.subject} – {context.title}"[:500],
                channel=channel,
                correspondent_id=addressee_id,
                case_id=context.case_id,
                # The letter's own words: reading them back from the PDF cost ~70 ms a letter.
                attachments=(
                    AttachmentInput(
                        file_name, pdf, "application/pdf", text=letter_text(letter), on_case=True
                    ),
                ),
                notes=f"Pismo z szablonu {template_name}",
            ),
        )
        attachment = session.scalars(
            select(Attachment).where(Attachment.entry_id == result.entry_id)
        ).one()
        audit.record(
            session,
            self.user,
            "letter",
            "case",
            context.case_id,
            summary=f"Sporządzenie pisma „{letter.subject}” do {addressee} ({result.number})",
            details={
                "document": result.number,
                "template": template_name,
                "file": attachment.file_name,
                "sha256": attachment.sha256,
            },
        )
        return SavedLetter(
            result.entry_id, result.number, attachment.id, attachment.file_name, addressee
        )

    # -- mail merge --

    def mail_merge(
        self,
        template_name: str,
        case: str | int,
        fields: Mapping[str, Any],
        addressee_ids: Sequence[int],
        *,
        form: PrintForm = PrintForm.LABELS,
        channel: Channel = Channel.REGISTERED_ZPO,
        progress: ProgressFn | None = None,
        cancelled: CancelledFn | None = None,
    ) -> MergeResult | None:
        """One letter per addressee, each registered; None when cancelled (nothing saved).

        All letters are rendered first (cancel possible between letters), then
        registered together in one transaction.
        """
        register = RegisterService(self.db, self.blobs, self.user, today=self._today)
        register.authorize_outgoing()
        context = self.case_context(case)
        record_on_case = self._case_record(template_name, context)
        letters, data = self._build(template_name, context, fields, list(addressee_ids))
        total = len(letters) + 1
        pdfs: list[bytes] = []
        for index, letter in enumerate(letters):
            if cancelled is not None and cancelled():
                return None
            pdfs.append(render_letter_pdf(letter))
            if progress is not None:
                progress(index + 1, total)
        if cancelled is not None and cancelled():
            return None
        with self.db.session(write=True) as session, audit.batch(session):
            # One audit flush and head update for the whole merge, not two per letter.
            saved = tuple(
                self._store(session, register, context, template_name, letter, pdf, cid, channel)
                for letter, pdf, cid in zip(letters, pdfs, addressee_ids, strict=True)
            )
            record_on_case(session, data)
        office = letters[0].office
        addressees = [letter.addressees[0] for letter in letters]
        print_pdf = (
            address_labels_pdf(addressees)
            if form is PrintForm.LABELS
            else envelopes_pdf(addressees, office, form)
        )
        rows = [
            DispatchRow(
                addressee=a.name,
                address=", ".join(a.lines()),
                register_number=s.number,
                registered=channel is Channel.REGISTERED_ZPO,
            )
            for a, s in zip(addressees, saved, strict=True)
        ]
        result = MergeResult(
            letters=saved,
            pdfs=tuple(pdfs),
            combined_pdf=combine_pdfs(pdfs, title=context.sign, author=office.name),
            print_pdf=print_pdf,
            dispatch_book_pdf=dispatch_book_pdf(rows, office, self._today()),
        )
        if progress is not None:
            progress(total, total)
        return result

    # -- planning certificate extract --

    def _planning_data(self, parcel_ids: Any) -> tuple[dict[str, Any], tuple[MapExtract, ...]]:
        """The parcels with their zones and shares, and a map extract (wyrys) of each."""
        from clerk_app.services.map_extracts import map_extract_of
        from clerk_app.services.plan_zones import parcel_map

        if isinstance(parcel_ids, str):
            ids = [part.strip() for part in parcel_ids.replace(";", ",").split(",")]
        elif isinstance(parcel_ids, Sequence):
            ids = [str(part).strip() for part in parcel_ids]
        else:
            ids = []
        ids = [i for i in ids if i]
        if not ids:
            raise ValidationError("Działki: podaj co najmniej jeden identyfikator działki.")
        parcels = []
        maps = []
        provisions: dict[str, str] = {}
        for parcel_id in ids:
            try:
                # One read gives the zone shares and everything the map draws.
                found = parcel_map(self.db, parcel_id)
            except ValidationError:
                raise ValidationError(
                    f"Działki: działki {parcel_id} nie ma w lokalnej bazie."
                ) from None
            details, zones = found.details, found.shares
            maps.append(map_extract_of(found))
            for zone in zones.zones:
                if zone.provisions.strip():
                    provisions.setdefault(zone.symbol, zone.provisions.strip())
            parcels.append(
                {
                    "id": details.parcel_id,
                    "number": details.summary.number,
                    # The template writes "obręb" itself.
                    "precinct": details.summary.precinct_label.removeprefix("obręb "),
                    "area_m2": round(zones.parcel_area_m2),
                    "zones": [
                        {
                            "symbol": z.symbol,
                            "designation": z.designation,
                            "plan_name": z.plan_name,
                            "percent": z.percent_label,
                            "share": z.share,
                        }
                        for z in zones.zones
                    ],
                    "uncovered": (
                        f"{zones.uncovered_share * 100:.1f}".replace(".", ",") + " %"
                        if zones.zones and zones.uncovered_share >= 0.001
                        else ""
                    ),
                }
            )
        data = {
            "parcels": parcels,
            "provisions": [{"symbol": s, "text": t} for s, t in provisions.items()],
        }
        return data, tuple(maps)


def letter_text(letter: Letter) -> str:
    """The words a letter's PDF shows (``letter_pdf``), in reading order, for the search."""
    office = letter.office
    parts = [office.name, *office.address.lines(), *office.contact_lines()]
    parts += [format_place_date(office.place, letter.issued_on), f"Znak sprawy: {letter.case_sign}"]
    if letter.reference is not None:
        dated = letter.reference.dated
        parts.append(f"Wasz znak: {letter.reference.sign}")
        if dated is not None:
            parts.append(f"z dnia {format_date_words(dated)}")
    for addressee in letter.addressees:
        parts += [addressee.name, *addressee.lines()]
    parts += [letter.subject, *letter.body]
    if letter.legal_basis.strip():
        parts.append(f"Podstawa prawna: {letter.legal_basis}")
    if any(text.strip() for text in letter.instruction):
        parts += ["Pouczenie", *letter.instruction]
    signature = letter.signature
    parts += [signature.authority_note, signature.name, signature.position]
    if signature.signed_electronically:
        parts.append("/podpisano elektronicznie/")
    for heading, items in (
        ("Otrzymują:", letter.recipient_lines()),
        ("Do wiadomości:", letter.for_information),
    ):
        if items:
            parts += [heading, *(f"{number}. {item}" for number, item in enumerate(items, 1))]
    if letter.handled_by is not None and letter.handled_by.name.strip():
        parts.append(f"Sprawę prowadzi: {letter.handled_by.line()}")
    if letter.map_extracts:
        parts.append(f"Załącznik graficzny do wypisu, znak sprawy: {letter.case_sign}")
    return " ".join(part for part in parts if part.strip())


def _office_data(office: OfficeRow | None) -> dict[str, Any]:
    if office is None:
        return {"name": "", "street": "", "postal_code": "", "city": "", "place": ""}
    street = " ".join(p for p in (office.street, office.building) if p)
    data = {
        "name": office.name,
        "short_name": office.short_name,
        "street": street,
        "postal_code": office.postal_code,
        "city": office.city,
        "place": office.city,
        "phone": office.phone,
        "email": office.email,
        "ade": office.ade,
    }
    data["address"] = ", ".join(office_from(data).address.lines())
    return data


def _addressee_data(c: Correspondent) -> dict[str, Any]:
    number = c.building + (f"/{c.apartment}" if c.apartment else "")
    street = " ".join(p for p in (c.street or (c.city if number else ""), number) if p)
    return {
        "name": c.display_name,
        "kind": "institution" if c.kind == CorrespondentKind.INSTITUTION else "person",
        "street": street,
        "postal_code": c.postal_code,
        "city": c.city,
        "country": c.country,
        "ade": c.ade,
    }
