"""Report 1: the register for a period – incoming and outgoing items by delivery channel.

Incoming items count on their date of receipt; outgoing items on the day they
were sent, or (not sent yet) on the office's calendar day of registration.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from clerk_app.models import Channel, Direction, RegisterEntry
from clerk_app.models.types import utc_now
from clerk_app.services.case_history import local_date
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
)
from clerk_app.services.reports.common import (
    find_unit,
    require_period,
    unit_parameters,
    unit_phrase,
    utc_midnight,
)

NAME = "register"
TITLE = "Rejestr przesyłek za okres – wpływające i wychodzące według kanału"

CHANNEL_LABELS = {
    Channel.PAPER: "papier (poczta)",
    Channel.EPUAP: "ePUAP",
    Channel.EDORECZENIA: "e-Doręczenia",
    Channel.EMAIL: "e-mail",
    Channel.IN_PERSON: "osobiście",
    Channel.REGISTERED_ZPO: "list polecony ZPO",
}


def build(session: Session, params: ReportParams, progress: Progress) -> ReportData:
    date_from, date_to = require_period(params)
    unit = find_unit(session, params.unit)
    # Outgoing items not sent yet are dated by registration (UTC): widen by a day, then
    # keep those whose local calendar day falls in the period.
    reg_from = utc_midnight(date_from - timedelta(days=1))
    reg_to = utc_midnight(date_to + timedelta(days=2))
    stmt = select(
        RegisterEntry.direction,
        RegisterEntry.channel,
        RegisterEntry.sent_on,
        RegisterEntry.registered_at,
    ).where(
        or_(
            and_(
                RegisterEntry.direction == Direction.INCOMING,
                RegisterEntry.received_on >= date_from,
                RegisterEntry.received_on <= date_to,
            ),
            and_(
                RegisterEntry.direction == Direction.OUTGOING,
                RegisterEntry.sent_on >= date_from,
                RegisterEntry.sent_on <= date_to,
            ),
            and_(
                RegisterEntry.direction == Direction.OUTGOING,
                RegisterEntry.sent_on.is_(None),
                RegisterEntry.registered_at >= reg_from,
                RegisterEntry.registered_at < reg_to,
            ),
        )
    )
    if unit is not None:
        stmt = stmt.where(RegisterEntry.assigned_unit_id == unit.id)
    counts: dict[Channel, list[int]] = {channel: [0, 0] for channel in Channel}
    for done, (direction, channel, sent_on, registered_at) in enumerate(
        session.execute(stmt), start=1
    ):
        progress.tick(done)
        if direction is Direction.INCOMING:
            counts[channel][0] += 1
            continue
        day = sent_on if sent_on is not None else local_date(registered_at)
        if date_from <= day <= date_to:
            counts[channel][1] += 1
    total_in = sum(c[0] for c in counts.values())
    total_out = sum(c[1] for c in counts.values())
    period = period_label(date_from, date_to)
    if total_in + total_out == 0:
        where = unit_phrase(unit)
        raise EmptyReportError(
            f"Rejestr przesyłek: w okresie {period}{where} nie zarejestrowano żadnego pisma."
        )
    used = [(channel, inc, out) for channel, (inc, out) in counts.items() if inc or out]
    rows = tuple((CHANNEL_LABELS[channel], inc, out, inc + out) for channel, inc, out in used)
    chart = ChartSeries(
        title="Liczba pism według kanału",
        categories=tuple(CHANNEL_LABELS[channel] for channel, _, _ in used),
        series=(
            ("wpływające", tuple(float(inc) for _, inc, _ in used)),
            ("wychodzące", tuple(float(out) for _, _, out in used)),
        ),
    )
    return ReportData(
        name=NAME,
        title=TITLE,
        period=period,
        columns=(
            Column("Kanał", ColumnKind.TEXT, 3),
            Column("Wpływające", ColumnKind.INT),
            Column("Wychodzące", ColumnKind.INT),
            Column("Razem", ColumnKind.INT),
        ),
        sections=(Section("", rows, (TOTAL_LABEL, total_in, total_out, total_in + total_out)),),
        generated_at=utc_now(),
        parameters=unit_parameters(unit),
        chart=chart,
        landscape=False,
    )
