"""``clerk-app register add/list`` as scripts use them: real subprocesses on the test database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from clerk_app.config import Settings
from clerk_app.models import Office, OrgUnit, Role
from clerk_app.services.app_context import AppContext
from clerk_app.services.users import UserService

ON_POSTGRES = bool(os.environ.get("CLERK_TEST_DATABASE_URL"))
PASSWORD = "haslo-kancelarii-1"
TODAY = date.today()
YEAR = TODAY.year


@pytest.fixture
def office(ctx: AppContext) -> None:
    with ctx.db.session(write=True) as session:
        office = Office(name="Urząd Gminy", short_name="UG")
        session.add(office)
        session.flush()
        session.add(OrgUnit(office_id=office.id, symbol="UA", name="Urbanistyka"))
    if ON_POSTGRES:
        UserService(ctx.db).create_user("anna", "Anna Nowak", [Role.REGISTRY_CLERK], PASSWORD)


def cli(
    settings: Settings,
    *args: str,
    stdin: str | None = None,
    sign_in: bool = True,
    env_extra: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **(env_extra or {}))
    command = [
        sys.executable,
        "-m",
        "clerk_app",
        "--data-dir",
        str(settings.data_dir),
        "--database-url",
        settings.database_url,
        *args,
    ]
    if ON_POSTGRES and sign_in:
        command += ["--user", "anna"]
        env.setdefault("CLERK_PASSWORD", PASSWORD)
    return subprocess.run(
        command, capture_output=True, text=True, input=stdin, env=env, timeout=180
    )


def write_json(tmp_path: Path, data: object, name: str = "item.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_add_from_a_file_then_list(settings: Settings, office: None, tmp_path: Path) -> None:
    (tmp_path / "skan.pdf").write_bytes(b"%PDF-1.4 skan")
    item = {
        "received_on": (TODAY - timedelta(days=1)).isoformat(),
        "channel": "paper",
        "title": "Wniosek o wypis i wyrys",
        "sender": {"kind": "person", "first_name": "Jan", "last_name": "Wiśniewski"},
        "letter_date": (TODAY - timedelta(days=3)).isoformat(),
        "unknown": ["letter_ref"],
        "unit": "UA",
        "tracking_no": "RR123456789PL",
        "attachments": ["skan.pdf"],
    }
    added = cli(settings, "register", "add", "--file", str(write_json(tmp_path, item)))
    assert added.returncode == 0, added.stderr
    result = json.loads(added.stdout)
    assert result["number"] == f"RPW/1/{YEAR}" and result["direction"] == "incoming"

    listed = cli(settings, "register", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    [row] = json.loads(listed.stdout)
    assert row["id"] == result["entry_id"]
    assert (row["sender"], row["assigned_unit"], row["attachment_count"]) == (
        "Jan Wiśniewski",
        "UA",
        1,
    )
    assert row["unknown_fields"] == ["letter_ref"] and row["channel"] == "paper"

    table = cli(settings, "register", "list")
    assert table.returncode == 0, table.stderr
    assert f"RPW/1/{YEAR}" in table.stdout and "Jan Wiśniewski" in table.stdout


def test_add_from_stdin_and_filters(settings: Settings, office: None) -> None:
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    items = [
        {
            "received_on": yesterday,
            "channel": "epuap",
            "title": "Skarga",
            "unknown": ["sender", "letter_date", "letter_ref"],
            "external_id": "msg-1",
        },
        {
            "received_on": yesterday,
            "channel": "paper",
            "title": "Wniosek",
            "unknown": ["sender", "letter_date", "letter_ref"],
            "unit": "UA",
        },
        {
            "direction": "outgoing",
            "channel": "registered_zpo",
            "title": "Odpowiedź",
            "sender": {"kind": "institution", "institution_name": "Starostwo"},
        },
    ]
    numbers = []
    for item in items:
        done = cli(settings, "register", "add", stdin=json.dumps(item))
        assert done.returncode == 0, done.stderr
        numbers.append(json.loads(done.stdout)["number"])
    assert numbers == [f"RPW/1/{YEAR}", f"RPW/2/{YEAR}", f"WYCH/1/{YEAR}"]

    def listed(*filters: str) -> list[str]:
        done = cli(settings, "register", "list", "--json", *filters)
        assert done.returncode == 0, done.stderr
        return [r["number"] for r in json.loads(done.stdout)]

    assert listed("--channel", "epuap") == [f"RPW/1/{YEAR}"]
    assert listed("--direction", "outgoing") == [f"WYCH/1/{YEAR}"]
    assert listed("--unit", "UA") == [f"RPW/2/{YEAR}"]
    assert listed("--direction", "incoming", "--limit", "1") == [f"RPW/2/{YEAR}"]
    assert listed("--from", yesterday, "--to", yesterday, "--direction", "incoming") == [
        f"RPW/2/{YEAR}",
        f"RPW/1/{YEAR}",
    ]
    assert listed("--to", (TODAY - timedelta(days=2)).isoformat()) == []


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("{ nie json", "Dane JSON: błąd w wierszu 1"),
        ('{"channel": "paper", "titel": "x"}', "Dane JSON: nieznane pole „titel”"),
        ('{"title": "x"}', "Sposób doręczenia: pole „channel” jest wymagane"),
        (
            json.dumps(
                {
                    "received_on": (TODAY + timedelta(days=1)).isoformat(),
                    "channel": "paper",
                    "unknown": ["title", "sender", "letter_date", "letter_ref"],
                }
            ),
            "Data wpływu:",
        ),
        ('{"channel": "paper", "unknown": ["sender", "letter_date", "letter_ref"]}', "Tytuł:"),
        ('{"channel": "paper", "title": "x", "unit": "ZZ"}', "Komórka: nie ma komórki"),
    ],
)
def test_bad_input_exits_2_with_the_polish_message(
    settings: Settings, office: None, stdin: str, message: str
) -> None:
    done = cli(settings, "register", "add", stdin=stdin)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    listed = cli(settings, "register", "list", "--json")
    assert json.loads(listed.stdout) == []


@pytest.mark.skipif(not ON_POSTGRES, reason="signing in applies to PostgreSQL")
def test_postgresql_needs_a_user_and_password(settings: Settings, office: None) -> None:
    item = json.dumps(
        {"channel": "paper", "title": "Pismo", "unknown": ["sender", "letter_date", "letter_ref"]}
    )
    anonymous = cli(settings, "register", "add", stdin=item, sign_in=False)
    assert anonymous.returncode == 2 and "podaj --user" in anonymous.stderr
    wrong = cli(
        settings, "register", "add", stdin=item, env_extra={"CLERK_PASSWORD": "zle-haslo-00"}
    )
    assert wrong.returncode == 2 and "Nieprawidłowy login lub hasło" in wrong.stderr
    env = {k: v for k, v in os.environ.items() if k != "CLERK_PASSWORD"}
    piped = subprocess.run(
        [
            sys.executable,
            "-m",
            "clerk_app",
            "--database-url",
            settings.database_url,
            "--data-dir",
            str(settings.data_dir),
            "register",
            "add",
            "--user",
            "anna",
        ],
        input=PASSWORD + "\n" + item,
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    assert piped.returncode == 0, piped.stderr
    assert json.loads(piped.stdout)["number"] == f"RPW/1/{YEAR}"


@pytest.mark.skipif(ON_POSTGRES, reason="the embedded database runs as the OS account")
def test_embedded_database_refuses_user_option(settings: Settings, office: None) -> None:
    done = cli(settings, "register", "list", "--user", "anna")
    assert done.returncode == 2 and "konto systemowe" in done.stderr
