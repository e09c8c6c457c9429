"""Exports write what the view shows, in its order, to CSV and XLSX; a cancel leaves nothing."""

from __future__ import annotations

import csv
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from clerk_app.models import AuditEvent, Channel, Role
from clerk_app.services.app_context import AppContext
from clerk_app.services.demo_data import fill_demo_data
from clerk_app.services.export import ExportFormat, export_cases, export_register
from clerk_app.services.register_query import (
    CaseFilter,
    RegisterFilter,
    RegisterQuery,
    SortSpec,
)
from clerk_app.services.users import CurrentUser, UserService


@pytest.fixture
def manager(ctx: AppContext) -> CurrentUser:
    fill_demo_data(ctx.db, today=date(2026, 11, 25), incoming=60)
    return UserService(ctx.db).create_user("kier", "Kierownik", [Role.MANAGER])


def xlsx_rows(path: Path) -> list[list[str]]:
    """Cell texts of the first sheet (inline or shared strings, numbers as text)."""
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            xml = z.read("xl/sharedStrings.xml").decode()
            shared = [re.sub(r"<[^>]+>", "", s) for s in re.findall(r"<si>(.*?)</si>", xml, re.S)]
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    rows = []
    for row in re.findall(r"<row [^>]*>(.*?)</row>", sheet, re.S):
        cells: dict[int, str] = {}
        for attrs, body in re.findall(r"<c ([^>]*?)(?:/>|>(.*?)</c>)", row, re.S):
            ref = re.search(r'r="([A-Z]+)\d+"', attrs)
            assert ref is not None
            column = 0
            for letter in ref.group(1):
                column = column * 26 + ord(letter) - ord("A") + 1
            value = re.sub(r"<[^>]+>", "", body or "")
            cells[column - 1] = shared[int(value)] if 't="s"' in attrs else value
        rows.append([cells.get(i, "") for i in range(max(cells) + 1 if cells else 0)])
    return rows


def test_csv_export_matches_the_view(ctx: AppContext, manager: CurrentUser, tmp_path: Path) -> None:
    flt = RegisterFilter(channel=Channel.PAPER)
    sort = SortSpec("sender")
    shown = RegisterQuery(ctx.db, manager).page(flt, sort, 0, 1000)
    seen: list[tuple[int, int]] = []
    result = export_register(
        ctx.db,
        manager,
        flt,
        sort,
        tmp_path / "r.csv",
        ExportFormat.CSV,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert result.rows == len(shown) and not result.cancelled
    with (tmp_path / "r.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    assert rows[0][:4] == ["Numer", "Rejestr", "Data wpływu / wysłania", "Tytuł"]
    assert [r[0] for r in rows[1:]] == [e.number for e in shown]
    first = shown[0]
    assert rows[1][2] == first.received_on.strftime("%d.%m.%Y") if first.received_on else True
    assert {r[9] for r in rows[1:]} == {"papier"}
    unknown_refs = [
        r[6] for r, e in zip(rows[1:], shown, strict=True) if "letter_ref" in e.unknown_fields
    ]
    assert unknown_refs and set(unknown_refs) == {"brak danych"}
    assert seen[-1] == (len(shown), len(shown))
    with ctx.db.session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert "wierszy" in event.summary


def test_xlsx_export_in_constant_memory_mode(
    ctx: AppContext, manager: CurrentUser, tmp_path: Path
) -> None:
    flt = RegisterFilter(direction=None)
    sort = SortSpec("number", descending=True)
    shown = RegisterQuery(ctx.db, manager).page(flt, sort, 0, 1000)
    target = tmp_path / "r.xlsx"
    result = export_register(ctx.db, manager, flt, sort, target, ExportFormat.XLSX)
    assert result.path == target and result.rows == len(shown)
    rows = xlsx_rows(target)
    assert rows[0][0] == "Numer"
    assert [r[0] for r in rows[1:]] == [e.number for e in shown]
    assert [r[8] for r in rows[1:]] == [str(e.attachment_count) for e in shown]


def test_cancelled_export_leaves_no_file(
    ctx: AppContext, manager: CurrentUser, tmp_path: Path
) -> None:
    target = tmp_path / "r.csv"
    result = export_register(
        ctx.db,
        manager,
        RegisterFilter(),
        SortSpec("number"),
        target,
        ExportFormat.CSV,
        cancelled=lambda: True,
    )
    assert result.cancelled and result.path is None
    assert not target.exists() and not target.with_name("r.csv.part").exists()


def test_case_list_export(ctx: AppContext, manager: CurrentUser, tmp_path: Path) -> None:
    target = tmp_path / "s.csv"
    result = export_cases(ctx.db, manager, CaseFilter(), SortSpec("sign"), target, ExportFormat.CSV)
    with target.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    assert rows[0][0] == "Znak sprawy" and len(rows) == result.rows + 1 > 10
    assert all(re.fullmatch(r"\d\d\.\d\d\.\d{4}", r[3]) for r in rows[1:])
