"""Benchmark: the register view over 1,000,000 entries against a bare paged QTableView.

    .venv/bin/python bench/register_view.py                 # 1,000,000 entries
    .venv/bin/python bench/register_view.py --rows 200000

Generates N entries with plain ``sqlite3`` executemany into a freshly migrated embedded
database (search triggers off during the load: this benchmark does not search), then
times, through ``RegisterTableModel`` + the page's ``QTableView`` and through a bare
``QTableView`` over a minimal model (row count + pages of 200 with LIMIT/OFFSET, no
joins, no formatting) in the same run:

- first page: model created (COUNT), view shown and painted;
- sort by each column of SORTS (both ways) and paint;
- jump to the last page (Ctrl+End) and paint.

Figures and ratios, not pass/fail; targets: <= 100 ms and <= 3x the bare view, and peak
RSS of the GUI (the register page in a fresh process, every sort visited) <= 300 MB.
Sorts timed: date, title, sender, assigned, case sign and notes, each both ways and
then jumped to the end, against the bare view's sort by an indexed column.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QApplication, QTableView

from clerk_app.config import load_settings
from clerk_app.models import (
    Case,
    Correspondent,
    CorrespondentKind,
    JrwaClass,
    JrwaPlan,
    Office,
    OrgUnit,
    Role,
)
from clerk_app.models.register_sort import assignee_key, name_key, sort_key
from clerk_app.models.search import drop_trigger_statements
from clerk_app.services.app_context import open_context
from clerk_app.services.register_query import RegisterFilter, RegisterQuery
from clerk_app.services.users import UserService
from clerk_app.ui.models.register_model import RegisterTableModel
from clerk_app.ui.pages.register_page import make_table

TITLES = [
    "Wniosek o wydanie wypisu i wyrysu",
    "Wniosek o ustalenie warunków zabudowy",
    "Zawiadomienie o zakończeniu budowy",
    "Skarga na przewlekłość postępowania",
    "Odwołanie od decyzji",
    "Uzupełnienie wniosku",
    "Wniosek o udostępnienie informacji publicznej",
    "Faktura VAT",
]
SENDERS = ["Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Żak", "Łuczak", "Dąbrowski"]
CHANNELS = ["paper", "paper", "paper", "epuap", "edoreczenia", "email", "in_person"]
PAGE = 200
REPEAT = 5


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


NOTES = ["pilne", "Ślepa kopia do Łodzi", "oryginał w teczce", "za zwrotnym potwierdzeniem"]
UNITS = 10
HANDLERS = 40
CASES = 20_000


def generate(path: Path, rows: int) -> None:
    settings = load_settings(data_dir=path.parent, database_url=f"sqlite:///{path}", env={})
    ctx = open_context(settings, auto_upgrade=True)
    UserService(ctx.db).create_user("bench", "Bench", [Role.MANAGER])
    with ctx.db.session(write=True) as session:
        office = Office(name="Urząd")
        session.add(office)
        session.flush()
        session.add_all(
            OrgUnit(id=i, office_id=office.id, symbol=f"U{i}", name=f"Referat {i}")
            for i in range(1, UNITS + 1)
        )
        session.add_all(
            Correspondent(
                id=i,
                kind=CorrespondentKind.PERSON,
                display_name=f"{SENDERS[i % 7]} {i}",
                search_key=f"{SENDERS[i % 7].lower()} {i}",
            )
            for i in range(1, 5001)
        )
    signs = {i: f"U{i % UNITS + 1}.6730.{i}.2026" for i in range(1, CASES + 1)}
    with ctx.db.session(write=True) as session:
        plan = JrwaPlan(valid_from_year=2020, name="JRWA")
        session.add(plan)
        session.flush()
        jrwa = JrwaClass(plan_id=plan.id, symbol="6730", title="WZ", is_end_class=True)
        session.add(jrwa)
        session.flush()
        session.add_all(
            Case(
                id=i,
                sign=sign,
                unit_id=i % UNITS + 1,
                jrwa_class_id=jrwa.id,
                year=2026,
                seq_no=i,
                title="Sprawa",
                opened_on=date(2026, 1, 2),
            )
            for i, sign in signs.items()
        )
    users = UserService(ctx.db)
    handlers = {
        users.create_user(f"h{i}", f"{SENDERS[i % 7]} Handler {i}", [Role.CASE_CLERK]).id: (
            f"{SENDERS[i % 7]} Handler {i}"
        )
        for i in range(1, HANDLERS + 1)
    }
    ctx.close()
    con = sqlite3.connect(path)
    for stmt in drop_trigger_statements("sqlite"):
        con.execute(stmt)
    con.execute("PRAGMA synchronous=OFF")
    senders = {i: f"{SENDERS[i % 7]} {i}" for i in range(1, 5001)}
    handler_ids = sorted(handlers)
    rnd = random.Random(7)
    start = date(2020, 1, 1)

    def entries() -> Iterator[tuple[Any, ...]]:
        for i in range(1, rows + 1):
            received = start + timedelta(days=rnd.randint(0, 2400))
            year = 2026
            title = TITLES[rnd.randrange(8)] + f" nr {i}"
            sender = rnd.randint(1, 5000)
            unit = rnd.randint(1, UNITS)
            handler = rnd.choice(handler_ids) if rnd.random() < 0.5 else None
            case = rnd.randint(1, CASES) if rnd.random() < 0.3 else None
            notes = NOTES[rnd.randrange(4)] if rnd.random() < 0.2 else ""
            yield (
                "incoming",
                "RPW",
                year,
                i,
                f"RPW/{i}/{year}",
                f"{received.isoformat()} 08:00:00.000000",
                received.isoformat(),
                title,
                sender,
                (received - timedelta(days=3)).isoformat(),
                f"{i % 97}/{year}",
                "",
                CHANNELS[rnd.randrange(7)],
                "",
                unit,
                handler,
                rnd.randint(0, 4),
                notes,
                1,
                0,
                "",
                case,
                # The sort keys, as the services write them.
                sort_key(title),
                name_key(senders[sender]),
                assignee_key(f"U{unit}", handlers.get(handler) if handler else None),
                name_key(signs[case]) if case else b"",
                sort_key(notes),
            )

    con.executemany(
        "INSERT INTO register_entry (direction, register_symbol, year, seq_no, number,"
        " registered_at, received_on, title, correspondent_id, letter_date, letter_ref,"
        " unknown_fields, channel, tracking_no, assigned_unit_id, assigned_user_id,"
        " attachment_count, notes, version, needs_attention, attention_reason, case_id,"
        " title_sort, sender_sort, assignee_sort, case_sign_sort, notes_sort)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        entries(),
    )
    con.commit()
    con.execute("ANALYZE")
    con.close()


class BareModel(QAbstractTableModel):
    """The floor: knows the row count, loads pages of 200 on demand, no joins, no formatting."""

    # As many columns as the register view, raw values from the table itself.
    COLUMNS = [
        "number",
        "received_on",
        "title",
        "correspondent_id",
        "letter_date",
        "letter_ref",
        "assigned_unit_id",
        "attachment_count",
        "channel",
        "tracking_no",
        "case_id",
        "notes",
    ]

    def __init__(self, con: sqlite3.Connection) -> None:
        super().__init__()
        self.con = con
        self.order = "id DESC"
        self.count = con.execute("SELECT count(*) FROM register_entry").fetchone()[0]
        self.pages: dict[int, list[tuple[Any, ...]]] = {}

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.count

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        number = index.row() // PAGE
        page = self.pages.get(number)
        if page is None:
            page = self.con.execute(
                f"SELECT {', '.join(self.COLUMNS)} FROM register_entry ORDER BY {self.order}"
                " LIMIT ? OFFSET ?",
                (PAGE, number * PAGE),
            ).fetchall()
            self.pages[number] = page
        row = page[index.row() % PAGE]
        return row[index.column()]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.beginResetModel()
        direction = "DESC" if order == Qt.SortOrder.DescendingOrder else "ASC"
        self.order = f"{self.COLUMNS[column]} {direction}, id {direction}"
        self.pages.clear()
        self.endResetModel()


def paint(view: QTableView) -> None:
    view.viewport().repaint()
    QApplication.processEvents()


def timed(fn: Callable[[], None]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


# Columns of the register view timed as sorts (model column index, label).
SORTS = [
    (1, "date"),
    (2, "title"),
    (3, "sender"),
    (6, "assigned"),
    (10, "case sign"),
    (11, "notes"),
]


def run_ours(db_path: Path) -> dict[str, float]:
    settings = load_settings(data_dir=db_path.parent, database_url=f"sqlite:///{db_path}", env={})
    ctx = open_context(settings, auto_upgrade=True)
    user = next(u for u in UserService(ctx.db).list_users() if u.login == "bench")
    query = RegisterQuery(ctx.db, user)
    query.count(RegisterFilter())  # warm the connection pool and the page cache of SQLite
    holder: dict[str, Any] = {}

    def first() -> None:
        # As the register page builds it: the exact COUNT runs on a worker thread.
        model = RegisterTableModel(query, count_in_background=True)
        view = make_table(model)
        view.resize(1200, 800)
        view.setSortingEnabled(True)
        view.show()
        paint(view)
        holder.update(model=model, view=view)

    figures = {"first page": timed(first)}
    view: QTableView = holder["view"]
    model: RegisterTableModel = holder["model"]
    # Waiting for the background COUNT is part of "jump to end" (it cannot jump without it).
    figures["jump to end"] = timed(
        lambda: (model.wait_for_count(), view.scrollToBottom(), paint(view))
    )
    for column, label in SORTS:
        for order, suffix in (
            (Qt.SortOrder.AscendingOrder, ""),
            (Qt.SortOrder.DescendingOrder, " desc"),
        ):
            figures[f"sort {label}{suffix}"] = timed(
                lambda c=column, o=order: (view.sortByColumn(c, o), paint(view))  # type: ignore[misc]
            )
            figures[f"  end ({label}{suffix})"] = timed(
                lambda: (view.scrollToBottom(), paint(view))
            )
            view.scrollToTop()
            paint(view)
    view.close()
    view.deleteLater()
    ctx.close()
    return figures


def run_bare(db_path: Path) -> dict[str, float]:
    con = sqlite3.connect(db_path)
    con.execute("SELECT count(*) FROM register_entry").fetchone()
    holder: dict[str, Any] = {}

    def first() -> None:
        model = BareModel(con)
        view = QTableView()
        view.setModel(model)
        view.resize(1200, 800)
        view.setSortingEnabled(True)
        view.show()
        paint(view)
        holder.update(model=model, view=view)

    figures = {"first page": timed(first)}
    view: QTableView = holder["view"]
    figures["jump to end"] = timed(lambda: (view.scrollToBottom(), paint(view)))
    # The floor's sort: an indexed column of the table itself, nothing joined.
    figures["sort"] = timed(
        lambda: (view.sortByColumn(1, Qt.SortOrder.AscendingOrder), paint(view))
    )
    figures["end (sorted)"] = timed(lambda: (view.scrollToBottom(), paint(view)))
    view.close()
    view.deleteLater()
    con.close()
    return figures


def floor_for(key: str) -> str:
    if key.startswith("sort"):
        return "sort"
    if key.startswith("  end"):
        return "end (sorted)"
    return key


def measure_rss(db_path: Path) -> int:
    """Child process: the register page over the whole register, as a clerk uses it."""
    from clerk_app.ui.hub import Hub
    from clerk_app.ui.pages.register_page import RegisterPage

    app = QApplication.instance() or QApplication([])
    settings = load_settings(data_dir=db_path.parent, database_url=f"sqlite:///{db_path}", env={})
    ctx = open_context(settings, auto_upgrade=True)
    user = next(u for u in UserService(ctx.db).list_users() if u.login == "bench")
    page = RegisterPage(ctx, user, Hub())
    page.resize(1400, 900)
    page.show()
    app.processEvents()
    table = page.findChild(QTableView)
    assert table is not None
    model = table.model()
    wait = getattr(model, "wait_for_count", None)
    if wait is not None:
        wait()
    for column, _label in SORTS:
        table.sortByColumn(column, Qt.SortOrder.DescendingOrder)
        table.scrollToBottom()
        paint(table)
        table.scrollToTop()
        paint(table)
    print(f"rows {model.rowCount()}")
    print(f"peak RSS {rss_mb():.0f} MB")
    page.close()
    ctx.close()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="reuse/keep the database at this path")
    parser.add_argument("--measure-rss", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_rss:
        return measure_rss(args.measure_rss)
    with tempfile.TemporaryDirectory() as tmp:
        db_path = args.keep or Path(tmp) / "bench.sqlite"
        if not db_path.exists():
            started = time.perf_counter()
            generate(db_path, args.rows)
            print(f"generated {args.rows:,} entries in {time.perf_counter() - started:.1f} s")
        print(f"load average {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")
        app = QApplication.instance() or QApplication([])
        ours: dict[str, list[float]] = {}
        bare: dict[str, list[float]] = {}
        for _ in range(REPEAT):
            for key, value in run_ours(db_path).items():
                ours.setdefault(key, []).append(value)
            for key, value in run_bare(db_path).items():
                bare.setdefault(key, []).append(value)
            app.processEvents()
        print(f"{'':22}{'ours ms':>10}{'bare ms':>10}{'ratio':>8}   (median of {REPEAT})")
        for key in ours:
            o, b = statistics.median(ours[key]), statistics.median(bare[floor_for(key)])
            print(f"{key:22}{o:10.1f}{b:10.1f}{o / b:8.2f}")
        print(f"load average {os.getloadavg()[0]:.1f}")
        # A fresh process: the figure is the GUI's, not this script's generation and timing.
        child = subprocess.run(
            [sys.executable, __file__, "--measure-rss", str(db_path)],
            capture_output=True,
            text=True,
            check=True,
        )
        print("register page, every sort and both ends visited: " + child.stdout.strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
