"""Benchmark: letters, mail merge and the overdue report against their raw floors.

    .venv/bin/python bench/documents.py                       # the issue's sizes
    .venv/bin/python bench/documents.py --letters 50 --merge 100 --cases 20000 --soffice 10
    .venv/bin/python bench/documents.py --skip merge,soffice

Everything runs on a freshly migrated embedded database in a temporary folder:

- letters per second: a one-page art. 10 KPA letter with the full layout through the
  app's own path (``LetterService.build_letters`` → ``write_letter_pdf``, one file
  each) against bare reportlab platypus pages with the same text and the same
  embedded DejaVu font (one file each), in the same run; target >= 50 letters/s;
- a mail merge to N addressees end to end through ``LetterService.mail_merge`` (one
  PDF and one outgoing entry each, the combined PDF, labels, the dispatch book), the
  files written as the Letters page writes them: seconds and per addressee;
- the overdue report over N cases (seeded with raw sqlite3 inserts, deadlines as
  the case service stores them) through ``ReportService`` to PDF and to XLSX, against
  a plain sqlite3 read of the same open cases; target <= 10 s;
- LibreOffice: when ``soffice`` is installed, the letter's text as a flat ODF text
  (.fodt, same font) converted to PDF with ``soffice --headless --convert-to pdf``,
  one start per letter and all letters in one run (warm profile); target: ours >= 5x
  faster. Skipped with a note when it is not installed.

The letters are always timed (LibreOffice converts their text); ``--merge 0`` /
``--cases 0`` / ``--soffice 0`` or ``--skip`` leave the other parts out. Note that
each mail-merge letter lists every addressee under "Otrzymują", so its pages (and
the work per letter) grow with the number of addressees.

Figures and ratios only, never pass/fail.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate

from clerk_app.config import load_settings
from clerk_app.documents.fonts import FONT_REGULAR, register_fonts
from clerk_app.documents.letter_pdf import render_letter_pdf, write_letter_pdf
from clerk_app.documents.report_export import write_report
from clerk_app.models import (
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
    User,
)
from clerk_app.models.search import create_trigger_statements, drop_trigger_statements
from clerk_app.services.app_context import AppContext, open_context
from clerk_app.services.cases import CaseService
from clerk_app.services.kpa_deadlines import DeadlineKind, DeadlineTerm, due_date
from clerk_app.services.letters import LetterService
from clerk_app.services.reports import ReportParams, ReportService
from clerk_app.services.users import CurrentUser, UserService

TODAY = date(2026, 6, 15)
TEMPLATE = "kpa_evidence_review"  # art. 10 KPA: a typical one-page notice
UNITS = 10
HANDLERS = 40
FIRST = ["Jan", "Ewa", "Zofia", "Łukasz", "Małgorzata", "Żaneta", "Grzegorz", "Ślęzak"]
LAST = ["Kałuża", "Gęś", "Wiśniewski", "Wójcik", "Żak", "Łuczak", "Dąbrowski", "Źrebiec"]
CITIES = ["Żółkiewka", "Krasnystaw", "Łódź", "Zielona Dolina", "Gdańsk", "Świdnik"]
KINDS = ["one_month", "one_month", "two_months", "seven_days", "fourteen_days"]


def figure(label: str, value: str) -> None:
    print(f"  {label:<58} {value}")


def per_second(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


# --- the office ----------------------------------------------------------------


def open_office(folder: Path) -> tuple[AppContext, CurrentUser, int]:
    """A migrated embedded database with an office, units, a JRWA class and one clerk
    allowed to write letters, register them and print reports."""
    path = folder / "kancelaria.sqlite"
    settings = load_settings(data_dir=folder, database_url=f"sqlite:///{path}", env={})
    ctx = open_context(settings, auto_upgrade=True)
    with ctx.db.session(write=True) as session:
        office = Office(
            name="Urząd Gminy Zielona Dolina",
            street="ul. Źródlana",
            building="5",
            postal_code="22-335",
            city="Zielona Dolina",
            phone="84 123 45 67",
        )
        session.add(office)
        session.flush()
        session.add_all(
            OrgUnit(id=i, office_id=office.id, symbol=f"U{i}", name=f"Referat {i}")
            for i in range(1, UNITS + 1)
        )
        plan = JrwaPlan(valid_from_year=2020, name="JRWA")
        session.add(plan)
        session.flush()
        session.add(JrwaClass(plan_id=plan.id, symbol="6730", title="WZ", is_end_class=True))
    roles = [Role.CASE_CLERK, Role.REGISTRY_CLERK, Role.MANAGER]
    clerk = UserService(ctx.db).create_user(
        "m.slazak", "Małgorzata Ślązak", roles, position="inspektor"
    )
    with ctx.db.session(write=True) as session:
        user = session.get(User, clerk.id)
        assert user is not None
        user.unit_id = 1
        jrwa_id = session.query(JrwaClass.id).filter(JrwaClass.symbol == "6730").scalar()
    return ctx, clerk, int(jrwa_id)


def case_with_parties(ctx: AppContext, clerk: CurrentUser, parties: int, title: str) -> str:
    """A case of unit U1 whose register entries come from ``parties`` correspondents."""
    rnd = random.Random(parties)
    with ctx.db.session(write=True) as session:
        people = [
            Correspondent(
                kind=CorrespondentKind.PERSON,
                first_name=FIRST[i % len(FIRST)],
                last_name=f"{LAST[i % len(LAST)]}",
                display_name=f"{FIRST[i % len(FIRST)]} {LAST[i % len(LAST)]} {i}",
                search_key=f"{LAST[i % len(LAST)]} {FIRST[i % len(FIRST)]} {i}".lower(),
                street="ul. Polna",
                building=str(rnd.randint(1, 120)),
                postal_code=f"22-{rnd.randint(100, 999)}",
                city=CITIES[i % len(CITIES)],
            )
            for i in range(parties)
        ]
        session.add_all(people)
        session.flush()
        base = session.query(RegisterEntry).count()
        entries = [
            RegisterEntry(
                direction=Direction.INCOMING,
                register_symbol="RPW",
                year=2026,
                seq_no=base + n,
                number=f"RPW/{base + n}/2026",
                received_on=date(2026, 6, 1),
                title="Wniosek o ustalenie warunków zabudowy",
                correspondent_id=person.id,
                channel=Channel.PAPER,
            )
            for n, person in enumerate(people, start=1)
        ]
        session.add_all(entries)
        session.flush()
        entry_ids = [e.id for e in entries]
    cases = CaseService(ctx.db, clerk, today=lambda: TODAY)
    row = cases.open_case(
        1, "6730", title, date(2026, 6, 1), DeadlineKind.ONE_MONTH, origin_entry_id=entry_ids[0]
    )
    # Filing each entry through the service would audit each; one UPDATE is what matters here.
    with ctx.db.session(write=True) as session:
        session.query(RegisterEntry).filter(RegisterEntry.id.in_(entry_ids)).update(
            {RegisterEntry.case_id: row.id}, synchronize_session=False
        )
    return row.sign


# --- letters per second ----------------------------------------------------------


def letter_lines(pdf: Path) -> list[str]:
    return [
        line
        for page in PdfReader(pdf).pages
        for line in (page.extract_text() or "").splitlines()
        if line.strip()
    ]


def bare_letter(lines: list[str], target: Path) -> None:
    """The floor: the same lines as platypus paragraphs in the same embedded font."""
    style = ParagraphStyle("bare", fontName=FONT_REGULAR, fontSize=10.5, leading=14)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        initialFontName=FONT_REGULAR,
    )
    doc.build([Paragraph(escape(line), style) for line in lines])
    target.write_bytes(buffer.getvalue())


def bench_letters(ctx: AppContext, clerk: CurrentUser, count: int, out: Path) -> dict[str, Any]:
    print(f"\nLetters per second ({count} one-page letters, one file each)")
    sign = case_with_parties(ctx, clerk, 2, "Warunki zabudowy – działka 12/3, Zielona Dolina")
    service = LetterService(ctx.db, ctx.blobs, clerk, today=lambda: TODAY)
    context = service.case_context(sign)
    party = context.parties[0].correspondent_id
    ours_dir, bare_dir = out / "ours", out / "bare"
    ours_dir.mkdir()
    bare_dir.mkdir()

    def ours(i: int) -> Path:
        letter = service.build_letters(TEMPLATE, context, {}, [party])[0]
        return write_letter_pdf(letter, ours_dir / f"pismo-{i}.pdf")

    sample = ours(0)  # warm-up: fonts, styles and the template compiled once per process
    pages = len(PdfReader(sample).pages)
    lines = letter_lines(sample)
    register_fonts()
    bare_letter(lines, bare_dir / "warm.pdf")

    start = time.perf_counter()
    for i in range(count):
        ours(i)
    ours_s = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(count):
        render_letter_pdf(service.build_letters(TEMPLATE, context, {}, [party])[0])
    memory_s = time.perf_counter() - start
    start = time.perf_counter()
    for i in range(count):
        bare_letter(lines, bare_dir / f"pismo-{i}.pdf")
    bare_s = time.perf_counter() - start
    bare_pages = len(PdfReader(bare_dir / "pismo-0.pdf").pages)

    ours_rate, bare_rate = per_second(count, ours_s), per_second(count, bare_s)
    figure("pages per letter (ours / bare)", f"{pages} / {bare_pages}")
    figure("Kancelaria: template fill + layout + atomic write", f"{ours_rate:8.1f} letters/s")
    figure(
        "  the same in memory (no file, no fsync)", f"{per_second(count, memory_s):8.1f} letters/s"
    )
    figure("bare reportlab platypus, same text and font", f"{bare_rate:8.1f} pages/s")
    figure("ratio (ours / bare)", f"{ours_rate / bare_rate:8.2f}")
    figure("target >= 50 letters/s", "met" if ours_rate >= 50 else "MISSED")
    return {"sample": sample, "lines": lines, "rate": ours_rate}


# --- mail merge -------------------------------------------------------------------


def bench_merge(ctx: AppContext, clerk: CurrentUser, count: int, out: Path) -> None:
    print(f"\nMail merge to {count} addressees, end to end")
    start = time.perf_counter()
    sign = case_with_parties(ctx, clerk, count, "Zawiadomienie stron – plan miejscowy")
    figure(
        "seeding the case and its parties (not timed below)",
        f"{time.perf_counter() - start:8.2f} s",
    )
    service = LetterService(ctx.db, ctx.blobs, clerk, today=lambda: TODAY)
    folder = out / "merge"
    folder.mkdir()
    done_at: list[float] = []

    start = time.perf_counter()
    ids = [p.correspondent_id for p in service.case_context(sign).parties]
    result = service.mail_merge(
        TEMPLATE, sign, {}, ids, progress=lambda done, total: done_at.append(time.perf_counter())
    )
    assert result is not None
    rendered = time.perf_counter()
    # The files the Letters page and `letter merge` write.
    for saved, pdf in zip(result.letters, result.pdfs, strict=True):
        (folder / saved.file_name).write_bytes(pdf)
    (folder / "do_druku.pdf").write_bytes(result.combined_pdf)
    (folder / "etykiety.pdf").write_bytes(result.print_pdf)
    (folder / "ksiazka_nadawcza.pdf").write_bytes(result.dispatch_book_pdf)
    total_s = time.perf_counter() - start

    letters_done = done_at[count - 1] if len(done_at) >= count else rendered
    pages = len(PdfReader(io.BytesIO(result.combined_pdf)).pages)
    figure("letters registered / pages in the combined PDF", f"{len(result.letters)} / {pages}")
    figure("rendering the letters", f"{letters_done - start:8.2f} s")
    figure("registering, combining, labels, dispatch book", f"{rendered - letters_done:8.2f} s")
    figure("writing the files", f"{total_s - (rendered - start):8.2f} s")
    figure("end to end", f"{total_s:8.2f} s")
    figure("per addressee", f"{total_s / count * 1000:8.1f} ms")


# --- the overdue report -----------------------------------------------------------


def seed_cases(ctx: AppContext, path: Path, jrwa_id: int, count: int, open_share: float) -> None:
    """``count`` cases written with raw sqlite3: most closed, ``open_share`` still open
    with deadlines (``due_on`` computed by the deadline engine, as the case service does)."""
    users = UserService(ctx.db)
    handlers = [
        users.create_user(f"h{i}", f"{FIRST[i % 8]} {LAST[i % 8]}", [Role.CASE_CLERK]).id
        for i in range(1, HANDLERS + 1)
    ]
    with ctx.db.session() as session:
        seq_start = session.query(RegisterEntry).count()  # nothing collides with signs used
    rnd = random.Random(6)
    due_cache: dict[tuple[str, date], date] = {}

    def rows() -> Iterator[tuple[Any, ...]]:
        for i in range(1, count + 1):
            unit = rnd.randint(1, UNITS)
            kind = KINDS[rnd.randrange(len(KINDS))]
            if rnd.random() < open_share:
                opened = TODAY - timedelta(days=rnd.randint(0, 120))
                key = (kind, opened)
                due = due_cache.get(key)
                if due is None:
                    due = due_cache[key] = due_date(DeadlineTerm(DeadlineKind(kind)), opened)
                status, closed = "open", None
            else:
                opened = TODAY - timedelta(days=rnd.randint(30, 900))
                due = None
                status, closed = "closed", (opened + timedelta(days=rnd.randint(3, 60)))
            yield (
                f"U{unit}.6730.{seq_start + i}.{opened.year}",
                unit,
                jrwa_id,
                opened.year,
                seq_start + i,
                0,
                "",
                f"Ustalenie warunków zabudowy – działka {i}/{unit}, obręb Zielona Dolina",
                status,
                handlers[i % HANDLERS],
                opened.isoformat(),
                closed.isoformat() if closed else None,
                "",
                kind,
                None,
                None,
                due.isoformat() if due else None,
                None,
                None,
                f"{opened.isoformat()} 09:00:00.000000",
            )

    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous=OFF")
    # The search triggers call a Python function the app registers; this report does
    # not search, so they are off during the load and back afterwards.
    for stmt in drop_trigger_statements("sqlite"):
        con.execute(stmt)
    con.executemany(
        "INSERT INTO cases (sign, unit_id, jrwa_class_id, year, seq_no, subgroup, initials,"
        " title, status, handler_id, opened_on, closed_on, outcome, deadline_kind,"
        " deadline_days, custom_due_on, due_on, delay_notice_on, origin_entry_id, created_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        rows(),
    )
    for stmt in create_trigger_statements("sqlite"):
        con.execute(stmt)
    con.commit()
    con.execute("ANALYZE")
    con.close()


def bench_overdue(
    ctx: AppContext, clerk: CurrentUser, path: Path, jrwa_id: int, count: int, open_share: float,
    out: Path,
) -> None:  # fmt: skip
    print(f"\nOverdue report over {count} cases ({open_share:.0%} open)")
    start = time.perf_counter()
    seed_cases(ctx, path, jrwa_id, count, open_share)
    figure("seeding with raw inserts (not timed below)", f"{time.perf_counter() - start:8.2f} s")

    # The floor: reading the open cases with their deadline columns, plain sqlite3.
    con = sqlite3.connect(path)
    start = time.perf_counter()
    floor_rows = con.execute(
        "SELECT c.sign, c.title, u.full_name, c.id, c.deadline_kind, c.deadline_days,"
        " c.custom_due_on, c.opened_on, c.closed_on, c.delay_notice_on FROM cases c"
        " LEFT JOIN app_user u ON u.id = c.handler_id"
        " WHERE c.status != 'closed' AND c.deadline_kind != '' AND (c.due_on IS NULL OR"
        " c.due_on <= ?)",
        ((TODAY + timedelta(days=7)).isoformat(),),
    ).fetchall()
    floor_s = time.perf_counter() - start
    con.close()

    service = ReportService(ctx.db, clerk)
    params = ReportParams(today=TODAY)
    start = time.perf_counter()
    report = service.build("overdue", params)
    built_s = time.perf_counter() - start
    start = time.perf_counter()
    write_report(report, out / "overdue.pdf", "Urząd Gminy Zielona Dolina")
    pdf_s = time.perf_counter() - start
    start = time.perf_counter()
    write_report(report, out / "overdue.xlsx", "Urząd Gminy Zielona Dolina")
    xlsx_s = time.perf_counter() - start
    pages = len(PdfReader(out / "overdue.pdf").pages)

    figure(
        "candidate open cases read / rows in the report", f"{len(floor_rows)} / {report.row_count}"
    )
    figure("plain sqlite3 read of the candidates (floor)", f"{floor_s:8.3f} s")
    figure("ReportService.build (SQL + KPA deadline engine)", f"{built_s:8.3f} s")
    figure("  ratio to the floor", f"{built_s / max(floor_s, 1e-9):8.1f}")
    figure(f"PDF ({pages} pages)", f"{pdf_s:8.2f} s")
    figure("XLSX", f"{xlsx_s:8.2f} s")
    figure("build + PDF", f"{built_s + pdf_s:8.2f} s")
    figure("target build + PDF <= 10 s", "met" if built_s + pdf_s <= 10 else "MISSED")


# --- LibreOffice ------------------------------------------------------------------

FODT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
 <office:font-face-decls>
  <style:font-face style:name="DejaVu Sans" svg:font-family="'DejaVu Sans'"/>
 </office:font-face-decls>
 <office:styles>
  <style:style style:name="Standard" style:family="paragraph">
   <style:text-properties style:font-name="DejaVu Sans" fo:font-size="10.5pt"/>
  </style:style>
 </office:styles>
 <office:automatic-styles>
  <style:page-layout style:name="pm1">
   <style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm"
    fo:margin-top="2cm" fo:margin-bottom="2cm" fo:margin-left="2.5cm" fo:margin-right="2cm"/>
  </style:page-layout>
 </office:automatic-styles>
 <office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1"/>
 </office:master-styles>
 <office:body><office:text>
{paragraphs}
 </office:text></office:body>
</office:document>
"""


