"""clerk-app backup / restore as a scheduled job and an administrator run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("CLERK_TEST_DATABASE_URL")), reason="embedded default only"
)


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clerk_app", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
    )


def test_backup_verify_restore_from_the_command_line(data_dir: Path) -> None:
    assert (
        run(
            data_dir, "user", "add", "anna", "--name", "Anna", "--role", "admin", "--no-password"
        ).returncode
        == 0
    )
    made = run(data_dir, "backup", "--json")
    assert made.returncode == 0, made.stderr
    archive = Path(json.loads(made.stdout)["created"])
    assert archive.exists()
    verified = run(data_dir, "backup", "--verify", str(archive), "--json")
    assert verified.returncode == 0 and json.loads(verified.stdout)["format"].startswith(
        "kancelaria-backup"
    )
    assert (
        run(
            data_dir, "user", "add", "marek", "--name", "Marek", "--role", "admin", "--no-password"
        ).returncode
        == 0
    )
    restored = run(data_dir, "restore", str(archive), "--json")
    assert restored.returncode == 0, restored.stderr
    users = json.loads(run(data_dir, "user", "list", "--json").stdout)
    assert [u["login"] for u in users] == ["anna"]
    # Scheduled run right after a backup: nothing to do.
    auto = run(data_dir, "backup", "--auto", "--json")
    assert auto.returncode == 0 and json.loads(auto.stdout)["created"] is None


def test_damaged_archive_gives_a_clear_error(data_dir: Path, tmp_path: Path) -> None:
    fake = tmp_path / "kancelaria-x.kbackup"
    fake.write_bytes(b"PK\x03\x04 not really a zip")
    result = run(data_dir, "restore", str(fake))
    assert result.returncode == 2
    assert "uszkodzone" in result.stderr and "Traceback" not in result.stderr
