"""Parcel identifiers (identyfikator działki ewidencyjnej) in the TERYT form.

Canonical form: ``WWPPGG_R.OOOO[.AR_N].NUMBER``, e.g. ``141201_1.0001.1867/2`` or
``066301_1.0021.AR_10.5/1``. Clerks type ids loosely (spaces, ``21`` for precinct ``0021``,
``1412011`` without the underscore, ``ar10``, lower case); :meth:`ParcelId.parse` accepts those and
always stores the canonical form, and rejects anything else with a message naming the wrong part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum
from typing import Literal

IdPart = Literal[
    "whole", "unit", "voivodeship", "county", "commune", "unit_type", "precinct", "sheet", "number"
]

CANONICAL_PATTERN = re.compile(
    r"^(\d{2})(\d{2})(\d{2})_([1-589])\.(\d{4})(?:\.AR_(\d+))?\.(\d+(?:/\d+)?)$"
)

VOIVODESHIP_NAMES: dict[str, str] = {
    "02": "dolnośląskie",
    "04": "kujawsko-pomorskie",
    "06": "lubelskie",
    "08": "lubuskie",
    "10": "łódzkie",
    "12": "małopolskie",
    "14": "mazowieckie",
    "16": "opolskie",
    "18": "podkarpackie",
    "20": "podlaskie",
    "22": "pomorskie",
    "24": "śląskie",
    "26": "świętokrzyskie",
    "28": "warmińsko-mazurskie",
    "30": "wielkopolskie",
    "32": "zachodniopomorskie",
}

# County codes from 61 up are cities with county rights (miasta na prawach powiatu).
FIRST_CITY_COUNTY_CODE = 61

_UNIT_PATTERN = re.compile(r"^(\d{6})_?(\d)$")
_PRECINCT_PATTERN = re.compile(r"^\d{1,4}$")
_SHEET_PATTERN = re.compile(r"^AR_(\d+)$")
_NUMBER_PATTERN = re.compile(r"^\d+(?:/\d+)?$")
# Legacy register data may carry letters or several slashes in a number (e.g. "12A", "5/1/2").
_LEGACY_NUMBER_PATTERN = re.compile(r"^[0-9A-Z]+(?:/[0-9A-Z]+)*$")
_BUILDING_SUFFIX = re.compile(r"\.\d+_BUD$")


class ParcelIdError(ValueError):
    """A parcel id (or a part of it) that cannot be read; the message is for the clerk."""

    def __init__(self, message: str, part: IdPart) -> None:
        super().__init__(message)
        self.part: IdPart = part


class UnitType(IntEnum):
    """Type of the cadastral unit: the digit after ``_`` in ``141201_1``."""

    URBAN_COMMUNE = 1
    RURAL_COMMUNE = 2
    URBAN_RURAL_COMMUNE = 3
    URBAN_RURAL_TOWN = 4
    URBAN_RURAL_COUNTRYSIDE = 5
    WARSAW_DISTRICT = 8
    CITY_DELEGATURA = 9

    @property
    def polish_name(self) -> str:
        return _UNIT_TYPE_NAMES[self]


_UNIT_TYPE_NAMES: dict[UnitType, str] = {
    UnitType.URBAN_COMMUNE: "gmina miejska",
    UnitType.RURAL_COMMUNE: "gmina wiejska",
    UnitType.URBAN_RURAL_COMMUNE: "gmina miejsko-wiejska",
    UnitType.URBAN_RURAL_TOWN: "miasto w gminie miejsko-wiejskiej",
    UnitType.URBAN_RURAL_COUNTRYSIDE: "obszar wiejski w gminie miejsko-wiejskiej",
    UnitType.WARSAW_DISTRICT: "dzielnica m.st. Warszawy",
    UnitType.CITY_DELEGATURA: "delegatura miasta",
}


@dataclass(frozen=True, slots=True)
class CadastralUnit:
    """Cadastral unit (jednostka ewidencyjna), e.g. ``141201_1``: TERYT commune code + unit type."""

    voivodeship: str
    county: str
    commune: str
    unit_type: UnitType

    def __post_init__(self) -> None:
        text = f"{self.voivodeship}{self.county}{self.commune}_{int(self.unit_type)}"
        _check_voivodeship(self.voivodeship, text)
        _check_two_digit_code(self.county, "county", text)
        _check_two_digit_code(self.commune, "commune", text)

    @classmethod
    def parse(cls, text: str) -> CadastralUnit:
        """Read ``141201_1`` (also ``1412011``, ``141201 1``)."""
        cleaned = re.sub(r"\s+", " ", text.strip())
        cleaned = re.sub(r"^(\d{6})\s(\d)$", r"\1_\2", cleaned)
        return _parse_unit(cleaned, original=text)

    @property
    def voivodeship_name(self) -> str:
        return VOIVODESHIP_NAMES[self.voivodeship]

    @property
    def unit_type_name(self) -> str:
        return self.unit_type.polish_name

    @property
    def county_code(self) -> str:
        """TERYT county code (WWPP), e.g. ``1412``."""
        return f"{self.voivodeship}{self.county}"

    @property
    def commune_code(self) -> str:
        """TERYT commune code without the unit type (WWPPGG), e.g. ``141201``."""
        return f"{self.voivodeship}{self.county}{self.commune}"

    @property
    def is_city_with_county_rights(self) -> bool:
        return int(self.county) >= FIRST_CITY_COUNTY_CODE

    def __str__(self) -> str:
        return f"{self.commune_code}_{int(self.unit_type)}"


@dataclass(frozen=True, slots=True)
class ParcelId:
    """Identifier of one parcel (identyfikator działki), canonical when turned into ``str``."""

    unit: CadastralUnit
    precinct: str
    """Precinct (obręb) code, four digits: ``0001``."""
    sheet: str | None
    """Map sheet (arkusz mapy) number without the ``AR_`` prefix, or None."""
    number: str
    """Parcel number (numer działki), e.g. ``1867/2``."""

    def __post_init__(self) -> None:
        text = self._format()
        _check_precinct(self.precinct, text)
        if self.sheet is not None:
            _check_sheet(self.sheet, text)
        if not (_NUMBER_PATTERN.match(self.number) or _LEGACY_NUMBER_PATTERN.match(self.number)):
            raise _number_error(self.number, text)

    @classmethod
    def parse(cls, text: str, *, allow_legacy_number: bool = False) -> ParcelId:
        """Read a parcel id typed by a person or found in a file.

        Accepts the canonical form and lenient variants: spaces around separators, precinct
        without zero padding, a missing underscore, ``AR`` without ``_`` and lower case.
        ``allow_legacy_number`` also accepts numbers with letters or several slashes, which old
        register data carries; typed input should keep the default.
        """
        if not text or not text.strip():
            raise ParcelIdError("Identyfikator działki jest pusty.", "whole")
        original = text.strip()
        cleaned = _normalise_separators(original.upper())
        if _BUILDING_SUFFIX.search(cleaned):
            raise ParcelIdError(
                f"„{original}” to identyfikator budynku, a nie działki (usuń końcówkę „.N_BUD”).",
                "whole",
            )
        parts = cleaned.split(".")
        if len(parts) not in (3, 4):
            problem = "ma za mało części" if len(parts) < 3 else "ma za dużo części"
            raise ParcelIdError(
                f"Identyfikator działki „{original}” {problem} oddzielonych kropkami; "
                "oczekiwano postaci WWPPGG_R.OOOO[.AR_N].NUMER, np. 141201_1.0001.1867/2.",
                "whole",
            )
        if re.search(r"\s", cleaned):
            raise ParcelIdError(
                f"Identyfikator działki „{original}” zawiera spację wewnątrz jednej z części; "
                "oczekiwano postaci WWPPGG_R.OOOO[.AR_N].NUMER, np. 141201_1.0001.1867/2.",
                "whole",
            )
        unit = _parse_unit(parts[0], original=original)
        precinct = _pad_precinct(parts[1], original)
        sheet: str | None = None
        if len(parts) == 4:
            sheet_match = _SHEET_PATTERN.match(parts[2])
            if not sheet_match:
                raise ParcelIdError(
                    f"Nieprawidłowy arkusz mapy „{parts[2]}” w identyfikatorze „{original}”: "
                    "oczekiwano AR_ i numeru arkusza, np. AR_10.",
                    "sheet",
                )
            sheet = sheet_match.group(1)
            _check_sheet(sheet, original)
        number = parts[-1]
        pattern = _LEGACY_NUMBER_PATTERN if allow_legacy_number else _NUMBER_PATTERN
        if not pattern.match(number) or _has_zero_component(number):
            raise _number_error(number, original)
        return cls(unit=unit, precinct=precinct, sheet=sheet, number=number)

    @property
    def voivodeship(self) -> str:
        return self.unit.voivodeship

    @property
    def county(self) -> str:
        return self.unit.county

    @property
    def commune(self) -> str:
        return self.unit.commune

    @property
    def unit_type(self) -> UnitType:
        return self.unit.unit_type

    @property
    def precinct_id(self) -> str:
        """Precinct (obręb) identifier, e.g. ``141201_1.0001``."""
        return f"{self.unit}.{self.precinct}"

    @property
    def is_canonical_number(self) -> bool:
        """False for legacy numbers with letters or several slashes."""
        return bool(_NUMBER_PATTERN.match(self.number))

    def _format(self) -> str:
        sheet = f".AR_{self.sheet}" if self.sheet is not None else ""
        return f"{self.unit}.{self.precinct}{sheet}.{self.number}"

    def __str__(self) -> str:
        return self._format()


@dataclass(frozen=True, slots=True)
class PrecinctParcelQuery:
    """A parcel typed as "precinct + number" within a known cadastral unit (``0012 3/4``).

    Without a sheet the query matches that number on every sheet of the precinct: numbering may
    restart per sheet, so callers must list all candidates rather than pick one.
    """

    unit: CadastralUnit
    precinct: str
    sheet: str | None
    number: str

    @property
    def precinct_id(self) -> str:
        return f"{self.unit}.{self.precinct}"

    def matches(self, parcel_id: ParcelId) -> bool:
        return (
            parcel_id.unit == self.unit
            and parcel_id.precinct == self.precinct
            and parcel_id.number == self.number
            and (self.sheet is None or parcel_id.sheet == self.sheet)
        )

    def to_parcel_id(self) -> ParcelId:
        """The full id when the sheet was typed (or the precinct has no sheets)."""
        return ParcelId(self.unit, self.precinct, self.sheet, self.number)

    def __str__(self) -> str:
        sheet = f" AR_{self.sheet}" if self.sheet is not None else ""
        return f"{self.precinct_id}{sheet} {self.number}"


_PRECINCT_QUERY_PATTERN = re.compile(
    r"^(?P<precinct>\d+)(?:[\s.]+AR\s*_?\s*(?P<sheet>\d+))?[\s.]+(?P<number>\S+)$"
)


def parse_precinct_and_number(text: str, default_unit: CadastralUnit | str) -> PrecinctParcelQuery:
    """Read "precinct number + parcel number" (``0012 3/4``, ``12.3/4``, ``12 ar 3 5``).

    The cadastral unit comes from ``default_unit`` (the office's own commune).
    """
    unit = (
        default_unit
        if isinstance(default_unit, CadastralUnit)
        else CadastralUnit.parse(default_unit)
    )
    original = text.strip()
    if not original:
        raise ParcelIdError("Nie podano obrębu i numeru działki.", "whole")
    match = _PRECINCT_QUERY_PATTERN.match(original.upper())
    if not match:
        raise ParcelIdError(
            f"Nie rozpoznano „{original}”: oczekiwano numeru obrębu i numeru działki, "
            "np. „0012 3/4” lub „12 AR_3 5”.",
            "whole",
        )
    precinct = _pad_precinct(match.group("precinct"), original)
    sheet = match.group("sheet")
    if sheet is not None:
        _check_sheet(sheet, original)
    number = match.group("number")
    if not _NUMBER_PATTERN.match(number) or _has_zero_component(number):
        raise _number_error(number, original)
    return PrecinctParcelQuery(unit=unit, precinct=precinct, sheet=sheet, number=number)


def _normalise_separators(text: str) -> str:
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s*([._/])\s*", r"\1", text)
    # "141201 1.0001.5": a space typed instead of the underscore.
    text = re.sub(r"^(\d{6}) (\d)(?=\.)", r"\1_\2", text)
    # "AR10", "AR 10", "AR_10" all mean sheet 10.
    return re.sub(r"(?<=\.)AR ?(?=\d)", "AR_", text)


def _parse_unit(part: str, *, original: str) -> CadastralUnit:
    match = _UNIT_PATTERN.match(part)
    if not match:
        raise ParcelIdError(
            f"Nieprawidłowy kod jednostki ewidencyjnej „{part}” w „{original}”: oczekiwano "
            "sześciu cyfr kodu TERYT gminy i cyfry typu jednostki, np. 141201_1.",
            "unit",
        )
    code, type_digit = match.groups()
    _check_voivodeship(code[0:2], original)
    _check_two_digit_code(code[2:4], "county", original)
    _check_two_digit_code(code[4:6], "commune", original)
    try:
        unit_type = UnitType(int(type_digit))
    except ValueError:
        allowed = ", ".join(f"{t.value} ({t.polish_name})" for t in UnitType)
        raise ParcelIdError(
            f"Nieprawidłowy typ jednostki ewidencyjnej „{type_digit}” w „{original}”: "
            f"dozwolone są {allowed}.",
            "unit_type",
        ) from None
    return CadastralUnit(code[0:2], code[2:4], code[4:6], unit_type)


def _check_voivodeship(code: str, original: str) -> None:
    if code not in VOIVODESHIP_NAMES:
        raise ParcelIdError(
            f"Nieprawidłowy kod województwa „{code}” w „{original}”: "
            "oczekiwano parzystej liczby od 02 do 32.",
            "voivodeship",
        )


def _check_two_digit_code(code: str, part: Literal["county", "commune"], original: str) -> None:
    if not re.fullmatch(r"\d{2}", code) or code == "00":
        label = "powiatu" if part == "county" else "gminy"
        raise ParcelIdError(
            f"Nieprawidłowy kod {label} „{code}” w „{original}”: "
            "oczekiwano dwóch cyfr od 01 do 99.",
            part,
        )


def _pad_precinct(part: str, original: str) -> str:
    if not _PRECINCT_PATTERN.match(part):
        raise ParcelIdError(
            f"Nieprawidłowy numer obrębu „{part}” w „{original}”: oczekiwano od 1 do 4 cyfr, "
            "np. 0001.",
            "precinct",
        )
    padded = part.zfill(4)
    _check_precinct(padded, original)
    return padded


def _check_precinct(precinct: str, original: str) -> None:
    if not re.fullmatch(r"\d{4}", precinct) or precinct == "0000":
        raise ParcelIdError(
            f"Nieprawidłowy numer obrębu „{precinct}” w „{original}”: "
            "oczekiwano liczby od 0001 do 9999.",
            "precinct",
        )


def _check_sheet(sheet: str, original: str) -> None:
    if not sheet.isdigit() or int(sheet) == 0:
        raise ParcelIdError(
            f"Nieprawidłowy numer arkusza mapy „{sheet}” w „{original}”: "
            "oczekiwano liczby większej od zera, np. AR_10.",
            "sheet",
        )


def _has_zero_component(number: str) -> bool:
    return any(piece.isdigit() and int(piece) == 0 for piece in number.split("/"))


def _number_error(number: str, original: str) -> ParcelIdError:
    return ParcelIdError(
        f"Nieprawidłowy numer działki „{number}” w „{original}”: oczekiwano liczby "
        "lub liczby z ukośnikiem, np. 1867 albo 1867/2.",
        "number",
    )
