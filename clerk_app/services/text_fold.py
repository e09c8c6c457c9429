"""Fold text for diacritic- and case-insensitive search (``zolc`` finds ``żółć``).

The same fold must be applied to indexed text and to the query. SQLite FTS5's
``remove_diacritics`` folds ą ć ę ń ó ś ź ż but not ł, which has no Unicode
decomposition, so we fold it here ourselves and feed both engines folded text.
"""

from __future__ import annotations

import threading
import unicodedata

# Letters that NFKD leaves alone because they are not "letter + combining mark"
# in Unicode (Polish ł is one of them and is folded in _POLISH below).
_UNDECOMPOSABLE = str.maketrans(
    {
        "đ": "d",
        "ħ": "h",
        "ı": "i",
        "ŀ": "l",
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
    }
)

# Fast path for the common case: Polish letters folded directly, no NFKD pass.
# ł must be here: it has no decomposition, so NFKD alone would keep it.
_POLISH = str.maketrans(
    {
        "ą": "a",
        "ć": "c",
        "ę": "e",
        "ł": "l",
        "ń": "n",
        "ó": "o",
        "ś": "s",
        "ź": "z",
        "ż": "z",
    }
)


def _fold_char(ch: str) -> str:
    """The slow, exact fold of one character (casefold, Polish, NFKD, marks dropped).

    Folding a string character by character gives the same result as folding it
    whole: casefold has no context, and NFKD only reorders combining marks,
    which are dropped anyway.
    """
    folded = ch.casefold().translate(_POLISH)
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", folded.translate(_UNDECOMPOSABLE))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class _FoldTable(dict[int, str]):
    """A ``str.translate`` table that folds each code point once, on first sight."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


# Shared by all threads: a racing first fold of one character stores the same value.
_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Return ``text`` lower-cased with diacritics removed, for search matching.

    ``fold("Łódź")`` is ``"lodz"``; ``fold("ŻÓŁĆ")`` is ``"zolc"``. Other Latin
    letters lose their marks through NFKD (``"Müller"`` → ``"muller"``), as do
    letters of other scripts that carry combining marks.
    """
    if text.isascii():
        return text.lower()
    if len(text) < _LONG_TEXT:
        return text.translate(_TABLE)
    # The search triggers fold a case's whole text (up to 200,000 characters) on
    # every write to it, mostly the same text as the write before: hashing and
    # comparing it is far cheaper than folding it again.
    with _recent_lock:
        folded = _recent.get(text)
    if folded is None:
        # One C-level pass with a memo per code point ("§" and "–" included).
        folded = text.translate(_TABLE)
        with _recent_lock:
            _recent[text] = folded
            while len(_recent) > _RECENT_KEPT:
                del _recent[next(iter(_recent))]
    return folded


# Texts this long are remembered (the last few only, oldest dropped first).
_LONG_TEXT = 4096
_RECENT_KEPT = 8
_recent: dict[str, str] = {}
_recent_lock = threading.Lock()
