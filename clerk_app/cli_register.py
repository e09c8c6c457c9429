"""``clerk-app register …`` commands (register add / list).

``register add`` reads one JSON object (``--file`` or standard input) and prints
JSON with the assigned number, e.g.::

    {"direction": "incoming", "received_on": "2026-03-09", "channel": "paper",
     "title": "Wniosek o wypis", "sender": {"kind": "person", "first_name": "Jan",
     "last_name": "Wiśniewski", "city": "Zielona Dolina"}, "letter_date": "2026-03-05",
     "unknown": ["letter_ref"], "unit": "UA", "user": "m.kowalski",
     "instruction": "Do załatwienia", "attachments": ["skan.pdf"]}

Outgoing: ``"direction": "outgoing"`` with ``title``, ``channel``, ``correspondent_id``
or ``sender`` (the addressee), optional ``sent_on``, ``case_id``, ``tracking_no``,
``fee_grosze``. Errors print the Polish message and exit with status 2.

Who the commands act as is decided by ``cli.acting_user`` as for every command: the
OS account on the embedded database; on PostgreSQL ``--user LOGIN`` with the password
in ``CLERK_PASSWORD``, the keyring or on the first line of standard input (before the JSON).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clerk_app.config import Settings
from clerk_app.errors import ValidationError

if TYPE_CHECKING:
    from clerk_app.services.app_context import AppContext
    from clerk_app.services.register import RegisterService
    from clerk_app.services.register_types import EntryRow
    from clerk_app.services.users import CurrentUser

CHANNELS = ["paper", "epuap", "edoreczenia", "email", "in_person", "registered_zpo"]

INCOMING_KEYS = {
    "direction",
    "register",
    "received_on",
    "channel",
    "title",
    "sender",
    "correspondent_id",
    "letter_date",
    "letter_ref",
    "unknown",
    "tracking_no",
    "unit",
    "assigned_unit_id",
    "user",
    "assigned_user_id",
    "instruction",
    "notes",
    "attachments",
    "attachment_count",
    "external_id",
}
OUTGOING_KEYS = {
    "direction",
    "register",
    "sent_on",
    "channel",
    "title",
    "sender",
    "correspondent_id",
    "case_id",
    "tracking_no",
    "fee_grosze",
    "notes",
    "attachments",
}


def add_commands(sub: argparse._SubParsersAction) -> None:
    register = sub.add_parser("register", help="rejestr przesyłek wpływających i wychodzących")
    reg_sub = register.add_subparsers(dest="register_command", required=True, metavar="AKCJA")

    add = reg_sub.add_parser(
        "add",
        help="zarejestruj przesyłkę opisaną w JSON (plik albo standardowe wejście)",
        description="Rejestruje przesyłkę; wypisuje JSON z nadanym numerem.",
    )
    add.add_argument("--file", help="plik JSON (domyślnie standardowe wejście)")
    _user_flag(add)
    add.set_defaults(handler=cmd_register_add)

    lst = reg_sub.add_parser("list", help="lista wpisów rejestru (najnowsze najpierw)")
    lst.add_argument("--from", dest="date_from", metavar="RRRR-MM-DD", help="od dnia")
    lst.add_argument("--to", dest="date_to", metavar="RRRR-MM-DD", help="do dnia")
    lst.add_argument("--channel", choices=CHANNELS, help="sposób doręczenia")
    lst.add_argument("--direction", choices=["incoming", "outgoing"], help="kierunek")
    lst.add_argument("--unit", metavar="SYMBOL", help="komórka organizacyjna (np. UA)")
    lst.add_argument("--limit", type=int, default=100, help="najwyżej tyle wpisów (100)")
    lst.add_argument("--json", action="store_true", help="wynik w JSON dla programów")
    _user_flag(lst)
    lst.set_defaults(handler=cmd_register_list)


def _user_flag(p: argparse.ArgumentParser) -> None:
    from clerk_app.cli import user_flag

    user_flag(p)  # also accepted after the subcommand, as before


def _signed_in(args: argparse.Namespace, ctx: AppContext) -> CurrentUser:
    from clerk_app.cli import acting_user

    return acting_user(ctx, args)


def _service(args: argparse.Namespace, ctx: AppContext) -> RegisterService:
    from clerk_app.services.register import RegisterService

    return RegisterService(ctx.db, ctx.blobs, _signed_in(args, ctx))


def _read_json(args: argparse.Namespace) -> dict[str, Any]:
    try:
        text = Path(args.file).read_text(encoding="utf-8") if args.file else sys.stdin.read()
    except OSError as exc:
        raise ValidationError(
            f"Plik JSON: nie można odczytać {args.file}: {exc.strerror}."
        ) from exc
    except UnicodeDecodeError:
        raise ValidationError("Plik JSON: tekst musi być w kodowaniu UTF-8.") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"Dane JSON: błąd w wierszu {exc.lineno}, kolumnie {exc.colno} ({exc.msg})."
        ) from None
    if not isinstance(data, dict):
        raise ValidationError("Dane JSON: oczekiwano jednego obiektu {…} opisującego przesyłkę.")
    return data


def _text(data: dict[str, Any], key: str, default: str = "") -> str:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ValidationError(f"Dane JSON: pole „{key}” musi być tekstem.")
    return value


def _optional_text(data: dict[str, Any], key: str) -> str | None:
    return _text(data, key) if data.get(key) is not None else None


def _date(data: dict[str, Any], key: str) -> date | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(
            f"Dane JSON: pole „{key}” – „{value}” nie jest datą w postaci RRRR-MM-DD."
        ) from None


def _int(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"Dane JSON: pole „{key}” musi być liczbą całkowitą.")
    return value


def _channel(data: dict[str, Any]) -> Any:
    from clerk_app.models import Channel

    if "channel" not in data:
        raise ValidationError(
            "Sposób doręczenia: pole „channel” jest wymagane (" + ", ".join(CHANNELS) + ")."
        )
    try:
        return Channel(data["channel"])
    except ValueError:
        raise ValidationError(
            f"Sposób doręczenia: „{data['channel']}” nie jest znany ({', '.join(CHANNELS)})."
        ) from None


def _correspondent(data: dict[str, Any]) -> Any:
    from clerk_app.models import CorrespondentKind
    from clerk_app.services.register_types import CorrespondentInput

    sender = data.get("sender")
    if sender is None:
        return None
    if not isinstance(sender, dict):
        raise ValidationError("Dane JSON: pole „sender” musi być obiektem z danymi korespondenta.")
    fields = set(CorrespondentInput.__dataclass_fields__)
    wrong = sorted(set(sender) - fields)
    if wrong:
        raise ValidationError(
            f"Dane JSON: nieznane pole korespondenta „{', '.join(wrong)}” "
            f"(dozwolone: {', '.join(sorted(fields))})."
        )
    try:
        kind = CorrespondentKind(sender.get("kind", "person"))
    except ValueError:
        raise ValidationError(
            "Dane JSON: „sender.kind” musi być „person” albo „institution”."
        ) from None
    values = {k: _text(sender, k) for k in fields - {"kind"} if k in sender}
    return CorrespondentInput(kind=kind, **values)


def _attachments(data: dict[str, Any], base: Path) -> tuple[Any, ...]:
    from clerk_app.services.register_types import AttachmentInput

    items = data.get("attachments") or []
    if not isinstance(items, list):
        raise ValidationError("Dane JSON: „attachments” musi być listą plików.")
    result = []
    for item in items:
        spec = {"path": item} if isinstance(item, str) else item
        if not isinstance(spec, dict) or not isinstance(spec.get("path"), str):
            raise ValidationError(
                'Dane JSON: załącznik podaje się jako ścieżkę albo {"path": …, "name": …}.'
            )
        path = Path(spec["path"])
        if not path.is_absolute():
            path = base / path
        if not path.is_file():
            raise ValidationError(f"Załącznik: nie ma pliku {path}.")
        result.append(
            AttachmentInput(
                file_name=_text(spec, "name") or path.name,
                source=path,
                media_type=_text(spec, "media_type") or "application/octet-stream",
            )
        )
    return tuple(result)


def _check_keys(data: dict[str, Any], allowed: set[str]) -> None:
    wrong = sorted(set(data) - allowed)
    if wrong:
        raise ValidationError(
            f"Dane JSON: nieznane pole „{', '.join(wrong)}” "
            f"(dozwolone: {', '.join(sorted(allowed))})."
        )


def _incoming_draft(data: dict[str, Any], service: RegisterService, base: Path) -> Any:
    from clerk_app.services.register_types import IncomingDraft

    _check_keys(data, INCOMING_KEYS)
    unknown = data.get("unknown") or []
    if not isinstance(unknown, list) or not all(isinstance(u, str) for u in unknown):
        raise ValidationError("Dane JSON: „unknown” musi być listą nazw pól.")
    unit_id = _int(data, "assigned_unit_id")
    if data.get("unit"):
        unit_id = service.unit_id_for(_text(data, "unit"))
    user_id = _int(data, "assigned_user_id")
    if data.get("user"):
        user_id = service.user_id_for(_text(data, "user"))
    return IncomingDraft(
        received_on=_date(data, "received_on") or date.today(),
        channel=_channel(data),
        title=_optional_text(data, "title"),
        correspondent_id=_int(data, "correspondent_id"),
        new_correspondent=_correspondent(data),
        letter_date=_date(data, "letter_date"),
        letter_ref=_optional_text(data, "letter_ref"),
        unknown=frozenset(unknown),
        tracking_no=_text(data, "tracking_no"),
        assigned_unit_id=unit_id,
        assigned_user_id=user_id,
        instruction=_text(data, "instruction"),
        notes=_text(data, "notes"),
        attachments=_attachments(data, base),
        register_symbol=_text(data, "register", "RPW"),
        external_id=_optional_text(data, "external_id"),
        attachment_count=_int(data, "attachment_count"),
    )


def _outgoing_draft(data: dict[str, Any], base: Path) -> Any:
    from clerk_app.services.register_types import OutgoingDraft

    _check_keys(data, OUTGOING_KEYS)
    return OutgoingDraft(
        title=_text(data, "title"),
        channel=_channel(data),
        correspondent_id=_int(data, "correspondent_id"),
        new_correspondent=_correspondent(data),
        case_id=_int(data, "case_id"),
        sent_on=_date(data, "sent_on"),
        tracking_no=_text(data, "tracking_no"),
        fee_grosze=_int(data, "fee_grosze"),
        notes=_text(data, "notes"),
        attachments=_attachments(data, base),
        register_symbol=_text(data, "register", "WYCH"),
    )


def cmd_register_add(args: argparse.Namespace, settings: Settings) -> int:
    from clerk_app.services.app_context import open_context

    ctx = open_context(settings)
    try:
        service = _service(args, ctx)
        data = _read_json(args)
        base = Path(args.file).resolve().parent if args.file else Path.cwd()
        direction = data.get("direction", "incoming")
        if direction == "incoming":
            result = service.register_incoming(_incoming_draft(data, service, base))
        elif direction == "outgoing":
            result = service.register_outgoing(_outgoing_draft(data, base))
        else:
            raise ValidationError(
                f"Dane JSON: „direction” musi być „incoming” albo „outgoing”, nie „{direction}”."
            )
    finally:
        ctx.close()
    json.dump(
        {"entry_id": result.entry_id, "number": result.number, "direction": direction},
        sys.stdout,
        ensure_ascii=False,
    )
    sys.stdout.write("\n")
    return 0


def _row_json(row: EntryRow) -> dict[str, Any]:
    data = asdict(row)
    data["unknown_fields"] = sorted(row.unknown_fields)
    for key, value in data.items():
        if isinstance(value, date):
            data[key] = value.isoformat()
        elif hasattr(value, "value"):
            data[key] = value.value
    return data


def _table(rows: list[EntryRow]) -> str:
    from clerk_app.services.register import shown

    def cell(text: str, width: int) -> str:
        return text if len(text) <= width else text[: width - 1] + "…"

    header = (
        f"{'Numer':<16} {'Data':<10} {'Kanał':<14} {'Nadawca/adresat':<28} {'Komórka':<8} Tytuł"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        day = row.received_on or row.sent_on
        lines.append(
            f"{cell(row.number, 16):<16} {day.isoformat() if day else '':<10} "
            f"{row.channel.value:<14} {cell(shown(row, 'sender'), 28):<28} "
            f"{cell(row.assigned_unit or '', 8):<8} {cell(shown(row, 'title'), 60)}"
        )
    return "\n".join(lines)


def _option_date(option: str, value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            f"Opcja {option}: „{value}” nie jest datą w postaci RRRR-MM-DD."
        ) from None


def cmd_register_list(args: argparse.Namespace, settings: Settings) -> int:
    from clerk_app.models import Channel, Direction
    from clerk_app.services.app_context import open_context
    from clerk_app.services.register_types import RegisterFilter

    filters = RegisterFilter(
        date_from=_option_date("--from", args.date_from),
        date_to=_option_date("--to", args.date_to),
        direction=Direction(args.direction) if args.direction else None,
        channel=Channel(args.channel) if args.channel else None,
        unit_symbol=args.unit,
        limit=args.limit,
    )
    ctx = open_context(settings)
    try:
        rows = _service(args, ctx).list_entries(filters)
    finally:
        ctx.close()
    if args.json:
        json.dump([_row_json(r) for r in rows], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif rows:
        print(_table(rows))
    else:
        print("Brak wpisów spełniających warunki.")
    return 0
