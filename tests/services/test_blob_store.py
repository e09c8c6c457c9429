"""Attachment store: content-addressed, verified on read, never a partial file."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session

from clerk_app.errors import ValidationError
from clerk_app.services import blob_store
from clerk_app.services.app_context import AppContext
from clerk_app.services.blob_store import (
    BlobCorrupted,
    BlobMissing,
    FileBlobStore,
    verify_store,
)

CONTENT = "Wniosek o wydanie wypisu – działka 3/4, obręb 0012 Żółkiewka".encode()


def test_round_trip_and_deduplication(ctx: AppContext) -> None:
    with ctx.db.session(write=True) as session:
        first = ctx.blobs.put(session, CONTENT)
        again = ctx.blobs.put(session, io.BytesIO(CONTENT))
    assert first == again
    assert first.sha256 == hashlib.sha256(CONTENT).hexdigest()
    assert first.size == len(CONTENT)
    with ctx.db.session() as session:
        assert ctx.blobs.get(session, first.sha256) == CONTENT
        assert ctx.blobs.exists(session, first.sha256)
        assert list(ctx.blobs.iter_hashes(session)) == [first.sha256]


def test_missing_blob_is_reported(ctx: AppContext) -> None:
    with ctx.db.session() as session, pytest.raises(BlobMissing):
        ctx.blobs.get(session, "0" * 64)


def test_corruption_is_detected_on_read(ctx: AppContext) -> None:
    with ctx.db.session(write=True) as session:
        stored = ctx.blobs.put(session, CONTENT)
    # Damage the stored bytes behind the store's back.
    if isinstance(ctx.blobs, FileBlobStore):
        ctx.blobs.path_for(stored.sha256).write_bytes(CONTENT.replace(b"3/4", b"3/5"))
    else:
        from sqlalchemy import update

        from clerk_app.models import Blob

        with ctx.db.session(write=True) as session:
            session.execute(update(Blob).values(data=b"tampered"))
    with ctx.db.session() as session:
        with pytest.raises(BlobCorrupted, match="uszkodzony"):
            ctx.blobs.get(session, stored.sha256)
        assert verify_store(ctx.blobs, session) == [stored.sha256]


class ExplodingStream(io.RawIOBase):
    """Delivers some data, then fails like a network drive dropping mid-copy."""

    def __init__(self) -> None:
        self.calls = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.calls += 1
        if self.calls > 2:
            raise OSError("connection to the share was lost")
        return b"x" * 1000


def test_interrupted_write_leaves_no_partial_file(ctx: AppContext) -> None:
    with pytest.raises(OSError), ctx.db.session(write=True) as session:
        ctx.blobs.put(session, ExplodingStream())  # type: ignore[arg-type]
    with ctx.db.session() as session:
        assert list(ctx.blobs.iter_hashes(session)) == []
    if isinstance(ctx.blobs, FileBlobStore):
        assert [p for p in ctx.blobs.root.rglob("*") if p.is_file()] == []


def test_blob_of_a_rolled_back_transaction_is_removed(ctx: AppContext) -> None:
    with pytest.raises(RuntimeError), ctx.db.session(write=True) as session:
        stored = ctx.blobs.put(session, CONTENT)
        raise RuntimeError("registration failed after the attachment was stored")
    with ctx.db.session() as session:
        assert not ctx.blobs.exists(session, stored.sha256)


def test_size_limit_names_the_problem(ctx: AppContext) -> None:
    ctx.blobs.max_size = 10  # type: ignore[attr-defined]
    with pytest.raises(ValidationError, match="za duży"), ctx.db.session(write=True) as session:
        ctx.blobs.put(session, CONTENT)


def test_every_blob_is_durable_under_its_final_name_before_the_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Crash safety, in order: the file's content is fsynced, then it gets its final name
    (only in before_commit), then that directory is fsynced, then the database commits."""
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    store = FileBlobStore(tmp_path / "blobs")
    events: list[tuple[str, int]] = []  # (what, inode): inodes survive the rename
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        real_fsync(fd)
        events.append(("fsync", os.fstat(fd).st_ino))

    def replace(src: str | Path, dst: str | Path) -> None:
        events.append(("rename", os.stat(src).st_ino))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    contents = [CONTENT + bytes([i]) for i in range(3)]
    with Session(engine) as session, session.begin():

        @event.listens_for(session, "after_commit")
        def _committed(_s: Session) -> None:
            events.append(("commit", 0))

        stored = [store.put(session, c) for c in contents]
        store.put(session, contents[0])  # the same content again in this transaction
        assert not any(store.path_for(s.sha256).exists() for s in stored)
        assert store.get(session, stored[1].sha256) == contents[1]
        assert store.exists(session, stored[2].sha256)
        assert not any(e[0] == "rename" for e in events), "published before the commit"
    assert [e[0] for e in events].count("commit") == 1 and events[-1][0] == "commit"
    for blob in stored:
        final = store.path_for(blob.sha256)
        file_synced = events.index(("fsync", final.stat().st_ino))
        renamed = events.index(("rename", final.stat().st_ino))
        directory = final.parent.stat().st_ino
        dir_synced = [i for i, e in enumerate(events) if e == ("fsync", directory) and i > renamed]
        assert file_synced < renamed < dir_synced[0] < len(events) - 1
    assert [store.path_for(s.sha256).read_bytes() for s in stored] == contents
    assert list((tmp_path / "blobs" / "tmp").iterdir()) == []


