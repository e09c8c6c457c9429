"""Byte sort keys for the register's text columns, in Polish alphabetical order.

The register view sorts a million rows by sender, handler, case sign, title or
notes. Sorting through a join (or by a collation the database may lack) reads
every row, so each entry stores a key per text column and an index on
``(key, id)`` serves the page. The key is bytes: both databases compare it
byte by byte (BLOB / BYTEA), so the order is the same on SQLite and PostgreSQL
and needs no collation.

Order: case-insensitive, Polish alphabet (``ą`` after ``a``, ``ł`` after ``l``,
``ś`` after ``s``, ``ź`` and ``ż`` after ``z``), other accented Latin letters as
their base letter, numbers by value (``Pismo 2`` before ``Pismo 10``), spaces
and punctuation before digits, digits before letters, other scripts last.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Long enough to order real titles; bounds the index size.
MAX_KEY_BYTES = 100
# Between the parts of a two-part key (unit, then handler): below every content byte.
PART_SEPARATOR = "\x01"

_PL_ALPHABET = "aąbcćdeęfghijklłmnńoópqrsśtuvwxyzźż"
_LETTER_BASE = 0x80  # letters encode as 0x80 + rank: above ASCII digits and punctuation
_SPACE = " "  # 0x20
_PUNCT = "!"  # 0x21: every punctuation mark and symbol alike
_OTHER = "\xff"  # other scripts: 0xFF, then the character's UTF-8 bytes
_DIGITS = re.compile(r"[0-9]+")
_MAX_RUN = 0x7F - 0x30  # a digit run encodes as chr(0x30 + its length), then the digits


def _char_code(ch: str) -> str:
    """Encoding of one case-folded character as latin-1 code points (= bytes)."""
    rank = _PL_ALPHABET.find(ch)
    if rank >= 0 and ch:
        return chr(_LETTER_BASE + rank)
    if ch.isascii():
        if ch.isdigit():
            return ch
        if ch.isspace() or not ch.isprintable():
            return _SPACE
        return _PUNCT
    category = unicodedata.category(ch)
    if category[0] == "M":  # a combining mark left by case folding: no letter of its own
        return ""
    if category[0] in "ZC":
        return _SPACE
    if category[0] in "PS":
        return _PUNCT
    base = "".join(
        c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)
    ).casefold()
    if base and base != ch and all(c in _PL_ALPHABET or c.isdigit() for c in base):
        return "".join(_char_code(c) for c in base)
    if category == "Nd":
        return str(unicodedata.digit(ch))
    return _OTHER + ch.encode("utf-8").decode("latin-1")


# Latin-1 and Latin Extended-A (Polish lives there) in one C-level translate table.
_TABLE = {cp: _char_code(chr(cp)) for cp in range(0x180) if chr(cp) == chr(cp).casefold()}


def _number(match: re.Match[str]) -> str:
    digits = match.group().lstrip("0")[:_MAX_RUN]
    return chr(0x30 + len(digits)) + digits


def sort_key(value: str | None) -> bytes:
    """Sort key of one text value; ``b""`` (first) for no value."""
    if not value:
        return b""
    folded = value.casefold()
    encoded = folded.translate(_TABLE)
    if any(ord(ch) >= 0x180 for ch in encoded):
        encoded = "".join(_TABLE.get(ord(ch)) or _char_code(ch) for ch in folded)
    encoded = _DIGITS.sub(_number, encoded).strip(_SPACE + _PUNCT)
    return encoded.encode("latin-1")[:MAX_KEY_BYTES]


@lru_cache(maxsize=4096)
def name_key(value: str | None) -> bytes:
    """``sort_key`` for the few distinct values of a column (senders, signs): cached."""
    return sort_key(value)


@lru_cache(maxsize=4096)
def assignee_key(unit_symbol: str | None, handler: str | None) -> bytes:
    """The assigned column: by unit symbol, then by the handler's name."""
    if not unit_symbol and not handler:
        return b""
    joined = sort_key(unit_symbol) + PART_SEPARATOR.encode() + sort_key(handler)
    return joined[:MAX_KEY_BYTES]
