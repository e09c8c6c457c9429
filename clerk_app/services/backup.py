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
import tempfile
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


class BackupError(ClerkError):
    """A backup could not be made, or an archive is damaged or unusable."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created_at: str
    schema_revision: str | None
    files: int
    attachments: int
    size: int


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
    settings: Settings, target_dir: Path | None = None, progress: Progress | None = None
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


def verify_backup(path: Path) -> dict[str, Any]:
    """Check every member against the manifest and the database's integrity; return the manifest."""
    try:
        with zipfile.ZipFile(path) as zf:
            try:
                manifest = json.loads(zf.read(MANIFEST))
            except KeyError:
                raise BackupError(f"{path.name}: brak spisu zawartości (manifest.json).") from None
            if manifest.get("format") != FORMAT:
                raise BackupError(f"{path.name}: to nie jest kopia zapasowa Kancelarii.")
            listed = {m["name"] for m in manifest["files"]}
            present = set(zf.namelist()) - {MANIFEST}
            if listed != present:
                raise BackupError(f"{path.name}: zawartość archiwum nie zgadza się ze spisem.")
            for member in manifest["files"]:
                _check_member_name(member["name"])
                digest = hashlib.sha256()
                size = 0
                with zf.open(member["name"]) as fh:
                    while chunk := fh.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                if digest.hexdigest() != member["sha256"] or size != member["size"]:
                    raise BackupError(
                        f"{path.name}: plik {member['name']} jest uszkodzony (suma kontrolna)."
                    )
            with tempfile.TemporaryDirectory() as tmp:
                zf.extract(DB_MEMBER, tmp)
                with sqlite3.connect(Path(tmp) / DB_MEMBER) as conn:
                    result = conn.execute("PRAGMA integrity_check").fetchone()
                if result != ("ok",):
                    raise BackupError(f"{path.name}: baza danych w kopii jest uszkodzona.")
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        KeyError,
        TypeError,
    ) as exc:
        if isinstance(exc, BackupError):
            raise
        raise BackupError(
            f"{path.name}: archiwum jest uszkodzone lub niekompletne ({exc})."
        ) from exc
    return dict(manifest)


def _check_member_name(name: str) -> None:
    parts = name.split("/")
    ok = name == DB_MEMBER or (
        len(parts) == 2
        and parts[0] == "attachments"
        and len(parts[1]) == 64
        and all(c in "0123456789abcdef" for c in parts[1])
    )
    if not ok:
        raise BackupError(f"Niedozwolona nazwa pliku w archiwum: {name!r}")


def restore_backup(settings: Settings, archive: Path) -> Path:
    """Replace the embedded data with the archive's; returns where the old data was kept."""
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
    kept = settings.backups_dir / f"before-restore-{stamp}"
    staging = settings.data_dir / f".restore-{stamp}"
    staging.mkdir(parents=True)
    try:
        with zipfile.ZipFile(archive) as zf:
            for member in manifest["files"]:
                zf.extract(member["name"], staging)
        kept.mkdir(parents=True)
        for suffix in ("", "-wal", "-shm"):
            old = db_path.with_name(db_path.name + suffix)
            if old.exists():
                shutil.move(old, kept / old.name)
        if settings.attachments_dir.exists():
            shutil.move(settings.attachments_dir, kept / "attachments")
        os.replace(staging / DB_MEMBER, db_path)
        restored = staging / "attachments"
        settings.attachments_dir.mkdir(parents=True, exist_ok=True)
        if restored.exists():
            for blob in restored.iterdir():
                target = settings.attachments_dir / blob.name[:2] / blob.name[2:4] / blob.name
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(blob, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log.info("Restored %s; previous data kept in %s", archive, kept)
    return kept


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


def backup_if_due(settings: Settings, max_age_hours: float = 24) -> BackupInfo | None:
    """Automatic backup: make one when the newest archive is older than ``max_age_hours``."""
    if settings.sqlite_path is None or not settings.sqlite_path.exists():
        return None
    archives = list_backups(settings)
    if archives:
        age = datetime.now().timestamp() - archives[-1].stat().st_mtime
        if age < max_age_hours * 3600:
            return None
    info = create_backup(settings)
    prune_backups(settings)
    return info
