"""Fill a fresh database with a small living office, so a newcomer sees a working program."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerk_app.errors import ValidationError
from clerk_app.models import (
    Case,
    CaseStatus,
    Channel,
    Correspondent,
    CorrespondentKind,
    DeliveryStatus,
    Direction,
    JrwaClass,
    Office,
    OrgUnit,
    RegisterEntry,
    Role,
    User,
    UserRole,
)
from clerk_app.resources_path import resource_path
from clerk_app.services.database import Database
from clerk_app.services.jrwa_store import import_jrwa_plan
from clerk_app.services.kpa_deadlines import DeadlineKind, DeadlineTerm, due_date
from clerk_app.services.numbering import next_number
from clerk_app.services.text_fold import fold
from clerk_app.services.users import CurrentUser

DEMO_PASSWORD = "demo-haslo-2026"  # documented in README; demo databases only

UNITS = [
    ("OR", "Referat Organizacyjny"),
    ("FN", "Referat Finansowy"),
    ("UA", "Referat Urbanistyki i Architektury"),
    ("GK", "Referat Gospodarki Komunalnej"),
    ("RG", "Referat Rolnictwa i Gospodarki Gruntami"),
    ("OS", "Referat Ochrony Środowiska"),
]

USERS = [
    ("a.nowak", "Anna Nowak", "inspektor – kancelaria ogólna", "OR", [Role.REGISTRY_CLERK]),
    (
        "m.kowalski",
        "Marek Kowalski",
        "inspektor ds. planowania",
        "UA",
        [Role.PLANNER, Role.CASE_CLERK],
    ),
    ("e.wisniewska", "Ewa Wiśniewska", "kierownik referatu", "UA", [Role.MANAGER, Role.CASE_CLERK]),
    ("t.zielinski", "Tomasz Zieliński", "informatyk", "OR", [Role.ADMIN]),
    ("k.lewandowska", "Katarzyna Lewandowska", "podinspektor", "GK", [Role.CASE_CLERK]),
    ("p.wojcik", "Piotr Wójcik", "referent", "RG", [Role.CASE_CLERK]),
    ("j.kaminska", "Joanna Kamińska", "inspektor", "OS", [Role.CASE_CLERK]),
    ("s.dabrowski", "Stanisław Dąbrowski", "skarbnik", "FN", [Role.MANAGER, Role.CASE_CLERK]),
]

FIRST = [
    "Jan",
    "Anna",
    "Piotr",
    "Małgorzata",
    "Krzysztof",
    "Agnieszka",
    "Andrzej",
    "Barbara",
    "Tomasz",
    "Ewa",
    "Paweł",
    "Elżbieta",
    "Michał",
    "Zofia",
    "Łukasz",
    "Jadwiga",
    "Grzegorz",
    "Dorota",
    "Józef",
    "Teresa",
]
LAST = [
    ("Wiśniewski", "Wiśniewska"),
    ("Wójcik", "Wójcik"),
    ("Kowalczyk", "Kowalczyk"),
    ("Kamiński", "Kamińska"),
    ("Lewandowski", "Lewandowska"),
    ("Zieliński", "Zielińska"),
    ("Szymański", "Szymańska"),
    ("Woźniak", "Woźniak"),
    ("Dąbrowski", "Dąbrowska"),
    ("Kozłowski", "Kozłowska"),
    ("Jankowski", "Jankowska"),
    ("Mazur", "Mazur"),
    ("Krawczyk", "Krawczyk"),
    ("Piotrowski", "Piotrowska"),
    ("Grabowski", "Grabowska"),
    ("Nowakowski", "Nowakowska"),
    ("Pawłowski", "Pawłowska"),
    ("Michalski", "Michalska"),
    ("Żak", "Żak"),
    ("Łuczak", "Łuczak"),
]
STREETS = [
    "Polna",
    "Leśna",
    "Słoneczna",
    "Krótka",
    "Szkolna",
    "Ogrodowa",
    "Lipowa",
    "Brzozowa",
    "Łąkowa",
    "Kościuszki",
    "Mickiewicza",
    "Żeromskiego",
    "Źródlana",
    "Wiśniowa",
]
INSTITUTIONS = [
    ("Starostwo Powiatowe w Zielonej Dolinie", "Starostwa 1"),
    ("Wojewódzki Inspektorat Ochrony Środowiska", "Ekologiczna 7"),
    ("Regionalna Izba Obrachunkowa", "Skarbowa 3"),
    ("Państwowy Powiatowy Inspektor Sanitarny", "Zdrowa 12"),
    ("Zakład Usług Komunalnych sp. z o.o.", "Wodna 4"),
    ("Gminny Ośrodek Pomocy Społecznej", "Rynek 2"),
    ("Nadleśnictwo Zielona Dolina", "Sosnowa 18"),
    ("PGE Dystrybucja S.A. Rejon Energetyczny", "Prądowa 9"),
]

# (unit, JRWA end class, case title templates, deadline kind)
CASE_KINDS = [
    ("UA", "6727", "Wypis i wyrys z miejscowego planu – działka {parcel}", DeadlineKind.ONE_MONTH),
    ("UA", "6730", "Ustalenie warunków zabudowy – działka {parcel}", DeadlineKind.TWO_MONTHS),
    ("UA", "6733", "Lokalizacja inwestycji celu publicznego – {street}", DeadlineKind.TWO_MONTHS),
    ("GK", "7021", "Zajęcie pasa drogowego ul. {street}", DeadlineKind.ONE_MONTH),
    ("RG", "6831", "Podział nieruchomości – działka {parcel}", DeadlineKind.ONE_MONTH),
    ("OS", "6220", "Decyzja o środowiskowych uwarunkowaniach – {street}", DeadlineKind.TWO_MONTHS),
    ("OS", "6131", "Zezwolenie na usunięcie drzew – ul. {street}", DeadlineKind.ONE_MONTH),
    ("FN", "3110", "Podatek od nieruchomości – ulga, {person}", DeadlineKind.ONE_MONTH),
    ("OR", "0150", "Wniosek w sprawie funkcjonowania urzędu – {person}", DeadlineKind.ONE_MONTH),
    ("OR", "0152", "Skarga na działalność referatu – {person}", DeadlineKind.ONE_MONTH),
]
TITLES_IN = [
    "Wniosek o wydanie wypisu i wyrysu",
    "Wniosek o ustalenie warunków zabudowy",
    "Zawiadomienie o zakończeniu budowy",
    "Pismo w sprawie oświetlenia ulicy {street}",
    "Wniosek o udostępnienie informacji publicznej",
    "Odwołanie od decyzji",
    "Uzupełnienie wniosku",
    "Faktura VAT",
    "Skarga na przewlekłość postępowania",
    "Zaproszenie na posiedzenie komisji",
    "Wniosek o zajęcie pasa drogowego",
    "Informacja o stanie środowiska",
]
TITLES_OUT = [
    "Zawiadomienie o wszczęciu postępowania",
    "Wezwanie do uzupełnienia braków",
    "Decyzja",
    "Postanowienie",
    "Zaświadczenie",
    "Odpowiedź na pismo",
    "Wypis i wyrys z miejscowego planu",
]

INCOMING_CHANNELS = (
    [Channel.PAPER] * 6
    + [Channel.EPUAP] * 3
    + [Channel.EDORECZENIA] * 2
    + [Channel.EMAIL, Channel.IN_PERSON]
)


@dataclass(frozen=True)
class DemoSummary:
    units: int
    users: int
    correspondents: int
    incoming: int
    outgoing: int
    cases: int
    parcels: int = 0
    zones: int = 0


def has_register_data(db: Database) -> bool:
    with db.session() as session:
        return session.scalar(select(RegisterEntry.id).limit(1)) is not None


def fill_demo_data(
    db: Database,
    *,
    today: date | None = None,
    incoming: int = 320,
    seed: int = 2026,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Create the demo office in one transaction; refuses a database that has register data."""
    today = today or date.today()
    rnd = random.Random(seed)
    with db.session(write=True) as session:
        if session.scalar(select(RegisterEntry.id).limit(1)) is not None:
            raise ValidationError(
                "Dane demonstracyjne można dodać tylko do pustej bazy: ta ma już wpisy w rejestrze."
            )
        office = _office(session)
        units = _units(session, office)
        users = _users(session, units)
        import_jrwa_plan(session, today.year)
        jrwa = {c.symbol: c for c in session.scalars(select(JrwaClass))}
        people = _correspondents(session, rnd)
        summary = _register(session, rnd, today, incoming, units, users, jrwa, people, progress)
        planner = _current(users["m.kowalski"])
    parcels, zones = _parcels(db, planner)
    return DemoSummary(len(units), len(users), len(people), *summary, parcels, zones)


