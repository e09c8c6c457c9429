"""Content-addressed (SHA-256) attachment storage.

Embedded default: files under ``<data>/attachments/ab/cd/<sha256>``, written to a
temp file, fsynced and renamed, so a crash never leaves a partial blob; a blob
first written in a transaction that rolls back is removed again. Each file's fsync (and
its directory's creation) runs on a background thread while the transaction goes on; the
commit waits for them, renames, and fsyncs the directories: one fsync round in the commit
path instead of two.
PostgreSQL: blobs live in the ``blob`` table, so every clerk reaches them over
the same connection, they share the register's transaction and pg_dump backs
up both together (a shared folder would need its own permissions and backup).
Every read is verified against the hash.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
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
        # Directories known to exist: a new directory costs an inode and an fsync of its
        # parent, so it is made once, not checked on every put.
        self._known_dirs: set[Path] = set()
        self._dirs_lock = threading.Lock()

    def path_for(self, sha256: str) -> Path:
        _check_hash(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, session: Session, source: BinaryIO | bytes) -> StoredBlob:
        """Write the content to a temp file and start its fsync on a background thread; it
        gets its final name, durably, at commit.

        :func:`_publish_before_commit` waits for the fsync before the rename, so a file
        under its final name is always complete, and the commit that references it comes
        after. Content already stored (or put in this transaction) is not written again.
        """
        pending = _pending(session)
        if isinstance(source, bytes | bytearray):
            if len(source) > self.max_size:
                raise _too_large(self.max_size)
            sha = hashlib.sha256(source).hexdigest()
            if sha in pending or self.path_for(sha).exists():
                return StoredBlob(sha, len(source))
            fd, tmp = self._temp_file()
            try:
                _write_all(fd, source)
            except BaseException:
                _close_and_remove(fd, tmp)
                raise
            size = len(source)
        else:
            fd, tmp = self._temp_file()
            try:
                sha, size = self._copy(source, fd)
            except BaseException:
                _close_and_remove(fd, tmp)
                raise
            if sha in pending or self.path_for(sha).exists():
                _close_and_remove(fd, tmp)
                return StoredBlob(sha, size)
        # fsync and mkdir block without the GIL: the disk works while the transaction goes on.
        target = self.path_for(sha)
        job = _pool().submit(self._prepare, fd, target.parent)
        pending[sha] = _Pending(self, tmp, target, job)
        _publish_on_commit(session)
        return StoredBlob(sha, size)

    def _prepare(self, fd: int, directory: Path) -> list[Path]:
        """Background: make the temp file durable and its final directory exist; returns
        the directories whose entries changed (fsynced with the renames at commit)."""
        _fsync_and_close(fd)
        return self._make_dirs(directory)

    def _temp_file(self) -> tuple[int, Path]:
        tmp_dir = self.root / "tmp"
        if tmp_dir not in self._known_dirs:
            self._make_dirs(tmp_dir)  # temp names need no durability: nothing refers to them
            self._known((tmp_dir,))
        try:
            fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="put-")
        except FileNotFoundError:  # the folder was removed behind the store's back
            self._forget_dirs()
            self._make_dirs(tmp_dir)
            fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="put-")
        return fd, Path(name)

    def _copy(self, stream: BinaryIO, fd: int) -> tuple[str, int]:
        digest = hashlib.sha256()
        size = 0
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > self.max_size:
                raise _too_large(self.max_size)
            digest.update(chunk)
            _write_all(fd, chunk)
        return digest.hexdigest(), size

    def _make_dirs(self, directory: Path) -> list[Path]:
        """Create ``directory`` and its missing parents; return the directories whose
        entries changed: fsyncing them makes the new directories survive a crash."""
        if directory in self._known_dirs:
            return []
        missing: list[Path] = []
        probe = directory
        while True:
            try:
                probe.mkdir()  # usually the only call: the parent exists
            except FileExistsError:
                changed = []  # made before (by whoever made it durable)
            except FileNotFoundError:
                if probe.parent == probe:
                    raise
                missing.append(probe)
                probe = probe.parent
                continue
            else:
                changed = [probe.parent]
            break
        for new in reversed(missing):
            try:
                new.mkdir()
            except FileExistsError:
                continue  # made meanwhile by another transaction, which fsyncs it
            changed.append(new.parent)
        return changed

    def _known(self, directories: Iterable[Path]) -> None:
        """Remember directories that exist durably: a new directory costs an inode (and an
        fsync), so it is made once, not checked on every put."""
        with self._dirs_lock:
            self._known_dirs.update(directories)

    def _forget_dirs(self) -> None:
        with self._dirs_lock:
            self._known_dirs.clear()

    def get(self, session: Session, sha256: str) -> bytes:
        path = self.path_for(sha256)
        waiting = _pending(session).get(sha256)
        if waiting is not None:
            path = waiting.tmp  # written in this transaction, published at commit
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


def _write_all(fd: int, data: bytes | bytearray) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _fsync_and_close(fd: int) -> None:
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _close_and_remove(fd: int, path: Path) -> None:
    os.close(fd)
    path.unlink(missing_ok=True)


@dataclass(frozen=True)
class _Pending:
    """A blob of this transaction: its temp file, its final name, and the background job
    that fsyncs it and makes its directory."""

    store: FileBlobStore
    tmp: Path
    target: Path
    prepared: Future[list[Path]]


_SYNC_THREADS = 4
_sync_pool: ThreadPoolExecutor | None = None
_sync_pool_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _sync_pool
    with _sync_pool_lock:
        if _sync_pool is None:
            _sync_pool = ThreadPoolExecutor(_SYNC_THREADS, thread_name_prefix="blob-fsync")
        return _sync_pool


def _new_pool_after_fork() -> None:
    """A forked child has none of the parent's threads: waiting on them would hang."""
    global _sync_pool, _sync_pool_lock
    _sync_pool = None
    _sync_pool_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_pool_after_fork)


