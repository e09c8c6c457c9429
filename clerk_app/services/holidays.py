"""Polish public holidays (dni ustawowo wolne od pracy) and working days.

The calendar is data: each holiday carries the years in which the law made it a
day off, so a deadline computed for 2024 does not see the 24 December holiday
introduced from 2025. Source: the act of 18 January 1951 on days free from work
(ustawa o dniach wolnych od pracy) and its amendments, noted per rule below.
Sundays are days off by the same act; ``is_working_day`` treats every Saturday
and Sunday as non-working, as art. 57 § 5 KPA and the office week do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

# The 1951 act is the first rule set encoded here; earlier years are not covered.
FIRST_SUPPORTED_YEAR = 1951
# Gregorian Easter computus stays valid far beyond any office date; the bound
# only keeps ``date`` arithmetic away from year 9999.
LAST_SUPPORTED_YEAR = 9998


class HolidayCalendarError(ValueError):
    """A year outside the range the holiday calendar knows."""


@dataclass(frozen=True)
class PublicHoliday:
    """One day off by law in one year."""

    day: date
    name: str


@dataclass(frozen=True)
class _HolidayRule:
    """A holiday as the law defines it: a fixed date or an offset from Easter Sunday."""

    name: str
    first_year: int
    last_year: int | None = None
    month: int | None = None
    day: int | None = None
    easter_offset: int | None = None

    def applies_to(self, year: int) -> bool:
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)

    def date_in(self, year: int) -> date:
        if self.easter_offset is not None:
            return easter_sunday(year) + timedelta(days=self.easter_offset)
        assert self.month is not None and self.day is not None
        return date(year, self.month, self.day)


def _fixed(
    name: str, month: int, day: int, first_year: int, last_year: int | None = None
) -> _HolidayRule:
    return _HolidayRule(name, first_year, last_year, month=month, day=day)


def _easter(name: str, offset: int, first_year: int, last_year: int | None = None) -> _HolidayRule:
    return _HolidayRule(name, first_year, last_year, easter_offset=offset)


_RULES: tuple[_HolidayRule, ...] = (
    _fixed("Nowy Rok", 1, 1, 1951),
    # Removed by the act of 19 November 1960, restored from 2011 (act of 24 September 2010).
    _fixed("Święto Trzech Króli", 1, 6, 1951, 1960),
    _fixed("Święto Trzech Króli", 1, 6, 2011),
    _easter("Pierwszy dzień Wielkiej Nocy", 0, 1951),
    _easter("Drugi dzień Wielkiej Nocy", 1, 1951),
    _fixed("Święto Państwowe", 5, 1, 1951),
    # Restored by the act of 6 April 1990.
    _fixed("Święto Narodowe Trzeciego Maja", 5, 3, 1990),
    # Ascension was a day off under the 1951 act until the 1960 amendment.
    _easter("Wniebowstąpienie Pańskie", 39, 1951, 1960),
    _easter("Pierwszy dzień Zielonych Świątek", 49, 1951),
    _easter("Boże Ciało", 60, 1951),
    # Abolished by the act of 6 April 1990.
    _fixed("Narodowe Święto Odrodzenia Polski", 7, 22, 1951, 1989),
    # Removed in 1960, restored by the act of 17 May 1989.
    _fixed("Wniebowzięcie Najświętszej Maryi Panny", 8, 15, 1951, 1960),
    _fixed("Wniebowzięcie Najświętszej Maryi Panny", 8, 15, 1989),
    _fixed("Wszystkich Świętych", 11, 1, 1951),
    # Restored by the act of 15 February 1989.
    _fixed("Narodowe Święto Niepodległości", 11, 11, 1989),
    # Act of 6 December 2024: a day off from 2025.
    _fixed("Wigilia Bożego Narodzenia", 12, 24, 2025),
    _fixed("Pierwszy dzień Bożego Narodzenia", 12, 25, 1951),
    _fixed("Drugi dzień Bożego Narodzenia", 12, 26, 1951),
)


def easter_sunday(year: int) -> date:
    """Return Easter Sunday of ``year`` in the Gregorian calendar.

    Anonymous Gregorian algorithm (Meeus/Jones/Butcher); written out because
    python-dateutil is not a dependency of the application.
    """
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


@cache
def public_holidays(year: int) -> tuple[PublicHoliday, ...]:
    """Return the public holidays of ``year`` in date order."""
    if not FIRST_SUPPORTED_YEAR <= year <= LAST_SUPPORTED_YEAR:
        raise HolidayCalendarError(
            f"Kalendarz świąt obejmuje lata {FIRST_SUPPORTED_YEAR}–{LAST_SUPPORTED_YEAR}; "
            f"rok {year} jest poza tym zakresem"
        )
    found = [
        PublicHoliday(rule.date_in(year), rule.name) for rule in _RULES if rule.applies_to(year)
    ]
    return tuple(sorted(found, key=lambda holiday: holiday.day))


@cache
def _holiday_dates(year: int) -> frozenset[date]:
    return frozenset(holiday.day for holiday in public_holidays(year))


def is_public_holiday(day: date) -> bool:
    """True if ``day`` is a public holiday by law (Sundays are not listed here)."""
    return day in _holiday_dates(day.year)


def is_working_day(day: date) -> bool:
    """True on Monday–Friday that is not a public holiday."""
    return day.weekday() < 5 and not is_public_holiday(day)


def next_working_day(day: date) -> date:
    """Return ``day`` itself if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day