def _current(user: User) -> CurrentUser:
    return CurrentUser(user.id, user.login, user.full_name, user.role_set)


def _parcels(db: Database, planner: CurrentUser) -> tuple[int, int]:
    """A street of parcels in precinct 0012 with plan zones (scripts/make_demo_parcels.py)."""
    from clerk_app.services.parcel_import import ParcelImporter

    importer = ParcelImporter(db, planner)
    parcels = importer.import_file(resource_path("demo", "dzialki_demo.gml"), kind="wfs")
    zones = importer.import_file(
        resource_path("demo", "mpzp_demo.geojson"),
        kind="zones",
        symbol_attribute="SYMBOL",
        plan_id="MPZP-ZD-2019",
        plan_name="Miejscowy plan zagospodarowania przestrzennego Zielona Dolina Północ",
        geojson_epsg=2180,
    )
    return parcels.imported, zones.imported


def _office(session: Session) -> Office:
    office = Office(
        name="Urząd Gminy Zielona Dolina",
        short_name="UG Zielona Dolina",
        street="Rynek",
        building="1",
        postal_code="62-035",
        city="Zielona Dolina",
        teryt="3021044",
        phone="61 817 00 00",
        email="sekretariat@zielonadolina.example.pl",
        epuap_address="/ugzielonadolina/SkrytkaESP",
        ade="AE:PL-12345-67890-ABCDE-12",
    )
    session.add(office)
    session.flush()
    return office


