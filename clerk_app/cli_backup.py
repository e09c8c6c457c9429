"""``clerk-app backup`` / ``restore`` for the embedded default."""

from __future__ import annotations

import argparse
from pathlib import Path

from clerk_app.config import Settings


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    backup = sub.add_parser("backup", help="kopia zapasowa bazy lokalnej i załączników")
    backup.add_argument("--output", type=Path, help="folder na archiwum (domyślnie backups/)")
    backup.add_argument(
        "--auto",
        action="store_true",
        help="tylko gdy ostatnia kopia jest starsza niż backup_interval_hours (harmonogram)",
    )
    backup.add_argument("--verify", type=Path, metavar="ARCHIWUM", help="sprawdź archiwum")
    backup.add_argument("--json", action="store_true", help="wynik w JSON dla programów")
    backup.set_defaults(handler=cmd_backup)
    restore = sub.add_parser("restore", help="przywróć dane z kopii (obecne zostają zachowane)")
    restore.add_argument("archive", type=Path, metavar="ARCHIWUM")
    restore.add_argument("--json", action="store_true", help="wynik w JSON dla programów")
    restore.set_defaults(handler=cmd_restore)


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from clerk_app.cli import emit
    from clerk_app.services import backup

    if args.verify:
        manifest = backup.verify_backup(args.verify)
        emit(
            args,
            manifest,
            f"Archiwum {args.verify} jest poprawne "
            f"({len(manifest['files'])} plików, {manifest['created_at']}).",
        )
        return 0
    info = (
        backup.backup_if_due(settings) if args.auto else backup.create_backup(settings, args.output)
    )
    if info is None:
        hours = settings.backup_interval_hours
        reason = (
            f"ostatnia ma mniej niż {hours} h"
            if hours > 0
            else "kopie automatyczne są wyłączone: backup_interval_hours = 0"
        )
        emit(args, {"created": None}, f"Kopia nie była potrzebna ({reason}).")
        return 0
    if not args.auto:
        backup.prune_backups(settings)
    data = {
        "created": str(info.path),
        "attachments": info.attachments,
        "size": info.size,
        "schema_revision": info.schema_revision,
    }
    emit(args, data, f"Utworzono kopię {info.path} ({info.attachments} załączników).")
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    from clerk_app.cli import emit
    from clerk_app.services import backup

    kept = backup.restore_backup(settings, args.archive)
    emit(
        args,
        {"restored": str(args.archive), "previous_data": str(kept)},
        f"Przywrócono dane z {args.archive}. Poprzednie dane zachowano w {kept}.",
    )
    return 0
