"""Turn file names chosen by strangers into names that are safe to write on Windows and Linux.

Attachment names in ePUAP letters and inside ZIP files are hostile input: they may carry
directories (``../../x``), absolute paths, drive letters, control characters, names Windows
reserves for devices (``CON``, ``COM1``...), trailing dots or spaces that Windows silently drops,
or be thousands of characters long. :func:`safe_file_name` always returns one plain file name.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata

#: Names Windows treats as devices, with or without an extension (compared case-insensitively).
WINDOWS_RESERVED_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"}
    | {f"COM{d}" for d in "0123456789¹²³"}
    | {f"LPT{d}" for d in "0123456789¹²³"}
)
#: Characters Windows forbids in file names (besides control characters).
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')
#: Longest name written, in UTF-8 bytes (most file systems allow 255).
MAX_NAME_BYTES = 200
DEFAULT_FALLBACK = "zalacznik"


def _is_control(ch: str) -> bool:
    # Cc: C0/C1 control characters; Cf: invisible format characters such as RLO (U+202E),
    # which can disguise "gpj.exe" as "exe.jpg".
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn")


def _truncate_utf8(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", errors="ignore")


def split_path_components(name: str) -> list[str]:
    """Split a stranger's path on both ``/`` and ``\\`` (ZIP files from Windows use either)."""
    return [part for part in re.split(r"[\\/]+", name)]


def safe_file_name(
    name: str | None,
    *,
    fallback: str = DEFAULT_FALLBACK,
    max_bytes: int = MAX_NAME_BYTES,
) -> str:
    """Return a single, harmless file name derived from ``name``.

    Directory parts are dropped (only the last component is kept), so path traversal and
    absolute paths cannot escape the folder the caller writes into. The result is never empty,
    never ``.``/``..``, never a Windows device name and never ends with a dot or space.
    """
    text = unicodedata.normalize("NFC", name or "")
    components = [c for c in split_path_components(text) if c.strip() not in ("", ".", "..")]
    base = components[-1] if components else ""
    # A drive prefix such as "C:" left after splitting "C:evil.txt".
    base = re.sub(r"^[A-Za-z]:", "", base)
    base = "".join("_" if _is_control(ch) else ch for ch in base)
    base = _WINDOWS_FORBIDDEN.sub("_", base)
    base = base.strip().rstrip(". ")
    if not base.strip("_ ."):
        base = fallback

    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    device_part = base.split(".", 1)[0].rstrip(" ").upper()
    if device_part in WINDOWS_RESERVED_NAMES:
        base = "_" + base
        stem = "_" + stem if dot else base

    if len(base.encode("utf-8")) > max_bytes:
        if dot and 0 < len(suffix.encode("utf-8")) <= 16:
            room = max_bytes - len(suffix.encode("utf-8")) - 1
            base = _truncate_utf8(stem, room).rstrip(". ") + "." + suffix
        else:
            base = _truncate_utf8(base, max_bytes).rstrip(". ")
    return base or fallback


def extension_for_mime(mime_type: str | None) -> str:
    """A file extension (with the dot) for a MIME type, or ``""`` when unknown."""
    if not mime_type:
        return ""
    mime = mime_type.split(";", 1)[0].strip().lower()
    preferred = {
        "application/pdf": ".pdf",
        "text/xml": ".xml",
        "application/xml": ".xml",
        "text/plain": ".txt",
        "text/html": ".html",
        "image/jpeg": ".jpg",
        "application/zip": ".zip",
        "application/x-zip-compressed": ".zip",
        "application/vnd.etsi.asic-e+zip": ".asice",
        "application/pkcs7-signature": ".p7s",
        "application/msword": ".doc",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
        "application/vnd.oasis.opendocument.text": ".odt",
    }
    return preferred.get(mime) or mimetypes.guess_extension(mime) or ""


def safe_attachment_name(
    name: str | None, mime_type: str | None = None, *, fallback: str = DEFAULT_FALLBACK
) -> str:
    """:func:`safe_file_name`, plus an extension from the MIME type when the name has none.

    ePUAP senders often send ``pismo`` instead of ``pismo.pdf``; without an extension the
    clerk's system cannot open the file.
    """
    safe = safe_file_name(name, fallback=fallback)
    if "." not in safe.strip("."):
        extension = extension_for_mime(mime_type)
        if extension:
            safe = safe_file_name(safe + extension, fallback=fallback)
    return safe


def unique_name(name: str, taken: set[str]) -> str:
    """``name`` or ``name (2).ext`` etc., so two attachments never overwrite each other.

    Comparison is case-insensitive because Windows file systems are.
    """
    lowered = {t.casefold() for t in taken}
    if name.casefold() not in lowered:
        return name
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        stem, suffix = name, ""
    counter = 2
    while True:
        candidate = f"{stem} ({counter})" + (f".{suffix}" if suffix else "")
        if candidate.casefold() not in lowered:
            return candidate
        counter += 1
