"""The planning certificate (wypis i wyrys): the zones covering each parcel with their shares,
and the map extract (wyrys) with the parcel, neighbours, zones, legend, scale and north arrow."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
import shapely
from pypdf import PdfReader

from clerk_app.documents.parcel_map import (
    MapExtract,
    MapShape,
    scale_denominator,
    standard_scale,
)
from clerk_app.errors import ValidationError
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
PARCEL_ID = "141201_1.0012.3/5"
# The parcel's stroke colour (#c62828) as reportlab writes it into the page content.
PARCEL_STROKE_OP = b".776471 .156863 .156863 RG"


def _bounds(geometry: shapely.Geometry) -> dict[str, float]:
    minx, miny, maxx, maxy = shapely.bounds(geometry)
    return {"minx": minx, "miny": miny, "maxx": maxx, "maxy": maxy}


def _parcel(number: str, geometry: shapely.Geometry) -> Parcel:
    return Parcel(
        parcel_id=f"141201_1.0012.{number}", unit_code="141201_1", unit_name="Łąck",
        precinct_code="0012", precinct_name="Zdwórz", number=number,
        geometry_wkb=shapely.to_wkb(geometry), **_bounds(geometry),
    )  # fmt: skip


@pytest.fixture
def planning_case(ctx: AppContext) -> tuple[LetterService, str, int]:
    parcel = shapely.box(500_000, 300_000, 500_100, 300_100)
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
        session.add(_parcel("3/5", parcel))
        session.add(_parcel("3/6", shapely.box(500_100, 300_000, 500_180, 300_100)))
        session.add(_parcel("7", shapely.box(499_950, 300_100, 500_100, 300_160)))
        for key, symbol, designation, zone in [
            ("z1", "2MN", "zabudowa mieszkaniowa jednorodzinna",
             shapely.box(499_900, 299_900, 500_060, 300_200)),
            ("z2", "1KDL", "droga publiczna – ulica lokalna",
             shapely.box(500_060, 299_900, 500_300, 300_200)),
        ]:  # fmt: skip
            session.add(
                PlanZone(zone_key=key, plan_id="mpzp-7", plan_name="MPZP Zdwórz",
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
    return LetterService(ctx.db, ctx.blobs, me, today=lambda: TODAY), case.sign, person_id


def _pages(pdf: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]


def test_planning_extract_lists_parcels_with_zones_and_shares(
    planning_case: tuple[LetterService, str, int],
) -> None:
    letters, sign, person = planning_case
    saved = letters.save("planning_extract", sign, {"parcel_ids": PARCEL_ID}, person)
    pdf = letters.preview("planning_extract", sign, {"parcel_ids": PARCEL_ID}, [person])
    text = " ".join(_pages(pdf))
    assert "WYPIS I WYRYS" in text
    assert f"Działka nr 3/5 ({PARCEL_ID}), obręb 0012 Zdwórz, pow. 10 000 m²" in text
    assert "teren 2MN (zabudowa mieszkaniowa jednorodzinna): 60,0 % powierzchni działki" in text
    assert "teren 1KDL (droga publiczna – ulica lokalna): 40,0 % powierzchni działki" in text
    assert "Ustalenia dla terenu 2MN: Ustalenia dla 2MN: wysokość zabudowy do 9 m." in text
    assert saved.number.startswith("WYCH/")


def test_planning_certificate_ends_with_the_map_extract(
    planning_case: tuple[LetterService, str, int],
) -> None:
    letters, sign, person = planning_case
    pdf = letters.preview("planning_extract", sign, {"parcel_ids": PARCEL_ID}, [person])
    pages = _pages(pdf)
    assert len(pages) == 2, "the wyrys is a page of its own after the wypis"
    assert "WYPIS I WYRYS" in pages[0] and "Legenda" not in pages[0]
    wyrys = pages[1]
    assert "WYRYS z rysunku miejscowego planu zagospodarowania przestrzennego" in wyrys
    assert f"znak sprawy: {sign}" in wyrys
    assert f"Działka nr 3/5 ({PARCEL_ID}), obręb 0012 Zdwórz" in wyrys
    # The legend names the parcel and every zone with its designation.
    assert "Legenda:" in wyrys
    assert "działka objęta wypisem i wyrysem (nr 3/5)" in wyrys
    assert "2MN – zabudowa mieszkaniowa jednorodzinna" in wyrys
    assert "1KDL – droga publiczna – ulica lokalna" in wyrys
    # Labels on the map: the neighbours' numbers, the zones' symbols.
    words = wyrys.split()
    assert "3/6" in words and "7" in words
    # The stated scale is a standard one, and the scale bar is labelled in metres.
    match = re.search(r"Skala 1:(\d+)", wyrys)
    assert match is not None and int(match.group(1)) in (500, 1000, 2000, 2500)
    assert re.search(r"\b\d+ m\b", wyrys)
    assert "N" in words  # north arrow
    # The parcel outline is drawn (its red stroke) on the wyrys page, not on the wypis.
    reader = PdfReader(io.BytesIO(pdf))
    assert PARCEL_STROKE_OP in reader.pages[1].get_contents().get_data()  # type: ignore[union-attr]
    assert PARCEL_STROKE_OP not in reader.pages[0].get_contents().get_data()  # type: ignore[union-attr]


def test_saved_certificate_carries_the_map_too(
    ctx: AppContext, planning_case: tuple[LetterService, str, int]
) -> None:
    letters, sign, person = planning_case
    saved = letters.save("planning_extract", sign, {"parcel_ids": PARCEL_ID}, person)
    with ctx.db.session() as session:
        from clerk_app.models import Attachment

        attachment = session.get(Attachment, saved.attachment_id)
        assert attachment is not None
        data = ctx.blobs.get(session, attachment.sha256)
    assert "2MN – zabudowa mieszkaniowa jednorodzinna" in _pages(data)[-1]


def test_other_letters_have_no_map_page(planning_case: tuple[LetterService, str, int]) -> None:
    letters, sign, person = planning_case
    pdf = letters.preview("kpa_initiation_notice", sign, {}, [person])
    assert all("Legenda" not in page for page in _pages(pdf))


def test_unknown_parcel_names_it(planning_case: tuple[LetterService, str, int]) -> None:
    letters, sign, person = planning_case
    with pytest.raises(ValidationError, match=r"Działki: działki 141201_1.0012.99 nie ma"):
        letters.preview("planning_extract", sign, {"parcel_ids": "141201_1.0012.99"}, [person])


def test_standard_scale_is_the_largest_that_fits() -> None:
    # 200 m across a 100 mm frame needs 1:2000 exactly; 201 m does not fit at 1:2000.
    frame = 100 * 72 / 25.4
    assert standard_scale((0, 0, 200, 100), frame, frame) == 2000
    assert standard_scale((0, 0, 201, 100), frame, frame) == 2500
    assert round(scale_denominator(frame / 200)) == 2000


def test_legend_lists_each_zone_symbol_once() -> None:
    from clerk_app.documents.parcel_map import MapZone

    square = shapely.to_wkb(shapely.box(0, 0, 1, 1))
    extract = MapExtract(
        MapShape("1", square),
        (),
        (MapZone("2MN", "a", square), MapZone("1U", "b", square), MapZone("2MN", "a", square)),
        (0, 0, 1, 1),
    )
    assert [z.symbol for z in extract.legend_zones()] == ["1U", "2MN"]