def _units(session: Session, office: Office) -> dict[str, OrgUnit]:
    units = {sym: OrgUnit(office_id=office.id, symbol=sym, name=name) for sym, name in UNITS}
    session.add_all(units.values())
    session.flush()
    return units


def _users(session: Session, units: dict[str, OrgUnit]) -> dict[str, User]:
    from clerk_app.services.users import hash_password

    password_hash = hash_password(DEMO_PASSWORD)
    users = {}
    for login, name, position, unit, roles in USERS:
        user = User(
            login=login,
            full_name=name,
            position=position,
            unit_id=units[unit].id,
            password_hash=password_hash,
        )
        user.roles = [UserRole(role=r) for r in roles]
        users[login] = user
    session.add_all(users.values())
    session.flush()
    return users


def _correspondents(session: Session, rnd: random.Random) -> list[Correspondent]:
    people = []
    for _ in range(90):
        female = rnd.random() < 0.5
        first = rnd.choice(FIRST[1::2] if female else FIRST[0::2])
        last = rnd.choice(LAST)[1 if female else 0]
        name = f"{first} {last}"
        people.append(
            Correspondent(
                kind=CorrespondentKind.PERSON,
                first_name=first,
                last_name=last,
                street=rnd.choice(STREETS),
                building=str(rnd.randint(1, 120)),
                postal_code="62-035",
                city="Zielona Dolina",
                display_name=name,
                search_key=fold(f"{last} {first}"),
            )
        )
    for name, street in INSTITUTIONS:
        people.append(
            Correspondent(
                kind=CorrespondentKind.INSTITUTION,
                institution_name=name,
                street=street.rsplit(" ", 1)[0],
                building=street.rsplit(" ", 1)[1],
                postal_code="62-030",
                city="Zielona Dolina",
                display_name=name,
                search_key=fold(name),
            )
        )
    session.add_all(people)
    session.flush()
    return people


