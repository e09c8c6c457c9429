"""Report 9: delivery status of outgoing letters sent in a period.

Three sections, each a list of outgoing register entries:

- receipts outstanding: sent by a channel that returns a proof of delivery
  (registered letter with ZPO, ePUAP, e-Doręczenia) and no proof recorded yet,
  oldest first; past ``RECEIPT_WAIT_DAYS`` the note says to check for a returned
  letter or a deemed delivery;
- deemed deliveries (doręczenie zastępcze, art. 44 KPA; e-delivery after 14 days);
- failed e-deliveries (ePUAP, e-Doręczenia), with the sending error if known.

A letter counts on the day it was sent or, never sent, on the office's calendar
day of registration. Whether it belongs to a unit is taken from its case, else
from its assignment.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from clerk_app.models import (
    Case,
    Channel,
    Correspondent,
    DeliveryStatus,
    Direction,
    OutboxMessage,
    RegisterEntry,
)
from clerk_app.models.types import utc_now
from clerk_app.services.case_history import local_date
from clerk_app.services.correspondents import address_line
from clerk_app.services.reports.base import (
    TOTAL_LABEL,
    ChartSeries,
    Column,
    ColumnKind,
    EmptyReportError,
    Progress,
    ReportData,
    ReportParams,
    Section,
    period_label,
    pl_date,
)
from clerk_app.services.reports.common import (
    as_of,
    find_unit,
    require_period,
    unit_parameters,
    unit_phrase,
    utc_midnight,
)
from clerk_app.services.reports.register_period import CHANNEL_LABELS

NAME = "delivery"
TITLE = "Status doręczeń pism wychodzących"
RECEIPT_WAIT_DAYS = 14  # art. 44 § 1 KPA: the letter waits 14 days at the post office
RECEIPT_CHANNELS = (Channel.REGISTERED_ZPO, Channel.EPUAP, Channel.EDORECZENIA)
E_CHANNELS = (Channel.EPUAP, Channel.EDORECZENIA)
OUTSTANDING = "Oczekujące na potwierdzenie odbioru"
DEEMED = "Doręczenia zastępcze (uznane za doręczone)"
FAILED = "Nieudane doręczenia elektroniczne"


@dataclass(frozen=True)
class _Letter:
    entry_id: int
    number: str
    sent_on: date | None
    day: date  # sent, or registered when never sent
    case_sign: str
    addressee: str
    address: str
    channel: Channel
    tracking_no: str
    delivered_on: date | None
    notes: str


def build(session: Session, params: ReportParams, progress: Progress) -> ReportData:
    date_from, date_to = require_period(params)
    today = as_of(params)
    unit = find_unit(session, params.unit)
    letters = _letters(session, date_from, date_to, unit.id if unit else None, progress)
    outstanding = [
        item
        for item, status in letters
        if status is DeliveryStatus.SENT and item.channel in RECEIPT_CHANNELS
    ]
    deemed = [item for item, status in letters if status is DeliveryStatus.DEEMED_DELIVERED]
    failed = [
        item
        for item, status in letters
        if status is DeliveryStatus.FAILED and item.channel in E_CHANNELS
    ]
    period = period_label(date_from, date_to)
    if not (outstanding or deemed or failed):
        raise EmptyReportError(
            f"Status doręczeń: w okresie {period}{unit_phrase(unit)} nie ma pism oczekujących "
            "na potwierdzenie odbioru, doręczonych zastępczo ani nieudanych doręczeń "
            "elektronicznych."
        )
    errors = _send_errors(session, [item.entry_id for item in failed])
    late = sum(1 for item in outstanding if _days(item, today) > RECEIPT_WAIT_DAYS)
    sections = [
        _section(OUTSTANDING, outstanding, today, _waiting_note),
        _section(DEEMED, sorted(deemed, key=lambda i: (i.delivered_on or i.day, i.number)), today),
        _section(FAILED, failed, today, lambda item, _: errors.get(item.entry_id, "")),
    ]
    used = [c for c in Channel if any(i.channel is c for i in (*outstanding, *deemed, *failed))]
    chart = ChartSeries(
        title="Pisma według kanału i statusu doręczenia",
        categories=tuple(CHANNEL_LABELS[c] for c in used),
        series=tuple(
            (label, tuple(float(sum(1 for i in items if i.channel is c)) for c in used))
            for label, items in (
                ("oczekujące", outstanding),
                ("doręczone zastępczo", deemed),
                ("nieudane", failed),
            )
        ),
    )
    return ReportData(
        name=NAME,
        title=TITLE,
        period=period,
        columns=(
            Column("Lp.", ColumnKind.INT, 0.5),
            Column("Nr w rejestrze", ColumnKind.TEXT, 1.1),
            Column("Data wysłania", ColumnKind.DATE, 0.9),
            Column("Znak sprawy", ColumnKind.TEXT, 1.3),
            Column("Adresat", ColumnKind.TEXT, 1.5),
            Column("Adres", ColumnKind.TEXT, 1.8),
            Column("Kanał", ColumnKind.TEXT, 1.0),
            Column("Nr nadawczy", ColumnKind.TEXT, 1.1),
            Column("Data doręczenia", ColumnKind.DATE, 0.9),
            Column("Dni od wysłania", ColumnKind.INT, 0.7),
            Column("Uwagi", ColumnKind.TEXT, 2.0),
        ),
        sections=tuple(s for s in sections if s.rows),
        generated_at=utc_now(),
        parameters=(*unit_parameters(unit), f"Stan na {pl_date(today)}"),
        chart=chart,
        notes=(
            f"{OUTSTANDING}: {len(outstanding)} (dłużej niż {RECEIPT_WAIT_DAYS} dni: {late}); "
            f"doręczenia zastępcze: {len(deemed)}; "
            f"nieudane doręczenia elektroniczne: {len(failed)}.",
        ),
    )


def _letters(
    session: Session, date_from: date, date_to: date, unit_id: int | None, progress: Progress
) -> list[tuple[_Letter, DeliveryStatus]]:
    # Never-sent letters are dated by registration (UTC): widen by a day, then keep those
    # whose local calendar day falls in the period.
    reg_from = utc_midnight(date_from - timedelta(days=1))
    reg_to = utc_midnight(date_to + timedelta(days=2))
    stmt = (
        select(RegisterEntry, Case.sign, Correspondent)
        .outerjoin(Case, Case.id == RegisterEntry.case_id)
        .outerjoin(Correspondent, Correspondent.id == RegisterEntry.correspondent_id)
        .where(
            RegisterEntry.direction == Direction.OUTGOING,
            RegisterEntry.delivery_status.in_(
                (DeliveryStatus.SENT, DeliveryStatus.DEEMED_DELIVERED, DeliveryStatus.FAILED)
            ),
            or_(
                and_(RegisterEntry.sent_on >= date_from, RegisterEntry.sent_on <= date_to),
                and_(
                    RegisterEntry.sent_on.is_(None),
                    RegisterEntry.registered_at >= reg_from,
                    RegisterEntry.registered_at < reg_to,
                ),
            ),
        )
        .order_by(RegisterEntry.sent_on, RegisterEntry.registered_at, RegisterEntry.id)
    )
    if unit_id is not None:
        stmt = stmt.where(func.coalesce(Case.unit_id, RegisterEntry.assigned_unit_id) == unit_id)
    found = session.execute(stmt).all()
    progress.total = max(len(found), 1)
    letters = []
    for done, (entry, sign, who) in enumerate(found, start=1):
        progress.tick(done)
        day = entry.sent_on or local_date(entry.registered_at)
        if not date_from <= day <= date_to or entry.delivery_status is None:
            continue
        electronic = entry.channel in E_CHANNELS
        if who is None:
            address = ""
        elif electronic:
            address = who.ade or who.epuap_address or address_line(who)
        else:
            address = address_line(who)
        item = _Letter(
            entry_id=entry.id,
            number=entry.number,
            sent_on=entry.sent_on,
            day=day,
            case_sign=sign or "",
            addressee=who.display_name if who is not None else "",
            address=address,
            channel=entry.channel,
            tracking_no=entry.tracking_no,
            delivered_on=entry.delivered_on,
            notes=entry.notes.strip().replace("\n", "; "),
        )
        letters.append((item, DeliveryStatus(entry.delivery_status)))
    return letters


def _send_errors(session: Session, entry_ids: Sequence[int]) -> dict[int, str]:
    """The last sending error of each entry's outbox messages."""
    found: dict[int, str] = {}
    for i in range(0, len(entry_ids), 500):
        for entry_id, error in session.execute(
            select(OutboxMessage.entry_id, OutboxMessage.error)
            .where(OutboxMessage.entry_id.in_(entry_ids[i : i + 500]), OutboxMessage.error != "")
            .order_by(OutboxMessage.created_at, OutboxMessage.id)
        ):
            found[entry_id] = " ".join(error.split())[:300]
    return found


