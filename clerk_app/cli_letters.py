"""``clerk-app letter …``: list templates, render a letter to PDF, mail-merge a case.

``letter render --template NAME --data FILE.json -o OUT.pdf``: the JSON holds every
part of the letter (keys in ``clerk_app.services.letter_data``). With ``--case SIGN``
the data comes from the case (as the acting user); ``--register`` then saves the
letter to the case and the outgoing register.

Which template: letters from a case always use the office's copy when one exists.
``--data`` does too whenever this installation has an office database (one is
configured, or the embedded database file exists): a clerk expects the same letter
from the command line as from the window. Without one it needs no database at all
and uses the shipped template; ``--shipped-template`` asks for that explicitly.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clerk_app.cli import acting_user, emit, json_flag
from clerk_app.config import Settings
from clerk_app.errors import ClerkError, ValidationError

if TYPE_CHECKING:
    from clerk_app.documents.templating import LetterTemplate


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]

    letter = sub.add_parser("letter", help="pisma z szablonów")
    letter_sub = letter.add_subparsers(dest="letter_command", required=True, metavar="AKCJA")

    listing = letter_sub.add_parser(
        "templates",
        help="lista szablonów i ich pól",
        description=f"Szablony, których używają pisma: {_WHICH_TEMPLATE}",
    )
    json_flag(listing)
    listing.set_defaults(handler=cmd_letter_templates)

    render = letter_sub.add_parser(
        "render",
        help="wygeneruj pismo do pliku PDF",
        description="Dane ze sprawy (--case) albo z pliku JSON (--data). Pola szablonu: "
        f"--field nazwa=wartość (można kilka razy) lub --fields plik.json. {_WHICH_TEMPLATE}",
    )
    render.add_argument("--template", required=True, help="nazwa szablonu, np. kpa_summons")
    source = render.add_mutually_exclusive_group(required=True)
    source.add_argument("--case", help="znak sprawy, np. UA.6727.1.2026")
    source.add_argument("--data", help="plik JSON z kompletem danych pisma")
    _field_arguments(render)
    render.add_argument(
        "--addressee", type=int, help="identyfikator korespondenta (domyślnie pierwsza strona)"
    )
    render.add_argument(
        "--shipped-template",
        action="store_true",
        help="z --data: użyj szablonu wbudowanego, nie kopii urzędu (bez łączenia z bazą)",
    )
    render.add_argument("-o", "--output", required=True, help="plik PDF do zapisania")
    render.add_argument(
        "--register",
        action="store_true",
        help="dołącz pismo do sprawy i zarejestruj jako przesyłkę wychodzącą",
    )
    render.add_argument("--channel", default="paper", help="sposób wysyłki (paper, epuap, …)")
    json_flag(render)
    render.set_defaults(handler=cmd_letter_render)

    merge = letter_sub.add_parser(
        "merge", help="korespondencja seryjna: pismo do wielu stron sprawy, każde zarejestrowane"
    )
    merge.add_argument("--template", required=True)
    merge.add_argument("--case", required=True, help="znak sprawy")
    merge.add_argument(
        "--addressee", type=int, action="append", help="korespondent (domyślnie wszystkie strony)"
    )
    _field_arguments(merge)
    merge.add_argument(
        "--form", choices=["labels", "dl", "c5"], default="labels", help="etykiety albo koperty"
    )
    merge.add_argument("--out-dir", required=True, help="folder na pliki PDF")
    json_flag(merge)
    merge.set_defaults(handler=cmd_letter_merge)


_WHICH_TEMPLATE = (
    "Pismo ze sprawy używa kopii szablonu urzędu, jeśli urząd ją zapisał (clerk-app template); "
    "z --data również, o ile instalacja ma bazę urzędu (skonfigurowaną albo istniejący plik "
    "bazy lokalnej), a bez bazy – szablonu wbudowanego."
)


def office_database_exists(settings: Settings) -> bool:
    """Whether this installation has an office database whose template copies apply.

    A database set by flag, environment or settings file counts (a server that cannot
    be reached is an error, not a silent fallback); the embedded default only once its
    file exists, so rendering from JSON on a machine without one creates nothing.
    """
    if settings.sources.get("database_url", "default") != "default":
        return True
    path = settings.sqlite_path
    return path is not None and path.exists()


def _field_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--field", action="append", default=[], metavar="NAZWA=WARTOŚĆ", help="pole szablonu"
    )
    parser.add_argument("--fields", help="plik JSON z polami szablonu")


def _read_json(path: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValidationError(f"{what}: nie można odczytać pliku „{path}” ({exc}).") from None
    except ValueError as exc:
        raise ValidationError(f"{what}: plik „{path}” nie jest poprawnym JSON ({exc}).") from None
    if not isinstance(value, dict):
        raise ValidationError(f"{what}: plik „{path}” musi zawierać obiekt JSON.")
    return value


def _fields(args: argparse.Namespace) -> dict[str, Any]:
    fields: dict[str, Any] = _read_json(args.fields, "Pola szablonu") if args.fields else {}
    for item in args.field:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValidationError(f"--field: oczekiwano NAZWA=WARTOŚĆ, podano „{item}”.")
        lowered = value.strip().lower()
        fields[name.strip()] = (
            True if lowered in ("tak", "true") else False if lowered in ("nie", "false") else value
        )
    return fields


def _write(path: str, data: bytes) -> Path:
    from clerk_app.documents.letter_pdf import write_file_atomically

    target = Path(path)
    try:
        write_file_atomically(target, data)
    except OSError as exc:
        raise ClerkError(f"Nie można zapisać pliku „{target}”: {exc.strerror or exc}.") from exc
    return target


def cmd_letter_templates(args: argparse.Namespace, settings: Settings) -> int:
    from clerk_app.services.letters import LetterService, templates_in_use

    if office_database_exists(settings):
        from clerk_app.services.app_context import open_context

        ctx = open_context(settings)
        try:
            infos = templates_in_use(ctx.db)
        finally:
            ctx.close()
    else:
        infos = LetterService.templates()
    data = [
        {
            "name": i.name,
            "title": i.title,
            "kind": i.kind,
            "office_copy": i.office_copy,
            "fields": [{"name": f.name, "label": f.label, "kind": f.kind} for f in i.fields],
        }
        for i in infos
    ]
    lines = [f"{i.name:28} {i.title}" + (" (kopia urzędu)" if i.office_copy else "") for i in infos]
    emit(args, data, "\n".join(lines))
    return 0


def _data_template(args: argparse.Namespace, settings: Settings) -> LetterTemplate:
    """The template a ``--data`` letter uses (see the module docstring)."""
    from clerk_app.documents.templating import TemplateError, load_builtin_template

    if not args.shipped_template and office_database_exists(settings):
        from clerk_app.services.app_context import open_context
        from clerk_app.services.templates_store import effective_template

        try:
            ctx = open_context(settings)
        except ClerkError as exc:
            # Never silently fall back: the office's copy may differ in law-relevant wording.
            raise ClerkError(
                f"{exc} Pismo z szablonu wbudowanego, bez bazy urzędu: dodaj --shipped-template."
            ) from exc
        try:
            return effective_template(ctx.db, args.template)
        finally:
            ctx.close()
    try:
        return load_builtin_template(args.template)
    except TemplateError as exc:
        raise ValidationError(f"Szablon: {exc}") from None


def cmd_letter_render(args: argparse.Namespace, settings: Settings) -> int:
    from clerk_app.documents.letter_pdf import render_letter_pdf
    from clerk_app.models import Channel

    fields = _fields(args)
    if args.data:
        if args.register:
            raise ValidationError("--register: rejestrować można tylko pismo ze sprawy (--case).")
        from clerk_app.services.letter_data import letter_from_data
        from clerk_app.services.letters import merge_fields, prepare_data

        data = prepare_data(
            args.template, merge_fields(_read_json(args.data, "Dane pisma"), fields), _today()
        )
        pdf = render_letter_pdf(letter_from_data(_data_template(args, settings), data))
        target = _write(args.output, pdf)
        emit(args, {"output": str(target)}, f"Zapisano pismo: {target}")
        return 0

    if args.shipped_template:
        raise ValidationError(
            "--shipped-template: pismo ze sprawy zawsze używa szablonu urzędu (tylko z --data)."
        )
    from clerk_app.services.app_context import open_context
    from clerk_app.services.letters import LetterService

    try:
        channel = Channel(args.channel)
    except ValueError:
        raise ValidationError(f"--channel: nieznany sposób wysyłki „{args.channel}”.") from None
    ctx = open_context(settings)
    try:
        service = LetterService(ctx.db, ctx.blobs, acting_user(ctx, args))
        addressee = args.addressee
        if addressee is None:
            context = service.case_context(args.case)
            if not context.parties:
                raise ValidationError(
                    f"Adresat: sprawa {args.case} nie ma stron; podaj --addressee."
                )
            addressee = context.parties[0].correspondent_id
        if args.register:
            saved = service.save(args.template, args.case, fields, addressee, channel=channel)
            with ctx.db.session() as session:
                from clerk_app.models import Attachment

                attachment = session.get(Attachment, saved.attachment_id)
                assert attachment is not None
                pdf = ctx.blobs.get(session, attachment.sha256)
            target = _write(args.output, pdf)
            emit(
                args,
                {"output": str(target), "number": saved.number, "entry_id": saved.entry_id},
                f"Zapisano pismo: {target}; zarejestrowano jako {saved.number}",
            )
            return 0
        pdf = service.preview(args.template, args.case, fields, [addressee])
    finally:
        ctx.close()
    target = _write(args.output, pdf)
    emit(args, {"output": str(target)}, f"Zapisano pismo: {target}")
    return 0


def cmd_letter_merge(args: argparse.Namespace, settings: Settings) -> int:
    from clerk_app.documents.mail_merge import PrintForm
    from clerk_app.services.app_context import open_context
    from clerk_app.services.letters import LetterService

    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ctx = open_context(settings)
    try:
        service = LetterService(ctx.db, ctx.blobs, acting_user(ctx, args))
        ids = args.addressee or [
            p.correspondent_id for p in service.case_context(args.case).parties
        ]
        result = service.mail_merge(
            args.template, args.case, _fields(args), ids, form=PrintForm(args.form)
        )
    finally:
        ctx.close()
    assert result is not None  # no cancel callback here
    files = []
    for saved, pdf in zip(result.letters, result.pdfs, strict=True):
        files.append(_write(str(out_dir / saved.file_name), pdf))
    files.append(_write(str(out_dir / "do_druku.pdf"), result.combined_pdf))
    files.append(_write(str(out_dir / f"{args.form}.pdf"), result.print_pdf))
    files.append(_write(str(out_dir / "ksiazka_nadawcza.pdf"), result.dispatch_book_pdf))
    emit(
        args,
        {"numbers": [s.number for s in result.letters], "files": [str(f) for f in files]},
        "\n".join(
            [f"Zarejestrowano: {', '.join(s.number for s in result.letters)}"]
            + [f"Zapisano: {f}" for f in files]
        ),
    )
    return 0


def _today() -> Any:
    from datetime import date

    return date.today()
