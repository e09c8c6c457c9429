"""Backups of the embedded default: the SQLite database and the attachment store in one archive.

An archive (``*.kbackup``) is a ZIP with ``manifest.json`` listing every member
with its SHA-256 and size, ``database.sqlite`` taken with SQLite's online backup
API (consistent while the program runs) and ``attachments/<sha256>``. It is
verified after writing and again before any restore; restore never overwrites
the current data without first moving it aside.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sqlite3
import stat
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from clerk_app import __version__
from clerk_app.config import Settings
from clerk_app.errors import ClerkError, ValidationError

log = logging.getLogger("clerk_app.backup")

SUFFIX = ".kbackup"
FORMAT = "kancelaria-backup/1"
DB_MEMBER = "database.sqlite"
MANIFEST = "manifest.json"
CHUNK = 1 << 20

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


class BackupError(ClerkError):
    """A backup could not be made, or an archive is damaged or unusable."""


class BackupCancelled(BackupError):
    """The clerk (or the program closing) stopped a backup; nothing was written."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created_at: str
    schema_revision: str | None
    files: int
    attachments: int
    size: int


@dataclass(frozen=True)
class ArchiveSummary:
    """What a verified archive holds, for the clerk deciding whether to restore it."""

    path: Path
    created_at: str
    app_version: str
    schema_revision: str | None
    office_name: str | None
    database_size: int
    attachments: int
    attachments_size: int
    archive_size: int
    from_newer_version: bool


@dataclass(frozen=True)
class RestoreOutcome:
    archive: Path
    safety_copy: Path | None  # a verified archive of the data as they were before
    kept: Path  # the replaced files themselves, moved aside


