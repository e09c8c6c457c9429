"""The ``clerk-app`` command: no subcommand opens the GUI; subcommands serve scripts and jobs."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from clerk_app import __version__
from clerk_app.config import Settings, load_settings
from clerk_app.errors import ClerkError

if TYPE_CHECKING:
    from clerk_app.services.app_context import AppContext
    from clerk_app.services.users import CurrentUser

Handler = Callable[[argparse.Namespace, Settings], int]

USER_ENV = "CLERK_USER"
PASSWORD_ENV = "CLERK_PASSWORD"


def _global_parser(add_help: bool = True) -> argparse.ArgumentParser:
    """The options every start shares (the GUI needs nothing more)."""
    parser = argparse.ArgumentParser(
        add_help=add_help,
        # No prefixes: "--data" of a command would be an ambiguous "--data-dir"/"--database-url".
        allow_abbrev=False,
        prog="clerk-app",
        description="Kancelaria – rejestr przesyłek, sprawy, działki, pisma i ePUAP.",
    )
    parser.add_argument("--version", action="version", version=f"Kancelaria {__version__}")
    parser.add_argument("--data-dir", help="folder danych (zamiast domyślnego; też CLERK_DATA_DIR)")
    parser.add_argument(
        "--database-url",
        help="adres bazy, np. postgresql+psycopg://kancelaria@serwer/urzad (CLERK_DATABASE_URL)",
    )
    parser.add_argument("--language", choices=["pl", "en"], help="język interfejsu")
    user_flag(parser, global_option=True)
    parser.add_argument(
        "--restore", metavar="ARCHIWUM", help="otwórz program i zaproponuj przywrócenie kopii"
    )
    parser.add_argument("--demo", action="store_true", help="wypełnij pustą bazę danymi demo")
    parser.add_argument(
        "--smoke-test", action="store_true", help="sprawdź instalację w folderze tymczasowym"
    )
    parser.add_argument("--quit-after-start", action="store_true", help=argparse.SUPPRESS)
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = _global_parser()
    sub = parser.add_subparsers(dest="command", metavar="POLECENIE")

    db = sub.add_parser("db", help="schemat bazy danych")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="AKCJA")
    db_sub.add_parser("upgrade", help="zaktualizuj schemat do wersji programu").set_defaults(
        handler=cmd_db_upgrade
    )
    current = db_sub.add_parser("current", help="pokaż wersję schematu")
    json_flag(current)
    current.set_defaults(handler=cmd_db_current)

    info = sub.add_parser("info", help="ustawienia i stan instalacji")
    json_flag(info)
    info.set_defaults(handler=cmd_info)

    demo = sub.add_parser("demo-data", help="wypełnij pustą bazę danymi demonstracyjnymi")
    json_flag(demo)
    demo.set_defaults(handler=cmd_demo_data)

    user = sub.add_parser("user", help="użytkownicy")
    user_sub = user.add_subparsers(dest="user_command", required=True, metavar="AKCJA")
    add = user_sub.add_parser("add", help="dodaj użytkownika (hasło jest pytane)")
    add.add_argument("login")
    add.add_argument("--name", required=True, help="imię i nazwisko")
    add.add_argument("--position", default="", help="stanowisko")
    add.add_argument(
        "--role",
        action="append",
        required=True,
        choices=["registry_clerk", "case_clerk", "planner", "manager", "admin"],
        help="rola (można podać kilka razy)",
    )
    add.add_argument("--no-password", action="store_true", help="konto bez hasła (baza lokalna)")
    json_flag(add)
    add.set_defaults(handler=cmd_user_add)
    lst = user_sub.add_parser("list", help="lista użytkowników")
    json_flag(lst)
    lst.set_defaults(handler=cmd_user_list)
    passwd = user_sub.add_parser("passwd", help="ustaw hasło użytkownika")
    passwd.add_argument("login")
    passwd.set_defaults(handler=cmd_user_passwd)

    from clerk_app import (
        cli_backup,
        cli_cases,
        cli_epuap,
        cli_letters,
        cli_parcels,
        cli_register,
        cli_reports,
        cli_templates,
    )

    cli_register.add_commands(sub)
    cli_cases.add_commands(sub)
    cli_backup.add_commands(sub)
    cli_reports.add_commands(sub)
    cli_epuap.add_commands(sub)
    cli_parcels.add_commands(sub)
    cli_letters.add_commands(sub)
    cli_templates.add_commands(sub)

    att = sub.add_parser("attachments", help="magazyn załączników")
    att_sub = att.add_subparsers(dest="att_command", required=True, metavar="AKCJA")
    verify = att_sub.add_parser("verify", help="sprawdź sumy kontrolne wszystkich załączników")
    json_flag(verify)
    verify.set_defaults(handler=cmd_attachments_verify)
    return parser


def json_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="wynik w JSON dla programów")


def user_flag(p: argparse.ArgumentParser, *, global_option: bool = False) -> None:
    """``--user LOGIN``: who a command acts as on the office server.

    Given after a subcommand it must not reset the global one, hence SUPPRESS there.
    """
    p.add_argument(
        "--user",
        metavar="LOGIN",
        default=None if global_option else argparse.SUPPRESS,
        help=f"użytkownik, jako który działa polecenie na serwerze PostgreSQL (też {USER_ENV}); "
        f"hasło: zmienna {PASSWORD_ENV}, systemowy magazyn haseł albo pytanie / pierwszy "
        "wiersz wejścia",
    )


def acting_user(ctx: AppContext, args: argparse.Namespace) -> CurrentUser:
    """Who a command acts as, the same for every command.

    Embedded default: the operating-system account (created on first use), no password.
    Office server: ``--user`` (or ``CLERK_USER``), signed in with the password from
    ``CLERK_PASSWORD``, the system keyring (``user:LOGIN@host/database``), a prompt, or the
    first line of standard input.
    """
    from clerk_app.services.users import UserService, os_login

    users = UserService(ctx.db)
    login = getattr(args, "user", None) or os.environ.get(USER_ENV) or None
    if ctx.settings.is_embedded:
        if login and login != os_login():
            raise ClerkError(
                f"--user dotyczy bazy na serwerze PostgreSQL; w bazie lokalnej polecenie "
                f"działa jako konto systemowe „{os_login()}”."
            )
        return users.os_account_user()
    if not login:
        raise ClerkError(
            f"Na serwerze PostgreSQL podaj --user LOGIN (albo zmienną {USER_ENV}); hasło: "
            f"zmienna {PASSWORD_ENV}, systemowy magazyn haseł albo pierwszy wiersz wejścia."
        )
    return users.sign_in(login, _user_password(ctx.settings, login))


def user_secret_name(settings: Settings, login: str) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(settings.database_url)
    return f"user:{login}@{url.host or ''}/{url.database or ''}"


def _user_password(settings: Settings, login: str) -> str:
    password = os.environ.get(PASSWORD_ENV)
    if password:
        return password
    from clerk_app.services.secret_store import SecretStore

    stored = SecretStore(settings).get(user_secret_name(settings, login))
    if stored:
        return stored
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(f"Hasło użytkownika {login}: ")
    return sys.stdin.readline().rstrip("\r\n") if sys.stdin is not None else ""


def emit(args: argparse.Namespace, data: Any, text: str) -> None:
    if getattr(args, "json", False):
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        print(text)


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from clerk_app.services.app_context import open_context

    ctx = open_context(settings, auto_upgrade=True)
    ctx.close()
    print(f"Schemat bazy jest aktualny ({ctx.db.describe()}).")
    return 0


def cmd_db_current(args: argparse.Namespace, settings: Settings) -> int:
    from clerk_app.migrations import HEAD
    from clerk_app.services.database import Database
    from clerk_app.services.schema import current_revision, schema_state

    db = Database.open(settings)
    try:
        db.check_connection()
        data = {
            "revision": current_revision(db.engine),
            "program_revision": HEAD,
            "state": schema_state(db.engine).value,
        }
    finally:
        db.dispose()
    emit(args, data, f"Wersja schematu: {data['revision']} (program: {HEAD}), {data['state']}")
    return 0


def cmd_info(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy.engine import make_url

    data = {
        "version": __version__,
        "data_dir": str(settings.data_dir),
        "database_url": make_url(settings.database_url).render_as_string(hide_password=True),
        "embedded": settings.is_embedded,
        "language": settings.language,
        "settings_file": str(settings.settings_path),
        "log_file": str(settings.log_dir / "kancelaria.log"),
        "sources": dict(settings.sources),
    }
    text = "\n".join(f"{k}: {v}" for k, v in data.items())
    emit(args, data, text)
    return 0


def cmd_demo_data(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import asdict

    from clerk_app.services.app_context import open_context
    from clerk_app.services.demo_data import fill_demo_data

    ctx = open_context(settings)
    try:
        summary = fill_demo_data(ctx.db)
    finally:
        ctx.close()
    emit(
        args,
        asdict(summary),
        f"Dodano dane demo: {summary.incoming} pism przychodzących, "
        f"{summary.outgoing} wychodzących, {summary.cases} spraw.",
    )
    return 0


def _read_password(prompt: str) -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(prompt)
    if getpass.getpass("Powtórz hasło: ") != first:
        raise ClerkError("Hasła się różnią.")
    return first


def cmd_user_add(args: argparse.Namespace, settings: Settings) -> int:
    from clerk_app.models import Role
    from clerk_app.services.app_context import open_context
    from clerk_app.services.users import UserService

    password = None if args.no_password else _read_password("Hasło: ")
    ctx = open_context(settings)
    try:
        user = UserService(ctx.db).create_user(
            args.login, args.name, [Role(r) for r in args.role], password, args.position
        )
    finally:
        ctx.close()
    emit(args, _user_json(user), f"Dodano użytkownika {user.login} (id {user.id}).")
    return 0


def cmd_user_list(args: argparse.Namespace, settings: Settings) -> int:
    from clerk_app.services.app_context import open_context
    from clerk_app.services.users import UserService

    ctx = open_context(settings)
    try:
        users = UserService(ctx.db).list_users()
    finally:
        ctx.close()
    text = "\n".join(f"{u.login:20} {u.full_name:30} {', '.join(sorted(u.roles))}" for u in users)
    emit(args, [_user_json(u) for u in users], text or "Brak użytkowników.")
    return 0


def cmd_user_passwd(args: argparse.Namespace, settings: Settings) -> int:
    from clerk_app.services.app_context import open_context
    from clerk_app.services.users import UserService

    password = _read_password("Nowe hasło: ")
    ctx = open_context(settings)
    try:
        UserService(ctx.db).set_password(args.login, password)
    finally:
        ctx.close()
    print(f"Ustawiono hasło użytkownika {args.login}.")
    return 0


def _user_json(user: Any) -> dict[str, Any]:
    return {
        "id": user.id,
        "login": user.login,
        "full_name": user.full_name,
        "roles": sorted(user.roles),
    }


def cmd_attachments_verify(args: argparse.Namespace, settings: Settings) -> int:
    from clerk_app.services.app_context import open_context
    from clerk_app.services.blob_store import verify_store

    ctx = open_context(settings)
    try:
        with ctx.db.session() as session:
            total = sum(1 for _ in ctx.blobs.iter_hashes(session))
            bad = verify_store(ctx.blobs, session)
    finally:
        ctx.close()
    emit(
        args,
        {"checked": total, "corrupted": bad},
        f"Sprawdzono {total} załączników, uszkodzonych: {len(bad)}"
        + "".join(f"\n  {sha}" for sha in bad),
    )
    return 1 if bad else 0


def _opened_archive(rest: list[str]) -> str | None:
    """The path a double-clicked backup passes (``clerk-app PATH.kbackup``), else None."""
    if rest[:1] == ["--"]:
        rest = rest[1:]
    if len(rest) != 1 or rest[0].startswith("-"):
        return None
    from clerk_app.services.backup import SUFFIX

    return rest[0] if rest[0].lower().endswith(SUFFIX) else None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Opening the window must not import every command's module: parse the shared
    # options first and build the full parser only when something else is given.
    parser = _global_parser(add_help=False)
    args, rest = parser.parse_known_args(argv)
    opened = _opened_archive(rest)
    if opened is not None:
        rest = []
        args.restore = args.restore or opened
    if rest:
        parser = build_parser()
        args = parser.parse_args(argv)
    if args.smoke_test:
        from clerk_app.smoke import run_smoke_test

        return run_smoke_test()
    try:
        settings = load_settings(args.data_dir, args.database_url, args.language)
        handler: Handler | None = getattr(args, "handler", None)
        if handler is None:
            from pathlib import Path

            from clerk_app.ui.app import run_gui

            return run_gui(
                settings,
                demo=args.demo,
                quit_after_start=args.quit_after_start,
                restore=Path(args.restore) if args.restore else None,
            )
        from clerk_app.logging_setup import setup_logging

        setup_logging(settings.log_dir)
        if args.demo and args.command != "demo-data":
            parser.error("--demo otwiera program z danymi demo; w skryptach użyj: demo-data")
        if args.restore:
            parser.error("--restore otwiera okno programu; w skryptach użyj: restore ARCHIWUM")
        return handler(args, settings)
    except ClerkError as exc:
        print(f"clerk-app: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
