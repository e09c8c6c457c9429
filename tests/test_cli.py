"""The clerk-app command as scripts and installers use it: real subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from clerk_app import __version__


def run(*args: str, env_extra: dict[str, str] | None = None, stdin: str | None = None):  # type: ignore[no-untyped-def]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **(env_extra or {}))
    return subprocess.run(
        [sys.executable, "-m", "clerk_app", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=300,
    )


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"Kancelaria {__version__}"


def test_smoke_test_passes_in_a_temp_folder(data_dir: Path) -> None:
    result = run("--smoke-test")
    assert result.returncode == 0, result.stderr
    assert "smoke test passed" in result.stdout
    assert "pdf:" in result.stdout and "xml: Wniosek o wypis" in result.stdout
    assert not data_dir.exists(), "the smoke test must not touch the user's data folder"


def test_info_json_reports_where_things_live(data_dir: Path) -> None:
    result = run("--data-dir", str(data_dir), "info", "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["data_dir"] == str(data_dir)
    assert info["embedded"] is True
    assert info["sources"]["data_dir"] == "flag"


def test_db_upgrade_then_current(db_url: str, data_dir: Path) -> None:
    before = run("--database-url", db_url, "db", "current", "--json")
    assert before.returncode == 0, before.stderr
    assert json.loads(before.stdout)["state"] == "empty"
    upgraded = run("--database-url", db_url, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    after = json.loads(run("--database-url", db_url, "db", "current", "--json").stdout)
    assert after["state"] == "current"
    assert after["revision"] == after["program_revision"]


def test_user_add_and_list(db_url: str) -> None:
    assert run("--database-url", db_url, "db", "upgrade").returncode == 0
    added = run(
        "--database-url",
        db_url,
        "user",
        "add",
        "a.nowak",
        "--name",
        "Anna Nowak",
        "--role",
        "registry_clerk",
        "--json",
        stdin="haslo-kancelarii-1\n",
    )
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["roles"] == ["registry_clerk"]
    listed = json.loads(run("--database-url", db_url, "user", "list", "--json").stdout)
    assert [u["login"] for u in listed] == ["a.nowak"]


def test_errors_are_plain_polish_with_exit_code_2(tmp_path: Path) -> None:
    result = run("--database-url", "mysql://x@y/z", "info")
    assert result.returncode == 2
    assert "nie jest obsługiwana" in result.stderr
    assert "Traceback" not in result.stderr


def test_gui_starts_on_the_embedded_default_and_creates_it(data_dir: Path) -> None:
    result = run("--data-dir", str(data_dir), "--quit-after-start")
    assert result.returncode == 0, result.stderr
    assert (data_dir / "kancelaria.sqlite").exists()
    log = (data_dir / "logs" / "kancelaria.log").read_text(encoding="utf-8")
    assert "Main window shown" in log


def test_demo_flag_fills_an_empty_database_once(data_dir: Path) -> None:
    assert run("--data-dir", str(data_dir), "--demo", "--quit-after-start").returncode == 0
    again = run("--data-dir", str(data_dir), "--demo", "--quit-after-start")
    assert again.returncode == 0, again.stderr
    listed = run("--data-dir", str(data_dir), "user", "list", "--json")
    logins = {u["login"] for u in json.loads(listed.stdout)}
    assert {"a.nowak", "m.kowalski", "e.wisniewska"} <= logins


def test_epuap_simulator_queues_demo_letters(data_dir: Path, tmp_path: Path) -> None:
    """``epuap simulator --demo N`` is the simulator's own option, not the GUI's ``--demo``."""
    result = run(
        "--data-dir",
        str(data_dir),
        "epuap",
        "simulator",
        "--demo",
        "2",
        "--state-dir",
        str(tmp_path / "sim"),
        "--duration",
        "0.5",
    )
    assert result.returncode == 0, result.stderr
    assert "2 dok." in result.stdout
    assert (tmp_path / "sim" / "urzad.p12").exists()