def test_new_directories_are_fsynced_in_their_parent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A blob's ab/cd directories are new on first use: their entries must survive a crash."""
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    store = FileBlobStore(tmp_path / "blobs")
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(
        os, "fsync", lambda fd: (synced.append(os.fstat(fd).st_ino), real_fsync(fd))[1]
    )
    with Session(engine) as session, session.begin():
        stored = store.put(session, CONTENT)
    final = store.path_for(stored.sha256)
    assert final.parent.parent.stat().st_ino in synced  # holds the new "cd" directory
    assert store.root.stat().st_ino in synced  # holds the new "ab" directory


def test_stream_is_copied_in_chunks_and_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Streams are hashed and written as read, in chunks, then published like the rest."""
    monkeypatch.setattr(blob_store, "CHUNK", 700)
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    store = FileBlobStore(tmp_path / "blobs")
    content = bytes(range(256)) * 20
    with Session(engine) as session, session.begin():
        stored = store.put(session, io.BytesIO(content))
        assert store.put(session, io.BytesIO(content)) == stored
        assert store.get(session, stored.sha256) == content
    assert stored.size == len(content)
    assert store.path_for(stored.sha256).read_bytes() == content
    assert list((tmp_path / "blobs" / "tmp").iterdir()) == []


def test_a_failed_background_write_fails_the_commit_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    store = FileBlobStore(tmp_path / "blobs")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="space"), Session(engine) as session, session.begin():
        ok = store.put(session, CONTENT)
        monkeypatch.setattr(os, "fsync", disk_full)
        broken = store.put(session, CONTENT + b"!")
    monkeypatch.undo()
    assert not store.path_for(ok.sha256).exists()
    assert not store.path_for(broken.sha256).exists()
    assert list((tmp_path / "blobs" / "tmp").iterdir()) == []


def test_rollback_discards_unpublished_blobs(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    store = FileBlobStore(tmp_path / "blobs")
    with pytest.raises(RuntimeError), Session(engine) as session, session.begin():
        stored = store.put(session, CONTENT)
        raise RuntimeError("registration failed")
    assert not store.path_for(stored.sha256).exists()
    assert list((tmp_path / "blobs" / "tmp").iterdir()) == []


def test_store_folders_removed_behind_its_back_are_made_again(tmp_path: Path) -> None:
    """Directories are remembered once made; a store emptied by hand still works."""
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    store = FileBlobStore(tmp_path / "blobs")
    with Session(engine) as session, session.begin():
        first = store.put(session, CONTENT)
    shutil.rmtree(tmp_path / "blobs")
    with Session(engine) as session, session.begin():
        again = store.put(session, CONTENT)
        other = store.put(session, CONTENT + b"?")
    assert again == first
    assert store.path_for(first.sha256).read_bytes() == CONTENT
    assert store.path_for(other.sha256).read_bytes() == CONTENT + b"?"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX fork")
def test_a_forked_process_stores_blobs_too(tmp_path: Path) -> None:
    """The writer threads are not inherited by a forked child: it must start its own."""
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    store = FileBlobStore(tmp_path / "blobs")
    with Session(engine) as session, session.begin():
        store.put(session, CONTENT)  # the parent's pool is running now
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through its exit status
        code = 1
        try:
            with Session(engine) as session, session.begin():
                stored = store.put(session, CONTENT + b" (dziecko)")
            code = 0 if store.path_for(stored.sha256).exists() else 2
        finally:
            os._exit(code)
    deadline = time.monotonic() + 60
    while (done := os.waitpid(pid, os.WNOHANG))[0] == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    if done[0] == 0:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        pytest.fail("the child hung waiting for writer threads it does not have")
    assert os.waitstatus_to_exitcode(done[1]) == 0
