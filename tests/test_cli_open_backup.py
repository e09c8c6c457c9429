"""``clerk-app PATH.kbackup`` (a double-clicked backup) and ``--restore PATH`` open the window
with the restore offer; the installers' association lines hand the path over intact."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from clerk_app import cli
from clerk_app.config import Settings

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = [
    "/home/anna/Pobrane/kopia urzędu (1).kbackup",
    "/tmp/-leading-dash.KBACKUP",
    "/tmp/<b>evil</b>\u202egpj.kbackup",
    "/tmp/" + "długa-nazwa-" * 30 + ".kbackup",
    "C:\\Users\\Anna Nowak\\Desktop\\kopia 2026.kbackup",
]


@pytest.fixture
def gui(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def fake_run_gui(settings: Settings, **kwargs: Any) -> int:
        calls.append(kwargs)
        return 0

    monkeypatch.setattr("clerk_app.ui.app.run_gui", fake_run_gui)
    return calls


@pytest.mark.parametrize("path", HOSTILE)
def test_a_backup_path_opens_the_window_with_the_restore_offer(
    gui: list[dict[str, Any]], path: str
) -> None:
    assert cli.main([path]) == 0
    assert gui[-1]["restore"] == Path(path)  # verbatim: nothing stripped, split or run
    assert cli.main(["--restore", path]) == 0
    assert gui[-1]["restore"] == Path(path)


def test_plain_start_offers_no_restore(gui: list[dict[str, Any]]) -> None:
    assert cli.main([]) == 0
    assert gui[-1]["restore"] is None


def test_other_arguments_are_still_refused(
    gui: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        cli.main(["notatki.txt"])
    with pytest.raises(SystemExit):
        cli.main(["a.kbackup", "b.kbackup"])
    with pytest.raises(SystemExit):
        cli.main(["--restore", "a.kbackup", "info"])
    assert "w skryptach użyj: restore ARCHIWUM" in capsys.readouterr().err
    assert gui == []


def test_linux_desktop_entry_passes_the_file_path() -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(ROOT / "installer" / "linux" / "kancelaria.desktop", encoding="utf-8")
    exec_line = parser["Desktop Entry"]["Exec"]
    # %f: one local file path (never a URL); the launcher quotes it as one argument.
    argv = shlex.split(exec_line)
    assert argv == ["kancelaria", "%f"]
    path = HOSTILE[0]
    expanded = [path if a == "%f" else a for a in argv]
    assert cli._opened_archive(expanded[1:]) == path


def test_windows_association_passes_the_quoted_path() -> None:
    text = (ROOT / "installer" / "windows" / "kancelaria.iss").read_text(encoding="utf-8")
    line = next(
        ln for ln in text.splitlines() if "\\shell\\open\\command" in ln and "ValueData" in ln
    )
    value = re.search(r'ValueData: "((?:[^"]|"")*)"', line)
    assert value is not None
    command = value.group(1).replace('""', '"')  # Inno Setup doubles quotes inside strings
    # The program, then "%1" in quotes so a path with spaces stays one argument.
    assert command == '"{app}\\{#AppExe}" "%1"'
    path = HOSTILE[-1]
    windows_argv = [path]  # what "%1" becomes for the program: the whole path, one argument
    assert cli._opened_archive(windows_argv) == path
