"""KPA deadlines for settling a case: art. 35 periods, art. 57 computing, art. 36 notices.

Rules applied (Kodeks postępowania administracyjnego):

- art. 35 § 3: one month for a case needing explanatory proceedings, two months for
  a particularly complicated one, one month for an appeal from its receipt;
  art. 217: seven days for a certificate; art. 237 § 1: one month for a complaint.
- art. 35 § 5: periods of suspension, delays caused by the party or beyond the
  authority's control and periods set by law for specific acts are not counted.
  They are kept as a pause/resume ledger; paused days push the deadline back and
  an open pause freezes the clock.
- art. 57 § 1: a period in days does not count the day of the starting event;
  § 3: a period in months ends on the corresponding day of the last month, or on
  its last day when there is no such day; § 5: an end falling on a Saturday or a
  public holiday moves to the next working day.
- art. 36: the parties must be notified when the case will not be settled in time.

Everything here is a pure function of its arguments: ``today`` is always passed in.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from clerk_app.services.holidays import next_working_day

DEFAULT_AT_RISK_DAYS = 7
MAX_CUSTOM_DAYS = 3650


class DeadlineError(ValueError):
    """Deadline input that cannot be computed (wrong term, inconsistent pause ledger)."""


class DeadlineKind(StrEnum):
    """How the deadline is set; the values are stable for storage."""

    ONE_MONTH = "one_month"
    TWO_MONTHS = "two_months"
    SEVEN_DAYS = "seven_days"
    FOURTEEN_DAYS = "fourteen_days"
    APPEAL_OR_COMPLAINT = "appeal_or_complaint"
    CUSTOM_DAYS = "custom_days"
    CUSTOM_DATE = "custom_date"

    @property
    def label(self) -> str:
        """Polish name for forms and reports."""
        return _KIND_LABELS[self]


_KIND_LABELS: dict[DeadlineKind, str] = {
    DeadlineKind.ONE_MONTH: "1 miesiąc (art. 35 § 3 KPA)",
    DeadlineKind.TWO_MONTHS: "2 miesiące – sprawa szczególnie skomplikowana (art. 35 § 3 KPA)",
    DeadlineKind.SEVEN_DAYS: "7 dni (np. zaświadczenie, art. 217 KPA)",
    DeadlineKind.FOURTEEN_DAYS: "14 dni",
    DeadlineKind.APPEAL_OR_COMPLAINT: "1 miesiąc – odwołanie, skarga lub wniosek",
    DeadlineKind.CUSTOM_DAYS: "Inna liczba dni",
    DeadlineKind.CUSTOM_DATE: "Wskazana data",
}

# kind -> (days, months) of the statutory period.
_PERIODS: dict[DeadlineKind, tuple[int, int]] = {
    DeadlineKind.ONE_MONTH: (0, 1),
    DeadlineKind.TWO_MONTHS: (0, 2),
    DeadlineKind.SEVEN_DAYS: (7, 0),
    DeadlineKind.FOURTEEN_DAYS: (14, 0),
    DeadlineKind.APPEAL_OR_COMPLAINT: (0, 1),
}


@dataclass(frozen=True)
class DeadlineTerm:
    """The deadline a case runs under.

    ``days`` is required for (and only for) ``CUSTOM_DAYS``; ``due_on`` for
    (and only for) ``CUSTOM_DATE``. A custom date also moves off a Saturday or
    holiday (art. 57 § 5 applies to every end of a period) and is pushed back by
    paused days like any other deadline.
    """

    kind: DeadlineKind
    days: int | None = None
    due_on: date | None = None

    def __post_init__(self) -> None:
        if self.kind is DeadlineKind.CUSTOM_DAYS:
            if (
                self.days is None
                or isinstance(self.days, bool)
                or not 1 <= self.days <= MAX_CUSTOM_DAYS
            ):
                raise DeadlineError(
                    f"Termin: liczba dni musi być liczbą od 1 do {MAX_CUSTOM_DAYS} "
                    f"(podano „{self.days}”)"
                )
        elif self.days is not None:
            raise DeadlineError("Termin: liczbę dni podaje się tylko dla terminu „Inna liczba dni”")
        if self.kind is DeadlineKind.CUSTOM_DATE:
            if self.due_on is None:
                raise DeadlineError("Termin: podaj datę dla terminu „Wskazana data”")
        elif self.due_on is not None:
            raise DeadlineError("Termin: datę podaje się tylko dla terminu „Wskazana data”")


class PauseReason(StrEnum):
    """Why the clock stopped (art. 35 § 5 KPA); the values are stable for storage."""

    SUSPENSION = "suspension"
    AWAITING_PARTY = "awaiting_party"
    STATUTORY_ACT = "statutory_act"
    BEYOND_CONTROL = "beyond_control"
    OTHER = "other"

    @property
    def label(self) -> str:
        """Polish name for forms and reports."""
        return _REASON_LABELS[self]


_REASON_LABELS: dict[PauseReason, str] = {
    PauseReason.SUSPENSION: "Zawieszenie postępowania",
    PauseReason.AWAITING_PARTY: "Opóźnienie z winy strony / oczekiwanie na stronę",
    PauseReason.STATUTORY_ACT: "Termin przewidziany w przepisach na dokonanie czynności",
    PauseReason.BEYOND_CONTROL: "Opóźnienie z przyczyn niezależnych od organu",
    PauseReason.OTHER: "Inna przyczyna",
}


@dataclass(frozen=True)
class Pause:
    """One entry of the pause/resume ledger.

    The clock stops on ``paused_on`` and runs again from ``resumed_on``: the
    paused days are ``resumed_on - paused_on``. ``resumed_on=None`` means the
    clock is still stopped.
    """

    paused_on: date
    reason: PauseReason
    resumed_on: date | None = None

    def __post_init__(self) -> None:
        if self.resumed_on is not None and self.resumed_on < self.paused_on:
            raise DeadlineError(
                f"Wstrzymanie biegu terminu: data wznowienia {self.resumed_on.isoformat()} "
                f"jest wcześniejsza niż data wstrzymania {self.paused_on.isoformat()}"
            )


class DeadlineState(StrEnum):
    """Summary of a deadline for lists and reports; the values are stable for storage."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"
    PAUSED = "paused"
    SETTLED_IN_TIME = "settled_in_time"
    SETTLED_LATE = "settled_late"