def fodt(lines: list[str]) -> str:
    """The letter's text as a flat ODF document (what an office's Writer template holds)."""
    body = "\n".join(
        f'  <text:p text:style-name="Standard">{escape(line)}</text:p>' for line in lines
    )
    return FODT.replace("{paragraphs}", body)


def soffice_convert(soffice: str, profile: Path, files: list[Path], out: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *map(str, files),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=1800,
    )
    return time.perf_counter() - start


def bench_soffice(lines: list[str], count: int, ours_rate: float, out: Path) -> None:
    print(f"\nLibreOffice: the same letter from .fodt, {count} conversions")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        figure("soffice is not installed", "comparison skipped")
        return
    folder = out / "soffice"
    folder.mkdir()
    profile = out / "soffice-profile"
    sources = []
    for i in range(count):
        source = folder / f"pismo-{i}.fodt"
        source.write_text(fodt(lines), "utf-8")
        sources.append(source)
    # The first start creates the profile; offices convert with a warm profile.
    soffice_convert(soffice, profile, sources[:1], folder / "warm")
    single = [soffice_convert(soffice, profile, sources[:1], folder / f"one-{k}") for k in range(3)]
    batch_s = soffice_convert(soffice, profile, sources, folder / "batch")
    converted = len(list((folder / "batch").glob("*.pdf")))
    batch_rate = per_second(converted, batch_s)
    figure("one letter per soffice start (median of 3)", f"{statistics.median(single):8.2f} s")
    figure(f"{converted} letters in one soffice run", f"{batch_rate:8.1f} letters/s")
    figure(
        "Kancelaria / LibreOffice, one start per letter",
        f"{ours_rate * statistics.median(single):8.1f}x",
    )
    figure("Kancelaria / LibreOffice batch", f"{ours_rate / batch_rate:8.1f}x")
    figure("target >= 5x", "met" if ours_rate / batch_rate >= 5 else "MISSED")