def _days(item: _Letter, today: date) -> int:
    return (today - item.day).days


def _waiting_note(item: _Letter, today: date) -> str:
    if _days(item, today) <= RECEIPT_WAIT_DAYS:
        return ""
    if item.channel in E_CHANNELS:
        return f"ponad {RECEIPT_WAIT_DAYS} dni – sprawdź, czy nastąpiło doręczenie zastępcze"
    return f"ponad {RECEIPT_WAIT_DAYS} dni – sprawdź zwrot przesyłki (art. 44 KPA)"


def _section(
    heading: str,
    items: Sequence[_Letter],
    today: date,
    note: Callable[[_Letter, date], str] | None = None,
) -> Section:
    rows = []
    for no, item in enumerate(items, start=1):
        extra = note(item, today) if note is not None else ""
        rows.append(
            (
                no,
                item.number,
                item.sent_on,
                item.case_sign,
                item.addressee,
                item.address,
                CHANNEL_LABELS[item.channel],
                item.tracking_no,
                item.delivered_on,
                _days(item, today),
                "; ".join(p for p in (extra, item.notes) if p),
            )
        )
    totals = (TOTAL_LABEL, f"pism: {len(rows)}", None, "", "", "", "", "", None, None, "")
    return Section(heading, tuple(rows), totals)
