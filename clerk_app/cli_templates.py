"""``clerk-app template …``: the office's copies of letter templates.

``list`` and ``show`` are open to every signed-in user (as the read-only editor in the
window); ``edit`` and ``revert`` need an administrator or a manager, which
``TemplateService`` enforces and audits. ``show NAME`` prints the source alone, so
``template show NAME > F``, editing F and ``template edit NAME --file F`` round-trip.
``edit`` and ``revert`` start from the version in use when the command runs;
``--base-version`` lets a script refuse to overwrite a version saved meanwhile.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clerk_app.cli import acting_user, emit, json_flag
from clerk_app.config import Settings
from clerk_app.errors import ValidationError

if TYPE_CHECKING:
    from clerk_app.services.templates import TemplateService, TemplateState, TemplateVersionInfo


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    template = sub.add_parser(
        "template",
        help="kopie szablonów pism urzędu",
        description="Kopie szablonów urzędu zastępują szablony wbudowane we wszystkich pismach "
        "(okno i clerk-app letter). Zmieniać je może administrator albo kierownik.",
    )
    template_sub = template.add_subparsers(dest="template_command", required=True, metavar="AKCJA")

    listing = template_sub.add_parser("list", help="szablony i to, czy urząd ma ich kopię")
    json_flag(listing)
    listing.set_defaults(handler=cmd_template_list)

    show = template_sub.add_parser(
        "show", help="treść szablonu w użyciu (z --json także historia wersji)"
    )
    show.add_argument("name", metavar="NAZWA", help="nazwa szablonu, np. kpa_summons")
    # Not "--version": the program's own --version is read before the command is.
    show.add_argument(
        "--at-version", type=int, metavar="N", help="treść wersji N kopii urzędu zamiast bieżącej"
    )
    json_flag(show)
    show.set_defaults(handler=cmd_template_show)

    edit = template_sub.add_parser(
        "edit",
        help="zapisz kopię urzędu z pliku",
        description="Zapisuje treść pliku (UTF-8) jako nową wersję kopii urzędu. Szablon jest "
        "najpierw sprawdzany na danych przykładowych; błędny nie jest zapisywany.",
    )
    edit.add_argument("name", metavar="NAZWA")
    edit.add_argument("--file", required=True, metavar="PLIK", help="plik z treścią szablonu")
    edit.add_argument("--note", default="", help="opis zmiany (do historii wersji)")
    _base_version(edit)
    json_flag(edit)
    edit.set_defaults(handler=cmd_template_edit)

    revert = template_sub.add_parser(
        "revert", help="wróć do szablonu wbudowanego (wersje kopii zostają w historii)"
    )
    revert.add_argument("name", metavar="NAZWA")
    _base_version(revert)
    json_flag(revert)
    revert.set_defaults(handler=cmd_template_revert)


def _base_version(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--base-version",
        type=int,
        metavar="N",
        help="odmów, jeśli bieżąca wersja kopii nie jest N (ktoś zapisał nowszą)",
    )


def _state_json(state: TemplateState) -> dict[str, Any]:
    return {
        "name": state.name,
        "title": state.title,
        "office_copy": state.office_copy,
        "version": state.version,
        "changed_at": state.changed_at.isoformat() if state.changed_at else None,
        "changed_by": state.changed_by,
    }


def _version_json(version: TemplateVersionInfo) -> dict[str, Any]:
    return {
        "version": version.version,
        "created_at": version.created_at.isoformat(),
        "author": version.author,
        "note": version.note,
        "shipped_default": version.is_default,
        "sha256": version.sha256,
    }


def _state_line(state: TemplateState) -> str:
    if not state.office_copy:
        return f"{state.name:28} {state.title}"
    when = state.changed_at.astimezone().strftime("%Y-%m-%d %H:%M") if state.changed_at else ""
    return (
        f"{state.name:28} {state.title} (kopia urzędu, wersja {state.version}, "
        f"{when}, {state.changed_by})"
    )


def _run(
    args: argparse.Namespace, settings: Settings, work: Any
) -> tuple[dict[str, Any] | list[dict[str, Any]], str]:
    """Run ``work(service)`` as the acting user; it returns the JSON data and the text."""
    from clerk_app.services.app_context import open_context
    from clerk_app.services.templates import TemplateService

    ctx = open_context(settings)
    try:
        service: TemplateService = TemplateService(ctx.db, acting_user(ctx, args))
        result: tuple[dict[str, Any] | list[dict[str, Any]], str] = work(service)
        return result
    finally:
        ctx.close()


def cmd_template_list(args: argparse.Namespace, settings: Settings) -> int:
    def work(service: TemplateService) -> tuple[list[dict[str, Any]], str]:
        states = service.templates()
        return [_state_json(s) for s in states], "\n".join(_state_line(s) for s in states)

    data, text = _run(args, settings, work)
    emit(args, data, text)
    return 0


def cmd_template_show(args: argparse.Namespace, settings: Settings) -> int:
    def work(service: TemplateService) -> tuple[dict[str, Any], str]:
        state = service.current(args.name)
        history = service.history(args.name)
        source = state.source
        if args.at_version is not None:
            if args.at_version not in {v.version for v in history}:
                raise ValidationError(
                    f"--at-version: kopia urzędu szablonu „{args.name}” "
                    f"nie ma wersji {args.at_version}."
                )
            source = service.version_source(args.name, args.at_version)
        data = _state_json(state) | {
            "shown_version": args.at_version if args.at_version is not None else state.version,
            "source": source,
            "history": [_version_json(v) for v in history],
        }
        return data, source

    data, source = _run(args, settings, work)
    if getattr(args, "json", False):
        emit(args, data, "")
    else:
        # The source exactly as stored, so it can be saved to a file and edited.
        print(source, end="" if source.endswith("\n") else "\n")
    return 0


def _read_source(path: str) -> str:
    """The template text of ``--file`` (UTF-8, a BOM is dropped), or a clear refusal."""
    from clerk_app.documents.templating import MAX_TEMPLATE_CHARS

    target = Path(path)
    try:
        if not target.is_file():
            raise ValidationError(f"--file: „{path}” nie jest plikiem.")
        # UTF-8 needs at most 4 bytes a character: a bigger file cannot be a template.
        if target.stat().st_size > 4 * MAX_TEMPLATE_CHARS:
            raise ValidationError(
                f"--file: plik „{path}” jest za duży na szablon "
                f"(najwyżej {MAX_TEMPLATE_CHARS} znaków)."
            )
        raw = target.read_bytes()
    except OSError as exc:
        raise ValidationError(
            f"--file: nie można odczytać pliku „{path}” ({exc.strerror or exc})."
        ) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            f"--file: plik „{path}” nie jest tekstem w kodowaniu UTF-8."
        ) from None


def _base(service: TemplateService, args: argparse.Namespace) -> int:
    if args.base_version is not None:
        return int(args.base_version)
    return service.current(args.name).version


def cmd_template_edit(args: argparse.Namespace, settings: Settings) -> int:
    source = _read_source(args.file)  # before connecting: a bad file costs no sign-in

    def work(service: TemplateService) -> tuple[dict[str, Any], str]:
        state = service.save(args.name, source, base_version=_base(service, args), note=args.note)
        return (
            _state_json(state),
            f"Zapisano kopię urzędu szablonu „{state.name}”, wersja {state.version}.",
        )

    data, text = _run(args, settings, work)
    emit(args, data, text)
    return 0


def cmd_template_revert(args: argparse.Namespace, settings: Settings) -> int:
    def work(service: TemplateService) -> tuple[dict[str, Any], str]:
        state = service.revert_to_default(args.name, base_version=_base(service, args))
        return (
            _state_json(state),
            f"Szablon „{state.name}”: urząd używa znowu szablonu wbudowanego "
            f"(wersja {state.version} w historii).",
        )

    data, text = _run(args, settings, work)
    emit(args, data, text)
    return 0