def display_name(path: Path | str, limit: int = 120) -> str:
    """A path from outside as it may be shown: control and invisible characters (which can
    disguise a name) replaced, very long names shortened in the middle."""
    text = "".join(
        "\ufffd" if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") else ch
        for ch in str(path)
    )
    if len(text) > limit:
        text = text[: limit // 2 - 1] + "…" + text[-(limit // 2) :]
    return text


def _check_regular_file(path: Path) -> None:
    # A FIFO or device named *.kbackup would hang or never end a read.
    try:
        mode = path.stat().st_mode
    except OSError:
        raise BackupError(f"Nie ma pliku kopii zapasowej: {display_name(path)}") from None
    if not stat.S_ISREG(mode):
        raise BackupError(f"{display_name(path)} nie jest plikiem kopii zapasowej.")


def _require_embedded(settings: Settings) -> Path:
    path = settings.sqlite_path
    if path is None:
        raise ValidationError(
            "Kopia zapasowa z programu dotyczy bazy lokalnej (SQLite). Bazę PostgreSQL "
            "archiwizuj poleceniem pg_dump (załączniki są w bazie), np.: "
            "pg_dump -Fc kancelaria > kancelaria.dump"
        )
    return path


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _schema_revision(db_file: Path) -> str | None:
    with sqlite3.connect(db_file) as conn:
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError:
            return None
    return row[0] if row else None


def create_backup(
    settings: Settings,
    target_dir: Path | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> BackupInfo:
    db_path = _require_embedded(settings)
    if not db_path.exists():
        raise BackupError(f"Nie ma bazy danych do skopiowania: {db_path}")
    target_dir = target_dir or settings.backups_dir
    target_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = target_dir / f"kancelaria-{stamp}{SUFFIX}"
    attachments = sorted(p for p in settings.attachments_dir.glob("??/??/*") if len(p.name) == 64)
    total = len(attachments) + 1
    with tempfile.TemporaryDirectory(dir=target_dir, prefix=".backup-") as tmp:
        snapshot = Path(tmp) / DB_MEMBER
        src = sqlite3.connect(db_path)
        try:
            dst = sqlite3.connect(snapshot)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
        members: list[dict[str, Any]] = [
            {"name": DB_MEMBER, "sha256": _sha256_file(snapshot), "size": snapshot.stat().st_size}
        ]
        partial = Path(tmp) / "archive.partial"
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
            zf.write(snapshot, DB_MEMBER)
            if progress:
                progress(1, total)
            for i, blob in enumerate(attachments, start=2):
                if cancelled is not None and cancelled():
                    raise BackupCancelled("Kopię zapasową przerwano; nic nie zapisano.")
                sha = _sha256_file(blob)
                if sha != blob.name:
                    raise BackupError(
                        f"Załącznik {blob} jest uszkodzony (suma kontrolna się nie zgadza); "
                        "kopia nie została utworzona."
                    )
                zf.write(blob, f"attachments/{blob.name}", compress_type=zipfile.ZIP_STORED)
                members.append(
                    {"name": f"attachments/{blob.name}", "sha256": sha, "size": blob.stat().st_size}
                )
                if progress:
                    progress(i, total)
            manifest: dict[str, Any] = {
                "format": FORMAT,
                "app_version": __version__,
                "created_at": datetime.now().astimezone().isoformat(timespec="seconds"),
                "schema_revision": _schema_revision(snapshot),
                "files": members,
            }
            zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        with partial.open("rb") as fh:
            os.fsync(fh.fileno())
        verify_backup(partial)
        os.replace(partial, target)
    info = BackupInfo(
        target,
        manifest["created_at"],
        manifest["schema_revision"],
        len(members),
        len(attachments),
        target.stat().st_size,
    )
    log.info("Backup written: %s (%d attachments)", target, len(attachments))
    return info


def verify_backup(
    path: Path, progress: Progress | None = None, cancelled: Cancelled | None = None
) -> dict[str, Any]:
    """Check every member against the manifest and the database's integrity; return the manifest."""
    return _verify(path, progress, cancelled)[0]


def inspect_backup(
    path: Path, progress: Progress | None = None, cancelled: Cancelled | None = None
) -> ArchiveSummary:
    """Verify an archive and say what it holds; raises BackupError naming what is wrong."""
    from clerk_app.migrations import HEAD
    from clerk_app.services.schema import _known_revisions

    manifest, office_name = _verify(path, progress, cancelled)
    files = manifest["files"]
    database = next(m for m in files if m["name"] == DB_MEMBER)
    attachments = [m for m in files if m["name"] != DB_MEMBER]
    revision = manifest.get("schema_revision")
    return ArchiveSummary(
        path=path,
        created_at=str(manifest.get("created_at", "")),
        app_version=str(manifest.get("app_version", "")),
        schema_revision=revision,
        office_name=office_name,
        database_size=int(database["size"]),
        attachments=len(attachments),
        attachments_size=sum(int(m["size"]) for m in attachments),
        archive_size=path.stat().st_size,
        from_newer_version=revision is not None
        and revision != HEAD
        and revision not in _known_revisions(),
    )


def _verify(
    path: Path, progress: Progress | None, cancelled: Cancelled | None
) -> tuple[dict[str, Any], str | None]:
    _check_regular_file(path)
    shown = display_name(path.name)
    try:
        with zipfile.ZipFile(path) as zf:
            try:
                manifest = json.loads(zf.read(MANIFEST))
            except KeyError:
                raise BackupError(f"{shown}: brak spisu zawartości (manifest.json).") from None
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise BackupError(f"{shown}: to nie jest kopia zapasowa Kancelarii.")
            listed = {m["name"] for m in manifest["files"]}
            present = set(zf.namelist()) - {MANIFEST}
            if listed != present or DB_MEMBER not in listed:
                raise BackupError(f"{shown}: zawartość archiwum nie zgadza się ze spisem.")
            total = len(manifest["files"])
            for done, member in enumerate(manifest["files"], start=1):
                if cancelled is not None and cancelled():
                    raise BackupCancelled("Sprawdzanie kopii przerwano.")
                _check_member_name(member["name"])
                digest = hashlib.sha256()
                size = 0
                with zf.open(member["name"]) as fh:
                    while chunk := fh.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                if digest.hexdigest() != member["sha256"] or size != member["size"]:
                    raise BackupError(
                        f"{shown}: plik {member['name']} jest uszkodzony (suma kontrolna)."
                    )
                if progress:
                    progress(done, total)
            with tempfile.TemporaryDirectory() as tmp:
                zf.extract(DB_MEMBER, tmp)
                db_file = Path(tmp) / DB_MEMBER
                conn = sqlite3.connect(db_file)
                try:
                    result = conn.execute("PRAGMA integrity_check").fetchone()
                finally:
                    conn.close()
                if result != ("ok",):
                    raise BackupError(f"{shown}: baza danych w kopii jest uszkodzona.")
                office_name = _office_name(db_file)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        KeyError,
        TypeError,
        sqlite3.DatabaseError,
    ) as exc:
        if isinstance(exc, BackupError):
            raise
        raise BackupError(f"{shown}: archiwum jest uszkodzone lub niekompletne ({exc}).") from exc
    return dict(manifest), office_name


def _office_name(db_file: Path) -> str | None:
    """The office the archived database belongs to (read-only; the file came from outside)."""
    try:
        conn = sqlite3.connect(f"{db_file.as_uri()}?mode=ro", uri=True)
        try:
            conn.execute("PRAGMA trusted_schema=OFF")
            row = conn.execute("SELECT name FROM office ORDER BY id LIMIT 1").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return str(row[0]) if row and row[0] is not None else None


def _check_member_name(name: str) -> None:
    parts = name.split("/")
    ok = name == DB_MEMBER or (
        len(parts) == 2
        and parts[0] == "attachments"
        and len(parts[1]) == 64
        and all(c in "0123456789abcdef" for c in parts[1])
    )
    if not ok:
        raise BackupError(f"Niedozwolona nazwa pliku w archiwum: {display_name(repr(name))}")


def restore_backup(settings: Settings, archive: Path) -> Path:
    """Replace the embedded data with the archive's; returns where the old data was kept.

    All or nothing: when anything fails, the current data are put back as they were.
    """
    from clerk_app.migrations import HEAD
    from clerk_app.services.schema import _known_revisions

    db_path = _require_embedded(settings)
    manifest = verify_backup(archive)
    revision = manifest.get("schema_revision")
    if revision is not None and revision != HEAD and revision not in _known_revisions():
        raise BackupError(
            f"Kopia pochodzi z nowszej wersji programu (schemat {revision}); "
            "najpierw zainstaluj tę wersję."
        )
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    # Beside the data (not in a configured backup folder elsewhere): moving aside is a rename.
    kept = settings.data_dir / "backups" / f"before-restore-{stamp}"
    staging = settings.data_dir / f".restore-{stamp}"
    staging.mkdir(parents=True)
    moved: list[tuple[Path, Path]] = []
    replacing = False
    try:
        with zipfile.ZipFile(archive) as zf:
            for member in manifest["files"]:
                zf.extract(member["name"], staging)
        kept.mkdir(parents=True)
        for suffix in ("", "-wal", "-shm"):
            old = db_path.with_name(db_path.name + suffix)
            if old.exists():
                shutil.move(old, kept / old.name)
                moved.append((old, kept / old.name))
        if settings.attachments_dir.exists():
            shutil.move(settings.attachments_dir, kept / "attachments")
            moved.append((settings.attachments_dir, kept / "attachments"))
        replacing = True
        os.replace(staging / DB_MEMBER, db_path)
        restored = staging / "attachments"
        settings.attachments_dir.mkdir(parents=True, exist_ok=True)
        if restored.exists():
            for blob in restored.iterdir():
                target = settings.attachments_dir / blob.name[:2] / blob.name[2:4] / blob.name
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(blob, target)
    except BaseException:
        _put_back(settings, db_path, kept, moved, replacing)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log.info("Restored %s; previous data kept in %s", archive, kept)
    return kept


def _put_back(
    settings: Settings, db_path: Path, kept: Path, moved: list[tuple[Path, Path]], replacing: bool
) -> None:
    log.exception("Restore failed; putting the previous data back")
    if replacing:  # remove what the archive had begun to put in place
        for suffix in ("", "-wal", "-shm"):
            db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)
        shutil.rmtree(settings.attachments_dir, ignore_errors=True)
    for original, aside in reversed(moved):
        shutil.move(aside, original)
    if kept.exists() and not any(kept.iterdir()):
        kept.rmdir()