@dataclass(frozen=True)
class DeadlineStatus:
    """Where a case stands against its deadline on ``as_of``.

    ``days_left`` counts calendar days to ``due_on``: 0 on the last day, negative
    once overdue. For a settled case everything is frozen at the settlement date;
    ``overdue`` and ``at_risk`` are then False and ``state`` says whether it was
    settled in time. ``statutory_due_on`` is the deadline without any pauses.
    """

    term: DeadlineTerm
    started_on: date
    as_of: date
    statutory_due_on: date
    due_on: date
    paused_days: int
    clock_stopped: bool
    days_left: int
    state: DeadlineState
    at_risk: bool
    overdue: bool
    delay_notice_due: bool

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)


def add_months(start: date, months: int) -> date:
    """Art. 57 § 3: the corresponding day of the last month, else that month's last day."""
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def period_end(term: DeadlineTerm, started_on: date) -> date:
    """The last day of the period before pauses and before moving off non-working days."""
    if term.kind is DeadlineKind.CUSTOM_DATE:
        assert term.due_on is not None
        if term.due_on < started_on:
            raise DeadlineError(
                f"Termin: wskazana data {term.due_on.isoformat()} jest wcześniejsza "
                f"niż początek biegu terminu {started_on.isoformat()}"
            )
        return term.due_on
    if term.kind is DeadlineKind.CUSTOM_DAYS:
        assert term.days is not None
        days, months = term.days, 0
    else:
        days, months = _PERIODS[term.kind]
    if months:
        return add_months(started_on, months)
    # Art. 57 § 1: the starting day is not counted, so day n after it is the end.
    return started_on + timedelta(days=days)


