"""Content-addressed (SHA-256) attachment storage.

Embedded default: files under ``<data>/attachments/ab/cd/<sha256>``, written to a
temp file, fsynced and renamed, so a crash never leaves a partial blob; a blob
first written in a transaction that rolls back is removed again.
PostgreSQL: blobs live in the ``blob`` table, so every clerk reaches them over
the same connection, they share the register's transaction and pg_dump backs
up both together (a shared folder would need its own permissions and backup).
Every read is verified against the hash.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from clerk_app.errors import ClerkError, ValidationError
from clerk_app.models import Blob

CHUNK = 1 << 20
DEFAULT_MAX_SIZE = 2 << 30  # 2 GiB


class BlobCorrupted(ClerkError):
    """Stored content no longer matches its SHA-256: restore it from a backup."""


class BlobMissing(ClerkError):
    """No content stored under that hash."""


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int


class BlobStore(Protocol):
    def put(self, session: Session, source: BinaryIO | bytes) -> StoredBlob: ...

    def get(self, session: Session, sha256: str) -> bytes: ...

    def exists(self, session: Session, sha256: str) -> bool: ...

    def iter_hashes(self, session: Session) -> Iterator[str]: ...


def _as_stream(source: BinaryIO | bytes) -> BinaryIO:
    return io.BytesIO(source) if isinstance(source, bytes | bytearray) else source


def _too_large(limit: int) -> ValidationError:
    shown = f"{limit // (1 << 20)} MB" if limit >= 1 << 20 else f"{limit} B"
    return ValidationError(f"Załącznik jest za duży: ponad {shown}.")


def _check_hash(sha256: str) -> str:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValidationError(f"Nieprawidłowy skrót SHA-256: {sha256!r}")
    return sha256


class FileBlobStore:
    def __init__(self, root: Path, max_size: int = DEFAULT_MAX_SIZE) -> None:
        self.root = root
        self.max_size = max_size

    def path_for(self, sha256: str) -> Path:
        _check_hash(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, session: Session, source: BinaryIO | bytes) -> StoredBlob:
        """Write the content to a temp file; it gets its final name, durably, at commit.

        fsync is batched per transaction (see :func:`_publish_before_commit`): a file under
        its final name is always durable, and the commit that references it comes after.
        """
        stream = _as_stream(source)
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="put-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > self.max_size:
                        raise _too_large(self.max_size)
                    digest.update(chunk)
                    out.write(chunk)
            sha = digest.hexdigest()
            pending = _pending(session)
            if sha in pending or self.path_for(sha).exists():
                os.unlink(tmp_name)
            else:
                pending[sha] = (Path(tmp_name), self.path_for(sha))
                _publish_on_commit(session)
        except BaseException:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
            raise
        return StoredBlob(sha, size)

    def get(self, session: Session, sha256: str) -> bytes:
        path = self.path_for(sha256)
        waiting = _pending(session).get(sha256)
        if waiting is not None:
            path = waiting[0]  # written in this transaction, published at commit
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise BlobMissing(f"Brak pliku załącznika {sha256} w magazynie {self.root}.") from exc
        if hashlib.sha256(data).hexdigest() != sha256:
            raise BlobCorrupted(
                f"Plik załącznika {path} jest uszkodzony (suma kontrolna się nie zgadza)."
            )
        return data

    def exists(self, session: Session, sha256: str) -> bool:
        return sha256 in _pending(session) or self.path_for(sha256).exists()

    def iter_hashes(self, session: Session) -> Iterator[str]:
        for path in sorted(self.root.glob("??/??/*")):
            if len(path.name) == 64:
                yield path.name


class DatabaseBlobStore:
    def __init__(self, max_size: int = DEFAULT_MAX_SIZE) -> None:
        self.max_size = max_size

    def put(self, session: Session, source: BinaryIO | bytes) -> StoredBlob:
        stream = _as_stream(source)
        buffer = bytearray()
        while chunk := stream.read(CHUNK):
            buffer += chunk
            if len(buffer) > self.max_size:
                raise _too_large(self.max_size)
        data = bytes(buffer)
        sha = hashlib.sha256(data).hexdigest()
        if session.get(Blob, sha) is None:
            session.add(Blob(sha256=sha, size=len(data), data=data))
            session.flush()
        return StoredBlob(sha, len(data))

    def get(self, session: Session, sha256: str) -> bytes:
        blob = session.get(Blob, _check_hash(sha256))
        if blob is None:
            raise BlobMissing(f"Brak załącznika {sha256} w bazie danych.")
        if hashlib.sha256(blob.data).hexdigest() != sha256:
            raise BlobCorrupted(f"Załącznik {sha256} w bazie jest uszkodzony.")
        return blob.data

    def exists(self, session: Session, sha256: str) -> bool:
        return session.scalar(select(Blob.sha256).where(Blob.sha256 == sha256)) is not None

    def iter_hashes(self, session: Session) -> Iterator[str]:
        yield from session.scalars(select(Blob.sha256).order_by(Blob.sha256))


def verify_store(store: BlobStore, session: Session) -> list[str]:
    """Read every blob back; return the hashes that are corrupted."""
    bad = []
    for sha in store.iter_hashes(session):
        try:
            store.get(session, sha)
        except BlobCorrupted:
            bad.append(sha)
    return bad


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_SYNC_THREADS = 4
_sync_pool: ThreadPoolExecutor | None = None
_sync_pool_lock = threading.Lock()


def _sync_all(paths: list[Path]) -> None:
    """fsync files (or, on POSIX, directories) at once: fsync releases the GIL and the file
    system commits concurrent requests together, so N files cost about one journal commit
    instead of N in a row. Returns when every one is durable; raises the first error."""
    if os.name != "posix" and any(p.is_dir() for p in paths):
        paths = [p for p in paths if not p.is_dir()]
    if len(paths) <= 1:
        for path in paths:
            _fsync_path(path)
        return
    global _sync_pool
    with _sync_pool_lock:
        if _sync_pool is None:
            _sync_pool = ThreadPoolExecutor(_SYNC_THREADS, thread_name_prefix="blob-fsync")
        pool = _sync_pool
    for future in [pool.submit(_fsync_path, path) for path in paths]:
        future.result()


_PENDING = "blob_pending"  # sha256 -> (temp file, final path): written, not yet published
_PUBLISHED = "new_blob_files"  # final paths published by this transaction


def _pending(session: Session) -> dict[str, tuple[Path, Path]]:
    pending: dict[str, tuple[Path, Path]] = session.info.setdefault(_PENDING, {})
    return pending


def _publish_on_commit(session: Session) -> None:
    """Register (once per session) the hooks that publish or discard this session's blobs."""
    if session.info.get("blob_listeners"):
        return
    session.info["blob_listeners"] = True
    event.listen(session, "before_commit", _publish_before_commit)
    event.listen(session, "after_commit", _forget_published)
    event.listen(session, "after_rollback", _discard)


def _publish_before_commit(session: Session) -> None:
    """fsync every new blob, move it to its final name, fsync the directories — all before
    the database commit that references them (one batch per transaction, not per file)."""
    pending = session.info.pop(_PENDING, {})
    if not pending:
        return
    published: list[Path] = session.info.setdefault(_PUBLISHED, [])
    directories: set[Path] = set()
    try:
        _sync_all([tmp for tmp, _target in pending.values()])
        for tmp, target in pending.values():
            if target.exists():  # another transaction published the same content meanwhile
                tmp.unlink(missing_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
            published.append(target)
            directories.add(target.parent)
        _sync_all(sorted(directories))
    except BaseException:
        for tmp, _target in pending.values():
            tmp.unlink(missing_ok=True)
        raise


def _forget_published(session: Session) -> None:
    session.info.pop(_PUBLISHED, None)


def _discard(session: Session) -> None:
    """Rollback: remove unpublished temp files and the blobs this transaction published."""
    for tmp, _target in session.info.pop(_PENDING, {}).values():
        tmp.unlink(missing_ok=True)
    for path in session.info.pop(_PUBLISHED, []):
        path.unlink(missing_ok=True)
