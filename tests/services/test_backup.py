"""Backups of the embedded default: verified archives, safe restore, retention."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from clerk_app.config import Settings, load_settings
from clerk_app.errors import ValidationError
from clerk_app.services import backup
from clerk_app.services.app_context import AppContext, open_context
from clerk_app.services.users import UserService

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("CLERK_TEST_DATABASE_URL")),
    reason="backups of the embedded default; PostgreSQL is backed up with pg_dump",
)


@pytest.fixture
def embedded(data_dir: Path) -> AppContext:
    ctx = open_context(load_settings(data_dir=data_dir, env={}))
    yield ctx
    ctx.close()


def put_attachment(ctx: AppContext, content: bytes) -> str:
    with ctx.db.session(write=True) as session:
        return ctx.blobs.put(session, content).sha256


def test_round_trip_restores_database_and_attachments(embedded: AppContext) -> None:
    settings = embedded.settings
    UserService(embedded.db).os_account_user("anna")
    sha = put_attachment(embedded, "Skan wniosku – działka 3/4".encode())
    info = backup.create_backup(settings)
    assert info.path.suffix == ".kbackup" and info.attachments == 1

    # Life goes on after the backup: a new clerk, a new attachment, a lost one.
    UserService(embedded.db).os_account_user("marek")
    put_attachment(embedded, b"later")
    embedded.blobs.path_for(sha).unlink()  # type: ignore[attr-defined]
    embedded.close()

    kept = backup.restore_backup(settings, info.path)
    ctx = open_context(settings)
    try:
        logins = {u.login for u in UserService(ctx.db).list_users()}
        assert logins == {"anna"}
        with ctx.db.session() as session:
            assert ctx.blobs.get(session, sha) == "Skan wniosku – działka 3/4".encode()
            assert list(ctx.blobs.iter_hashes(session)) == [sha]
    finally:
        ctx.close()
    # The data that was replaced is kept, never silently overwritten.
    assert (kept / "kancelaria.sqlite").exists()
    assert any((kept / "attachments").rglob("*"))


def corrupt(path: Path, how: str) -> None:
    data = bytearray(path.read_bytes())
    if how == "truncate":
        path.write_bytes(bytes(data[: len(data) // 2]))
    elif how == "flip":
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("database.sqlite")
        offset = info.header_offset + 30 + len(info.filename) + len(info.extra) + 40
        data[offset] ^= 0xFF
        path.write_bytes(bytes(data))
    else:  # an extra file smuggled in
        with zipfile.ZipFile(path, "a") as zf:
            zf.writestr("../../evil.sh", "rm -rf ~")


@pytest.mark.parametrize("how", ["truncate", "flip", "extra"])
def test_damaged_archive_is_refused_and_data_untouched(embedded: AppContext, how: str) -> None:
    settings = embedded.settings
    UserService(embedded.db).os_account_user("anna")
    put_attachment(embedded, b"attachment")
    info = backup.create_backup(settings)
    corrupt(info.path, how)
    before = settings.sqlite_path.read_bytes() if settings.sqlite_path else b""
    with pytest.raises(backup.BackupError):
        backup.restore_backup(settings, info.path)
    assert settings.sqlite_path is not None and settings.sqlite_path.read_bytes() == before
    assert not any(p.name.startswith(".restore-") for p in settings.data_dir.iterdir())


def test_retention_keeps_the_newest(embedded: AppContext) -> None:
    settings = embedded.settings
    made = [backup.create_backup(settings).path for _ in range(4)]
    deleted = backup.prune_backups(settings, keep=2)
    assert deleted == made[:2]
    assert backup.list_backups(settings) == made[2:]


def test_automatic_backup_only_when_due(embedded: AppContext) -> None:
    settings = embedded.settings
    assert backup.backup_if_due(settings) is not None
    assert backup.backup_if_due(settings) is None  # the last one is fresh
    old = backup.list_backups(settings)[-1]
    os.utime(old, (old.stat().st_atime - 2 * 86400, old.stat().st_mtime - 2 * 86400))
    assert backup.backup_if_due(settings) is not None


def test_postgresql_is_pointed_to_pg_dump(tmp_path: Path) -> None:
    settings: Settings = load_settings(
        data_dir=tmp_path, database_url="postgresql+psycopg://x@db/urzad", env={}
    )
    with pytest.raises(ValidationError, match="pg_dump"):
        backup.create_backup(settings)


def test_inspect_says_what_the_archive_holds(embedded: AppContext) -> None:
    from clerk_app.models import Office

    with embedded.db.session(write=True) as session:
        session.add(Office(name="Urząd Gminy Zielona Dolina"))
    put_attachment(embedded, b"x" * 1000)
    info = backup.create_backup(embedded.settings)
    seen: list[tuple[int, int]] = []
    summary = backup.inspect_backup(info.path, progress=lambda d, t: seen.append((d, t)))
    assert summary.office_name == "Urząd Gminy Zielona Dolina"
    assert (summary.attachments, summary.attachments_size) == (1, 1000)
    assert summary.database_size > 0 and summary.archive_size == info.path.stat().st_size
    assert summary.created_at == info.created_at and not summary.from_newer_version
    assert seen[-1] == (2, 2)


def test_restore_with_safety_copy_backs_up_the_current_data_first(embedded: AppContext) -> None:
    settings = embedded.settings
    UserService(embedded.db).os_account_user("anna")
    old = backup.create_backup(settings)
    UserService(embedded.db).os_account_user("marek")
    embedded.close()
    outcome = backup.restore_with_safety_copy(settings, old.path)
    assert outcome.safety_copy is not None
    # The safety copy is itself a verified archive holding marek, who the restore removed.
    backup.verify_backup(outcome.safety_copy)
    ctx = open_context(settings)
    try:
        assert {u.login for u in UserService(ctx.db).list_users()} == {"anna"}
    finally:
        ctx.close()
    backup.restore_backup(settings, outcome.safety_copy)
    ctx = open_context(settings)
    try:
        assert {u.login for u in UserService(ctx.db).list_users()} == {"anna", "marek"}
    finally:
        ctx.close()


def test_a_restore_failing_half_way_puts_the_current_data_back(
    embedded: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = embedded.settings
    UserService(embedded.db).os_account_user("anna")
    sha = put_attachment(embedded, b"attachment")
    info = backup.create_backup(settings)
    put_attachment(embedded, b"newer attachment")
    embedded.close()
    assert settings.sqlite_path is not None
    before_db = settings.sqlite_path.read_bytes()
    before_files = sorted(p.name for p in settings.attachments_dir.rglob("*") if p.is_file())

    real_replace = os.replace

    def disk_full(src: object, dst: object) -> None:
        if str(src).endswith(sha):  # the archive's attachment: after the data moved aside
            raise OSError(28, "No space left on device")
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(backup.os, "replace", disk_full)
    with pytest.raises(OSError):
        backup.restore_backup(settings, info.path)
    assert settings.sqlite_path.read_bytes() == before_db
    after_files = sorted(p.name for p in settings.attachments_dir.rglob("*") if p.is_file())
    assert after_files == before_files
    assert not any(p.name.startswith(".restore-") for p in settings.data_dir.iterdir())


def test_only_regular_files_are_read(embedded: AppContext, tmp_path: Path) -> None:
    fifo = tmp_path / "kopia.kbackup"
    os.mkfifo(fifo)  # opening it would wait forever for a writer
    with pytest.raises(backup.BackupError, match="nie jest plikiem kopii"):
        backup.inspect_backup(fifo)
    with pytest.raises(backup.BackupError, match="Nie ma pliku"):
        backup.inspect_backup(tmp_path / "brak.kbackup")


def test_schedule_follows_interval_and_folder(embedded: AppContext, tmp_path: Path) -> None:
    from clerk_app.services.backup_settings import save_backup_settings

    settings = save_backup_settings(embedded.settings, 0, 3, "")
    assert backup.backup_if_due(settings) is None  # 0 = automatic backups off
    folder = tmp_path / "kopie na dysku D"
    settings = save_backup_settings(settings, 6, 3, str(folder))
    reloaded = load_settings(data_dir=settings.data_dir, env={})
    assert (reloaded.backup_interval_hours, reloaded.backup_keep) == (6, 3)
    assert reloaded.backups_dir == folder
    info = backup.backup_if_due(reloaded)
    assert info is not None and info.path.parent == folder


@pytest.mark.parametrize(
    ("interval", "keep", "folder", "field"),
    [
        (-1, 3, "", "Kopie automatyczne co"),
        (24, 0, "", "Liczba przechowywanych kopii"),
        (24, 3, "kopie/wzgledne", "Folder kopii"),
    ],
)
def test_backup_settings_name_the_wrong_field(
    embedded: AppContext, interval: int, keep: int, folder: str, field: str
) -> None:
    from clerk_app.services.backup_settings import save_backup_settings

    with pytest.raises(ValidationError, match=field):
        save_backup_settings(embedded.settings, interval, keep, folder)
    assert not embedded.settings.settings_path.exists()  # nothing half-written