def _register(
    session: Session,
    rnd: random.Random,
    today: date,
    count: int,
    units: dict[str, OrgUnit],
    users: dict[str, User],
    jrwa: dict[str, JrwaClass],
    people: list[Correspondent],
    progress: Callable[[int, int], None] | None,
) -> tuple[int, int, int]:
    clerk = users["a.nowak"]
    handlers_by_unit: dict[int, list[User]] = {}
    for user in users.values():
        if user.unit_id is not None and Role.CASE_CLERK in user.role_set:
            handlers_by_unit.setdefault(user.unit_id, []).append(user)
    days = sorted(today - timedelta(days=rnd.randint(0, 120)) for _ in range(count))
    outgoing = cases = 0
    for i, received in enumerate(days, start=1):
        person = rnd.choice(people)
        street = rnd.choice(STREETS)
        year = received.year
        seq = next_number(session, "register:RPW", year)
        unit_sym, jrwa_sym, case_title, deadline = rnd.choice(CASE_KINDS)
        unit = units[unit_sym]
        handler = rnd.choice(handlers_by_unit.get(unit.id) or [users["e.wisniewska"]])
        unknown = "letter_ref" if rnd.random() < 0.15 else ""
        entry = RegisterEntry(
            direction=Direction.INCOMING,
            register_symbol="RPW",
            year=year,
            seq_no=seq,
            number=f"RPW/{seq}/{year}",
            registered_at=datetime.combine(
                received, time(8 + rnd.randint(0, 7), rnd.randint(0, 59)), tzinfo=UTC
            ),
            received_on=received,
            title=rnd.choice(TITLES_IN).format(street=street),
            correspondent_id=person.id,
            letter_date=received - timedelta(days=rnd.randint(1, 10)),
            letter_ref=None if unknown else f"{rnd.randint(1, 99)}/{year}",
            unknown_fields=unknown,
            channel=rnd.choice(INCOMING_CHANNELS),
            tracking_no=f"RR{rnd.randint(10**8, 10**9 - 1)}PL" if rnd.random() < 0.3 else "",
            assigned_unit_id=unit.id,
            assigned_user_id=handler.id,
            attachment_count=rnd.randint(0, 4),
            created_by_id=clerk.id,
        )
        session.add(entry)
        session.flush()
        if rnd.random() < 0.45 and jrwa_sym in jrwa:
            cases += 1
            case_seq = next_number(session, f"case:{unit.id}:{jrwa_sym}", year)
            closed = rnd.random() < 0.4
            opened = received + timedelta(days=rnd.randint(0, 2))
            case = Case(
                sign=f"{unit_sym}.{jrwa_sym}.{case_seq}.{year}",
                unit_id=unit.id,
                jrwa_class_id=jrwa[jrwa_sym].id,
                year=year,
                seq_no=case_seq,
                title=case_title.format(
                    parcel=f"{rnd.randint(1, 400)}/{rnd.randint(1, 9)}",
                    street=street,
                    person=person.display_name,
                ),
                status=CaseStatus.CLOSED if closed else CaseStatus.OPEN,
                handler_id=handler.id,
                opened_on=opened,
                deadline_kind=deadline.value,
                due_on=due_date(DeadlineTerm(deadline), received),
                closed_on=opened + timedelta(days=rnd.randint(3, 40)) if closed else None,
                outcome="Załatwiono decyzją" if closed else "",
                origin_entry_id=entry.id,
            )
            session.add(case)
            session.flush()
            entry.case_id = case.id
            if closed and case.closed_on and case.closed_on <= today:
                outgoing += 1
                out_seq = next_number(session, "register:WYCH", case.closed_on.year)
                session.add(
                    RegisterEntry(
                        direction=Direction.OUTGOING,
                        register_symbol="WYCH",
                        year=case.closed_on.year,
                        seq_no=out_seq,
                        number=f"WYCH/{out_seq}/{case.closed_on.year}",
                        registered_at=datetime.combine(case.closed_on, time(12, 0), tzinfo=UTC),
                        sent_on=case.closed_on,
                        title=rnd.choice(TITLES_OUT),
                        correspondent_id=person.id,
                        channel=rnd.choice(
                            [Channel.REGISTERED_ZPO, Channel.EPUAP, Channel.EDORECZENIA]
                        ),
                        assigned_unit_id=unit.id,
                        assigned_user_id=handler.id,
                        case_id=case.id,
                        created_by_id=handler.id,
                        delivery_status=rnd.choice([DeliveryStatus.SENT, DeliveryStatus.DELIVERED]),
                        fee_grosze=rnd.choice([0, 885, 1280]),
                    )
                )
        if progress and i % 20 == 0:
            progress(i, count)
    return count, outgoing, cases
