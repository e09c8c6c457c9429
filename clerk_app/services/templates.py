"""Office copies of letter templates: edit, keep versions, revert to the shipped default.

The templates shipped in ``resources/templates`` are the defaults. An administrator
or a manager may save an office copy of one; from then on
``templates_store.effective_template`` (which ``LetterService`` uses) returns the
copy. Every save and every revert is a new version with its author and time,
written in one transaction together with its audit event; a refusal (role) is
audited by ``permissions``. A source is saved only when it parses, keeps its name,
uses only known placeholders and renders a complete letter with the sample data
(``templates_sample.check_source``).
Concurrent editors: the caller passes the version it started from and a save on
top of a newer version is refused instead of silently overwriting it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerk_app.documents.templating import (
    TemplateError,
    builtin_template_names,
    parse_template,
)
from clerk_app.errors import ValidationError
from clerk_app.models import Office, Role, User
from clerk_app.models.letter_templates import OfficeTemplate, OfficeTemplateVersion
from clerk_app.resources_path import resource_path
from clerk_app.services import audit, permissions
from clerk_app.services.database import Database
from clerk_app.services.letters import _office_data  # the letterhead fields letters use
from clerk_app.services.templates_sample import (
    Placeholder,
    check_source,
    placeholders,
    render_sample_pdf,
    sample_data,
)
from clerk_app.services.templates_store import current_version, office_id
from clerk_app.services.upsert import insert_ignore
from clerk_app.services.users import CurrentUser

EDITORS = frozenset({Role.ADMIN, Role.MANAGER})
MAX_NOTE_CHARS = 500


@dataclass(frozen=True)
class TemplateState:
    """What letters of the office use now for template ``name``."""

    name: str
    title: str
    source: str
    version: int  # of the office copy; 0 = never copied
    office_copy: bool  # False: the shipped default is in use
    changed_at: datetime | None = None
    changed_by: str = ""


@dataclass(frozen=True)
class TemplateVersionInfo:
    version: int
    created_at: datetime
    author: str
    note: str
    is_default: bool  # this version went back to the shipped default
    sha256: str


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def shipped_source(name: str) -> str:
    """The text of the shipped default (raises ``ValidationError`` for an unknown name)."""
    _check_name(name)
    return resource_path("templates", f"{name}.txt").read_text(encoding="utf-8-sig")


def _check_name(name: str) -> None:
    if name not in builtin_template_names():
        raise ValidationError(f"Szablon: nie ma wbudowanego szablonu „{name}”.")


class TemplateService:
    """Template copies of the office for one signed-in user; ``today`` dates the samples."""

    def __init__(
        self, db: Database, user: CurrentUser, *, today: Callable[[], date] = date.today
    ) -> None:
        self.db = db
        self.user = user
        self._today = today

    @property
    def may_edit(self) -> bool:
        return bool(self.user.roles & EDITORS)

    # -- reading --

    def templates(self) -> list[TemplateState]:
        return [self.current(name) for name in builtin_template_names()]

    def current(self, name: str) -> TemplateState:
        default = shipped_source(name)
        with self.db.session() as session:
            current = current_version(session, name)
            if current is None:
                return TemplateState(name, _title(default, name), default, 0, False)
            row, version = current
            author = _author(session, version.created_by_id)
            source = version.source
            return TemplateState(
                name,
                _title(source or default, name),
                source if source is not None else default,
                row.version,
                source is not None,
                version.created_at,
                author,
            )

    def history(self, name: str) -> list[TemplateVersionInfo]:
        """All versions of the office copy, newest first."""
        _check_name(name)
        with self.db.session() as session:
            office = office_id(session)
            rows = session.execute(
                select(OfficeTemplateVersion, User.full_name)
                .join(OfficeTemplate, OfficeTemplate.id == OfficeTemplateVersion.template_id)
                .outerjoin(User, User.id == OfficeTemplateVersion.created_by_id)
                .where(OfficeTemplate.office_id == office, OfficeTemplate.name == name)
                .order_by(OfficeTemplateVersion.version.desc())
            ).all()
            return [
                TemplateVersionInfo(
                    v.version, v.created_at, author or "", v.note, v.source is None, v.sha256
                )
                for v, author in rows
            ]

    def version_source(self, name: str, version: int) -> str:
        """The source of one version (the shipped default for a revert)."""
        _check_name(name)
        with self.db.session() as session:
            source = session.scalar(
                select(OfficeTemplateVersion.source)
                .join(OfficeTemplate, OfficeTemplate.id == OfficeTemplateVersion.template_id)
                .where(
                    OfficeTemplate.office_id == office_id(session),
                    OfficeTemplate.name == name,
                    OfficeTemplateVersion.version == version,
                )
            )
        return source if source is not None else shipped_source(name)

    # -- the editor's preview --

    def sample(self, name: str) -> dict[str, Any]:
        """Sample letter data with this office's letterhead and the user as signatory."""
        _check_name(name)
        with self.db.session() as session:
            office = session.scalars(select(Office).order_by(Office.id)).first()
            office_data = _office_data(office) if office is not None else None
            me = session.get(User, self.user.id)
            signatory = (
                {"name": me.full_name, "position": me.position or "inspektor"}
                if me is not None
                else None
            )
        return sample_data(name, self._today(), office=office_data, signatory=signatory)

    def placeholders(self, name: str) -> list[Placeholder]:
        return placeholders(self.sample(name))

    def preview(self, name: str, source: str) -> bytes:
        """The sample letter of ``source`` as PDF; ``TemplateSourceError`` names the line."""
        data = self.sample(name)
        return render_sample_pdf(check_source(name, source, data), data)

    # -- writing --

    def save(self, name: str, source: str, *, base_version: int, note: str = "") -> TemplateState:
        """Save ``source`` as the office copy's next version (checked, audited, one transaction)."""
        self._authorize("Zmiana szablonu pisma", name)
        _check_name(name)
        note = note.strip()
        if len(note) > MAX_NOTE_CHARS:
            raise ValidationError(f"Opis zmiany: najwyżej {MAX_NOTE_CHARS} znaków.")
        source = source.replace("\r\n", "\n")
        self.preview(name, source)  # refuses a source that does not render a letter
        digest = _sha256(source)
        with self.db.session(write=True) as session:
            row = self._locked_row(session, name, base_version)
            current = current_version(session, name)
            in_use = current[1].source if current is not None else None
            if in_use == source:
                raise ValidationError("Szablon: nie ma zmian do zapisania.")
            if in_use is None and source == shipped_source(name):
                raise ValidationError("Szablon: treść jest taka sama jak szablon wbudowany.")
            self._add_version(session, row, source, digest, note)
            audit.record(
                session,
                self.user,
                "template_saved",
                "letter_template",
                name,
                summary=f"Zapisanie kopii szablonu „{name}” (wersja {row.version})",
                details={"version": row.version, "sha256": digest, "note": note},
            )
        return self.current(name)

    def revert_to_default(self, name: str, *, base_version: int) -> TemplateState:
        """From now on use the shipped default; the copy's versions stay in the history."""
        self._authorize("Przywrócenie szablonu wbudowanego", name)
        _check_name(name)
        with self.db.session(write=True) as session:
            row = self._locked_row(session, name, base_version)
            current = current_version(session, name)
            if current is None or current[1].source is None:
                raise ValidationError("Szablon: urząd już używa szablonu wbudowanego.")
            self._add_version(session, row, None, _sha256(shipped_source(name)), "")
            audit.record(
                session,
                self.user,
                "template_reverted",
                "letter_template",
                name,
                summary=f"Przywrócenie wbudowanego szablonu „{name}” (wersja {row.version})",
                details={"version": row.version},
            )
        return self.current(name)

    def _authorize(self, action: str, name: str) -> None:
        permissions.require(self.db, self.user, EDITORS, action, "letter_template", name)

    def _locked_row(self, session: Session, name: str, base_version: int) -> OfficeTemplate:
        office = office_id(session)
        if office is None:
            raise ValidationError("Urząd: najpierw wprowadź dane urzędu.")
        # Two admins copying the same template at once: one insert wins, both lock that row.
        values = {"office_id": office, "name": name, "version": 0}
        session.execute(insert_ignore(session, OfficeTemplate, values))
        row = session.scalars(
            select(OfficeTemplate)
            .where(OfficeTemplate.office_id == office, OfficeTemplate.name == name)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
        if row.version != base_version:
            raise ValidationError(
                f"Szablon: w międzyczasie zapisano wersję {row.version} tego szablonu"
                f" (edytowano wersję {base_version}). Otwórz szablon ponownie."
            )
        return row

    def _add_version(
        self, session: Session, row: OfficeTemplate, source: str | None, digest: str, note: str
    ) -> None:
        row.version += 1
        session.add(
            OfficeTemplateVersion(
                template_id=row.id,
                version=row.version,
                source=source,
                sha256=digest,
                note=note,
                created_by_id=self.user.id,
            )
        )
        session.flush()


def _title(source: str, name: str) -> str:
    try:
        return parse_template(source, name).title
    except TemplateError:
        return name


def _author(session: Session, user_id: int | None) -> str:
    if user_id is None:
        return ""
    user = session.get(User, user_id)
    return user.full_name if user is not None else ""
