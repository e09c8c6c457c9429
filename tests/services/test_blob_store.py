"""Attachment store: content-addressed, verified on read, never a partial file."""

from __future__ import annotations

import hashlib
import io

import pytest

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
