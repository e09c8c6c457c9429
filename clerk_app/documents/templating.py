"""Letter templates the office can edit, rendered in a Jinja2 sandbox.

A template can never run code or read files: it is rendered by Jinja2's
``ImmutableSandboxedEnvironment`` (no access to ``__class__`` and other
internals, no changing the data it is given) with ``StrictUndefined`` (a
misspelt placeholder is an error, not an empty gap) and an empty in-memory
loader (``{% include %}``, ``{% import %}`` and ``{% extends %}`` find nothing).
Output is plain text with autoescape off; ``letter_pdf`` escapes ``&``, ``<``
and ``>`` before the text reaches a reportlab Paragraph, so a template cannot
inject layout markup either. Any failure raises ``TemplateError`` naming the
line of the template file and the reason in Polish.

Size limits keep a template from exhausting memory: repeat counts, padding
widths and exponents above ``MAX_SIZE_ARGUMENT`` are refused, and output stops
at ``MAX_OUTPUT_CHARS``. Not covered: CPU time (nested loops) and repeated
``~`` concatenation; render previews of untrusted templates with a time limit.

Template file format (UTF-8 text)::

    # Lines starting with "#" in the header are comments.
    name: letter_generic
    title: Pismo ogólne
    kind: letter
    required: subject, body, office.name
    description: Any free text shown in the template list.

    === subject
    {{ subject }}
    === body
    Paragraphs are separated by a blank line.
    A single line break inside a paragraph is kept as a line break.
    === legal_basis
    art. 61 § 4 ustawy – Kodeks postępowania administracyjnego
    === instruction
    Pouczenie paragraphs, separated by blank lines.

The header is ``key: value`` lines: ``name`` (lowercase letters, digits and
``_``), ``title`` and ``kind`` are mandatory; ``required`` lists the fields
(dotted paths into the data) that must be present and not empty before
rendering; ``description`` is optional. Sections start with a line
``=== NAME``; ``subject`` and ``body`` are mandatory, ``legal_basis`` and
``instruction`` optional. Section text is Jinja2 with ``trim_blocks`` and
``lstrip_blocks``, so ``{% if %}`` lines leave no blank lines behind. Polish
filters are available: ``date_pl`` (25 listopada 2026 r.), ``date_numeric``,
``number``, ``money`` (1 234,50 zł), ``amount_in_words``, ``number_in_words``
and ``plural(one, few, many)`` (``{{ n }} {{ n|plural('dzień', 'dni', 'dni') }}``).
Dates may be ``date`` objects or ISO strings ("2026-11-25", as JSON data has
them). A field that is ``None`` prints as nothing; use ``required`` for fields
that must not be empty.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Collection, Mapping, Sized
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType, TracebackType
from typing import Any

from jinja2 import (
    DictLoader,
    StrictUndefined,
    Template,
    TemplateNotFound,
    TemplateSyntaxError,
    nodes,
)
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import missing

from clerk_app.documents.polish_format import (
    PolishFormatError,
    amount_in_words,
    format_date_numeric,
    format_date_words,
    format_money,
    format_number,
    number_in_words,
    plural_form,
)
from clerk_app.resources_path import resource_path

MAX_TEMPLATE_CHARS = 200_000
MAX_OUTPUT_CHARS = 500_000
# Largest repeat count, padding width or exponent a template may ask for: a
# letter never needs more, and it keeps "'x' * 10**9" from eating memory.
MAX_SIZE_ARGUMENT = 10_000

HEADER_KEYS = ("name", "title", "kind", "required", "description")
MANDATORY_HEADER_KEYS = ("name", "title", "kind")
SECTIONS = ("subject", "body", "legal_basis", "instruction")
MANDATORY_SECTIONS = ("subject", "body")

_SECTION_MARKER = re.compile(r"^===\s*(\S*)\s*$")
_HEADER_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*)$")
_TEMPLATE_NAME = re.compile(r"^[a-z0-9_]{1,64}$")
_FIELD_PATH = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$")
_TEMPLATE_FILENAME = "<template>"  # Jinja's code file name for from_string templates


class TemplateError(ValueError):
    """A template cannot be read or rendered; says where (line) and why, in Polish."""

    def __init__(self, template: str, reason: str, line: int | None = None) -> None:
        self.template = template
        self.reason = reason
        self.line = line
        where = f"Szablon „{template}”" + (f", wiersz {line}" if line is not None else "")
        super().__init__(f"{where}: {reason}")


# --- the sandbox ------------------------------------------------------------


class _PolishStrictUndefined(StrictUndefined):
    """StrictUndefined whose error message names the placeholder in Polish."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        name = self._undefined_name
        if self._undefined_exception is SecurityError:
            return f"dostęp do „{name}” jest zabroniony"
        if name is None:
            return "użyto wartości, która nie istnieje"
        if self._undefined_obj is missing:
            return f"nieznane pole „{name}”"
        kind = type(self._undefined_obj).__name__
        return f"nieznane pole „{name}” (wartość typu {kind} go nie ma)"


