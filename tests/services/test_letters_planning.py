"""The planning certificate extract (wypis i wyrys) lists the zones covering each parcel."""

from __future__ import annotations

import io
from datetime import date

import shapely
from pypdf import PdfReader

from clerk_app.models import (
    Channel,
    Correspondent,
    CorrespondentKind,
    Direction,
    Office,
    OrgUnit,
    Parcel,
    PlanZone,
    RegisterEntry,
    Role,
    User,
    UserRole,
)
from clerk_app.services.app_context import AppContext
from clerk_app.services.cases import CaseService
from clerk_app.services.jrwa_store import import_jrwa_plan
from clerk_app.services.kpa_deadlines import DeadlineKind
from clerk_app.services.letters import LetterService
from clerk_app.services.users import CurrentUser

TODAY = date(2026, 3, 10)


def _bounds(geometry: shapely.Geometry) -> dict[str, float]:
    minx, miny, maxx, maxy = shapely.bounds(geometry)
    return {"minx": minx, "miny": miny, "maxx": maxx, "maxy": maxy}


def test_planning_extract_lists_parcels_with_zones_and_shares(ctx: AppContext) -> None:
    parcel = shapely.box(500_000, 300_000, 500_100, 300_100)  # 1 ha
    west = shapely.box(499_900, 299_900, 500_060, 300_200)
    east = shapely.box(500_060, 299_900, 500_300, 300_200)
    with ctx.db.session(write=True) as session:
        office = Office(name="Urząd Gminy Łąck", street="ul. Gostynińska", building="2",
                        postal_code="09-520", city="Łąck")  # fmt: skip
        session.add(office)
        session.flush()
        unit = OrgUnit(office_id=office.id, symbol="UA", name="Urbanistyka")
        session.add(unit)
        session.flush()
        user = User(login="p.żak", full_name="Paweł Żak", position="planista", unit_id=unit.id)
        user.roles = [UserRole(role=Role.CASE_CLERK)]
        session.add(user)
        session.flush()
        me = CurrentUser(user.id, user.login, user.full_name, frozenset({Role.CASE_CLERK}))
        import_jrwa_plan(session, 2026)
        session.add(
            Parcel(parcel_id="141201_1.0012.3/5", unit_code="141201_1", unit_name="Łąck",
                   precinct_code="0012", precinct_name="Zdwórz", number="3/5",
                   geometry_wkb=shapely.to_wkb(parcel), **_bounds(parcel))
        )  # fmt: skip
        for key, symbol, designation, zone in [
            ("z1", "2MN", "zabudowa mieszkaniowa jednorodzinna", west),
            ("z2", "1KDL", "droga publiczna – ulica lokalna", east),
        ]:
            session.add(
                PlanZone(zone_key=key, plan_id="mpzp-7", plan_name="MPZP Zdwórz – część A",
                         symbol=symbol, designation=designation,
                         provisions=f"Ustalenia dla {symbol}: wysokość zabudowy do 9 m.",
                         geometry_wkb=shapely.to_wkb(zone), **_bounds(zone))
            )  # fmt: skip
        person = Correspondent(kind=CorrespondentKind.PERSON, first_name="Róża",
                               last_name="Śliwińska", display_name="Róża Śliwińska",
                               search_key="sliwinska roza", street="ul. Długa", building="4",
                               postal_code="09-520", city="Łąck")  # fmt: skip
        session.add(person)
        session.flush()
        entry = RegisterEntry(direction=Direction.INCOMING, register_symbol="RPW", year=2026,
                              seq_no=1, number="RPW/1/2026", received_on=date(2026, 3, 2),
                              title="Wniosek o wypis i wyrys", correspondent_id=person.id,
                              channel=Channel.PAPER)  # fmt: skip
        session.add(entry)
        session.flush()
        entry_id, unit_id, person_id = entry.id, unit.id, person.id
    case = CaseService(ctx.db, me, today=lambda: TODAY).open_case(
        unit_id, "6727", "Wypis i wyrys – dz. 3/5", date(2026, 3, 2), DeadlineKind.ONE_MONTH,
        origin_entry_id=entry_id,
    )  # fmt: skip
    letters = LetterService(ctx.db, ctx.blobs, me, today=lambda: TODAY)
    saved = letters.save(
        "planning_extract", case.sign, {"parcel_ids": "141201_1.0012.3/5"}, person_id
    )
    pdf = letters.preview("planning_extract", case.sign, {"parcel_ids": "141201_1.0012.3/5"},
                          [person_id])  # fmt: skip
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "WYPIS I WYRYS" in text
    assert "Działka nr 3/5 (141201_1.0012.3/5), obręb" in text
    assert "teren 2MN (zabudowa mieszkaniowa jednorodzinna): 60,0 % powierzchni działki" in text
    assert "teren 1KDL (droga publiczna – ulica lokalna): 40,0 % powierzchni działki" in text
    assert "Ustalenia dla terenu 2MN: Ustalenia dla 2MN: wysokość zabudowy do 9 m." in text
    assert saved.number.startswith("WYCH/")
