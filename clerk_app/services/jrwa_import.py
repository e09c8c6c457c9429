"""Import a JRWA file plan (jednolity rzeczowy wykaz akt) from CSV into a tree.

Expected file: UTF-8 (a BOM is accepted), ``;``-separated, with the header
``symbol;title;category_lead;category_other``. Symbols are digit strings; the
parent of ``6730`` is ``673``, of ``00`` is ``0``. Only end classes (classes
without sub-classes) hold cases, so only they carry archival categories: one
for the lead unit (komórka merytoryczna) and one for other units (usually Bc).

All problems in a file are collected and reported together, each with its line
number, so an administrator can fix the file in one pass.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType

EXPECTED_HEADER = ("symbol", "title", "category_lead", "category_other")
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_SYMBOL_DIGITS = 6
MAX_TITLE_LENGTH = 500
# Longest retention written in the uniform plans is B50; leave room for local plans.
MAX_RETENTION_YEARS = 100
# Reported problems are capped so a wrong file (e.g. a spreadsheet) stays readable.
MAX_REPORTED_PROBLEMS = 50

_CATEGORY_PATTERN = re.compile(r"(A|Bc|BE([0-9]{1,3})|B([0-9]{1,3}))")


class ArchivalCategoryError(ValueError):
    """Text that is not an archival category."""


class CategoryKind(StrEnum):
    """Archival category kinds (kategoria archiwalna)."""

    A = "A"  # archival material, kept permanently
    B = "B"  # destroyed n years after 1 January following closure
    BE = "BE"  # expert review by the state archive when the period ends
    BC = "Bc"  # destroyed once it has served its purpose


@dataclass(frozen=True)
class ArchivalCategory:
    """An archival category such as ``A``, ``B5``, ``BE10`` or ``Bc``."""

    kind: CategoryKind
    years: int | None = None

    def __post_init__(self) -> None:
        needs_years = self.kind in (CategoryKind.B, CategoryKind.BE)
        if needs_years and (self.years is None or not 1 <= self.years <= MAX_RETENTION_YEARS):
            raise ArchivalCategoryError(
                f"Kategoria archiwalna {self.kind.value} wymaga liczby lat "
                f"od 1 do {MAX_RETENTION_YEARS}"
            )
        if not needs_years and self.years is not None:
            raise ArchivalCategoryError(f"Kategoria archiwalna {self.kind.value} nie ma liczby lat")

    @classmethod
    def parse(cls, text: str) -> ArchivalCategory:
        match = _CATEGORY_PATTERN.fullmatch(text)
        if match is None:
            raise ArchivalCategoryError(
                f"nieznana kategoria archiwalna „{text}” (dozwolone: A, B z liczbą lat np. B5, "
                "BE z liczbą lat np. BE10, Bc)"
            )
        be_years, b_years = match.group(2), match.group(3)
        if be_years is not None:
            return cls(CategoryKind.BE, _retention_years(text, be_years))
        if b_years is not None:
            return cls(CategoryKind.B, _retention_years(text, b_years))
        return cls(CategoryKind.A if text == "A" else CategoryKind.BC)

    def __str__(self) -> str:
        return self.kind.value + ("" if self.years is None else str(self.years))


def _retention_years(text: str, digits: str) -> int:
    if digits.startswith("0"):
        raise ArchivalCategoryError(
            f"kategoria archiwalna „{text}”: liczba lat nie może zaczynać się od 0"
        )
    years = int(digits)
    if years > MAX_RETENTION_YEARS:
        raise ArchivalCategoryError(
            f"kategoria archiwalna „{text}”: liczba lat większa niż {MAX_RETENTION_YEARS}"
        )
    return years


@dataclass(frozen=True)
class JrwaClass:
    """One class of the file plan with its sub-classes in symbol order."""

    symbol: str
    title: str
    category_lead: ArchivalCategory | None
    category_other: ArchivalCategory | None
    line: int
    children: tuple[JrwaClass, ...] = ()

    @property
    def is_end_class(self) -> bool:
        """End classes (klasy końcowe) are the only ones that hold cases."""
        return not self.children

    @property
    def parent_symbol(self) -> str | None:
        return self.symbol[:-1] or None

    @property
    def level(self) -> int:
        return len(self.symbol)


@dataclass(frozen=True)
class JrwaPlan:
    """A validated file plan: the first-level classes and an index by symbol."""

    roots: tuple[JrwaClass, ...]
    by_symbol: Mapping[str, JrwaClass] = field(repr=False)

    def get(self, symbol: str) -> JrwaClass | None:
        return self.by_symbol.get(symbol)

    def is_end_class(self, symbol: str) -> bool:
        found = self.by_symbol.get(symbol)
        return found is not None and found.is_end_class

    def walk(self) -> Iterator[JrwaClass]:
        """All classes, parents before their children, in symbol order."""
        stack = list(reversed(self.roots))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def end_classes(self) -> list[JrwaClass]:
        return [node for node in self.walk() if node.is_end_class]


@dataclass(frozen=True)
class JrwaProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"wiersz {self.line}: {self.message}"


class JrwaImportError(ValueError):
    """The file plan is not valid; ``problems`` lists every finding with its line."""

    def __init__(self, problems: list[JrwaProblem]) -> None:
        self.problems = problems
        shown = "\n".join(str(problem) for problem in problems[:10])
        more = len(problems) - 10
        suffix = f"\n… oraz {more} innych błędów" if more > 0 else ""
        super().__init__(f"Plik JRWA zawiera błędy:\n{shown}{suffix}")


@dataclass
class _Row:
    symbol: str
    title: str
    category_lead: ArchivalCategory | None
    category_other: ArchivalCategory | None
    line: int


def load_jrwa_csv(path: Path) -> JrwaPlan:
    """Read and validate a JRWA CSV file (size-limited, UTF-8)."""
    with path.open("rb") as stream:
        data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise JrwaImportError(
            [JrwaProblem(0, f"plik jest większy niż {MAX_FILE_BYTES // (1024 * 1024)} MB")]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise JrwaImportError([JrwaProblem(0, "plik nie jest zapisany w kodowaniu UTF-8")]) from exc
    return parse_jrwa_csv(text)


def parse_jrwa_csv(text: str) -> JrwaPlan:
    """Parse and validate a JRWA plan from CSV text; see the module docstring."""
    problems: list[JrwaProblem] = []
    rows = _read_rows(text.removeprefix("\ufeff"), problems)
    by_symbol: dict[str, _Row] = {}
    for row in rows:
        first = by_symbol.get(row.symbol)
        if first is not None:
            problems.append(
                JrwaProblem(
                    row.line,
                    f"symbol {row.symbol} powtarza się (pierwszy raz w wierszu {first.line})",
                )
            )
            continue
        by_symbol[row.symbol] = row

    children: dict[str, list[str]] = {symbol: [] for symbol in by_symbol}
    for row in by_symbol.values():
        parent = row.symbol[:-1]
        if not parent:
            continue
        if parent not in by_symbol:
            problems.append(
                JrwaProblem(row.line, f"klasa {row.symbol} nie ma klasy nadrzędnej {parent}")
            )
            continue
        children[parent].append(row.symbol)

    for row in by_symbol.values():
        _check_categories(row, has_children=bool(children[row.symbol]), problems=problems)

    if not by_symbol and not problems:
        problems.append(JrwaProblem(1, "plik nie zawiera żadnej klasy"))
    if problems:
        problems.sort(key=lambda problem: problem.line)
        raise JrwaImportError(problems[:MAX_REPORTED_PROBLEMS])

    built: dict[str, JrwaClass] = {}

    def build(symbol: str) -> JrwaClass:
        row = by_symbol[symbol]
        node = JrwaClass(
            symbol=row.symbol,
            title=row.title,
            category_lead=row.category_lead,
            category_other=row.category_other,
            line=row.line,
            children=tuple(build(child) for child in sorted(children[symbol])),
        )
        built[symbol] = node
        return node

    roots = tuple(build(symbol) for symbol in sorted(by_symbol) if len(symbol) == 1)
    return JrwaPlan(roots=roots, by_symbol=MappingProxyType(built))


def _read_rows(text: str, problems: list[JrwaProblem]) -> list[_Row]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=True)
    rows: list[_Row] = []
    header_seen = False
    try:
        for fields in reader:
            line = reader.line_num
            if not any(value.strip() for value in fields):
                continue
            if not header_seen:
                header_seen = True
                header = tuple(value.strip().lower() for value in fields)
                if header != EXPECTED_HEADER:
                    problems.append(
                        JrwaProblem(
                            line,
                            "nagłówek musi brzmieć „" + ";".join(EXPECTED_HEADER) + "”",
                        )
                    )
                    return rows
                continue
            row = _parse_row(fields, line, problems)
            if row is not None:
                rows.append(row)
            if len(problems) >= MAX_REPORTED_PROBLEMS:
                break
    except csv.Error as exc:
        problems.append(JrwaProblem(reader.line_num, f"niepoprawny zapis CSV ({exc})"))
    if not header_seen:
        problems.append(JrwaProblem(1, "plik jest pusty"))
    return rows


def _parse_row(fields: list[str], line: int, problems: list[JrwaProblem]) -> _Row | None:
    if len(fields) != len(EXPECTED_HEADER):
        problems.append(
            JrwaProblem(
                line,
                f"oczekiwano {len(EXPECTED_HEADER)} kolumn ({';'.join(EXPECTED_HEADER)}), "
                f"jest {len(fields)}",
            )
        )
        return None
    symbol, raw_title, lead_text, other_text = (value.strip() for value in fields)
    # Titles pasted from office documents carry non-breaking spaces and line breaks.
    title = " ".join(raw_title.split())
    ok = True
    if not (symbol.isascii() and symbol.isdigit()) or len(symbol) > MAX_SYMBOL_DIGITS:
        problems.append(
            JrwaProblem(line, f"symbol „{symbol}” musi składać się z 1–{MAX_SYMBOL_DIGITS} cyfr")
        )
        ok = False
    if not title:
        problems.append(JrwaProblem(line, f"klasa {symbol} nie ma hasła (tytułu)"))
        ok = False
    elif len(title) > MAX_TITLE_LENGTH or any(
        unicodedata.category(ch) in ("Cc", "Cf") for ch in title
    ):
        problems.append(
            JrwaProblem(
                line,
                f"hasło klasy {symbol} jest dłuższe niż {MAX_TITLE_LENGTH} znaków "
                "lub zawiera znaki sterujące",
            )
        )
        ok = False
    categories: list[ArchivalCategory | None] = []
    for value in (lead_text, other_text):
        if not value:
            categories.append(None)
            continue
        try:
            categories.append(ArchivalCategory.parse(value))
        except ArchivalCategoryError as exc:
            problems.append(JrwaProblem(line, f"klasa {symbol}: {exc}"))
            ok = False
    if not ok:
        return None
    return _Row(symbol, title, categories[0], categories[1], line)


def _check_categories(row: _Row, *, has_children: bool, problems: list[JrwaProblem]) -> None:
    has_category = row.category_lead is not None or row.category_other is not None
    if has_children and has_category:
        problems.append(
            JrwaProblem(
                row.line,
                f"klasa {row.symbol} ma podklasy, więc nie może mieć kategorii archiwalnej "
                "(kategorie mają tylko klasy końcowe)",
            )
        )
    elif not has_children and (row.category_lead is None or row.category_other is None):
        problems.append(
            JrwaProblem(
                row.line,
                f"klasa końcowa {row.symbol} musi mieć obie kategorie archiwalne: "
                "dla komórki merytorycznej i dla innych komórek",
            )
        )
