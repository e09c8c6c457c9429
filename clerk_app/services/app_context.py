"""Everything a front end (GUI, CLI, scheduled job) needs, opened once per process."""

from __future__ import annotations

from dataclasses import dataclass

from clerk_app.config import Settings
from clerk_app.services.blob_store import BlobStore, DatabaseBlobStore, FileBlobStore
from clerk_app.services.database import Database
from clerk_app.services.schema import SchemaState, ensure_current


@dataclass
class AppContext:
    settings: Settings
    db: Database
    blobs: BlobStore
    schema_before: SchemaState

    def close(self) -> None:
        self.db.dispose()


def open_context(settings: Settings, *, auto_upgrade: bool | None = None) -> AppContext:
    """Connect, and create or upgrade the schema.

    The embedded database is upgraded automatically (after a backup copy); the
    shared server only by the administrator's ``clerk-app db upgrade`` unless
    ``auto_upgrade`` says otherwise.
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database.open(settings)
    try:
        db.check_connection()
        state = ensure_current(
            db.engine,
            auto_upgrade=settings.is_embedded if auto_upgrade is None else auto_upgrade,
            sqlite_path=settings.sqlite_path,
            backups_dir=settings.backups_dir,
        )
    except BaseException:
        db.dispose()
        raise
    blobs: BlobStore = (
        FileBlobStore(settings.attachments_dir) if db.is_sqlite else DatabaseBlobStore()
    )
    return AppContext(settings=settings, db=db, blobs=blobs, schema_before=state)
