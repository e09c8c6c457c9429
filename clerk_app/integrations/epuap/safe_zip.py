"""Listing and extracting ZIP attachments from strangers without writing anything unsafe.

Rules: member paths are rebuilt from sanitised components (so ``../`` and absolute paths
cannot escape the target folder: such members are skipped and reported); names without the
ZIP UTF-8 flag are decoded as UTF-8 when valid, else as CP852 (Polish DOS/Windows archivers),
never as the CP437 that :mod:`zipfile` assumes; member count, total size, per-member size and
compression ratio are bounded against zip bombs, and sizes are enforced while reading, not
trusted from the headers. Symbolic links and nested archives are not followed.
"""

from __future__ import annotations

import io
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from clerk_app.integrations.epuap.safe_names import (
    WINDOWS_RESERVED_NAMES,
    safe_file_name,
    split_path_components,
    unique_name,
)

_UTF8_FLAG = 0x800
_CHUNK = 64 * 1024


class UnsafeZipError(ValueError):
    """The archive as a whole is refused (not a ZIP, too many members, zip bomb...)."""


@dataclass(frozen=True)
class ZipLimits:
    """Bounds applied to one archive; defaults suit office letters, not backups."""

    max_members: int = 2000
    max_member_bytes: int = 200 * 1024 * 1024
    max_total_bytes: int = 500 * 1024 * 1024
    max_ratio: float = 200.0
    max_depth: int = 16


@dataclass(frozen=True)
class ZipMember:
    """One entry of an archive as the clerk should see it."""

    original_name: str
    safe_path: str | None
    size: int
    compressed_size: int
    is_dir: bool
    problem: str | None = None

    @property
    def is_safe(self) -> bool:
        return self.problem is None and self.safe_path is not None


@dataclass
class ZipExtraction:
    """What :func:`extract_zip` wrote and what it refused."""

    written: list[Path] = field(default_factory=list)
    skipped: list[ZipMember] = field(default_factory=list)


def decode_member_name(info: zipfile.ZipInfo) -> str:
    """The member's real name: UTF-8 when flagged or valid, otherwise CP852."""
    if info.flag_bits & _UTF8_FLAG:
        return info.filename
    # zipfile decoded the raw bytes as CP437, a bijection over all 256 bytes: undo it.
    raw = info.orig_filename.encode("cp437")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp852")


def _safe_member_path(name: str, is_dir: bool, limits: ZipLimits) -> tuple[str | None, str | None]:
    """Return (safe relative posix path, problem)."""
    if "\x00" in name:
        return None, "nazwa zawiera znak NUL"
    components = split_path_components(name)
    if any(c.strip() == ".." for c in components):
        return None, "ścieżka wychodzi poza katalog archiwum (../)"
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return None, "ścieżka bezwzględna"
    parts = [c for c in components if c.strip() not in ("", ".")]
    if not parts:
        return None, "pusta nazwa"
    if len(parts) > limits.max_depth:
        return None, "zbyt głęboko zagnieżdżone katalogi"
    safe_parts = [safe_file_name(p) for p in parts]
    return str(PurePosixPath(*safe_parts)), None


def list_zip(data: bytes, limits: ZipLimits | None = None) -> list[ZipMember]:
    """List an archive's members with safe paths; raises :class:`UnsafeZipError` for bombs."""
    limits = limits or ZipLimits()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnsafeZipError(f"Załącznik nie jest poprawnym archiwum ZIP ({exc})") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_members:
            raise UnsafeZipError(
                f"Archiwum ZIP ma {len(infos)} plików (dopuszczalne {limits.max_members})"
            )
        declared_total = sum(i.file_size for i in infos)
        if declared_total > limits.max_total_bytes:
            raise UnsafeZipError(
                f"Archiwum ZIP po rozpakowaniu zajęłoby {declared_total} bajtów "
                f"(dopuszczalne {limits.max_total_bytes})"
            )
        members: list[ZipMember] = []
        taken: set[str] = set()
        for info in infos:
            name = decode_member_name(info)
            is_dir = info.is_dir()
            safe_path, problem = _safe_member_path(name, is_dir, limits)
            mode = info.external_attr >> 16
            if problem is None and stat.S_ISLNK(mode):
                problem = "dowiązanie symboliczne"
            if problem is None and info.file_size > limits.max_member_bytes:
                problem = f"plik za duży ({info.file_size} bajtów)"
            if (
                problem is None
                and info.file_size > 1024 * 1024
                and info.file_size > limits.max_ratio * max(info.compress_size, 1)
            ):
                problem = "podejrzany stopień kompresji (możliwa bomba ZIP)"
            if problem is None and safe_path is not None and not is_dir:
                unique = unique_name(safe_path, taken)
                taken.add(unique)
                safe_path = unique
            members.append(
                ZipMember(
                    original_name=name,
                    safe_path=safe_path if problem is None else None,
                    size=info.file_size,
                    compressed_size=info.compress_size,
                    is_dir=is_dir,
                    problem=problem,
                )
            )
        return members


def extract_zip(data: bytes, target: Path, limits: ZipLimits | None = None) -> ZipExtraction:
    """Extract the safe members of an archive under ``target`` (created if missing).

    Unsafe members are skipped and listed in the result; existing files are never
    overwritten. Sizes are counted while decompressing, so lying headers do not help a bomb.
    """
    limits = limits or ZipLimits()
    members = list_zip(data, limits)
    target.mkdir(parents=True, exist_ok=True)
    root = target.resolve()
    result = ZipExtraction()
    written_total = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info, member in zip(archive.infolist(), members, strict=True):
            if not member.is_safe or member.safe_path is None:
                result.skipped.append(member)
                continue
            destination = (root / member.safe_path).resolve()
            if not destination.is_relative_to(root):
                result.skipped.append(
                    ZipMember(
                        member.original_name,
                        None,
                        member.size,
                        member.compressed_size,
                        member.is_dir,
                        "ścieżka wychodzi poza katalog docelowy",
                    )
                )
                continue
            if member.is_dir:
                destination.mkdir(parents=True, exist_ok=True)
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            written = 0
            try:
                sink = destination.open("xb")
            except OSError as exc:
                result.skipped.append(
                    ZipMember(
                        member.original_name,
                        None,
                        member.size,
                        member.compressed_size,
                        False,
                        f"nie zapisano: plik już istnieje lub błąd zapisu ({exc.strerror})",
                    )
                )
                continue
            try:
                with sink, archive.open(info) as source:
                    while chunk := source.read(_CHUNK):
                        written += len(chunk)
                        written_total += len(chunk)
                        if written > limits.max_member_bytes or written_total > (
                            limits.max_total_bytes
                        ):
                            raise UnsafeZipError(
                                f"Plik {member.original_name!r} w archiwum ZIP rozpakowuje się "
                                "do większego rozmiaru niż deklaruje (bomba ZIP)"
                            )
                        sink.write(chunk)
            except UnsafeZipError:
                destination.unlink(missing_ok=True)
                raise
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
                destination.unlink(missing_ok=True)
                result.skipped.append(
                    ZipMember(
                        member.original_name,
                        None,
                        member.size,
                        member.compressed_size,
                        False,
                        f"nie można rozpakować ({exc})",
                    )
                )
                continue
            result.written.append(destination)
    return result


__all__ = [
    "WINDOWS_RESERVED_NAMES",
    "UnsafeZipError",
    "ZipExtraction",
    "ZipLimits",
    "ZipMember",
    "decode_member_name",
    "extract_zip",
    "list_zip",
]
