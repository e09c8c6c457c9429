"""``clerk-app case …`` and ``clerk-app audit …`` commands.

They run as the operating-system account: on the embedded default that account
is the office's clerk (created with every role on first use); on the office
server it must already exist as a user (``clerk-app user add``).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clerk_app.cli import acting_user, emit, json_flag
from clerk_app.config import Settings
from clerk_app.errors import ClerkError, ValidationError

if TYPE_CHECKING:
    pass

OPEN_FIELDS = (
    "unit",
    "jrwa",
    "title",
    "opened_on",
    "deadline",
    "deadline_days",
    "due_on",
    "from_entry",
    "handler",
    "subgroup",
    "initials",
)


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]

    case = sub.add_parser("case", help="sprawy")
    case_sub = case.add_subparsers(dest="case_command", required=True, metavar="AKCJA")

    opening = case_sub.add_parser(
        "open",
        help="załóż sprawę i wypisz jej znak",
        description="Pola z argumentów albo z JSON (--input plik lub '-' dla stdin); "
        "argumenty mają pierwszeństwo. Klucze JSON: " + ", ".join(OPEN_FIELDS) + ".",
    )
    opening.add_argument("--input", help="plik JSON z polami sprawy ('-' = standardowe wejście)")
    opening.add_argument("--unit", help="symbol komórki, np. UA")
    opening.add_argument("--jrwa", help="symbol klasy końcowej JRWA, np. 6727")
    opening.add_argument("--title", help="tytuł sprawy (z pisma, gdy pominięty)")
    opening.add_argument("--opened-on", dest="opened_on", help="data założenia RRRR-MM-DD")
    opening.add_argument(
        "--deadline",
        help="rodzaj terminu: one_month (domyślny), two_months, seven_days, fourteen_days, "
        "appeal_or_complaint, custom_days, custom_date",
    )
    opening.add_argument("--deadline-days", dest="deadline_days", type=int, help="liczba dni")
    opening.add_argument("--due-on", dest="due_on", help="wskazana data terminu RRRR-MM-DD")
    opening.add_argument("--from-entry", dest="from_entry", help="numer pisma, np. RPW/12/2026")
    # dest differs: args.handler is the subcommand's function.
    opening.add_argument("--handler", dest="handler_login", help="login prowadzącego")
    opening.add_argument("--subgroup", type=int, help="numer podgrupy (przed rokiem)")
    opening.add_argument(
        "--initials",
        action="store_const",
        const=True,
        default=None,
        help="dodaj inicjały prowadzącego po roku",
    )
    json_flag(opening)
    opening.set_defaults(handler=cmd_case_open)

    show = case_sub.add_parser("show", help="szczegóły i metryka sprawy")
    show.add_argument("sign", help="znak sprawy, np. UA.6727.41.2026")
    show.add_argument("--pdf", help="zapisz metrykę sprawy do pliku PDF")
    json_flag(show)
    show.set_defaults(handler=cmd_case_show)

    audit = sub.add_parser("audit", help="dziennik zdarzeń")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True, metavar="AKCJA")
    verify = audit_sub.add_parser(
        "verify", help="sprawdź łańcuch skrótów dziennika (kod wyjścia 1, gdy naruszony)"
    )
    json_flag(verify)
    verify.set_defaults(handler=cmd_audit_verify)


def _parse_date(value: Any, field: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(f"{field}: „{value}” nie jest datą RRRR-MM-DD.") from None


def _open_fields(args: argparse.Namespace) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if args.input:
        try:
            raw = sys.stdin.read() if args.input == "-" else Path(args.input).read_text("utf-8")
            loaded = json.loads(raw)
        except OSError as exc:
            raise ClerkError(f"Nie można odczytać pliku {args.input}: {exc.strerror}.") from exc
        except ValueError as exc:
            raise ValidationError(f"Dane JSON: niepoprawny JSON ({exc}).") from exc
        if not isinstance(loaded, dict):
            raise ValidationError("Dane JSON: oczekiwano obiektu z polami sprawy.")
        unknown = sorted(set(loaded) - set(OPEN_FIELDS))
        if unknown:
            raise ValidationError(f"Dane JSON: nieznane pola: {', '.join(unknown)}.")
        fields.update(loaded)
    for name in OPEN_FIELDS:
        value = getattr(args, "handler_login" if name == "handler" else name, None)
        if value is not None:
            fields[name] = value
    return fields


def cmd_case_open(args: argparse.Namespace, settings: Settings) -> int:
    from clerk_app.services.app_context import open_context
    from clerk_app.services.cases import (
        CaseService,
        entry_id_for_number,
        unit_id_for_symbol,
        user_id_for_login,
    )

    fields = _open_fields(args)
    for required, label in (("unit", "Komórka (--unit)"), ("jrwa", "Symbol JRWA (--jrwa)")):
        if not str(fields.get(required) or "").strip():
            raise ValidationError(f"{label}: pole jest wymagane.")
    opened_on = _parse_date(fields.get("opened_on"), "Data założenia") or date.today()
    due_on = _parse_date(fields.get("due_on"), "Wskazana data terminu")
    ctx = open_context(settings)
    try:
        user = acting_user(ctx, args)
        service = CaseService(ctx.db, user)
        row = service.open_case(
            unit_id=unit_id_for_symbol(ctx.db, str(fields["unit"])),
            jrwa_symbol=str(fields["jrwa"]),
            title=str(fields.get("title") or ""),
            opened_on=opened_on,
            deadline_kind=str(fields.get("deadline") or "one_month"),
            origin_entry_id=(
                entry_id_for_number(ctx.db, str(fields["from_entry"]))
                if fields.get("from_entry")
                else None
            ),
            handler_id=(
                user_id_for_login(ctx.db, str(fields["handler"])) if fields.get("handler") else None
            ),
            subgroup=int(fields.get("subgroup") or 0),
            with_initials=bool(fields.get("initials")),
            deadline_days=(
                int(fields["deadline_days"]) if fields.get("deadline_days") is not None else None
            ),
            custom_due_on=due_on,
        )
    finally:
        ctx.close()
    emit(args, {**asdict(row), "status_label": row.status_label}, row.sign)
    return 0


def cmd_case_show(args: argparse.Namespace, settings: Settings) -> int:
    from clerk_app.services.app_context import open_context
    from clerk_app.services.cases import CaseService

    ctx = open_context(settings)
    try:
        service = CaseService(ctx.db, acting_user(ctx, args))
        detail = service.get_case(args.sign)
        history = service.case_history(detail.case.id)
    finally:
        ctx.close()
    if args.pdf:
        from clerk_app.documents.case_history_pdf import (
            CaseHistoryRenderError,
            write_case_history_pdf,
        )

        try:
            write_case_history_pdf(history, Path(args.pdf))
        except CaseHistoryRenderError as exc:
            raise ClerkError(str(exc)) from exc
    case = detail.case
    deadline = detail.deadline
    data = {
        "case": {**asdict(case), "status_label": case.status_label},
        "entries": [asdict(e) for e in detail.entries],
        "pauses": [asdict(p) for p in detail.pauses],
        "deadline": asdict(deadline) if deadline else None,
        "history": [{**asdict(r), "person": r.person} for r in history.rows],
    }
    lines = [
        f"Sprawa {case.sign}: {case.title}",
        f"Komórka: {case.unit_symbol}, JRWA {case.jrwa_symbol} {case.jrwa_title}",
        f"Status: {case.status_label}; prowadzi: {case.handler_name or '—'}",
        f"Założona: {case.opened_on}; zakończona: {case.closed_on or '—'} {case.outcome}".rstrip(),
    ]
    if deadline is not None:
        left = (
            f"po terminie {deadline.days_overdue} dni"
            if deadline.days_left < 0
            else f"zostało {deadline.days_left} dni"
        )
        lines.append(
            f"Termin: {deadline.due_on} ({left}; wstrzymanie: {deadline.paused_days} dni)"
            + ("; należy zawiadomić o zwłoce (art. 36 KPA)" if deadline.delay_notice_due else "")
        )
    if detail.entries:
        lines.append("Pisma:")
        lines += [f"  {e.number}  {e.on or ''}  {e.title or ''}" for e in detail.entries]
    lines.append("Metryka sprawy:")
    lines += [
        f"  {r.no}. {r.action_date}  {r.person}  {r.what_done}"
        + (f"  [{r.document_id}]" if r.document_id else "")
        for r in history.rows
    ]
    if args.pdf:
        lines.append(f"Zapisano metrykę: {args.pdf}")
    emit(args, data, "\n".join(lines))
    return 0


def cmd_audit_verify(args: argparse.Namespace, settings: Settings) -> int:
    from clerk_app.services.app_context import open_context
    from clerk_app.services.case_history import verify_audit

    ctx = open_context(settings)
    try:
        result = verify_audit(ctx.db, acting_user(ctx, args))
    finally:
        ctx.close()
    if result.ok:
        text = f"Dziennik zdarzeń jest nienaruszony (sprawdzono {result.checked} zdarzeń)."
    elif result.first_broken_id is not None:
        text = (
            f"Dziennik zdarzeń NARUSZONY: pierwsze niezgodne zdarzenie nr "
            f"{result.first_broken_id} – {result.reason}."
        )
    else:
        text = f"Dziennik zdarzeń NARUSZONY: {result.reason}."
    emit(args, asdict(result), text)
    return 0 if result.ok else 1