def _sync_all(paths: list[Path]) -> None:
    """fsync files (or, on POSIX, directories) at once: fsync releases the GIL and the file
    system commits concurrent requests together, so N paths cost about one journal commit
    instead of N in a row. Returns when every one is durable; raises the first error."""
    if os.name != "posix" and any(p.is_dir() for p in paths):
        paths = [p for p in paths if not p.is_dir()]
    if len(paths) <= 1:
        for path in paths:
            _fsync_path(path)
        return
    pool = _pool()
    for future in [pool.submit(_fsync_path, path) for path in paths]:
        future.result()


_PENDING = "blob_pending"  # sha256 -> _Pending: written, not yet published
_PUBLISHED = "new_blob_files"  # final paths published by this transaction


def _pending(session: Session) -> dict[str, _Pending]:
    pending: dict[str, _Pending] = session.info.setdefault(_PENDING, {})
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
    """Wait for the fsync of every new blob, move each to its final name, then fsync those
    directories — all before the database commit that references them (the files' fsyncs
    ran during the transaction; the directories' are the one round the commit waits for)."""
    pending: dict[str, _Pending] = session.info.pop(_PENDING, {})
    if not pending:
        return
    published: list[Path] = session.info.setdefault(_PUBLISHED, [])
    directories: set[Path] = set()
    try:
        for blob in pending.values():
            directories.update(blob.prepared.result())
        for blob in pending.values():
            if blob.target.exists():  # another transaction published the same content
                blob.tmp.unlink(missing_ok=True)
                directories.add(blob.target.parent)  # durable before we refer to it too
                continue
            try:
                os.replace(blob.tmp, blob.target)
            except FileNotFoundError:
                if not blob.tmp.exists():
                    raise
                blob.store._forget_dirs()  # removed behind the store's back
                directories.update(blob.store._make_dirs(blob.target.parent))
                os.replace(blob.tmp, blob.target)
            published.append(blob.target)
            directories.add(blob.target.parent)
        # One round: the renames and any new directories' entries, before the commit.
        _sync_all(sorted(directories))
        for blob in pending.values():
            blob.store._known((blob.target.parent,))
    except BaseException:
        _remove_temp_files(pending)
        raise


def _remove_temp_files(pending: dict[str, _Pending]) -> None:
    for blob in pending.values():
        with contextlib.suppress(Exception):  # the file goes all the same
            blob.prepared.result()  # its descriptor is closed once this is done
        blob.tmp.unlink(missing_ok=True)


def _forget_published(session: Session) -> None:
    session.info.pop(_PUBLISHED, None)


def _discard(session: Session) -> None:
    """Rollback: remove unpublished temp files and the blobs this transaction published."""
    _remove_temp_files(session.info.pop(_PENDING, {}))
    for path in session.info.pop(_PUBLISHED, []):
        path.unlink(missing_ok=True)
