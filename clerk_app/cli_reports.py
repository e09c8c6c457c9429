"""``clerk-app report …``: managers' reports to PDF, CSV or XLSX from scripts.

    clerk-app report list
    clerk-app report overdue -o poniedzialek.pdf
    clerk-app report register --from 2026-01-01 --to 2026-03-31 -o rejestr_q1.xlsx
    clerk-app report case-list --year 2026 --unit UA --jrwa 6727 -o spis.pdf
    clerk-app report case-history --case UA.6727.41.2026 -o metryka.pdf

The format follows the output file's suffix. Without ``-o`` the table is printed
(or, with ``--json``, the whole report as JSON). Commands run as the
operating-system account, like ``clerk-app case``; reports need the manager role.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from clerk_app.cli import acting_user, emit
from clerk_app.config import Settings
from clerk_app.errors import ValidationError

LIST = "list"


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg, unused-ignore]
    from clerk_app.services.reports import CATALOGUE

    names = [spec.name for spec in CATALOGUE]
    report = sub.add_parser(
        "report",
        help="raporty kierownika (PDF, CSV, XLSX)",
        description="Raporty: "
        + "; ".join(f"{s.name} – {s.title}" for s in CATALOGUE)
        + ". Format pliku wynika z rozszerzenia (-o plik.pdf|.csv|.xlsx).",
    )
    report.add_argument("name", choices=[LIST, *names], metavar="NAZWA", help="raport albo list")
    report.add_argument("--from", dest="date_from", help="początek okresu RRRR-MM-DD")
    report.add_argument("--to", dest="date_to", help="koniec okresu RRRR-MM-DD")
    report.add_argument("--unit", help="symbol komórki, np. UA")
    report.add_argument("--year", type=int, help="rok, np. 2026")
    report.add_argument("--jrwa", help="symbol JRWA (rejestr skarg: kilka po przecinku)")
    report.add_argument("--case", help="znak sprawy (metryka sprawy)")
    report.add_argument("--today", help="data, na którą liczone są terminy RRRR-MM-DD")
    report.add_argument("-o", "--output", help="plik wynikowy .pdf, .csv lub .xlsx")
    report.add_argument("--json", action="store_true", help="wynik w JSON dla programów")
    report.set_defaults(handler=cmd_report)


def _date(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{field}: „{value}” nie jest datą RRRR-MM-DD.") from None


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from clerk_app.services.reports import CATALOGUE, ReportParams, ReportService, report_spec

    if args.name == LIST:
        emit(
            args,
            [
                {
                    "name": s.name,
                    "title": s.title,
                    "description": s.description,
                    "parameters": sorted(s.params),
                    "required": sorted(s.required),
                }
                for s in CATALOGUE
            ],
            "\n".join(f"{s.name:14} {s.title} – {s.description}" for s in CATALOGUE),
        )
        return 0
    spec = report_spec(args.name)
    output = Path(args.output) if args.output else None
    if output is not None and output.suffix.lower() not in (".pdf", ".csv", ".xlsx"):
        raise ValidationError(
            f"Plik wynikowy (-o): rozszerzenie „{output.suffix or '(brak)'}” – "
            "podaj plik .pdf, .csv albo .xlsx."
        )
    params = ReportParams(
        date_from=_date(args.date_from, "Data „od” (--from)"),
        date_to=_date(args.date_to, "Data „do” (--to)"),
        unit=args.unit,
        year=args.year,
        jrwa=args.jrwa,
        case=args.case,
        today=_date(args.today, "Data terminów (--today)"),
    )
    from clerk_app.services.app_context import open_context

    ctx = open_context(settings)
    try:
        service = ReportService(ctx.db, acting_user(ctx, args))
        data = service.build(spec.name, params)
        office = service.office_name()
    finally:
        ctx.close()
    if output is not None:
        from clerk_app.documents.report_export import write_report

        write_report(data, output, office)
        emit(
            args,
            {
                "report": data.name,
                "title": data.title,
                "period": data.period,
                "rows": data.row_count,
                "totals": list(data.totals) if data.totals else None,
                "output": str(output),
            },
            f"Zapisano raport „{data.title}” ({data.period}, wierszy: {data.row_count}): {output}",
        )
        return 0
    emit(args, _as_json(data), _as_text(data))
    return 0


def _as_json(data: Any) -> dict[str, Any]:
    return {
        "report": data.name,
        "title": data.title,
        "period": data.period,
        "parameters": list(data.parameters),
        "columns": [c.header for c in data.columns],
        "sections": [
            {
                "heading": s.heading,
                "rows": [list(r) for r in s.rows],
                "totals": list(s.totals) if s.totals else None,
            }
            for s in data.sections
        ],
        "notes": list(data.notes),
    }


def _as_text(data: Any) -> str:
    from clerk_app.documents.report_export import format_cell

    kinds = [c.kind for c in data.columns]
    lines = [data.title, f"Okres: {data.period}", *data.parameters, ""]
    for section in data.sections:
        if section.heading:
            lines += ["", section.heading]
        lines.append(" | ".join(c.header for c in data.columns))
        rows = [*section.rows, *([section.totals] if section.totals else [])]
        for row in rows:
            lines.append(" | ".join(format_cell(v, k) for v, k in zip(row, kinds, strict=True)))
    lines += ["", *data.notes]
    return "\n".join(lines).rstrip()