_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "*": operator.mul,
    "**": operator.pow,
    "+": operator.add,
    "%": operator.mod,
}
_PADDING_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})
# "{:>100000}", "{:{width}}" (width from data), "%100000s" and "%*s".
_HUGE_FORMAT_WIDTH = re.compile(r"\{[^{}]*:[^{}]*(?:\d{5,}|\{)|%[-+ #0]*(?:\d{5,}|\*)")


def _too_big(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SIZE_ARGUMENT


class _LetterSandbox(ImmutableSandboxedEnvironment):
    """The sandbox plus limits on sizes, so a template cannot exhaust memory."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "**" and _too_big(right):
            raise SecurityError(f"wykładnik {right} jest za duży")
        if operator_name == "*" and (
            (isinstance(left, Sized) and _too_big(right))
            or (isinstance(right, Sized) and _too_big(left))
        ):
            raise SecurityError("powielenie tekstu lub listy jest za duże")
        if (
            operator_name == "+"
            and isinstance(left, Sized)
            and isinstance(right, Sized)
            and len(left) + len(right) > MAX_OUTPUT_CHARS
        ):
            raise SecurityError("połączony tekst lub lista jest za duża")
        if operator_name == "%" and isinstance(left, str) and _HUGE_FORMAT_WIDTH.search(left):
            raise SecurityError("szerokość pola w formacie jest za duża")
        return _BINOPS[operator_name](left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        # Padding widths are the other way to build a huge string from a short template.
        if (
            getattr(__obj, "__name__", None) in _PADDING_METHODS
            and isinstance(getattr(__obj, "__self__", None), str)
            and any(_too_big(value) for value in (*args, *kwargs.values()))
        ):
            raise SecurityError("szerokość podana w szablonie jest za duża")
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapper = super().wrap_str_format(value)
        if wrapper is not None and _HUGE_FORMAT_WIDTH.search(value.__self__):
            raise SecurityError("szerokość pola w formacie jest za duża")
        return wrapper


def _size_limited(function: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a padding filter so a huge width is refused (filters bypass ``call``)."""

    def limited(*args: Any, **kwargs: Any) -> Any:
        if any(_too_big(value) for value in (*args[1:], *kwargs.values())):
            raise SecurityError("szerokość podana w szablonie jest za duża")
        return function(*args, **kwargs)

    return limited


def _width_checked_format(function: Callable[..., str]) -> Callable[..., str]:
    """Wrap the "format" filter with the same check as the "%" operator."""

    def checked(value: Any, *args: Any, **kwargs: Any) -> str:
        if isinstance(value, str) and _HUGE_FORMAT_WIDTH.search(value):
            raise SecurityError("szerokość pola w formacie jest za duża")
        return function(value, *args, **kwargs)

    return checked


def _plural(count: int, one: str, few: str, many: str) -> str:
    return plural_form(int(count), one, few, many)


def _none_as_empty(value: Any) -> Any:
    # An optional field that is None prints as nothing, never as "None".
    return "" if value is None else value


def _build_environment() -> _LetterSandbox:
    environment = _LetterSandbox(
        loader=DictLoader({}),  # in memory and empty: nothing to include or import
        undefined=_PolishStrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        finalize=_none_as_empty,
    )
    for name in ("center", "indent", "slice"):
        environment.filters[name] = _size_limited(environment.filters[name])
    environment.filters["format"] = _width_checked_format(environment.filters["format"])
    environment.filters.update(
        {
            "date_pl": format_date_words,
            "date_numeric": format_date_numeric,
            "number": format_number,
            "money": format_money,
            "amount_in_words": amount_in_words,
            "number_in_words": number_in_words,
            "plural": _plural,
        }
    )
    return environment


_ENVIRONMENT = _build_environment()


# --- parsed templates -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RenderedLetterText:
    """The text parts of a letter produced by a template."""

    subject: str
    body: tuple[str, ...]
    legal_basis: str = ""
    instruction: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Section:
    name: str
    first_line: int  # file line of the section's first text line
    template: Template = field(compare=False, repr=False)
    text: str = field(default="", compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class LetterTemplate:
    """A parsed, compiled letter template; ``render`` fills it with data."""

    name: str
    title: str
    kind: str
    source: str = field(repr=False)
    source_name: str = ""  # file or database name used in error messages
    required: tuple[str, ...] = ()
    description: str = ""
    required_line: int | None = None
    sections: Mapping[str, _Section] = field(default_factory=dict, repr=False, compare=False)

    def render(self, data: Mapping[str, Any]) -> RenderedLetterText:
        """Fill the template; raise ``TemplateError`` naming the line on any failure."""
        self._check_required(data)
        texts = {
            name: _render_section(self.source_name or self.name, section, data)
            for name, section in self.sections.items()
        }
        return RenderedLetterText(
            subject=" ".join(texts["subject"].split()),
            body=_paragraphs(texts["body"]),
            legal_basis="\n".join(_paragraphs(texts.get("legal_basis", ""))),
            instruction=_paragraphs(texts.get("instruction", "")),
        )

    def _check_required(self, data: Mapping[str, Any]) -> None:
        missing = [path for path in self.required if _is_empty(_lookup(data, path))]
        if missing:
            names = ", ".join(f"„{path}”" for path in missing)
            raise TemplateError(
                self.source_name or self.name,
                f"brak danych w wymaganych polach: {names}",
                self.required_line,
            )


def _lookup(data: Any, path: str) -> Any:
    value = data
    for part in path.split("."):
        # Public attributes only, as in the sandbox (paths are validated on parse).
        value = value.get(part) if isinstance(value, Mapping) else getattr(value, part, None)
        if value is None:
            return None
    return value


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, Sized) and len(value) == 0


def _paragraphs(text: str) -> tuple[str, ...]:
    blocks = re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n"))
    cleaned = ("\n".join(line.rstrip() for line in block.strip().splitlines()) for block in blocks)
    return tuple(block for block in cleaned if block)


def _template_line(traceback: TracebackType | None) -> int | None:
    """The innermost template line in a rendering traceback."""
    line = None
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == _TEMPLATE_FILENAME:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


def _render_reason(exc: Exception) -> str:
    if isinstance(exc, UndefinedError | PolishFormatError):
        return str(exc)  # already Polish, see _PolishStrictUndefined
    if isinstance(exc, SecurityError):
        return f"operacja niedozwolona w szablonie: {exc}"  # our limits speak Polish
    if isinstance(exc, TemplateNotFound):
        return f"nie można dołączać innych szablonów („{exc.name}”)"
    if isinstance(exc, ZeroDivisionError):
        return "dzielenie przez zero"
    return f"nie można obliczyć wyrażenia ({type(exc).__name__}: {exc})"


def _render_section(template_name: str, section: _Section, data: Mapping[str, Any]) -> str:
    parts: list[str] = []
    size = 0
    try:
        # Stream the output so a runaway loop stops at the size limit.
        for chunk in section.template.generate(dict(data)):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise TemplateError(
                    template_name,
                    f"sekcja „{section.name}” daje za długi tekst"
                    f" (ponad {MAX_OUTPUT_CHARS} znaków)",
                )
            parts.append(chunk)
    except TemplateError:
        raise
    except Exception as exc:  # anything a template expression raises is the template's fault
        line = _template_line(exc.__traceback__)
        file_line = section.first_line + line - 1 if line is not None else None
        raise TemplateError(template_name, _render_reason(exc), file_line) from exc
    return "".join(parts)


# --- parsing ----------------------------------------------------------------


def parse_template(text: str, source_name: str = "szablon") -> LetterTemplate:
    """Parse and compile template text; ``source_name`` names it in error messages."""
    return _parse_template(text, source_name)


# Compiling the Jinja sections is a third of a one-page letter's time and the result
# depends on the text alone (the template is immutable): a mail merge compiles once.
@lru_cache(maxsize=64)
def _parse_template(text: str, source_name: str) -> LetterTemplate:
    if len(text) > MAX_TEMPLATE_CHARS:
        raise TemplateError(
            source_name, f"szablon jest za duży (ponad {MAX_TEMPLATE_CHARS} znaków)"
        )
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")

    header: dict[str, tuple[str, int]] = {}
    index = 0
    while index < len(lines) and not _SECTION_MARKER.match(lines[index]):
        line, number = lines[index].strip(), index + 1
        index += 1
        if not line or line.startswith("#"):
            continue
        match = _HEADER_LINE.match(line)
        if match is None:
            raise TemplateError(
                source_name,
                "w nagłówku oczekiwano wiersza „klucz: wartość” albo początku sekcji „=== nazwa”",
                number,
            )
        key, value = match.group(1).lower(), match.group(2).strip()
        if key not in HEADER_KEYS:
            raise TemplateError(
                source_name,
                f"nieznany klucz nagłówka „{key}” (dozwolone: {', '.join(HEADER_KEYS)})",
                number,
            )
        if key in header:
            raise TemplateError(source_name, f"klucz „{key}” powtórzony w nagłówku", number)
        header[key] = (value, number)

    for key in MANDATORY_HEADER_KEYS:
        if not header.get(key, ("", 0))[0]:
            raise TemplateError(source_name, f"w nagłówku brak klucza „{key}”")
    name, name_line = header["name"]
    if not _TEMPLATE_NAME.match(name):
        raise TemplateError(
            source_name,
            f"nazwa „{name}” może zawierać tylko małe litery, cyfry i „_” (do 64 znaków)",
            name_line,
        )
    required_text, required_line = header.get("required", ("", 0))
    required = tuple(part.strip() for part in required_text.split(",") if part.strip())
    for path in required:
        if not _FIELD_PATH.match(path):
            raise TemplateError(
                source_name, f"niepoprawna nazwa wymaganego pola „{path}”", required_line
            )

    sections = _parse_sections(source_name, lines, index)
    return LetterTemplate(
        name=name,
        title=header["title"][0],
        kind=header["kind"][0],
        source=text,
        source_name=source_name,
        required=required,
        description=header.get("description", ("", 0))[0],
        required_line=required_line or None,
        sections=MappingProxyType(sections),  # read-only: the cache shares it
    )


def _parse_sections(source_name: str, lines: list[str], start: int) -> dict[str, _Section]:
    bodies: dict[str, tuple[int, list[str]]] = {}
    current: list[str] | None = None
    for index in range(start, len(lines)):
        match = _SECTION_MARKER.match(lines[index])
        if match is None:
            if current is not None:
                current.append(lines[index])
            continue
        section = match.group(1)
        if section not in SECTIONS:
            raise TemplateError(
                source_name,
                f"nieznana sekcja „{section}” (dozwolone: {', '.join(SECTIONS)})",
                index + 1,
            )
        if section in bodies:
            raise TemplateError(source_name, f"sekcja „{section}” powtórzona", index + 1)
        current = []
        bodies[section] = (index + 2, current)

    for section in MANDATORY_SECTIONS:
        if section not in bodies:
            raise TemplateError(source_name, f"brak sekcji „=== {section}”")

    compiled: dict[str, _Section] = {}
    for section, (first_line, body) in bodies.items():
        try:
            template = _ENVIRONMENT.from_string("\n".join(body))
        except TemplateSyntaxError as exc:
            line = first_line + exc.lineno - 1 if exc.lineno else None
            raise TemplateError(source_name, _syntax_reason(exc), line) from exc
        compiled[section] = _Section(section, first_line, template, "\n".join(body))
    return compiled


# Names Jinja provides inside templates without the data giving them.
_IMPLICIT_NAMES = frozenset({"loop", "caller", "varargs", "kwargs", "self"})
_OPTIONAL_MARKERS = frozenset({"defined", "undefined", "default", "d"})


def unknown_placeholders(template: LetterTemplate, known: Collection[str]) -> list[tuple[str, int]]:
    """Top-level placeholders not in ``known``, with their file lines.

    Unlike rendering, this also finds a misspelt name in a branch the sample data
    does not take (``{% if granted_in_full %}{{ reasonz }}{% endif %}``). Names a
    template assigns itself (``{% set %}``, loop variables, macro arguments) and names it
    tests with ``is defined`` or ``|default`` count as known.
    """
    found: set[tuple[str, int]] = set()
    for section in template.sections.values():
        tree = _ENVIRONMENT.parse(section.text)
        names = list(tree.find_all(nodes.Name))
        assigned = {node.name for node in names if node.ctx in ("store", "param")}
        # "x is defined" and "x|default(…)" mean the author handles a missing x.
        assigned |= {
            test.node.name
            for test in tree.find_all((nodes.Test, nodes.Filter))
            if test.name in _OPTIONAL_MARKERS and isinstance(test.node, nodes.Name)
        }
        for node in names:
            name = node.name
            if node.ctx != "load" or name in known or name in assigned:
                continue
            if name in _IMPLICIT_NAMES or name in _ENVIRONMENT.globals:
                continue
            found.add((name, section.first_line + node.lineno - 1))
    return sorted(found, key=lambda item: (item[1], item[0]))


def _syntax_reason(exc: TemplateSyntaxError) -> str:
    message = exc.message or ""
    if "unknown tag" in message:
        return f"nieznany znacznik {{% … %}} ({message})"
    if "unexpected end of template" in message.lower():
        return f"niezamknięty blok – brak np. {{% endif %}} lub {{% endfor %}} ({message})"
    return f"błąd składni ({message})"


# --- loading ----------------------------------------------------------------


def load_template_file(path: Path) -> LetterTemplate:
    """Read a template file (UTF-8, size-limited) and parse it."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_TEMPLATE_CHARS * 4:  # UTF-8 is at most 4 bytes a char
            raise TemplateError(path.name, "plik szablonu jest za duży")
        raw = path.read_bytes()
    except OSError as exc:
        raise TemplateError(
            path.name, f"nie można odczytać pliku szablonu ({exc.strerror or exc})"
        ) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise TemplateError(path.name, "plik nie jest zapisany w kodowaniu UTF-8", line) from exc
    return parse_template(text, path.name)


def builtin_template_names() -> list[str]:
    """Names of the templates shipped in ``resources/templates``."""
    folder = resource_path("templates")
    return sorted(path.stem for path in folder.glob("*.txt") if _TEMPLATE_NAME.match(path.stem))


def load_builtin_template(name: str) -> LetterTemplate:
    """Load a shipped template by name, e.g. ``letter_generic``."""
    if not _TEMPLATE_NAME.match(name):
        raise TemplateError(name, "niepoprawna nazwa szablonu")
    path = resource_path("templates", f"{name}.txt")
    if not path.is_file():
        raise TemplateError(name, "nie ma takiego wbudowanego szablonu")
    return load_template_file(path)
