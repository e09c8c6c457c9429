"""Full-text search over the register and cases, on SQLite FTS5 and PostgreSQL.

Data is written straight through the models (as the register and case services do):
the search index must follow by itself, through its database triggers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, text, update

from clerk_app.errors import PermissionDenied, ValidationError
from clerk_app.models import (
    Attachment,
    AuditEvent,
    Case,
    Channel,
    Correspondent,
    CorrespondentKind,
    Direction,
    JrwaClass,
    JrwaPlan,
    Office,
    OrgUnit,
    RegisterEntry,
    Role,
    StandIn,
    User,
)
from clerk_app.services import search as search_service
from clerk_app.services.app_context import AppContext
from clerk_app.services.database import Database
from clerk_app.services.search import SearchHit, reindex_all, search
from clerk_app.services.text_fold import fold
from clerk_app.services.users import CurrentUser, UserService

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@dataclass
class Office_:
    db: Database
    clerk: CurrentUser
    unit_ua: int
    unit_gk: int
    jrwa_class: int
    counter: int = 0

    def person(self, first: str, last: str) -> int:
        with self.db.session(write=True) as session:
            row = Correspondent(
                kind=CorrespondentKind.PERSON,
                first_name=first,
                last_name=last,
                display_name=f"{first} {last}",
                search_key=fold(f"{last} {first}"),
            )
            session.add(row)
            session.flush()
            return row.id

    def entry(
        self,
        title: str | None,
        *,
        sender: int | None = None,
        notes: str = "",
        unit: int | None = None,
        number: str | None = None,
        letter_ref: str | None = None,
    ) -> int:
        self.counter += 1
        seq = self.counter
        with self.db.session(write=True) as session:
            row = RegisterEntry(
                direction=Direction.INCOMING,
                register_symbol="RPW",
                year=2026,
                seq_no=seq,
                number=number or f"RPW/{seq}/2026",
                registered_at=START + timedelta(minutes=seq),
                received_on=date(2026, 3, 2),
                title=title,
                correspondent_id=sender,
                letter_ref=letter_ref,
                unknown_fields="" if title else "title",
                channel=Channel.PAPER,
                assigned_unit_id=unit or self.unit_ua,
                notes=notes,
                created_by_id=self.clerk.id,
            )
            session.add(row)
            session.flush()
            return row.id

    def case(
        self, sign: str, title: str, *, origin: int | None = None, unit: int | None = None
    ) -> int:
        with self.db.session(write=True) as session:
            row = Case(
                sign=sign,
                unit_id=unit or self.unit_ua,
                jrwa_class_id=self.jrwa_class,
                year=2026,
                seq_no=int(sign.split(".")[2]),
                title=title,
                opened_on=date(2026, 3, 3),
                origin_entry_id=origin,
            )
            session.add(row)
            session.flush()
            if origin is not None:
                session.execute(
                    update(RegisterEntry).where(RegisterEntry.id == origin).values(case_id=row.id)
                )
            return row.id

    def attach(self, file_name: str, extracted: str, *, entry: int | None = None) -> int:
        with self.db.session(write=True) as session:
            row = Attachment(
                entry_id=entry,
                file_name=file_name,
                media_type="application/pdf",
                size=100,
                sha256="0" * 64,
                extracted_text=extracted,
            )
            session.add(row)
            session.flush()
            return row.id


@pytest.fixture
def office(ctx: AppContext) -> Office_:
    clerk = UserService(ctx.db).create_user("anna", "Anna Nowak", [Role.REGISTRY_CLERK])
    with ctx.db.session(write=True) as session:
        seat = Office(name="Urząd Gminy")
        session.add(seat)
        session.flush()
        ua = OrgUnit(office_id=seat.id, symbol="UA", name="Urbanistyka")
        gk = OrgUnit(office_id=seat.id, symbol="GK", name="Gospodarka komunalna")
        plan = JrwaPlan(valid_from_year=2026, name="JRWA")
        session.add_all([ua, gk, plan])
        session.flush()
        jrwa = JrwaClass(plan_id=plan.id, symbol="6727", title="Wypisy", is_end_class=True)
        session.add(jrwa)
        session.flush()
        return Office_(ctx.db, clerk, ua.id, gk.id, jrwa.id)


def found(office: Office_, query: str, **kwargs: int) -> list[tuple[str, int]]:
    return [(h.kind, h.object_id) for h in search(office.db, office.clerk, query, **kwargs)]


# ---------------------------------------------------------------------------------
# Folding and prefixes
# ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "query"),
    [
        ("Żółć na ścianie", "zolc"),
        ("Wniosek z Łodzi", "lodzi"),
        ("Łódź, ul. Piotrkowska", "lodz"),
        ("Podział działki 3/4", "dzialki"),
        ("Podział działki 3/4", "DZIAŁKI"),
        ("LODZ KALISKA", "Łódź"),  # ł folded on the query side too
        ("dzialka bez polskich liter", "Działka"),
        ("Zażółcić gęślą jaźń", "GESLA jazn"),
    ],
)
def test_diacritics_and_case_do_not_matter(office: Office_, stored: str, query: str) -> None:
    wanted = office.entry(stored)
    office.entry("Zupełnie inne pismo")
    assert found(office, query) == [("entry", wanted)]


def test_prefix_of_a_surname_finds_the_correspondent(office: Office_) -> None:
    jan = office.person("Jan", "Wiśniewski")
    other = office.person("Jan", "Kowalski")
    wanted = office.entry("Wniosek o wypis", sender=jan)
    office.entry("Wniosek o wypis", sender=other)
    assert found(office, "wisn") == [("entry", wanted)]
    assert found(office, "wiśniewski jan") == [("entry", wanted)]
    # Every word must match.
    assert found(office, "wisniewski kowalski") == []


def test_one_letter_is_a_whole_word_not_a_prefix(office: Office_) -> None:
    parcel = office.entry("Działka 3/4 w obrębie 0012")
    office.entry("Działka 33/44 w obrębie 0012")
    assert found(office, "0012 3/4") == [("entry", parcel)]


# ---------------------------------------------------------------------------------
# Ranking, highlighting, exact numbers
# ---------------------------------------------------------------------------------


def test_title_match_ranks_above_a_newer_note_match(office: Office_) -> None:
    in_title = office.entry("Oświetlenie ulicy Lipowej")
    in_notes = office.entry("Pismo ogólne", notes="dotyczy też oświetlenia parku")
    hits = search(office.db, office.clerk, "oswietl")
    assert [(h.object_id) for h in hits] == [in_title, in_notes]
    assert hits[0].rank > hits[1].rank > 0


def test_matches_are_highlighted_in_title_and_snippet(office: Office_) -> None:
    jan = office.person("Jan", "Wiśniewski")
    office.entry(
        "Wniosek Wiśniewskiego o wypis <pilne>",
        sender=jan,
        notes="Wnioskodawca: J. Wiśniewski, dzwonił w sprawie działki.",
    )
    (hit,) = search(office.db, office.clerk, "wisniewsk")
    assert hit.title_html() == "Wniosek <b>Wiśniewskiego</b> o wypis &lt;pilne&gt;"
    assert hit.snippet == "Jan Wiśniewski"
    assert hit.snippet_source == "nadawca/adresat"
    assert hit.snippet_html() == "Jan <b>Wiśniewski</b>"
    (hit,) = search(office.db, office.clerk, "dzwonil")
    assert hit.snippet_source == "uwagi"
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["dzwonił"]


def test_long_text_snippet_is_a_window_around_the_match(office: Office_) -> None:
    filler = "lorem ipsum " * 200
    entry = office.entry("Pismo", notes=filler + "uchwała w sprawie żółtej tablicy " + filler)
    (hit,) = search(office.db, office.clerk, "zolt")
    assert hit.object_id == entry
    assert len(hit.snippet) < 260
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["żółtej"]


def test_register_number_or_case_sign_comes_first(office: Office_) -> None:
    target = office.entry("Wniosek", number="RPW/12/2026")
    # Newer entries that mention the same number in their text rank high otherwise.
    for _ in range(3):
        office.entry("Odpowiedź na RPW/12/2026", notes="RPW/12/2026 RPW/12/2026")
    case = office.case("UA.6727.41.2026", "Wypis dla RPW 12 2026", origin=target)
    hits = search(office.db, office.clerk, "RPW/12/2026")
    assert (hits[0].kind, hits[0].object_id, hits[0].exact) == ("entry", target, True)
    assert len({(h.kind, h.object_id) for h in hits}) == len(hits)  # no duplicate of it
    assert found(office, "rpw/12/2026")[0] == ("entry", target)
    hits = search(office.db, office.clerk, "UA.6727.41.2026")
    assert (hits[0].kind, hits[0].object_id, hits[0].label) == ("case", case, "UA.6727.41.2026")
    assert hits[0].exact


def test_case_is_found_by_its_parties_and_title(office: Office_) -> None:
    anna = office.person("Anna", "Łuczak")
    origin = office.entry("Wniosek o wypis i wyrys", sender=anna)
    case = office.case("UA.6727.7.2026", "Wypis i wyrys – działka 17/2", origin=origin)
    assert ("case", case) in found(office, "luczak")
    (hit,) = [h for h in search(office.db, office.clerk, "wyrys 17/2") if h.kind == "case"]
    assert hit.correspondent == "Anna Łuczak"
    assert hit.on == date(2026, 3, 3)


# ---------------------------------------------------------------------------------
# Hostile input
# ---------------------------------------------------------------------------------

HOSTILE = [
    '"',
    '""',
    "*",
    "wisn*",
    "AND",
    "OR NOT NEAR",
    "NEAR(a b, 3)",
    "title:zolc",
    "{title}: x",
    "^start",
    "a -b +c",
    "'; DROP TABLE register_entry; --",
    "') OR 1=1 --",
    "\\",
    ":*",
    "!&|()<->",
    "x:* & y",
    "%_",
    "\x00",
    "😀 emoji",
    "ĳ ß Æ ø",
    "a" * 5000,
    " ".join(["słowo"] * 50),
    "   ",
    "",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_break(office: Office_, query: str) -> None:
    office.entry("Wniosek o wydanie zaświadczenia", notes="AND OR NOT title")
    hits = search(office.db, office.clerk, query)
    assert isinstance(hits, list)
    with office.db.session() as session:
        assert session.scalar(select(func.count()).select_from(RegisterEntry)) == 1


def test_operator_words_are_plain_words(office: Office_) -> None:
    wanted = office.entry("Skarga AND wniosek")
    office.entry("Skarga")
    assert found(office, "skarga and") == [("entry", wanted)]


def test_bad_page_arguments_are_refused_in_polish(office: Office_) -> None:
    with pytest.raises(ValidationError, match="liczba wyników"):
        search(office.db, office.clerk, "x", limit=0)
    with pytest.raises(ValidationError, match="przesunięcie"):
        search(office.db, office.clerk, "x", offset=-1)


# ---------------------------------------------------------------------------------
# The index follows the data
# ---------------------------------------------------------------------------------


def test_attachment_text_is_searchable(office: Office_) -> None:
    entry = office.entry("Wniosek")
    office.entry("Inny wniosek")
    office.attach("mapa.pdf", "Mapa zasadnicza obrębu Żółkiewka, arkusz 7")
    attachment = office.attach("wniosek.pdf", "Proszę o wypis dla działki 118/3", entry=entry)
    (hit,) = search(office.db, office.clerk, "dzialki 118")
    assert hit.object_id == entry
    assert hit.snippet_source == "załącznik: wniosek.pdf"
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["działki", "118"]
    with office.db.session(write=True) as session:
        session.execute(delete(Attachment).where(Attachment.id == attachment))
    assert found(office, "dzialki 118") == []


def test_index_follows_inserts_updates_and_deletes(office: Office_) -> None:
    jan = office.person("Jan", "Kowalski")
    entry = office.entry("Wniosek o zajęcie pasa drogowego", sender=jan)
    assert found(office, "pasa") == [("entry", entry)]
    with office.db.session(write=True) as session:
        session.execute(
            update(RegisterEntry)
            .where(RegisterEntry.id == entry)
            .values(title="Wniosek o oświetlenie", notes="pilne")
        )
    assert found(office, "pasa") == []
    assert found(office, "oswietlenie pilne") == [("entry", entry)]
    # Renaming the correspondent reaches every entry that names them.
    with office.db.session(write=True) as session:
        session.execute(
            update(Correspondent)
            .where(Correspondent.id == jan)
            .values(display_name="Jan Kowalski-Łęcki")
        )
    assert found(office, "lecki") == [("entry", entry)]
    with office.db.session(write=True) as session:
        session.execute(delete(RegisterEntry).where(RegisterEntry.id == entry))
    assert found(office, "oswietlenie") == []
    with office.db.session() as session:
        assert session.scalar(text("SELECT count(*) FROM search_doc")) == 0


def test_case_follows_its_letters(office: Office_) -> None:
    case = office.case("UA.6727.1.2026", "Warunki zabudowy")
    assert found(office, "zabudowy") == [("case", case)]
    ewa = office.person("Ewa", "Żak")
    letter = office.entry("Uzupełnienie", sender=ewa)
    with office.db.session(write=True) as session:
        session.execute(
            update(RegisterEntry).where(RegisterEntry.id == letter).values(case_id=case)
        )
    assert ("case", case) in found(office, "zak")
    with office.db.session(write=True) as session:
        session.execute(update(Case).where(Case.id == case).values(title="Podział nieruchomości"))
        session.execute(
            update(RegisterEntry).where(RegisterEntry.id == letter).values(case_id=None)
        )
    assert found(office, "zabudowy") == []
    assert found(office, "zak") == [("entry", letter)]
    with office.db.session(write=True) as session:
        session.execute(delete(Case).where(Case.id == case))
    assert found(office, "podzial") == []


def test_entry_with_unknown_title_is_still_found_by_sender(office: Office_) -> None:
    person = office.person("Zofia", "Mazur")
    entry = office.entry(None, sender=person)
    (hit,) = search(office.db, office.clerk, "mazur")
    assert (hit.object_id, hit.title) == (entry, "")


# ---------------------------------------------------------------------------------
# Common words: the first page stays cheap, paging stays consistent
# ---------------------------------------------------------------------------------


def test_common_word_pages_rank_recent_hits_then_list_older_ones(
    office: Office_, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_service, "RANK_CANDIDATES", 5)
    ids = [office.entry("Wniosek", notes="" if i != 3 else "wniosek wniosek") for i in range(12)]
    best_old = ids[3]
    strong_new = office.entry("Wniosek wniosek wniosek", notes="wniosek")
    all_ids = [*ids, strong_new]
    pages = [found(office, "wniosek", limit=4, offset=o) for o in (0, 4, 8, 12)]
    flat = [object_id for page in pages for _, object_id in page]
    # Every hit exactly once across pages.
    assert sorted(flat) == sorted(all_ids)
    # The first page is ranked among the newest five hits...
    assert flat[0] == strong_new
    assert set(flat[:5]) == set(all_ids[-5:])
    # ...then older hits follow newest first, unranked (the strong old one is not lifted).
    assert flat[5:] == sorted(all_ids[:-5], reverse=True)
    assert best_old in flat[5:]
    hits = search(office.db, office.clerk, "wniosek", limit=13)
    assert all(h.rank > 0 for h in hits[:5]) and all(h.rank == 0.0 for h in hits[5:])


def test_exact_number_is_first_also_when_the_word_is_common(
    office: Office_, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_service, "RANK_CANDIDATES", 3)
    target = office.entry("Pismo", number="RPW/1/2026")
    others = [office.entry("Pismo RPW 1 2026") for _ in range(6)]
    flat = [oid for o in (0, 2, 4, 6) for _, oid in found(office, "RPW/1/2026", limit=2, offset=o)]
    assert flat[0] == target
    assert sorted(flat) == sorted([target, *others])


# ---------------------------------------------------------------------------------
# Who sees what
# ---------------------------------------------------------------------------------


def test_case_clerk_finds_only_their_units_items(office: Office_, ctx: AppContext) -> None:
    users = UserService(ctx.db)
    referent = users.create_user("piotr", "Piotr Wójcik", [Role.CASE_CLERK])
    absent = users.create_user("kasia", "Katarzyna Lewandowska", [Role.CASE_CLERK])
    mine = office.entry("Podział działki", unit=office.unit_gk)
    theirs = office.entry("Podział działki", unit=office.unit_ua)
    covered = office.entry("Podział działki", unit=office.unit_ua)
    with ctx.db.session(write=True) as session:
        session.execute(update(User).where(User.id == referent.id).values(unit_id=office.unit_gk))
        session.execute(
            update(RegisterEntry)
            .where(RegisterEntry.id == covered)
            .values(assigned_user_id=absent.id)
        )
        today = date.today()
        session.add(
            StandIn(
                absent_user_id=absent.id,
                substitute_id=referent.id,
                date_from=today - timedelta(days=1),
                date_to=today + timedelta(days=1),
            )
        )
    assert sorted(found(office, "podzial")) == sorted(
        [("entry", mine), ("entry", theirs), ("entry", covered)]
    )
    seen = [(h.kind, h.object_id) for h in search(ctx.db, referent, "podzial")]
    assert sorted(seen) == sorted([("entry", mine), ("entry", covered)])
    # The exact-number shortcut respects the same rule.
    with ctx.db.session() as session:
        number = session.scalar(select(RegisterEntry.number).where(RegisterEntry.id == theirs))
    assert number is not None
    assert search(ctx.db, office.clerk, number)[0].object_id == theirs
    assert all(h.object_id != theirs for h in search(ctx.db, referent, number))


def test_user_without_roles_is_refused_and_audited(office: Office_, ctx: AppContext) -> None:
    nobody = UserService(ctx.db).create_user("gosc", "Gość", [])
    with pytest.raises(PermissionDenied, match="wyszukiwanie"):
        search(ctx.db, nobody, "x")
    with ctx.db.session() as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.user_login == "gosc"))
        assert list(actions) == ["permission_denied"]


# ---------------------------------------------------------------------------------
# Rebuilding, demo data, migration
# ---------------------------------------------------------------------------------


def test_reindex_all_rebuilds_a_lost_index(office: Office_) -> None:
    jan = office.person("Jan", "Wiśniewski")
    entry = office.entry("Wniosek", sender=jan)
    case = office.case("UA.6727.2.2026", "Wypis", origin=entry)
    with office.db.session(write=True) as session:
        if session.get_bind().dialect.name == "sqlite":
            session.execute(text("DELETE FROM search_fts"))
        session.execute(text("DELETE FROM search_doc"))
    assert found(office, "wisniewski") == []
    assert reindex_all(office.db) == 2
    assert sorted(found(office, "wisniewski")) == sorted([("entry", entry), ("case", case)])
    with office.db.session() as session:
        assert "search_reindex" in session.scalars(select(AuditEvent.action)).all()


def test_demo_data_is_searchable(ctx: AppContext) -> None:
    from clerk_app.services.demo_data import fill_demo_data

    fill_demo_data(ctx.db, today=date(2026, 11, 25), incoming=60)
    manager = UserService(ctx.db).sign_in("e.wisniewska", "demo-haslo-2026")
    with ctx.db.session() as session:
        names = session.scalars(
            select(Correspondent.display_name)
            .join(RegisterEntry, RegisterEntry.correspondent_id == Correspondent.id)
            .order_by(RegisterEntry.id)
        ).all()
        sign = session.scalars(select(Case.sign).order_by(Case.id)).first()
    surname = names[0].split()[-1]
    hits = search(ctx.db, manager, fold(surname)[:5])
    assert hits and all(
        surname[:3].lower() in (h.correspondent + h.title).lower() for h in hits[:5]
    )
    assert sign is not None
    assert search(ctx.db, manager, sign)[0].label == sign


def test_upgrade_indexes_existing_register(settings, data_dir) -> None:  # type: ignore[no-untyped-def]
    from clerk_app.services.schema import upgrade

    db = Database.open(settings)
    try:
        upgrade(db.engine, "0002")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO correspondent (kind, first_name, last_name, institution_name, "
                    "pesel, nip, regon, street, building, apartment, postal_code, city, country, "
                    "email, phone, epuap_address, ade, display_name, search_key, created_at) "
                    "VALUES ('person', 'Jan', 'Wiśniewski', '', '', '', '', '', '', '', '', '', "
                    "'PL', '', '', '', '', 'Jan Wiśniewski', 'wisniewski jan', :at)"
                ),
                {"at": START},
            )
            conn.execute(
                text(
                    "INSERT INTO register_entry (direction, register_symbol, year, seq_no, number, "
                    "registered_at, title, correspondent_id, unknown_fields, channel, tracking_no, "
                    "attachment_count, notes, version, needs_attention, attention_reason) VALUES "
                    "('incoming', 'RPW', 2026, 1, 'RPW/1/2026', :at, 'Wniosek z Łodzi', "
                    "(SELECT id FROM correspondent), '', 'paper', '', 0, '', 1, false, '')"
                ),
                {"at": START},
            )
        upgrade(db.engine)
        clerk = UserService(db).create_user("anna", "Anna", [Role.REGISTRY_CLERK])
        hits = search(db, clerk, "lodzi wisn")
        assert [(h.label, h.correspondent) for h in hits] == [("RPW/1/2026", "Jan Wiśniewski")]
        upgrade_down_and_up(db)
        assert [h.label for h in search(db, clerk, "lodzi")] == ["RPW/1/2026"]
    finally:
        db.dispose()


def upgrade_down_and_up(db: Database) -> None:
    from alembic import command

    from clerk_app.services.schema import _alembic_config, upgrade

    cfg = _alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002")
    with db.engine.connect() as conn:
        names = {
            row[0]
            for row in conn.execute(
                text(
                    "SELECT name FROM sqlite_master"
                    if db.is_sqlite
                    else "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                )
            )
        }
        assert not {n for n in names if n.startswith("search_")}
    upgrade(db.engine)


def test_hits_are_plain_data(office: Office_) -> None:
    office.entry("Wniosek")
    (hit,) = search(office.db, office.clerk, "wniosek")
    assert isinstance(hit, SearchHit)
    assert hit.label == "RPW/1/2026" and hit.on == date(2026, 3, 2)
