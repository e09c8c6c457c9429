"""Demo data gives a newcomer a living office: units, users, JRWA, register and cases."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from clerk_app.errors import ValidationError
from clerk_app.models import Case, Direction, JrwaClass, OrgUnit, RegisterEntry
from clerk_app.services.app_context import AppContext
from clerk_app.services.demo_data import DEMO_PASSWORD, fill_demo_data
from clerk_app.services.users import UserService


def test_demo_office_is_consistent(ctx: AppContext) -> None:
    summary = fill_demo_data(ctx.db, today=date(2026, 11, 25), incoming=300)
    assert summary.incoming == 300
    assert summary.cases > 50
    with ctx.db.session() as session:
        numbers = session.scalars(
            select(RegisterEntry.seq_no)
            .where(RegisterEntry.direction == Direction.INCOMING, RegisterEntry.year == 2026)
            .order_by(RegisterEntry.seq_no)
        ).all()
        # Gap-free numbering per year, starting at 1.
        assert numbers == list(range(1, len(numbers) + 1))
        signs = session.scalars(select(Case.sign)).all()
        assert len(set(signs)) == len(signs) == summary.cases
        units = set(session.scalars(select(OrgUnit.symbol)))
        for sign in signs:
            unit, _jrwa, number, year = sign.split(".")
            assert unit in units and number.isdigit() and len(year) == 4
        end_classes = set(session.scalars(select(JrwaClass.symbol).where(JrwaClass.is_end_class)))
        assert {s.split(".")[1] for s in signs} <= end_classes
        outgoing = session.scalar(
            select(func.count())
            .select_from(RegisterEntry)
            .where(RegisterEntry.direction == Direction.OUTGOING)
        )
        assert outgoing == summary.outgoing
    # Demo users can sign in when the demo runs on the office server.
    assert UserService(ctx.db).sign_in("a.nowak", DEMO_PASSWORD).full_name == "Anna Nowak"


def test_demo_refuses_a_database_with_register_data(ctx: AppContext) -> None:
    fill_demo_data(ctx.db, incoming=20)
    with pytest.raises(ValidationError, match="pustej bazy"):
        fill_demo_data(ctx.db, incoming=20)


def test_demo_parcels_answer_the_planners_question(ctx: AppContext) -> None:
    """Marek types "0012 3/4" and sees the parcel with its plan zone (USERS.md)."""
    from clerk_app.services.parcel_store import ParcelStore, office_commune
    from clerk_app.services.plan_zones import zones_for_parcel

    summary = fill_demo_data(ctx.db, incoming=10)
    assert summary.parcels == 21 and summary.zones == 4
    store = ParcelStore(ctx.db, office_unit=office_commune(ctx.db))
    found = store.search("0012 3/4")
    assert [c.parcel_id for c in found.candidates] == ["302104_4.0012.3/4"]
    zones = zones_for_parcel(ctx.db, "302104_4.0012.3/4")
    assert [(z.symbol, round(z.share, 2)) for z in zones.zones] == [("2MN", 1.0)]
    straddling = zones_for_parcel(ctx.db, "302104_4.0012.3/7")
    assert sorted((z.symbol, round(z.share, 2)) for z in straddling.zones) == [
        ("2MN", 0.5),
        ("3U", 0.5),
    ]
