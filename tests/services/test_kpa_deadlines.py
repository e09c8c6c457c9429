"""KPA deadline engine: art. 57 computing, holidays, pauses, at-risk and art. 36 notices."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from clerk_app.services.kpa_deadlines import (
    DeadlineError,
    DeadlineKind,
    DeadlineState,
    DeadlineTerm,
    Pause,
    PauseReason,
    add_months,
    due_date,
    evaluate_deadline,
    paused_days,
    period_end,
)

ONE_MONTH = DeadlineTerm(DeadlineKind.ONE_MONTH)
TWO_MONTHS = DeadlineTerm(DeadlineKind.TWO_MONTHS)
SEVEN_DAYS = DeadlineTerm(DeadlineKind.SEVEN_DAYS)
FOURTEEN_DAYS = DeadlineTerm(DeadlineKind.FOURTEEN_DAYS)
APPEAL = DeadlineTerm(DeadlineKind.APPEAL_OR_COMPLAINT)


@pytest.mark.parametrize(
    ("term", "started_on", "expected"),
    [
        # Month periods end on the corresponding day, or the month's last day.
        (ONE_MONTH, date(2024, 3, 15), date(2024, 4, 15)),
        (ONE_MONTH, date(2024, 1, 31), date(2024, 2, 29)),  # leap year
        (ONE_MONTH, date(2025, 1, 31), date(2025, 2, 28)),
        (TWO_MONTHS, date(2023, 12, 31), date(2024, 2, 29)),
        (TWO_MONTHS, date(2024, 12, 31), date(2025, 2, 28)),
        (TWO_MONTHS, date(2024, 11, 15), date(2025, 1, 15)),  # across the year end
        (APPEAL, date(2024, 4, 30), date(2024, 5, 30)),  # Thu; Corpus Christi is 30 May 2024
        # Day periods do not count the starting day.
        (SEVEN_DAYS, date(2024, 5, 8), date(2024, 5, 15)),
        (FOURTEEN_DAYS, date(2024, 5, 1), date(2024, 5, 15)),
        (DeadlineTerm(DeadlineKind.CUSTOM_DAYS, days=30), date(2024, 7, 16), date(2024, 8, 15)),
        (
            DeadlineTerm(DeadlineKind.CUSTOM_DATE, due_on=date(2026, 1, 6)),
            date(2025, 12, 1),
            date(2026, 1, 6),
        ),
    ],
)
def test_period_end_follows_art_57(term: DeadlineTerm, started_on: date, expected: date) -> None:
    assert period_end(term, started_on) == expected


@pytest.mark.parametrize(
    ("term", "started_on", "expected"),
    [
        (ONE_MONTH, date(2024, 1, 31), date(2024, 2, 29)),  # Thursday, stays
        (ONE_MONTH, date(2025, 1, 31), date(2025, 2, 28)),  # Friday, stays
        (ONE_MONTH, date(2025, 12, 31), date(2026, 2, 2)),  # Sat 31 Jan → Monday
        (FOURTEEN_DAYS, date(2024, 6, 1), date(2024, 6, 17)),  # Saturday → Monday
        (SEVEN_DAYS, date(2024, 6, 2), date(2024, 6, 10)),  # Sunday → Monday
        (SEVEN_DAYS, date(2024, 3, 25), date(2024, 4, 2)),  # Easter Monday → Tuesday
        (SEVEN_DAYS, date(2026, 5, 28), date(2026, 6, 5)),  # Corpus Christi → Friday
        (APPEAL, date(2024, 4, 30), date(2024, 5, 31)),  # Corpus Christi 2024 → Friday
        (APPEAL, date(2024, 10, 11), date(2024, 11, 12)),  # 11 November → Tuesday
        (ONE_MONTH, date(2025, 11, 24), date(2025, 12, 29)),  # 24–26 Dec 2025 and weekend
        (ONE_MONTH, date(2024, 11, 24), date(2024, 12, 24)),  # 24 Dec 2024 was a working day
        (DeadlineTerm(DeadlineKind.CUSTOM_DAYS, days=30), date(2024, 7, 16), date(2024, 8, 16)),
        (
            DeadlineTerm(DeadlineKind.CUSTOM_DATE, due_on=date(2026, 1, 6)),
            date(2025, 12, 1),
            date(2026, 1, 7),
        ),  # Epiphany → next day
    ],
)
def test_due_date_moves_off_saturdays_and_holidays(
    term: DeadlineTerm, started_on: date, expected: date
) -> None:
    assert due_date(term, started_on) == expected


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2024, 8, 31), 6, date(2025, 2, 28)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


# Pauses: one-month case started 2 Sep 2024, statutory end Wed 2 Oct 2024.
CASE_START = date(2024, 9, 2)


@pytest.mark.parametrize(
    ("pauses", "today", "paused", "due_on"),
    [
        ([], date(2024, 9, 10), 0, date(2024, 10, 2)),
        # 10 paused days: 12 Oct is a Saturday → Monday 14 Oct.
        (
            [Pause(date(2024, 9, 10), PauseReason.AWAITING_PARTY, date(2024, 9, 20))],
            date(2024, 10, 1),
            10,
            date(2024, 10, 14),
        ),
        # Overlapping pauses count once: 10 Sep – 25 Sep = 15 days.
        (
            [
                Pause(date(2024, 9, 10), PauseReason.AWAITING_PARTY, date(2024, 9, 20)),
                Pause(date(2024, 9, 15), PauseReason.SUSPENSION, date(2024, 9, 25)),
            ],
            date(2024, 10, 1),
            15,
            date(2024, 10, 17),
        ),
        # Separate pauses add up: 3 + 4 days.
        (
            [
                Pause(date(2024, 9, 3), PauseReason.STATUTORY_ACT, date(2024, 9, 6)),
                Pause(date(2024, 9, 16), PauseReason.BEYOND_CONTROL, date(2024, 9, 20)),
            ],
            date(2024, 10, 1),
            7,
            date(2024, 10, 9),
        ),
        # A pause on the starting day itself is allowed.
        (
            [Pause(CASE_START, PauseReason.OTHER, date(2024, 9, 3))],
            date(2024, 9, 10),
            1,
            date(2024, 10, 3),
        ),
    ],
)
def test_paused_days_push_the_deadline_back(
    pauses: list[Pause], today: date, paused: int, due_on: date
) -> None:
    status = evaluate_deadline(ONE_MONTH, CASE_START, today=today, pauses=pauses)
    assert status.paused_days == paused
    assert status.due_on == due_on
    assert status.statutory_due_on == date(2024, 10, 2)
    assert not status.clock_stopped


@pytest.mark.parametrize(
    ("today", "paused", "due_on"),
    [
        (date(2024, 9, 20), 0, date(2024, 10, 2)),
        (date(2024, 9, 25), 5, date(2024, 10, 7)),
        (date(2024, 9, 26), 6, date(2024, 10, 8)),
        (date(2024, 10, 10), 20, date(2024, 10, 22)),
    ],
)
def test_open_pause_freezes_the_clock(today: date, paused: int, due_on: date) -> None:
    pauses = [Pause(date(2024, 9, 20), PauseReason.SUSPENSION)]
    status = evaluate_deadline(ONE_MONTH, CASE_START, today=today, pauses=pauses)
    assert status.clock_stopped
    assert status.state is DeadlineState.PAUSED
    assert status.paused_days == paused
    assert status.due_on == due_on
    assert status.days_left == 12


def test_paused_case_is_not_at_risk_until_it_resumes() -> None:
    # Paused with two days left on 30 Sep; resumed on 15 Oct.
    open_pause = [Pause(date(2024, 9, 30), PauseReason.AWAITING_PARTY)]
    paused = evaluate_deadline(ONE_MONTH, CASE_START, today=date(2024, 10, 15), pauses=open_pause)
    assert paused.days_left == 2
    assert not paused.at_risk
    assert not paused.delay_notice_due

    closed = [Pause(date(2024, 9, 30), PauseReason.AWAITING_PARTY, date(2024, 10, 15))]
    resumed = evaluate_deadline(ONE_MONTH, CASE_START, today=date(2024, 10, 15), pauses=closed)
    assert resumed.paused_days == 15
    assert resumed.due_on == date(2024, 10, 17)
    assert resumed.days_left == 2
    assert resumed.state is DeadlineState.AT_RISK
    assert resumed.delay_notice_due


@pytest.mark.parametrize(
    ("today", "days_left", "state", "at_risk", "overdue"),
    [
        (date(2024, 5, 8), 7, DeadlineState.AT_RISK, True, False),
        (date(2024, 5, 14), 1, DeadlineState.AT_RISK, True, False),
        (date(2024, 5, 15), 0, DeadlineState.AT_RISK, True, False),  # last day is in time
        (date(2024, 5, 16), -1, DeadlineState.OVERDUE, False, True),
        (date(2024, 6, 3), -19, DeadlineState.OVERDUE, False, True),
    ],
)
def test_days_left_and_overdue(
    today: date, days_left: int, state: DeadlineState, at_risk: bool, overdue: bool
) -> None:
    status = evaluate_deadline(SEVEN_DAYS, date(2024, 5, 8), today=today)
    assert status.due_on == date(2024, 5, 15)
    assert status.days_left == days_left
    assert status.days_overdue == max(0, -days_left)
    assert status.state is state
    assert status.at_risk is at_risk
    assert status.overdue is overdue
    assert status.delay_notice_due


@pytest.mark.parametrize(
    ("today", "threshold", "at_risk"),
    [
        (date(2024, 5, 7), 7, False),  # 8 days left
        (date(2024, 5, 8), 7, True),  # 7 days left
        (date(2024, 5, 5), 10, True),
        (date(2024, 5, 4), 10, False),
        (date(2024, 5, 14), 0, False),
        (date(2024, 5, 15), 0, True),
    ],
)
def test_at_risk_threshold_is_configurable(today: date, threshold: int, at_risk: bool) -> None:
    # One month from Mon 15 Apr 2024 ends Wed 15 May 2024.
    status = evaluate_deadline(ONE_MONTH, date(2024, 4, 15), today=today, at_risk_days=threshold)
    assert status.at_risk is at_risk
    assert status.delay_notice_due is at_risk
    assert status.state is (DeadlineState.AT_RISK if at_risk else DeadlineState.ON_TRACK)


def test_recorded_delay_notice_stops_the_reminder() -> None:
    at_risk = evaluate_deadline(
        SEVEN_DAYS,
        date(2024, 5, 8),
        today=date(2024, 5, 14),
        delay_notice_sent_on=date(2024, 5, 13),
    )
    assert at_risk.at_risk
    assert not at_risk.delay_notice_due
    overdue = evaluate_deadline(
        SEVEN_DAYS,
        date(2024, 5, 8),
        today=date(2024, 5, 20),
        delay_notice_sent_on=date(2024, 5, 13),
    )
    assert overdue.overdue
    assert not overdue.delay_notice_due


@pytest.mark.parametrize(
    ("settled_on", "state", "days_left"),
    [
        (date(2024, 5, 10), DeadlineState.SETTLED_IN_TIME, 5),
        (date(2024, 5, 15), DeadlineState.SETTLED_IN_TIME, 0),
        (date(2024, 5, 20), DeadlineState.SETTLED_LATE, -5),
    ],
)
def test_settled_case_is_judged_on_its_settlement_date(
    settled_on: date, state: DeadlineState, days_left: int
) -> None:
    status = evaluate_deadline(
        SEVEN_DAYS, date(2024, 5, 8), today=date(2024, 7, 1), settled_on=settled_on
    )
    assert status.as_of == settled_on
    assert status.state is state
    assert status.days_left == days_left
    assert not status.overdue
    assert not status.at_risk
    assert not status.delay_notice_due


def test_settlement_after_today_is_not_yet_counted() -> None:
    status = evaluate_deadline(
        SEVEN_DAYS, date(2024, 5, 8), today=date(2024, 5, 16), settled_on=date(2024, 5, 20)
    )
    assert status.state is DeadlineState.OVERDUE


def test_paused_days_ignores_the_future() -> None:
    ledger = [Pause(date(2024, 9, 10), PauseReason.SUSPENSION, date(2024, 9, 30))]
    assert paused_days(ledger, date(2024, 9, 5)) == 0
    assert paused_days(ledger, date(2024, 9, 15)) == 5
    assert paused_days(ledger, date(2024, 12, 1)) == 20


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: DeadlineTerm(DeadlineKind.CUSTOM_DAYS), "liczba dni musi być liczbą od 1"),
        (lambda: DeadlineTerm(DeadlineKind.CUSTOM_DAYS, days=0), "liczba dni musi być"),
        (lambda: DeadlineTerm(DeadlineKind.ONE_MONTH, days=5), "liczbę dni podaje się tylko"),
        (lambda: DeadlineTerm(DeadlineKind.CUSTOM_DATE), "podaj datę"),
        (
            lambda: DeadlineTerm(DeadlineKind.SEVEN_DAYS, due_on=date(2024, 1, 1)),
            "datę podaje się tylko",
        ),
        (
            lambda: Pause(date(2024, 9, 10), PauseReason.SUSPENSION, date(2024, 9, 9)),
            "data wznowienia 2024-09-09 jest wcześniejsza niż data wstrzymania 2024-09-10",
        ),
        (
            lambda: evaluate_deadline(
                ONE_MONTH,
                CASE_START,
                today=date(2024, 9, 10),
                pauses=[Pause(date(2024, 9, 1), PauseReason.OTHER, date(2024, 9, 5))],
            ),
            "zaczyna się przed początkiem biegu terminu 2024-09-02",
        ),
        (
            lambda: evaluate_deadline(
                DeadlineTerm(DeadlineKind.CUSTOM_DATE, due_on=date(2024, 8, 1)),
                CASE_START,
                today=date(2024, 9, 10),
            ),
            "wskazana data 2024-08-01 jest wcześniejsza",
        ),
        (
            lambda: evaluate_deadline(
                ONE_MONTH, CASE_START, today=date(2024, 9, 10), settled_on=date(2024, 9, 1)
            ),
            "Data załatwienia sprawy 2024-09-01",
        ),
        (
            lambda: evaluate_deadline(ONE_MONTH, CASE_START, today=CASE_START, at_risk_days=-1),
            "Próg zagrożenia",
        ),
    ],
)
def test_bad_input_raises_deadline_error_in_polish(
    build: Callable[[], object], message: str
) -> None:
    with pytest.raises(DeadlineError) as caught:
        build()
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_every_kind_has_a_polish_label() -> None:
    labels = {kind: kind.label for kind in DeadlineKind}
    assert labels[DeadlineKind.TWO_MONTHS].startswith("2 miesiące")
    assert all(labels.values())
    assert all(reason.label for reason in PauseReason)
