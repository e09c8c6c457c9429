"""Saved views: a clerk's named filter and sort of the register or the case list."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from clerk_app.errors import ValidationError
from clerk_app.models import SavedView
from clerk_app.services import audit
from clerk_app.services.database import Database
from clerk_app.services.users import CurrentUser

VIEWS = frozenset({"register", "cases"})
MAX_NAME = 100


@dataclass(frozen=True)
class SavedViewInfo:
    id: int
    view: str
    name: str
    definition: dict[str, Any]  # {"filter": {...}, "sort": {"column": ..., "descending": ...}}


def _info(row: SavedView) -> SavedViewInfo:
    try:
        definition = json.loads(row.definition)
    except ValueError:
        definition = {}
    return SavedViewInfo(
        row.id, row.view, row.name, definition if isinstance(definition, dict) else {}
    )


class SavedViewService:
    def __init__(self, db: Database, user: CurrentUser) -> None:
        self.db = db
        self.user = user

    def list(self, view: str) -> list[SavedViewInfo]:
        with self.db.session() as session:
            rows = session.scalars(
                select(SavedView)
                .where(SavedView.user_id == self.user.id, SavedView.view == view)
                .order_by(SavedView.name, SavedView.id)
            )
            return [_info(r) for r in rows]

    def save(self, view: str, name: str, definition: dict[str, Any]) -> SavedViewInfo:
        """Create the named view, or replace the definition of the user's view of that name."""
        name = name.strip()
        if view not in VIEWS:
            raise ValueError(f"unknown view {view!r}")
        if not name:
            raise ValidationError("Nazwa widoku: podaj nazwę.")
        if len(name) > MAX_NAME:
            raise ValidationError(f"Nazwa widoku: najwyżej {MAX_NAME} znaków.")
        payload = json.dumps(definition, ensure_ascii=False, sort_keys=True, default=str)
        with self.db.session(write=True) as session:
            row = session.scalar(
                select(SavedView).where(
                    SavedView.user_id == self.user.id,
                    SavedView.view == view,
                    SavedView.name == name,
                )
            )
            action = "update" if row is not None else "create"
            if row is None:
                row = SavedView(user_id=self.user.id, view=view, name=name, definition=payload)
                session.add(row)
            else:
                row.definition = payload
            session.flush()
            audit.record(
                session,
                self.user,
                action,
                "saved_view",
                row.id,
                summary=f"widok „{name}” ({view})",
                details={"definition": definition},
            )
            return _info(row)

    def delete(self, view_id: int) -> None:
        with self.db.session(write=True) as session:
            row = session.get(SavedView, view_id)
            if row is None or row.user_id != self.user.id:
                raise ValidationError("Widok: nie ma takiego zapisanego widoku.")
            name = row.name
            session.delete(row)
            audit.record(
                session, self.user, "delete", "saved_view", view_id, summary=f"widok „{name}”"
            )
