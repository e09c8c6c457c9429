"""The automatic-backup settings a clerk changes on the settings page (kept in settings.toml)."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from clerk_app.config import Settings, read_settings_file, write_settings_file
from clerk_app.errors import ValidationError

MAX_INTERVAL_HOURS = 24 * 31
MAX_KEEP = 1000


def save_backup_settings(
    settings: Settings, interval_hours: int, keep: int, folder: str
) -> Settings:
    """Validate and save; returns the settings now in force. Other keys are kept as they are."""
    if not 0 <= interval_hours <= MAX_INTERVAL_HOURS:
        raise ValidationError(
            f"Kopie automatyczne co: od 0 (wyłączone) do {MAX_INTERVAL_HOURS} godzin."
        )
    if not 1 <= keep <= MAX_KEEP:
        raise ValidationError(f"Liczba przechowywanych kopii: od 1 do {MAX_KEEP}.")
    folder = folder.strip()
    if folder:
        path = Path(folder).expanduser()
        if not path.is_absolute():
            raise ValidationError("Folder kopii: podaj pełną ścieżkę (np. D:\\Kopie).")
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ValidationError(
                f"Folder kopii: nie można utworzyć folderu ({exc.strerror})."
            ) from None
        if not os.access(path, os.W_OK):
            raise ValidationError("Folder kopii: brak prawa zapisu w tym folderze.")
        folder = str(path)
        if path == settings.data_dir / "backups":
            folder = ""  # the default, written as such so a moved data folder still works
    values = read_settings_file(settings.settings_path)
    values["backup_interval_hours"] = interval_hours
    values["backup_keep"] = keep
    if folder:
        values["backup_folder"] = folder
    else:
        values.pop("backup_folder", None)
    write_settings_file(settings.settings_path, values)
    return dataclasses.replace(
        settings, backup_interval_hours=interval_hours, backup_keep=keep, backup_folder=folder
    )
