"""Attachment store: content-addressed, verified on read, never a partial file."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session

from clerk_app.errors import ValidationError
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


def test_files_are_fsynced_once_per_transaction_before_the_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blobs get their final name only in before_commit, after their fsync (crash-safe)."""
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    store = FileBlobStore(tmp_path / "blobs")
    events: list[str] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    contents = [CONTENT + bytes([i]) for i in range(3)]
    with Session(engine) as session, session.begin():

        @event.listens_for(session, "after_commit")
        def _committed(_s: Session) -> None:
            events.append("commit")

        stored = [store.put(session, c) for c in contents]
        store.put(session, contents[0])  # the same content again in this transaction
        assert events == [], "no fsync while the transaction is still writing"
        assert not any(store.path_for(s.sha256).exists() for s in stored)
        assert store.get(session, stored[1].sha256) == contents[1]
        assert store.exists(session, stored[2].sha256)
    assert events.count("fsync") >= 3 and events[-1] == "commit"
    assert "commit" not in events[:-1], "a blob was made durable after the commit"
    assert [store.path_for(s.sha256).read_bytes() for s in stored] == contents
    assert list((tmp_path / "blobs" / "tmp").iterdir()) == []


def test_rollback_discards_unpublished_blobs(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    store = FileBlobStore(tmp_path / "blobs")
    with pytest.raises(RuntimeError), Session(engine) as session, session.begin():
        stored = store.put(session, CONTENT)
        raise RuntimeError("registration failed")
    assert not store.path_for(stored.sha256).exists()
    assert list((tmp_path / "blobs" / "tmp").iterdir()) == []
