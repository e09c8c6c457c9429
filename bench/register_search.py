"""Benchmark: full-text search over a large synthetic register, against a plain sqlite3 floor.

    .venv/bin/python bench/register_search.py              # 1,000,000 entries
    .venv/bin/python bench/register_search.py --rows 200000 --keep /tmp/search.sqlite

Generates N incoming entries with Polish titles, senders and notes in a fresh embedded
database (triggers off during the bulk load, then one index rebuild, as
``search.reindex_all`` does), then times the first page of ``search()`` for a common
word, a rare word, a prefix and a scanned register number. The floor is the same FTS5
table queried with plain ``sqlite3``: the newest 50 hits (the cheapest meaningful
page) and, for reference, all hits ranked by bm25 (the cost the service avoids).
Figures and ratios, not pass/fail; target: first page <= 50 ms.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from clerk_app.config import load_settings
from clerk_app.models import Role
from clerk_app.models.search import (
    create_trigger_statements,
    drop_trigger_statements,
    fill_statements,
)
from clerk_app.services import search as search_service
from clerk_app.services.app_context import open_context
from clerk_app.services.text_fold import fold
from clerk_app.services.users import UserService

FIRST = ["Jan", "Anna", "Piotr", "Małgorzata", "Krzysztof", "Agnieszka", "Łukasz", "Żaneta"]
LAST = [
    "Wiśniewski",
    "Wójcik",
    "Kowalczyk",
    "Kamiński",
    "Lewandowski",
    "Zieliński",
    "Szymański",
    "Woźniak",
    "Dąbrowski",
    "Kozłowski",
    "Mazur",
    "Krawczyk",
    "Łuczak",
    "Żak",
    "Grabowski",
    "Pawłowski",
]
TITLES = [
    "Wniosek o wydanie wypisu i wyrysu",
    "Wniosek o ustalenie warunków zabudowy",
    "Zawiadomienie o zakończeniu budowy",
    "Pismo w sprawie oświetlenia ulicy {street}",
    "Wniosek o udostępnienie informacji publicznej",
    "Odwołanie od decyzji w sprawie działki {parcel}",
    "Uzupełnienie wniosku",
    "Faktura VAT za energię",
    "Skarga na przewlekłość postępowania",
    "Zaproszenie na posiedzenie komisji",
    "Wniosek o zajęcie pasa drogowego ul. {street}",
    "Informacja o stanie środowiska",
    "Podział nieruchomości – działka {parcel}",
    "Zezwolenie na usunięcie drzew przy ul. {street}",
]
STREETS = ["Polna", "Leśna", "Słoneczna", "Łąkowa", "Źródlana", "Żeromskiego", "Kościuszki"]
NOTES = ["", "", "", "pilne", "brak podpisu", "do wiadomości wójta", "przekazano do referatu"]
RARE_WORD = "żurawinowa"  # planted in a few dozen rows


def generate(conn: sqlite3.Connection, rows: int, seed: int = 2026) -> None:
    rnd = random.Random(seed)
    people = [(f"{f} {last}", fold(f"{last} {f}")) for f in FIRST for last in LAST]
    people *= 20  # 2,560 correspondents
    conn.executemany(
        "INSERT INTO correspondent (kind, first_name, last_name, institution_name, pesel, nip, "
        "regon, street, building, apartment, postal_code, city, country, email, phone, "
        "epuap_address, ade, display_name, search_key, created_at) VALUES ('person', '', '', "
        "'', '', '', '', '', '', '', '', '', 'PL', '', '', '', '', ?, ?, '2026-01-01')",
        people,
    )
    start = datetime(2020, 1, 2, 8, 0, tzinfo=UTC)
    rare_every = max(rows // 40, 1)
    batch = []
    for i in range(1, rows + 1):
        at = start + timedelta(minutes=3 * i)
        year = at.year
        title = rnd.choice(TITLES).format(
            street=rnd.choice(STREETS), parcel=f"{rnd.randint(1, 900)}/{rnd.randint(1, 9)}"
        )
        notes = rnd.choice(NOTES)
        if i % rare_every == 0:
            notes = f"ul. {RARE_WORD.capitalize()} {rnd.randint(1, 50)}"
        batch.append(
            (
                i,
                year,
                i,
                f"RPW/{i}/{year}",
                at.isoformat(sep=" "),
                date(year, at.month, at.day).isoformat(),
                title,
                rnd.randint(1, len(people)),
                notes,
            )
        )
        if len(batch) == 20_000:
            _insert_entries(conn, batch)
            batch.clear()
    _insert_entries(conn, batch)


def _insert_entries(conn: sqlite3.Connection, batch: list[tuple[object, ...]]) -> None:
    conn.executemany(
        "INSERT INTO register_entry (id, direction, register_symbol, year, seq_no, number, "
        "registered_at, received_on, title, correspondent_id, unknown_fields, channel, "
        "tracking_no, attachment_count, notes, version, needs_attention, attention_reason) "
        "VALUES (?, 'incoming', 'RPW', ?, ?, ?, ?, ?, ?, ?, '', 'paper', '', 0, ?, 1, 0, '')",
        batch,
    )


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    result = fn()  # warm the page cache and statement cache
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="build the database at this path and keep it")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="kancelaria-search-bench-"))
    db_path = args.keep or workdir / "kancelaria.sqlite"
    if db_path.exists():
        db_path.unlink()
    settings = load_settings(data_dir=workdir, database_url=f"sqlite:///{db_path}", env={})
    ctx = open_context(settings, auto_upgrade=True)
    try:
        user = UserService(ctx.db).create_user("bench", "Bench", [Role.REGISTRY_CLERK])
        t0 = time.perf_counter()
        with ctx.db.engine.begin() as conn:
            raw = conn.connection.driver_connection
            assert isinstance(raw, sqlite3.Connection)
            for stmt in drop_trigger_statements("sqlite"):
                conn.exec_driver_sql(stmt)
            generate(raw, args.rows)
        load_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        with ctx.db.engine.begin() as conn:
            for stmt in fill_statements("sqlite"):
                conn.exec_driver_sql(stmt)
            for stmt in create_trigger_statements("sqlite"):
                conn.exec_driver_sql(stmt)
            conn.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
            docs = conn.execute(text("SELECT count(*) FROM search_doc")).scalar()
        index_s = time.perf_counter() - t0
        size_mb = db_path.stat().st_size / 1e6
        print(f"rows: {args.rows:,}  load: {load_s:.1f} s  index build: {index_s:.1f} s  ")
        print(f"indexed documents: {docs:,}  database file: {size_mb:.0f} MB\n")

        floor = sqlite3.connect(db_path)
        queries = [
            ("common word", "wniosek"),
            ("rare word", RARE_WORD[:-1] + "a"),  # żurawinowa, typed without diacritics
            ("prefix", "wisn"),
            ("two prefixes", "odwol dzial"),
            ("scanned number", f"RPW/{args.rows // 2}/{_year_of(args.rows // 2)}"),
        ]
        header = (
            f"{'query':<16}{'hits(p1)':>9}{'search()':>11}{'floor':>9}{'ratio':>8}"
            f"{'bm25 all':>11}{'all hits':>10}"
        )
        print(header)
        print("-" * len(header))
        for name, query in queries:
            tokens = search_service.query_tokens(query)
            match = search_service.fts5_query(tokens)
            ms, hits = timed(lambda q=query: search_service.search(ctx.db, user, q), args.repeat)
            floor_ms, _ = timed(
                lambda m=match: floor.execute(
                    "SELECT rowid FROM search_fts WHERE search_fts MATCH ? "
                    "ORDER BY rowid DESC LIMIT 50",
                    (m,),
                ).fetchall(),
                args.repeat,
            )
            ranked_ms, _ = timed(
                lambda m=match: floor.execute(
                    "SELECT rowid FROM search_fts WHERE search_fts MATCH ? ORDER BY rank LIMIT 50",
                    (m,),
                ).fetchall(),
                max(1, args.repeat // 3),
            )
            (total,) = floor.execute(
                "SELECT count(*) FROM search_fts WHERE search_fts MATCH ?", (match,)
            ).fetchone()
            assert isinstance(hits, list)
            print(
                f"{name:<16}{len(hits):>9}{ms:>9.2f}ms{floor_ms:>7.2f}ms"
                f"{ms / max(floor_ms, 0.001):>7.1f}x{ranked_ms:>9.2f}ms{total:>10,}"
            )
        floor.close()
        print("\nfloor = plain sqlite3, newest 50 hits by rowid; bm25 all = rank every hit")
        print("target: search() first page <= 50 ms")
    finally:
        ctx.close()
        shutil.rmtree(workdir, ignore_errors=True)


def _year_of(i: int) -> int:
    return (datetime(2020, 1, 2, 8, 0, tzinfo=UTC) + timedelta(minutes=3 * i)).year


if __name__ == "__main__":
    main()
