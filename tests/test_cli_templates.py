"""``clerk-app template list|show|edit|revert``: the office's copies of letter templates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from clerk_app.cli import build_parser, main
from clerk_app.config import Settings
from clerk_app.documents.templating import builtin_template_names
from clerk_app.errors import PermissionDenied, ValidationError
from clerk_app.models import AuditEvent, Office, Role, User, UserRole
from clerk_app.models.letter_templates import OfficeTemplateVersion
from clerk_app.services.app_context import AppContext
from clerk_app.services.templates import shipped_source
from clerk_app.services.templates_store import effective_template
from clerk_app.services.users import hash_password, os_login

NAME = "letter_generic"
TITLE = "Pismo ogólne – wzór urzędu"


def run(settings: Settings, *argv: str) -> int:
    args = build_parser().parse_args(list(argv))
    return int(args.handler(args, settings))


def out_json(capsys: pytest.CaptureFixture[str]) -> Any:
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def acting(ctx: AppContext, cli_password: str | None, request: pytest.FixtureRequest) -> str:
    """An office, and the account the commands act as, holding the parametrised role."""
    role: Role = getattr(request, "param", Role.ADMIN)
    with ctx.db.session(write=True) as session:
        session.add(Office(name="Urząd Gminy Łęknica", city="Łęknica"))
        user = User(
            login=os_login(),
            full_name="Żaneta Wójcik",
            password_hash=hash_password(cli_password) if cli_password else None,
        )
        user.roles = [UserRole(role=role)]
        session.add(user)
    return os_login()


def edited_file(tmp_path: Path, text: str | None = None) -> Path:
    source = shipped_source(NAME).replace("title: Pismo ogólne", f"title: {TITLE}", 1)
    target = tmp_path / "szablon.txt"
    target.write_text(text if text is not None else source, encoding="utf-8")
    return target


def versions(ctx: AppContext) -> int:
    with ctx.db.session() as session:
        count = session.scalar(select(func.count()).select_from(OfficeTemplateVersion))
    return int(count or 0)


def test_admin_lists_edits_shows_and_reverts(
    ctx: AppContext, acting: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(ctx.settings, "template", "list", "--json") == 0
    listed = {t["name"]: t for t in out_json(capsys)}
    assert listed[NAME] == {"name": NAME, "title": "Pismo ogólne", "office_copy": False,
                            "version": 0, "changed_at": None, "changed_by": ""}  # fmt: skip

    assert run(ctx.settings, "template", "edit", NAME, "--file", str(edited_file(tmp_path)),
               "--note", "nowy tytuł", "--json") == 0  # fmt: skip
    saved = out_json(capsys)
    assert saved["office_copy"] is True and saved["version"] == 1
    assert saved["changed_by"] == "Żaneta Wójcik"
    # Letters of the office use it from now on.
    assert effective_template(ctx.db, NAME).title == TITLE

    assert run(ctx.settings, "template", "list") == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith(NAME))
    assert f"{TITLE} (kopia urzędu, wersja 1" in line

    # show prints the source alone: what was saved, ready to be edited again.
    assert run(ctx.settings, "template", "show", NAME) == 0
    assert capsys.readouterr().out == edited_file(tmp_path).read_text(encoding="utf-8")

    assert run(ctx.settings, "template", "revert", NAME, "--json") == 0
    reverted = out_json(capsys)
    assert reverted["office_copy"] is False and reverted["version"] == 2
    assert effective_template(ctx.db, NAME).title == "Pismo ogólne"

    assert run(ctx.settings, "template", "show", NAME, "--json") == 0
    shown = out_json(capsys)
    assert shown["source"] == shipped_source(NAME)
    history = shown["history"]
    assert [(v["version"], v["shipped_default"], v["note"]) for v in history] == [
        (2, True, ""),
        (1, False, "nowy tytuł"),
    ]
    # An older version stays readable from the history.
    assert run(ctx.settings, "template", "show", NAME, "--at-version", "1") == 0
    assert f"title: {TITLE}" in capsys.readouterr().out
    with pytest.raises(ValidationError, match="nie ma wersji 7"):
        run(ctx.settings, "template", "show", NAME, "--at-version", "7")


@pytest.mark.parametrize("acting", [Role.CASE_CLERK], indirect=True)
def test_a_clerk_may_read_but_not_change_templates(
    ctx: AppContext, acting: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(ctx.settings, "template", "show", NAME) == 0
    assert capsys.readouterr().out == shipped_source(NAME)
    with pytest.raises(PermissionDenied, match="Brak uprawnień"):
        run(ctx.settings, "template", "edit", NAME, "--file", str(edited_file(tmp_path)))
    with pytest.raises(PermissionDenied):
        run(ctx.settings, "template", "revert", NAME)
    assert versions(ctx) == 0
    with ctx.db.session() as session:
        refusals = session.scalars(
            select(AuditEvent.user_login).where(AuditEvent.action == "permission_denied")
        ).all()
    assert refusals == [acting, acting]


def test_a_broken_template_is_refused_naming_the_line(
    ctx: AppContext, acting: str, tmp_path: Path
) -> None:
    broken = shipped_source(NAME).replace("{{ body }}", "{{ body + }}")
    line = next(n for n, t in enumerate(broken.splitlines(), start=1) if "{{ body +" in t)
    with pytest.raises(ValidationError, match=f"wiersz {line}"):
        run(ctx.settings, "template", "edit", NAME, "--file", str(edited_file(tmp_path, broken)))
    unknown = shipped_source(NAME).replace("{{ body }}", "{{ bodyy }}")
    with pytest.raises(ValidationError, match="nieznane pole „bodyy”"):
        run(ctx.settings, "template", "edit", NAME, "--file", str(edited_file(tmp_path, unknown)))
    with pytest.raises(ValidationError, match="nie ma wbudowanego szablonu „nie_ma”"):
        run(ctx.settings, "template", "edit", "nie_ma", "--file", str(edited_file(tmp_path)))
    assert versions(ctx) == 0


def test_a_file_that_is_not_a_utf8_template_is_refused(
    ctx: AppContext, acting: str, tmp_path: Path
) -> None:
    latin2 = tmp_path / "latin2.txt"
    latin2.write_bytes(shipped_source(NAME).encode("cp1250"))
    with pytest.raises(ValidationError, match=r"--file: .* nie jest tekstem w kodowaniu UTF-8"):
        run(ctx.settings, "template", "edit", NAME, "--file", str(latin2))
    with pytest.raises(ValidationError, match=r"--file: .* nie jest plikiem"):
        run(ctx.settings, "template", "edit", NAME, "--file", str(tmp_path))
    huge = tmp_path / "duzy.txt"
    huge.write_bytes(b"#" * 1_000_000)
    with pytest.raises(ValidationError, match=r"--file: .* za duży"):
        run(ctx.settings, "template", "edit", NAME, "--file", str(huge))
    assert versions(ctx) == 0


def test_a_stale_base_version_does_not_overwrite_a_newer_save(
    ctx: AppContext, acting: str, tmp_path: Path
) -> None:
    assert run(ctx.settings, "template", "edit", NAME, "--file", str(edited_file(tmp_path))) == 0
    other = shipped_source(NAME).replace("title: Pismo ogólne", "title: Inny tytuł", 1)
    with pytest.raises(ValidationError, match="w międzyczasie zapisano wersję 1"):
        run(ctx.settings, "template", "edit", NAME, "--file", str(edited_file(tmp_path, other)),
            "--base-version", "0")  # fmt: skip
    assert effective_template(ctx.db, NAME).title == TITLE
    assert versions(ctx) == 1


def test_the_installed_command_reports_errors_in_polish_with_exit_code_2(
    ctx: AppContext, acting: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Through main(): the group is registered and the global options do not swallow its own.
    url = ctx.settings.database_url
    assert main(["--database-url", url, "template", "show", NAME, "--at-version", "3"]) == 2
    assert "nie ma wersji 3" in capsys.readouterr().err
    assert main(["--database-url", url, "template", "list", "--json"]) == 0
    listed = out_json(capsys)
    assert [t["name"] for t in listed] == builtin_template_names()
