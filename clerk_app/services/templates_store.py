"""Which template a letter uses: the office copy when there is one, else the shipped default.

Kept apart from ``templates`` (editing) so ``LetterService`` can import it without a cycle.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerk_app.documents.templating import (
    LetterTemplate,
    TemplateError,
    load_builtin_template,
    parse_template,
)
from clerk_app.errors import ValidationError
from clerk_app.models import Office
from clerk_app.models.letter_templates import OfficeTemplate, OfficeTemplateVersion
from clerk_app.services.database import Database


def office_id(session: Session) -> int | None:
    """The office of this database (letters take their letterhead from the first one too)."""
    return session.scalars(select(Office.id).order_by(Office.id)).first()


def current_version(
    session: Session, name: str
) -> tuple[OfficeTemplate, OfficeTemplateVersion] | None:
    """The office copy's row and its current version; None when the office never copied it."""
    office = office_id(session)
    if office is None:
        return None
    row = session.scalar(
        select(OfficeTemplate).where(
            OfficeTemplate.office_id == office, OfficeTemplate.name == name
        )
    )
    if row is None or row.version == 0:
        return None
    version = session.scalar(
        select(OfficeTemplateVersion).where(
            OfficeTemplateVersion.template_id == row.id,
            OfficeTemplateVersion.version == row.version,
        )
    )
    return None if version is None else (row, version)


def effective_template(db: Database, name: str) -> LetterTemplate:
    """The office copy of ``name`` when there is one, else the shipped default."""
    with db.session() as session:
        current = current_version(session, name)
        source = current[1].source if current else None
        version = current[1].version if current else 0
    try:
        if source is None:
            return load_builtin_template(name)
        return parse_template(source, f"{name} (kopia urzędu, wersja {version})")
    except TemplateError as exc:
        raise ValidationError(f"Szablon: {exc}") from None
