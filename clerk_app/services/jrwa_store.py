"""Store a parsed JRWA file plan as a versioned tree in the database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerk_app.errors import ValidationError
from clerk_app.models import JrwaClass, JrwaPlan
from clerk_app.resources_path import resource_path
from clerk_app.services.jrwa_import import JrwaPlan as ParsedPlan
from clerk_app.services.jrwa_import import load_jrwa_csv

SHIPPED_PLAN = ("jrwa", "jrwa_gmina_subset.csv")


def store_jrwa_plan(session: Session, plan: ParsedPlan, valid_from_year: int, name: str) -> int:
    """Insert the plan in the caller's transaction; returns the plan id."""
    if session.scalar(select(JrwaPlan.id).where(JrwaPlan.valid_from_year == valid_from_year)):
        raise ValidationError(f"Wykaz akt obowiązujący od roku {valid_from_year} już istnieje.")
    row = JrwaPlan(valid_from_year=valid_from_year, name=name)
    session.add(row)
    session.flush()
    ids: dict[str, int] = {}
    for node in plan.walk():  # parents come before their children
        parent = node.parent_symbol
        item = JrwaClass(
            plan_id=row.id,
            parent_id=ids.get(parent) if parent else None,
            symbol=node.symbol,
            title=node.title,
            category_lead=str(node.category_lead or ""),
            category_other=str(node.category_other or ""),
            is_end_class=node.is_end_class,
        )
        session.add(item)
        session.flush()
        ids[node.symbol] = item.id
    return row.id


def import_jrwa_plan(session: Session, valid_from_year: int, path: Path | None = None) -> int:
    """Import a JRWA CSV file (default: the shipped commune-office subset)."""
    source = path or resource_path(*SHIPPED_PLAN)
    name = "JRWA urzędu gminy (wybór)" if path is None else source.stem
    return store_jrwa_plan(session, load_jrwa_csv(source), valid_from_year, name)
