"""Helpers shared by the report modules: parameters, units, deadlines of many cases."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerk_app.errors import ValidationError
from clerk_app.models import Case, CasePause, OrgUnit
from clerk_app.services.kpa_deadlines import (
    DeadlineError,
    DeadlineKind,
    DeadlineStatus,
    DeadlineTerm,
    Pause,
    PauseReason,
    evaluate_deadline,
)
from clerk_app.services.reports.base import ReportParams

_IN_CHUNK = 500


def utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def require_period(params: ReportParams) -> tuple[date, date]:
    if params.date_from is None:
        raise ValidationError("Data „od”: podaj początek okresu.")
    if params.date_to is None:
        raise ValidationError("Data „do”: podaj koniec okresu.")
    if params.date_to < params.date_from:
        raise ValidationError(
            f"Data „do” ({params.date_to:%d.%m.%Y}) jest wcześniejsza "
            f"niż data „od” ({params.date_from:%d.%m.%Y})."
        )
    return params.date_from, params.date_to


def as_of(params: ReportParams) -> date:
    """The day deadlines are judged on (the service fills it in)."""
    return params.today or date.today()


def require_year(params: ReportParams, today: date) -> int:
    year = params.year if params.year is not None else today.year
    if not 1900 <= year <= 2200:
        raise ValidationError(f"Rok: „{year}” nie jest poprawnym rokiem.")
    return year


@dataclass(frozen=True)
class UnitInfo:
    id: int
    symbol: str
    name: str


def find_unit(session: Session, symbol: str | None) -> UnitInfo | None:
    """The unit with this symbol (case-insensitive), None when no symbol was given."""
    wanted = (symbol or "").strip()
    if not wanted:
        return None
    for unit_id, unit_symbol, name in session.execute(
        select(OrgUnit.id, OrgUnit.symbol, OrgUnit.name)
    ):
        if unit_symbol.casefold() == wanted.casefold():
            return UnitInfo(unit_id, unit_symbol, name)
    raise ValidationError(f"Komórka: nie ma komórki o symbolu „{wanted}”.")


def unit_parameters(unit: UnitInfo | None) -> tuple[str, ...]:
    """The report header line naming the chosen unit (none for the whole office)."""
    return (f"Komórka: {unit.symbol} – {unit.name}",) if unit is not None else ()


def unit_phrase(unit: UnitInfo | None) -> str:
    """ " w komórce UA" for an empty-report message; "" for the whole office."""
    return f" w komórce {unit.symbol}" if unit is not None else ""


def unit_names(session: Session) -> dict[int, tuple[str, str]]:
    return {
        unit_id: (symbol, name)
        for unit_id, symbol, name in session.execute(
            select(OrgUnit.id, OrgUnit.symbol, OrgUnit.name)
        )
    }


def parse_kind(value: str) -> DeadlineKind | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        return DeadlineKind(text)
    except ValueError:
        return None


def kind_label(value: str) -> str:
    kind = parse_kind(value)
    return kind.label if kind is not None else (value or "")


@dataclass(frozen=True)
class CaseClock:
    """What the deadline engine needs of one case, read in bulk."""

    case_id: int
    deadline_kind: str
    deadline_days: int | None
    custom_due_on: date | None
    opened_on: date
    received_on: date | None  # receipt of the letter that started the case
    closed_on: date | None
    delay_notice_on: date | None

    @staticmethod
    def columns(origin: Any) -> tuple[Any, ...]:
        """The columns, after ``Case.id``, a ``CaseClock`` is built from (``CaseClock(*row)``);
        ``origin`` is the aliased register entry that started the case (outer-joined)."""
        return (
            Case.id,
            Case.deadline_kind,
            Case.deadline_days,
            Case.custom_due_on,
            Case.opened_on,
            origin.received_on,
            Case.closed_on,
            Case.delay_notice_on,
        )

    @classmethod
    def of(cls, case: Case, received_on: date | None) -> CaseClock:
        return cls(
            case.id,
            case.deadline_kind,
            case.deadline_days,
            case.custom_due_on,
            case.opened_on,
            received_on,
            case.closed_on,
            case.delay_notice_on,
        )

    def still_open(self) -> CaseClock:
        """An open case is judged as open even if an old settlement date (from before a
        reopening) lingers."""
        return replace(self, closed_on=None)


def pauses_of(session: Session, case_ids: Sequence[int]) -> dict[int, list[Pause]]:
    found: dict[int, list[Pause]] = {}
    for i in range(0, len(case_ids), _IN_CHUNK):
        chunk = list(case_ids[i : i + _IN_CHUNK])
        for case_id, reason, started, ended in session.execute(
            select(
                CasePause.case_id, CasePause.reason, CasePause.started_on, CasePause.ended_on
            ).where(CasePause.case_id.in_(chunk))
        ):
            try:
                why = PauseReason(reason)
            except ValueError:
                why = PauseReason.OTHER
            found.setdefault(case_id, []).append(Pause(started, why, ended))
    return found


def evaluate_case(
    clock: CaseClock, pauses: Iterable[Pause], today: date, at_risk_days: int
) -> DeadlineStatus | None:
    """The case's standing against its KPA deadline, as the case service computes it.

    The period starts on receipt of the originating letter (or on opening); after an
    art. 36 notice the new date given in it is the deadline. A case whose stored
    deadline cannot be computed is left out (None) rather than failing the report.
    """
    kind = parse_kind(clock.deadline_kind)
    if kind is None:
        return None
    start = min(clock.received_on, clock.opened_on) if clock.received_on else clock.opened_on
    ledger = list(pauses)
    try:
        if clock.delay_notice_on is not None and clock.custom_due_on is not None:
            term = DeadlineTerm(DeadlineKind.CUSTOM_DATE, due_on=clock.custom_due_on)
            ledger = [p for p in ledger if p.paused_on >= clock.delay_notice_on]
        else:
            term = DeadlineTerm(
                kind,
                clock.deadline_days if kind is DeadlineKind.CUSTOM_DAYS else None,
                clock.custom_due_on if kind is DeadlineKind.CUSTOM_DATE else None,
            )
        return evaluate_deadline(
            term,
            start,
            today=today,
            pauses=ledger,
            settled_on=clock.closed_on,
            delay_notice_sent_on=clock.delay_notice_on,
            at_risk_days=at_risk_days,
        )
    except DeadlineError:
        return None
