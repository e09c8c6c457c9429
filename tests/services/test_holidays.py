"""Polish public holiday calendar, including Easter-based and year-dependent holidays."""

from __future__ import annotations

from datetime import date

import pytest

from clerk_app.services.holidays import (
    HolidayCalendarError,
    easter_sunday,
    is_public_holiday,
    is_working_day,
    next_working_day,
    public_holidays,
)


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2000, date(2000, 4, 23)),
        (2019, date(2019, 4, 21)),
        (2038, date(2038, 4, 25)),  # latest possible date
        (2285, date(2285, 3, 22)),  # earliest possible date
        (1961, date(1961, 4, 2)),
    ],
)
def test_easter_sunday(year: int, expected: date) -> None:
    assert easter_sunday(year) == expected


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2024, 4, 1), "Drugi dzień Wielkiej Nocy"),
        (date(2025, 4, 21), "Drugi dzień Wielkiej Nocy"),
        (date(2024, 5, 19), "Pierwszy dzień Zielonych Świątek"),
        (date(2025, 6, 8), "Pierwszy dzień Zielonych Świątek"),
        (date(2024, 5, 30), "Boże Ciało"),
        (date(2025, 6, 19), "Boże Ciało"),
        (date(2026, 6, 4), "Boże Ciało"),
        (date(2026, 1, 6), "Święto Trzech Króli"),
        (date(2026, 8, 15), "Wniebowzięcie Najświętszej Maryi Panny"),
        (date(2025, 12, 24), "Wigilia Bożego Narodzenia"),
    ],
)
def test_named_holiday_dates(day: date, name: str) -> None:
    assert (day, name) in {(holiday.day, holiday.name) for holiday in public_holidays(day.year)}


def test_christmas_eve_is_a_holiday_only_from_2025() -> None:
    assert not is_public_holiday(date(2024, 12, 24))
    assert is_public_holiday(date(2025, 12, 24))
    assert is_public_holiday(date(2026, 12, 24))


def test_full_calendar_counts() -> None:
    assert len(public_holidays(2024)) == 13
    assert len(public_holidays(2025)) == 14
    days_2025 = [holiday.day for holiday in public_holidays(2025)]
    assert days_2025 == sorted(days_2025)
    assert days_2025[0] == date(2025, 1, 1)
    assert days_2025[-1] == date(2025, 12, 26)


@pytest.mark.parametrize(
    ("day", "holiday"),
    [
        (date(2010, 1, 6), False),  # Epiphany restored only from 2011
        (date(2011, 1, 6), True),
        (date(1989, 5, 3), False),  # 3 May restored in 1990
        (date(1990, 5, 3), True),
        (date(1989, 7, 22), True),  # abolished in 1990
        (date(1990, 7, 23), False),
        (date(1975, 8, 15), False),  # removed 1960, restored 1989
        (date(1989, 8, 15), True),
    ],
)
def test_calendar_follows_the_law_of_each_year(day: date, holiday: bool) -> None:
    assert is_public_holiday(day) is holiday


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2024, 6, 14), True),  # Friday
        (date(2024, 6, 15), False),  # Saturday
        (date(2024, 6, 16), False),  # Sunday
        (date(2024, 6, 17), True),  # Monday
        (date(2024, 11, 11), False),  # Monday, Independence Day
        (date(2024, 12, 24), True),  # Tuesday, not yet a holiday
        (date(2025, 12, 24), False),  # Wednesday, holiday from 2025
        (date(2024, 3, 29), True),  # Good Friday is a working day
        (date(2026, 6, 4), False),  # Corpus Christi
    ],
)
def test_is_working_day(day: date, working: bool) -> None:
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 12, 24), date(2025, 12, 29)),  # 24–26 Dec, then a weekend
        (date(2024, 3, 30), date(2024, 4, 2)),  # Saturday, Easter, Easter Monday
        (date(2024, 5, 15), date(2024, 5, 15)),  # already a working day
        (date(2026, 1, 1), date(2026, 1, 2)),
    ],
)
def test_next_working_day(day: date, expected: date) -> None:
    assert next_working_day(day) == expected


def test_years_outside_the_calendar_are_rejected_in_polish() -> None:
    with pytest.raises(HolidayCalendarError, match="rok 1950 jest poza tym zakresem"):
        public_holidays(1950)
    with pytest.raises(ValueError):
        is_working_day(date(1900, 1, 2))