def due_date(term: DeadlineTerm, started_on: date, paused_days: int = 0) -> date:
    """The deadline: period end plus paused days, moved to a working day (art. 57 § 5)."""
    if paused_days < 0:
        raise DeadlineError("Termin: liczba dni wstrzymania nie może być ujemna")
    return next_working_day(period_end(term, started_on) + timedelta(days=paused_days))


def paused_days(pauses: Iterable[Pause], as_of: date) -> int:
    """Days the clock stood still before ``as_of``; overlapping pauses count once.

    Pauses (or their parts) after ``as_of`` are not counted yet, so an open pause
    keeps adding a day per day and the days left stay frozen.
    """
    spans = sorted(
        (pause.paused_on, min(as_of, pause.resumed_on or as_of))
        for pause in pauses
        if pause.paused_on < as_of
    )
    total = 0
    covered_until: date | None = None
    for start, end in spans:
        if covered_until is not None and start < covered_until:
            start = covered_until
        if end > start:
            total += (end - start).days
            covered_until = end
    return total


def evaluate_deadline(
    term: DeadlineTerm,
    started_on: date,
    *,
    today: date,
    pauses: Iterable[Pause] = (),
    settled_on: date | None = None,
    delay_notice_sent_on: date | None = None,
    at_risk_days: int = DEFAULT_AT_RISK_DAYS,
) -> DeadlineStatus:
    """Compute the deadline of a case and its standing as of ``today``.

    ``started_on`` is the day of the event that starts the period (e.g. receipt
    of the request or the appeal). A case settled on or before ``today`` is
    judged as of its settlement. A case is at risk when it has at most
    ``at_risk_days`` days left and its clock runs; the art. 36 delay notice is due
    when the case is at risk or overdue, still open, and no notice is recorded.
    """
    if isinstance(at_risk_days, bool) or at_risk_days < 0:
        raise DeadlineError("Próg zagrożenia terminu musi być liczbą dni nie mniejszą niż 0")
    ledger = tuple(pauses)
    for pause in ledger:
        if pause.paused_on < started_on:
            raise DeadlineError(
                f"Wstrzymanie biegu terminu od {pause.paused_on.isoformat()} zaczyna się "
                f"przed początkiem biegu terminu {started_on.isoformat()}"
            )
    if settled_on is not None and settled_on < started_on:
        raise DeadlineError(
            f"Data załatwienia sprawy {settled_on.isoformat()} jest wcześniejsza "
            f"niż początek biegu terminu {started_on.isoformat()}"
        )

    settled = settled_on is not None and settled_on <= today
    as_of = settled_on if settled and settled_on is not None else today
    paused = paused_days(ledger, as_of)
    clock_stopped = not settled and any(
        pause.paused_on <= as_of and (pause.resumed_on is None or as_of < pause.resumed_on)
        for pause in ledger
    )
    due_on = due_date(term, started_on, paused)
    days_left = (due_on - as_of).days
    overdue = days_left < 0

    if settled:
        state = DeadlineState.SETTLED_LATE if overdue else DeadlineState.SETTLED_IN_TIME
        at_risk = False
        overdue_open = False
    else:
        at_risk = not overdue and not clock_stopped and days_left <= at_risk_days
        overdue_open = overdue
        if overdue:
            state = DeadlineState.OVERDUE
        elif clock_stopped:
            state = DeadlineState.PAUSED
        elif at_risk:
            state = DeadlineState.AT_RISK
        else:
            state = DeadlineState.ON_TRACK

    return DeadlineStatus(
        term=term,
        started_on=started_on,
        as_of=as_of,
        statutory_due_on=due_date(term, started_on),
        due_on=due_on,
        paused_days=paused,
        clock_stopped=clock_stopped,
        days_left=days_left,
        state=state,
        at_risk=at_risk,
        overdue=overdue_open,
        delay_notice_due=(at_risk or overdue_open) and delay_notice_sent_on is None,
    )
