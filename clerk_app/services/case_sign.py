"""The case sign (znak sprawy): ``UNIT.JRWA.NUMBER.YEAR`` with its optional parts.

Grammar (instrukcja kancelaryjna, Dz.U. 2011 nr 14 poz. 67)::

    UNIT.JRWA.NUMBER[.SUBNUMBER].YEAR[.INITIALS]

- UNIT: the organisational unit symbol, letters and digits with at least one
  letter; sub-units are joined with hyphens (``ABC-A``). Polish letters are
  allowed because offices use them (``OŚ``, ``RGKiOŚ``).
- JRWA: the end-class symbol of the file plan, digits only (leading zeros count).
- NUMBER: the number from the unit's case list (spis spraw) for that class and year.
- SUBNUMBER: an optional sub-group number (``ABC-A.123.77.3.2011``).
- YEAR: the four-digit year the case started.
- INITIALS: the optional handler's initials after the year (``….2011.JW``).

``CaseSign`` is the only place that builds, parses and validates signs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# JRWA symbols have four levels in the uniform plans; offices may add local
# sub-classes, so allow a little more while still rejecting obvious garbage.
MAX_JRWA_DIGITS = 6
MAX_UNIT_LENGTH = 32
MAX_INITIALS_LENGTH = 8
_DIGIT_RUNS = re.compile(r"([0-9]+)")
_FORMAT_HINT = "KOMÓRKA.JRWA.NUMER.ROK, np. GK.6730.12.2024"


class CaseSignError(ValueError):
    """A case sign that does not follow the grammar; the message names the wrong part."""


def _is_ascii_digits(text: str) -> bool:
    # str.isdigit() accepts superscripts and other scripts' digits; we must not.
    return text.isascii() and text.isdigit()


def _check_unit(unit: str) -> None:
    if not unit:
        raise CaseSignError("Znak sprawy: brak symbolu komórki organizacyjnej")
    if len(unit) > MAX_UNIT_LENGTH:
        raise CaseSignError(
            f"Znak sprawy: symbol komórki „{unit}” jest za długi "
            f"(najwyżej {MAX_UNIT_LENGTH} znaków)"
        )
    for segment in unit.split("-"):
        if not segment:
            raise CaseSignError(
                f"Znak sprawy: symbol komórki „{unit}” ma pusty człon "
                "(łącznik na początku, na końcu lub podwójny)"
            )
        if not all(ch.isalpha() or _is_ascii_digits(ch) for ch in segment):
            raise CaseSignError(
                f"Znak sprawy: symbol komórki „{unit}” może zawierać tylko litery i cyfry "
                "(podkomórki łączy się łącznikiem)"
            )
    if not any(ch.isalpha() for ch in unit):
        raise CaseSignError(
            f"Znak sprawy: symbol komórki „{unit}” musi zawierać co najmniej jedną literę"
        )


def _check_jrwa(jrwa: str) -> None:
    if not _is_ascii_digits(jrwa) or len(jrwa) > MAX_JRWA_DIGITS:
        raise CaseSignError(
            f"Znak sprawy: symbol JRWA „{jrwa}” musi składać się z 1–{MAX_JRWA_DIGITS} cyfr"
        )


def _check_year(year_text: str) -> None:
    if not _is_ascii_digits(year_text) or len(year_text) != 4:
        raise CaseSignError(f"Znak sprawy: rok „{year_text}” musi mieć cztery cyfry")
    if year_text[0] == "0":
        raise CaseSignError(f"Znak sprawy: rok „{year_text}” nie może zaczynać się od zera")


def _check_positive(value: int, what: str) -> None:
    # bool is an int subclass; True as a case number is a bug, not a number.
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise CaseSignError(f"Znak sprawy: {what} „{value}” musi być liczbą dodatnią")


def _check_initials(initials: str) -> None:
    if not initials or not all(ch.isalpha() for ch in initials):
        raise CaseSignError(f"Znak sprawy: inicjały „{initials}” mogą zawierać tylko litery")
    if len(initials) > MAX_INITIALS_LENGTH:
        raise CaseSignError(
            f"Znak sprawy: inicjały „{initials}” są za długie "
            f"(najwyżej {MAX_INITIALS_LENGTH} liter)"
        )


def _parse_number(text: str, what: str) -> int:
    if not _is_ascii_digits(text):
        raise CaseSignError(f"Znak sprawy: {what} „{text}” musi być liczbą")
    if text[0] == "0":
        # Zero or a zero-padded number would not survive the text round trip.
        raise CaseSignError(
            f"Znak sprawy: {what} „{text}” musi być liczbą dodatnią bez zer na początku"
        )
    return int(text)


def _looks_like_year(text: str) -> bool:
    return _is_ascii_digits(text) and len(text) == 4


def _natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """Split text into digit and non-digit runs so ``A2`` sorts before ``A10``.

    Digit runs sort before letter runs and by value; the text breaks ties.
    """
    return tuple(
        (0, int(run), run) if _is_ascii_digits(run) else (1, 0, run)
        for run in _DIGIT_RUNS.split(text.casefold())
        if run
    )


SortKey = tuple[tuple[tuple[tuple[int, int, str], ...], ...], str, int, int, int, str, str]


@dataclass(frozen=True)
class CaseSign:
    """A validated case sign; ``str(sign)`` gives its canonical text."""

    unit: str
    jrwa: str
    number: int
    year: int
    subnumber: int | None = None
    initials: str | None = None

    def __post_init__(self) -> None:
        _check_unit(self.unit)
        _check_jrwa(self.jrwa)
        _check_positive(self.number, "numer sprawy")
        if self.subnumber is not None:
            _check_positive(self.subnumber, "numer podgrupy")
        if isinstance(self.year, bool) or not isinstance(self.year, int):
            raise CaseSignError(f"Znak sprawy: rok „{self.year}” musi mieć cztery cyfry")
        _check_year(str(self.year))
        if self.initials is not None:
            _check_initials(self.initials)

    @classmethod
    def parse(cls, text: str) -> CaseSign:
        """Parse a case sign; only whitespace around it is forgiven.

        Raises ``CaseSignError`` naming the part that is wrong.
        """
        stripped = text.strip()
        if not stripped:
            raise CaseSignError("Znak sprawy jest pusty")
        parts = stripped.split(".")
        if any(part == "" for part in parts):
            raise CaseSignError(
                f"Znak sprawy „{stripped}” ma pustą część (dwie kropki obok siebie "
                f"albo kropkę na początku lub końcu); oczekiwano {_FORMAT_HINT}"
            )
        if len(parts) < 4:
            raise CaseSignError(
                f"Znak sprawy „{stripped}” jest niepełny; oczekiwano {_FORMAT_HINT}"
            )
        if len(parts) > 6:
            raise CaseSignError(
                f"Znak sprawy „{stripped}” ma za dużo części ({len(parts)}); "
                f"oczekiwano {_FORMAT_HINT}, ewentualnie z numerem podgrupy przed rokiem "
                "i inicjałami po roku"
            )

        subnumber_text: str | None = None
        initials: str | None = None
        if len(parts) == 4 and parts[3].isalpha() and _looks_like_year(parts[2]):
            # "GK.6730.2024.JW": initials present, but the case number is missing.
            raise CaseSignError(
                f"Znak sprawy „{stripped}”: brak numeru sprawy między symbolem JRWA a rokiem"
            )
        if len(parts) == 4:
            unit, jrwa, number_text, year_text = parts
        elif len(parts) == 6:
            unit, jrwa, number_text, subnumber_text, year_text, initials = parts
        elif _names_initials(parts[4], parts[3]):
            unit, jrwa, number_text, year_text, initials = parts
        else:
            unit, jrwa, number_text, subnumber_text, year_text = parts

        _check_unit(unit)
        _check_jrwa(jrwa)
        number = _parse_number(number_text, "numer sprawy")
        subnumber = None
        if subnumber_text is not None:
            subnumber = _parse_number(subnumber_text, "numer podgrupy")
        _check_year(year_text)
        return cls(
            unit=unit,
            jrwa=jrwa,
            number=number,
            year=int(year_text),
            subnumber=subnumber,
            initials=initials,
        )

    def __str__(self) -> str:
        parts = [self.unit, self.jrwa, str(self.number)]
        if self.subnumber is not None:
            parts.append(str(self.subnumber))
        parts.append(str(self.year))
        if self.initials is not None:
            parts.append(self.initials)
        return ".".join(parts)

    @property
    def case_list_key(self) -> tuple[str, str, int]:
        """The case list (spis spraw) the number belongs to: unit, JRWA class, year."""
        return (self.unit, self.jrwa, self.year)

    def sort_key(self) -> SortKey:
        """Order signs naturally: unit (``GK-2`` before ``GK-10``), JRWA class, year,
        then number as a number (``.2.`` before ``.10.``).

        The year comes before the number because numbers restart every year;
        ``sorted(signs, key=CaseSign.sort_key)`` reads like a set of case lists.
        """
        unit_key = tuple(_natural_key(segment) for segment in self.unit.split("-"))
        return (
            unit_key,
            self.jrwa,
            self.year,
            self.number,
            0 if self.subnumber is None else self.subnumber,
            self.initials or "",
            self.unit,
        )


def _names_initials(last: str, before_last: str) -> bool:
    """Decide whether a five-part sign ends with initials rather than a year.

    Letters only means initials; letters mixed with digits after something that
    looks like a year are most likely mistyped initials, not a mistyped year.
    """
    if last.isalpha():
        return True
    return any(ch.isalpha() for ch in last) and _looks_like_year(before_last)
