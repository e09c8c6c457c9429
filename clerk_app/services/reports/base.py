"""Plain data of a report: what every report module produces and every writer consumes.

A report is a title, the period or parameters it covers, typed columns, one or
more sections of rows (most reports have one; the case list has one per unit
and JRWA class), an optional totals row per section and an optional chart.
Cells keep their Python types (``date``, ``int``, ``float``, ``str``, ``None``)
so the PDF prints them the Polish way, the CSV writes Polish text and the XLSX
keeps real dates and numbers.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from clerk_app.errors import ClerkError, ValidationError

Cell = str | int | float | date | None
Row = tuple[Cell, ...]
ProgressFn = Callable[[int, int], None]
CancelledFn = Callable[[], bool]

NO_DATA = "brak danych"
TOTAL_LABEL = "Razem"


class ColumnKind(enum.StrEnum):
    TEXT = "text"
    INT = "int"
    DECIMAL = "decimal"  # one decimal place, e.g. average days
    DATE = "date"


@dataclass(frozen=True)
class Column:
    header: str
    kind: ColumnKind = ColumnKind.TEXT
    width: float = 1.0  # relative width in the PDF


@dataclass(frozen=True)
class Section:
    """One table of the report; ``heading`` is empty for single-table reports."""

    heading: str
    rows: tuple[Row, ...]
    totals: Row | None = None


@dataclass(frozen=True)
class ChartSeries:
    """A grouped bar chart: one bar per series in each category."""

    title: str
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[float, ...]], ...]


@dataclass(frozen=True)
class ReportData:
    name: str  # catalogue key, e.g. "overdue"
    title: str  # Polish title printed on top
    period: str  # e.g. "od 01.03.2026 do 31.03.2026" or "stan na 15.06.2026"
    columns: tuple[Column, ...]
    sections: tuple[Section, ...]
    generated_at: datetime
    parameters: tuple[str, ...] = ()  # further header lines, e.g. "Komórka: UA"
    chart: ChartSeries | None = None
    landscape: bool = True
    notes: tuple[str, ...] = field(default=())  # lines printed under the tables

    @property
    def rows(self) -> tuple[Row, ...]:
        """All rows of all sections, in order."""
        return tuple(row for section in self.sections for row in section.rows)

    @property
    def row_count(self) -> int:
        return sum(len(section.rows) for section in self.sections)

    @property
    def totals(self) -> Row | None:
        """The totals row of a single-section report."""
        return self.sections[0].totals if len(self.sections) == 1 else None


class EmptyReportError(ValidationError):
    """Nothing to report for the chosen period or parameters (message in Polish)."""


class ReportCancelled(ClerkError):
    """The clerk cancelled the report while it was being built."""

    def __init__(self) -> None:
        super().__init__("Przygotowanie raportu przerwano.")


@dataclass(frozen=True)
class ReportParams:
    """What the clerk chose; each report uses the fields it needs.

    ``today`` is the date deadlines are judged on (defaults to the current day);
    ``jrwa`` may list several symbols separated by commas (complaints register).
    """

    date_from: date | None = None
    date_to: date | None = None
    unit: str | None = None  # unit symbol, e.g. "UA"
    year: int | None = None
    jrwa: str | None = None
    case: str | None = None  # case sign for the case history
    today: date | None = None
    at_risk_days: int = 7


class Progress:
    """Calls ``progress`` at most every ``step`` items and raises when cancelled."""

    def __init__(
        self,
        progress: ProgressFn | None,
        cancelled: CancelledFn | None,
        total: int,
        step: int = 200,
    ) -> None:
        self._progress = progress
        self._cancelled = cancelled
        self.total = max(total, 1)
        self._step = step

    def check(self) -> None:
        if self._cancelled is not None and self._cancelled():
            raise ReportCancelled()

    def tick(self, done: int) -> None:
        if done % self._step == 0:
            self.check()
            if self._progress is not None:
                self._progress(done, self.total)

    def finish(self) -> None:
        self.check()
        if self._progress is not None:
            self._progress(self.total, self.total)


def sum_column(rows: Sequence[Row], index: int) -> int:
    return sum(int(v) for v in (row[index] for row in rows) if isinstance(v, int | float))


def pl_date(value: date | None) -> str:
    return f"{value:%d.%m.%Y}" if value else ""


def period_label(date_from: date, date_to: date) -> str:
    return f"od {pl_date(date_from)} do {pl_date(date_to)}"


# Polish alphabetical order: ą after a, ł after l, ś after s, ź and ż after z…
_PL_ALPHABET = "aąbcćdeęfghijklłmnńoópqrsśtuvwxyzźż"
_PL_RANK = {ch: i for i, ch in enumerate(_PL_ALPHABET)}


def polish_key(text: str) -> tuple[tuple[int, str], ...]:
    """Sort key following the Polish alphabet (case-insensitive; digits before letters)."""
    key = []
    for ch in text.casefold():
        rank = _PL_RANK.get(ch)
        key.append((1, f"{rank:02d}") if rank is not None else (0, ch))
    return tuple(key)


def surname_key(full_name: str) -> tuple[tuple[tuple[int, str], ...], ...]:
    """Sort people by surname, then first name, as Polish lists do."""
    parts = full_name.split()
    if not parts:
        return ((),)
    return (polish_key(parts[-1]), polish_key(" ".join(parts[:-1])))