def restore_with_safety_copy(
    settings: Settings,
    archive: Path,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> RestoreOutcome:
    """What opening a ``.kbackup`` does: a verified backup of the current data, then the
    verified restore (which also keeps the replaced files)."""
    db_path = _require_embedded(settings)
    safety = None
    if db_path.exists():
        safety = create_backup(settings, progress=progress, cancelled=cancelled).path
    kept = restore_backup(settings, archive)
    return RestoreOutcome(archive, safety, kept)


def list_backups(settings: Settings) -> list[Path]:
    if not settings.backups_dir.exists():
        return []
    return sorted(settings.backups_dir.glob(f"kancelaria-*{SUFFIX}"))


def prune_backups(settings: Settings, keep: int | None = None) -> list[Path]:
    """Delete the oldest archives beyond the retention count; return what was deleted."""
    keep = settings.backup_keep if keep is None else keep
    archives = list_backups(settings)
    doomed = archives[: max(0, len(archives) - keep)]
    for path in doomed:
        path.unlink()
    return doomed


def backup_if_due(
    settings: Settings,
    max_age_hours: float | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> BackupInfo | None:
    """Automatic backup: make one when the newest archive is older than the interval
    (``backup_interval_hours`` unless given; 0 turns automatic backups off), then keep
    only the newest ``backup_keep``."""
    hours = settings.backup_interval_hours if max_age_hours is None else max_age_hours
    if hours <= 0 or settings.sqlite_path is None or not settings.sqlite_path.exists():
        return None
    archives = list_backups(settings)
    if archives:
        age = datetime.now().timestamp() - archives[-1].stat().st_mtime
        if age < hours * 3600:
            return None
    info = create_backup(settings, progress=progress, cancelled=cancelled)
    prune_backups(settings)
    return info
