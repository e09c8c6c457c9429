"""Export of the current register or case view to CSV or XLSX, streamed in batches.

Rows come from one query (``RegisterQuery.stream``), so a million-row export
never holds the whole register in memory; XlsxWriter runs in ``constant_memory``
mode for the same reason. The file appears under its final name only when the
export completed: a cancelled or failed export leaves nothing behind.
"""

from __future__ import annotations

import csv
import enum
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from clerk_app.models import CaseStatus, Channel, Direction
from clerk_app.services import audit
from clerk_app.services.database import Database
from clerk_app.services.register_query import (
    CaseFilter,
    CaseQuery,
    CaseRow,
    RegisterFilter,
    RegisterQuery,
    SortSpec,
)
from clerk_app.services.register_types import NO_DATA, EntryRow
from clerk_app.services.users import CurrentUser

ProgressFn = Callable[[int, int], None]
CancelledFn = Callable[[], bool]

CHANNEL_PL = {
    Channel.PAPER: "papier",
    Channel.EPUAP: "ePUAP",
    Channel.EDORECZENIA: "e-Doręczenia",
    Channel.EMAIL: "e-mail",
    Channel.IN_PERSON: "osobiście",
    Channel.REGISTERED_ZPO: "list polecony ZPO",
}
DIRECTION_PL = {Direction.INCOMING: "wpływające", Direction.OUTGOING: "wychodzące"}
STATUS_PL = {
    CaseStatus.OPEN: "w toku",
    CaseStatus.SUSPENDED: "zawieszona",
    CaseStatus.AWAITING_PARTY: "oczekuje na stronę",
    CaseStatus.CLOSED: "zakończona",
}


class ExportFormat(enum.StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


@dataclass(frozen=True)
class ExportResult:
    path: Path | None  # None when cancelled
    rows: int
    cancelled: bool = False


def pl_date(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


def _unknowable(row: EntryRow, name: str, value: str | None) -> str:
    if name in row.unknown_fields:
        return NO_DATA
    return value or ""


REGISTER_HEADERS = [
    "Numer",
    "Rejestr",
    "Data wpływu / wysłania",
    "Tytuł",
    "Nadawca / adresat",
    "Data pisma",
    "Znak pisma",
    "Przydzielono",
    "Liczba załączników",
    "Kanał",
    "Nr nadawczy",
    "Znak sprawy",
    "Uwagi",
]


def register_values(row: EntryRow) -> list[Any]:
    assigned = " / ".join(p for p in (row.assigned_unit, row.assigned_user) if p)
    return [
        row.number,
        DIRECTION_PL[row.direction],
        pl_date(row.received_on or row.sent_on),
        _unknowable(row, "title", row.title),
        _unknowable(row, "sender", row.sender),
        _unknowable(row, "letter_date", pl_date(row.letter_date)),
        _unknowable(row, "letter_ref", row.letter_ref),
        assigned,
        row.attachment_count,
        CHANNEL_PL.get(row.channel, str(row.channel)),
        row.tracking_no,
        row.case_sign or "",
        row.notes,
    ]


CASE_HEADERS = [
    "Znak sprawy",
    "Tytuł",
    "Prowadzący",
    "Data wszczęcia",
    "Termin",
    "Dni do terminu",
    "Status",
]


def case_values(row: CaseRow) -> list[Any]:
    return [
        row.sign,
        row.title,
        row.handler or "",
        pl_date(row.opened_on),
        pl_date(row.due_on),
        "" if row.days_left is None else row.days_left,
        STATUS_PL.get(row.status, str(row.status)),
    ]


def write_table(
    path: Path,
    fmt: ExportFormat,
    headers: Sequence[str],
    batches: Iterator[list[list[Any]]],
    total: int,
    progress: ProgressFn | None = None,
    cancelled: CancelledFn | None = None,
    sheet_name: str = "Rejestr",
) -> ExportResult:
    """Write rows to ``path`` (via a temporary file renamed at the end)."""
    path = Path(path)
    partial = path.with_name(path.name + ".part")
    written = 0
    done = False
    try:
        with _writer(partial, fmt, sheet_name) as write_row:
            write_row(list(headers))
            for batch in batches:
                if cancelled is not None and cancelled():
                    break
                for values in batch:
                    write_row(values)
                written += len(batch)
                if progress is not None:
                    progress(written, total)
            else:
                done = not (cancelled is not None and cancelled())
        if not done:
            partial.unlink(missing_ok=True)
            return ExportResult(None, written, cancelled=True)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return ExportResult(path, written)


class _writer:
    """Context manager yielding a ``write_row(values)`` function for CSV or XLSX."""

    def __init__(self, path: Path, fmt: ExportFormat, sheet_name: str) -> None:
        self.path, self.fmt, self.sheet_name = path, fmt, sheet_name

    def __enter__(self) -> Callable[[list[Any]], None]:
        if self.fmt is ExportFormat.CSV:
            # UTF-8 with BOM and semicolons: what Excel opens correctly in a Polish locale.
            self._file = open(self.path, "w", encoding="utf-8-sig", newline="")
            writer = csv.writer(self._file, delimiter=";")
            return writer.writerow
        import xlsxwriter

        self._book = xlsxwriter.Workbook(
            str(self.path), {"constant_memory": True, "strings_to_numbers": False}
        )
        sheet = self._book.add_worksheet(self.sheet_name)
        bold = self._book.add_format({"bold": True})
        self._row = 0

        def write_row(values: list[Any]) -> None:
            sheet.write_row(self._row, 0, values, bold if self._row == 0 else None)
            self._row += 1

        return write_row

    def __exit__(self, *exc: object) -> None:
        if self.fmt is ExportFormat.CSV:
            self._file.close()
        else:
            self._book.close()


def export_register(
    db: Database,
    user: CurrentUser,
    flt: RegisterFilter,
    sort: SortSpec,
    path: Path,
    fmt: ExportFormat,
    progress: ProgressFn | None = None,
    cancelled: CancelledFn | None = None,
) -> ExportResult:
    query = RegisterQuery(db, user)
    total = query.count(flt)
    batches = ([register_values(r) for r in batch] for batch in query.stream(flt, sort))
    result = write_table(
        path, fmt, REGISTER_HEADERS, batches, total, progress, cancelled, "Rejestr"
    )
    _audit_export(db, user, "register", result, flt.to_dict(), fmt)
    return result


def export_cases(
    db: Database,
    user: CurrentUser,
    flt: CaseFilter,
    sort: SortSpec,
    path: Path,
    fmt: ExportFormat,
    progress: ProgressFn | None = None,
    cancelled: CancelledFn | None = None,
) -> ExportResult:
    query = CaseQuery(db, user)
    total = query.count(flt)
    batches = ([case_values(r) for r in batch] for batch in query.stream(flt, sort))
    result = write_table(path, fmt, CASE_HEADERS, batches, total, progress, cancelled, "Sprawy")
    _audit_export(db, user, "cases", result, flt.to_dict(), fmt)
    return result


def _audit_export(
    db: Database,
    user: CurrentUser,
    view: str,
    result: ExportResult,
    flt: dict[str, Any],
    fmt: ExportFormat,
) -> None:
    if result.cancelled:
        return
    with db.session(write=True) as session:
        audit.record(
            session,
            user,
            "export",
            view,
            "",
            summary=f"eksport {fmt.value.upper()}: {result.rows} wierszy",
            details={"filter": flt, "file": str(result.path)},
        )
