"""Registering one incoming item with numbering, through the service, on the embedded SQLite.

Against the floor in the same run: a plain ``sqlite3`` INSERT of a similar row in
its own write transaction with the same pragmas (WAL, synchronous=NORMAL). The
service does more on purpose (numbering, validation, the hash-chained audit
event, the duplicate tracking-number check), so the ratio shows what that costs.
Target: ≤ 20 ms per registration.

Usage: python bench/register_insert.py [--runs 300] [--prefill 0]
``--prefill N`` first fills the register with N synthetic entries (plain SQL).
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from clerk_app.config import load_settings
from clerk_app.models import Channel, Role
from clerk_app.models.search import create_trigger_statements, drop_trigger_statements
from clerk_app.services.app_context import open_context
from clerk_app.services.register import RegisterService
from clerk_app.services.register_types import IncomingDraft
from clerk_app.services.users import UserService

TARGET_MS = 20.0
TITLES = ["Wniosek o wypis i wyrys", "Skarga na hałas", "Podanie o zaświadczenie", "Wezwanie"]


def prefill(db_path: Path, count: int, year: int) -> None:
    """Synthetic older entries (last year), so this year's numbering starts at 1."""
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=WAL")
    # The search triggers call a function only the program's connections have (and indexing
    # a million old entries is not what this benchmark measures): off during the load.
    for stmt in drop_trigger_statements("sqlite"):
        conn.execute(stmt)
    rows = (
        (
            "incoming",
            "RPW",
            year - 1,
            n,
            f"RPW/{n}/{year - 1}",
            "2025-06-01 10:00:00.000000",
            "2025-06-01",
            TITLES[n % len(TITLES)] + f" nr {n}",
            "",
            "paper",
            f"RR{n:09d}PL" if n % 3 == 0 else "",
            0,
            "",
            1,
            0,
            "",
        )
        for n in range(1, count + 1)
    )
    conn.executemany(
        "INSERT INTO register_entry (direction, register_symbol, year, seq_no, number,"
        " registered_at, received_on, title, unknown_fields, channel, tracking_no,"
        " attachment_count, notes, version, needs_attention, attention_reason)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    for stmt in create_trigger_statements("sqlite"):
        conn.execute(stmt)
    conn.commit()
    conn.close()


def bench_service(folder: Path, runs: int, prefill_count: int) -> list[float]:
    settings = load_settings(data_dir=folder, env={})
    ctx = open_context(settings, auto_upgrade=True)
    today = date.today()
    if prefill_count:
        assert settings.sqlite_path is not None
        prefill(settings.sqlite_path, prefill_count, today.year)
    clerk = UserService(ctx.db).create_user("anna", "Anna Nowak", [Role.REGISTRY_CLERK])
    service = RegisterService(ctx.db, ctx.blobs, clerk)
    times = []
    for i in range(runs + 20):
        draft = IncomingDraft(
            received_on=today,
            channel=Channel.PAPER,
            title=TITLES[i % len(TITLES)],
            letter_date=today - timedelta(days=2),
            letter_ref=f"{i}/2026",
            tracking_no=f"RR{900_000_000 + i}PL",
            unknown=frozenset({"sender"}),
        )
        start = time.perf_counter()
        service.register_incoming(draft)
        elapsed = time.perf_counter() - start
        if i >= 20:  # warm-up: statement caches, first blob folder, etc.
            times.append(elapsed * 1000)
    ctx.close()
    return times


def bench_floor(folder: Path, runs: int) -> list[float]:
    conn = sqlite3.connect(folder / "floor.sqlite", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(
        "CREATE TABLE entry (id INTEGER PRIMARY KEY, number TEXT UNIQUE, received_on TEXT,"
        " title TEXT, letter_date TEXT, letter_ref TEXT, channel TEXT, tracking_no TEXT)"
    )
    times = []
    for i in range(runs + 20):
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO entry (number, received_on, title, letter_date, letter_ref, channel,"
            " tracking_no) VALUES (?,?,?,?,?,?,?)",
            (
                f"RPW/{i + 1}/2026",
                "2026-03-09",
                TITLES[i % 4],
                "2026-03-07",
                f"{i}/2026",
                "paper",
                f"RR{900_000_000 + i}PL",
            ),
        )
        conn.execute("COMMIT")
        if i >= 20:
            times.append((time.perf_counter() - start) * 1000)
    conn.close()
    return times


def describe(name: str, times: list[float]) -> str:
    times = sorted(times)
    p95 = times[int(len(times) * 0.95) - 1]
    return f"{name:<34} median {statistics.median(times):7.3f} ms   p95 {p95:7.3f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--prefill", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kancelaria-bench-") as tmp:
        folder = Path(tmp)
        service = bench_service(folder / "data", args.runs, args.prefill)
        floor = bench_floor(folder, args.runs)
    median_service = statistics.median(service)
    median_floor = statistics.median(floor)
    print(
        f"register one incoming entry, embedded SQLite, {args.runs} runs, "
        f"{args.prefill} entries before"
    )
    print(describe("service (numbering, audit, checks)", service))
    print(describe("floor (plain sqlite3 INSERT)", floor))
    print(f"ratio service/floor: {median_service / median_floor:.1f}×")
    verdict = "OK" if median_service <= TARGET_MS else "OVER TARGET"
    print(f"target ≤ {TARGET_MS:.0f} ms: {verdict}")


if __name__ == "__main__":
    main()