# --- main -------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--letters", type=int, default=200, help="letters timed (default 200)")
    parser.add_argument("--merge", type=int, default=1000, help="mail-merge addressees")
    parser.add_argument("--cases", type=int, default=100_000, help="cases for the overdue report")
    parser.add_argument("--open-share", type=float, default=0.15, help="share of open cases")
    parser.add_argument("--soffice", type=int, default=50, help="LibreOffice conversions")
    parser.add_argument("--skip", default="", help="comma list: merge,overdue,soffice")
    args = parser.parse_args()
    skip = {part.strip() for part in args.skip.split(",") if part.strip()}

    with tempfile.TemporaryDirectory(prefix="kancelaria-bench-") as tmp:
        folder = Path(tmp)
        ctx, clerk, jrwa_id = open_office(folder / "data")
        out = folder / "out"
        out.mkdir()
        try:
            print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, embedded SQLite")
            letters = bench_letters(ctx, clerk, max(args.letters, 1), out)
            if "merge" not in skip and args.merge > 0:
                bench_merge(ctx, clerk, args.merge, out)
            if "overdue" not in skip and args.cases > 0:
                bench_overdue(
                    ctx, clerk, folder / "data" / "kancelaria.sqlite", jrwa_id, args.cases,
                    args.open_share, out,
                )  # fmt: skip
            if "soffice" not in skip and args.soffice > 0:
                bench_soffice(letters["lines"], args.soffice, letters["rate"], out)
        finally:
            ctx.close()


if __name__ == "__main__":
    main()
