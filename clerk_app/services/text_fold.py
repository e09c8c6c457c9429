"""Fold text for diacritic- and case-insensitive search (``zolc`` finds ``żółć``).

The same fold must be applied to indexed text and to the query. SQLite FTS5's
``remove_diacritics`` folds ą ć ę ń ó ś ź ż but not ł, which has no Unicode
decomposition, so we fold it here ourselves and feed both engines folded text.
"""

from __future__ import annotations

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


def fold(text: str) -> str:
    """Return ``text`` lower-cased with diacritics removed, for search matching.

    ``fold("Łódź")`` is ``"lodz"``; ``fold("ŻÓŁĆ")`` is ``"zolc"``. Other Latin
    letters lose their marks through NFKD (``"Müller"`` → ``"muller"``), as do
    letters of other scripts that carry combining marks.
    """
    if text.isascii():
        return text.lower()
    folded = text.casefold().translate(_POLISH)
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", folded.translate(_UNDECOMPOSABLE))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
