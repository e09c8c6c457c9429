"""Read side of the register and case views: COUNT and page queries, filters and sort in SQL.

The views never load all rows: they ask for the row count once and then for
pages of a few hundred rows. Sorting is an ORDER BY with the id as tiebreak, so
pages are stable; filters are WHERE clauses. A page in the back half of the
result is read in reverse order from the end (``OFFSET total - offset``), so
jumping to the last page of a million rows costs what the first page costs.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select, text
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.expression import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from clerk_app.models import (
    Case,
    CaseStatus,
    Channel,
    Correspondent,
    DeliveryStatus,
    Direction,
    JrwaClass,
    OrgUnit,
    RegisterEntry,
    Role,
    User,
)
from clerk_app.services import audit
from clerk_app.services.database import Database
from clerk_app.services.register_types import EntryRow
from clerk_app.services.users import CurrentUser

PL_COLLATION = "pl-PL-x-icu"
AT_RISK_DAYS = 7
# Roles that read the whole register and every case (others see their unit's and their own).
READ_ALL_REGISTER = frozenset({Role.REGISTRY_CLERK, Role.MANAGER, Role.ADMIN})
READ_ALL_CASES = frozenset({Role.MANAGER, Role.ADMIN})


class EntryState(enum.StrEnum):
    """Where an item is in its life: waiting for a decree, assigned, or filed in a case."""

    UNASSIGNED = "unassigned"
    ASSIGNED = "assigned"
    IN_CASE = "in_case"


class DeadlineFilter(enum.StrEnum):
    OVERDUE = "overdue"
    AT_RISK = "at_risk"


class RegisterColumn(enum.StrEnum):
    NUMBER = "number"
    DATE = "date"  # received (incoming) or sent (outgoing)
    TITLE = "title"
    SENDER = "sender"
    LETTER_DATE = "letter_date"
    LETTER_REF = "letter_ref"
    ASSIGNED = "assigned"
    ATTACHMENTS = "attachments"
    CHANNEL = "channel"
    TRACKING = "tracking"
    CASE_SIGN = "case_sign"
    NOTES = "notes"


class CaseColumn(enum.StrEnum):
    SIGN = "sign"
    TITLE = "title"
    HANDLER = "handler"
    OPENED = "opened"
    DUE = "due"
    DAYS_LEFT = "days_left"
    STATUS = "status"


@dataclass(frozen=True)
class SortSpec:
    column: str
    descending: bool = False


def _enum_or_none(cls: type[enum.StrEnum], value: Any) -> Any:
    return cls(value) if value not in (None, "") else None


def _date_or_none(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


@dataclass(frozen=True)
class RegisterFilter:
    date_from: date | None = None
    date_to: date | None = None
    direction: Direction | None = Direction.INCOMING
    channel: Channel | None = None
    state: EntryState | None = None
    unit_id: int | None = None
    handler_id: int | None = None
    overdue: bool = False
    needs_attention: bool = False
    prefix: str = ""  # number or title prefix (when full-text search is not available)
    ids: tuple[int, ...] | None = None  # restrict to these entries (full-text search hits)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("date_from", "date_to"):
            data[key] = data[key].isoformat() if data[key] else None
        data["ids"] = list(self.ids) if self.ids is not None else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RegisterFilter:
        known = {f.name for f in fields(cls)}
        data = {k: v for k, v in data.items() if k in known}
        return cls(
            date_from=_date_or_none(data.get("date_from")),
            date_to=_date_or_none(data.get("date_to")),
            direction=_enum_or_none(Direction, data.get("direction")),
            channel=_enum_or_none(Channel, data.get("channel")),
            state=_enum_or_none(EntryState, data.get("state")),
            unit_id=data.get("unit_id"),
            handler_id=data.get("handler_id"),
            overdue=bool(data.get("overdue")),
            needs_attention=bool(data.get("needs_attention")),
            prefix=str(data.get("prefix") or ""),
            ids=tuple(data["ids"]) if data.get("ids") is not None else None,
        )


@dataclass(frozen=True)
class CaseFilter:
    unit_id: int | None = None
    handler_id: int | None = None
    status: CaseStatus | None = None
    jrwa_symbol: str = ""  # the class or any of its sub-classes (prefix)
    year: int | None = None
    deadline: DeadlineFilter | None = None
    prefix: str = ""  # sign or title prefix

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CaseFilter:
        return cls(
            unit_id=data.get("unit_id"),
            handler_id=data.get("handler_id"),
            status=_enum_or_none(CaseStatus, data.get("status")),
            jrwa_symbol=str(data.get("jrwa_symbol") or ""),
            year=data.get("year"),
            deadline=_enum_or_none(DeadlineFilter, data.get("deadline")),
            prefix=str(data.get("prefix") or ""),
        )


@dataclass(frozen=True)
class CaseRow:
    id: int
    sign: str
    title: str
    unit: str
    jrwa_symbol: str
    handler: str | None
    status: CaseStatus
    opened_on: date
    due_on: date | None
    closed_on: date | None
    days_left: int | None  # negative when overdue; None when closed or without a deadline


@dataclass(frozen=True)
class Choice:
    id: int
    label: str


@dataclass(frozen=True)
class EntryDetails:
    row: EntryRow
    registered_by: str | None
    instruction: str
    attention_reason: str
    attachment_names: tuple[str, ...] = field(default_factory=tuple)


def parse_unknown(value: str) -> frozenset[str]:
    return frozenset(p for p in value.replace(",", " ").split() if p)


def _collation_available(db: Database) -> bool:
    cached = getattr(db, "_pl_collation", None)
    if cached is None:
        cached = False
        if not db.is_sqlite:
            with db.session() as session:
                cached = (
                    session.scalar(
                        text("SELECT 1 FROM pg_collation WHERE collname = :name"),
                        {"name": PL_COLLATION},
                    )
                    is not None
                )
        db._pl_collation = cached  # type: ignore[attr-defined]
    return bool(cached)


def _user_unit(session: Session, user: CurrentUser) -> int | None:
    return session.scalar(select(User.unit_id).where(User.id == user.id))


def _prefix_pattern(prefix: str) -> str:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def _ordered(keys: Sequence[Any], descending: bool, reverse: bool) -> list[ColumnElement[Any]]:
    """ORDER BY terms, every key in the same direction.

    NULL placement is left to the database (SQLite: smallest, PostgreSQL:
    largest) so the indexes serve the order; on both, the descending order is the
    exact reverse of the ascending one, which the back-half page reads rely on.
    """
    desc = descending != reverse
    return [key.desc() if desc else key.asc() for key in keys]


class _Paged:
    """COUNT and page reads over one filtered, sorted SELECT."""

    def __init__(self, db: Database, user: CurrentUser) -> None:
        self.db = db
        self.user = user
        self._collate = _collation_available(db)

    def _text(self, column: Any) -> Any:
        return column.collate(PL_COLLATION) if self._collate else column

    def _unindexed(self, column: Any) -> Any:
        """``+column`` on SQLite: the same value, but the planner will not pick its index."""
        if not self.db.is_sqlite:
            return column
        return UnaryExpression(column, operator=custom_op("+"), type_=column.type)

    def _page(
        self,
        session: Session,
        stmt: Select,
        keys: list[Any],
        descending: bool,
        offset: int,
        limit: int,
        total: int | None,
    ) -> list[Any]:
        offset = max(offset, 0)
        reverse = total is not None and offset > total // 2
        if reverse:
            assert total is not None
            end = min(offset + limit, total)
            limit = end - offset
            if limit <= 0:
                return []
            offset = total - end
        ordered = stmt.order_by(*_ordered(keys, descending, reverse)).offset(offset).limit(limit)
        rows = list(session.execute(ordered))
        if reverse:
            rows.reverse()
        return rows


class RegisterQuery(_Paged):
    """What the register view, exports and reports read."""

    def _scope(self, session: Session, stmt: Select) -> Select:
        if self.user.roles & READ_ALL_REGISTER:
            return stmt
        unit_id = _user_unit(session, self.user)
        visible = RegisterEntry.assigned_user_id == self.user.id
        if unit_id is not None:
            visible = or_(visible, RegisterEntry.assigned_unit_id == unit_id)
        return stmt.where(visible)

    def _where(
        self, session: Session, stmt: Select, flt: RegisterFilter, sort: SortSpec | None = None
    ) -> Select:
        stmt = self._scope(session, stmt)
        e = RegisterEntry
        if flt.direction is not None:
            # On SQLite an equality on an indexed column of two values looks selective to the
            # planner (more so without ANALYZE statistics), which would then sort every row of
            # the register for one page. Only the date order reads (direction, date) from an
            # index; every other order walks its own index and skips the other register's rows.
            by_date = sort is None or sort.column == RegisterColumn.DATE
            direction = e.direction if by_date else self._unindexed(e.direction)
            stmt = stmt.where(direction == flt.direction)
        if flt.date_from is not None:
            stmt = stmt.where(or_(e.received_on >= flt.date_from, e.sent_on >= flt.date_from))
        if flt.date_to is not None:
            stmt = stmt.where(
                or_(
                    and_(e.received_on.is_not(None), e.received_on <= flt.date_to),
                    and_(e.received_on.is_(None), e.sent_on <= flt.date_to),
                )
            )
            if flt.date_from is not None:
                # Both bounds apply to the same date of the row.
                stmt = stmt.where(
                    or_(
                        and_(e.received_on.is_not(None), e.received_on >= flt.date_from),
                        and_(e.received_on.is_(None), e.sent_on >= flt.date_from),
                    )
                )
        if flt.channel is not None:
            channel = e.channel if sort is None else self._unindexed(e.channel)
            stmt = stmt.where(channel == flt.channel)
        if flt.state is EntryState.UNASSIGNED:
            stmt = stmt.where(
                e.assigned_unit_id.is_(None), e.assigned_user_id.is_(None), e.case_id.is_(None)
            )
        elif flt.state is EntryState.ASSIGNED:
            stmt = stmt.where(
                or_(e.assigned_unit_id.is_not(None), e.assigned_user_id.is_not(None)),
                e.case_id.is_(None),
            )
        elif flt.state is EntryState.IN_CASE:
            stmt = stmt.where(e.case_id.is_not(None))
        if flt.unit_id is not None:
            stmt = stmt.where(e.assigned_unit_id == flt.unit_id)
        if flt.handler_id is not None:
            stmt = stmt.where(e.assigned_user_id == flt.handler_id)
        if flt.needs_attention:
            stmt = stmt.where(e.needs_attention.is_(True))
        if flt.overdue:
            stmt = stmt.where(
                exists().where(
                    Case.id == e.case_id,
                    Case.status != CaseStatus.CLOSED,
                    Case.due_on < date.today(),
                )
            )
        if flt.prefix.strip():
            pattern = _prefix_pattern(flt.prefix.strip())
            stmt = stmt.where(
                or_(
                    e.number.ilike(pattern, escape="\\"),
                    e.title.ilike(pattern, escape="\\"),
                    e.tracking_no.ilike(pattern, escape="\\"),
                )
            )
        if flt.ids is not None:
            stmt = stmt.where(e.id.in_(flt.ids or (-1,)))
        return stmt

    def _sort_keys(self, sort: SortSpec, flt: RegisterFilter) -> list[ColumnElement[Any]]:
        e = RegisterEntry
        column = RegisterColumn(sort.column)
        keys: list[Any]
        if column is RegisterColumn.NUMBER:
            # The unique index (register_symbol, year, seq_no) serves this order.
            keys = [e.register_symbol, e.year, e.seq_no]
        elif column is RegisterColumn.DATE:
            # One register at a time uses the date's index; both together sort by either date.
            if flt.direction is Direction.INCOMING:
                keys = [e.received_on]
            elif flt.direction is Direction.OUTGOING:
                keys = [e.sent_on]
            else:
                keys = [func.coalesce(e.received_on, e.sent_on)]
        elif column is RegisterColumn.TITLE:
            # Text columns sort by the entry's own byte keys (Polish order on both databases,
            # no join): the (key, id) index serves the page.
            keys = [e.title_sort]
        elif column is RegisterColumn.SENDER:
            keys = [e.sender_sort]
        elif column is RegisterColumn.LETTER_DATE:
            keys = [e.letter_date]
        elif column is RegisterColumn.LETTER_REF:
            # A reference is a code (AB.123.2026), not a word: the column's own order, which
            # its index serves on both databases.
            keys = [e.letter_ref]
        elif column is RegisterColumn.ASSIGNED:
            keys = [e.assignee_sort]  # unit symbol, then handler
        elif column is RegisterColumn.ATTACHMENTS:
            keys = [e.attachment_count]
        elif column is RegisterColumn.CHANNEL:
            keys = [e.channel]
        elif column is RegisterColumn.TRACKING:
            keys = [e.tracking_no]
        elif column is RegisterColumn.CASE_SIGN:
            keys = [e.case_sign_sort]
        else:
            keys = [e.notes_sort]
        return [*keys, e.id]

    def count(self, flt: RegisterFilter) -> int:
        with self.db.session() as session:
            stmt = self._where(session, select(func.count()).select_from(RegisterEntry), flt)
            return int(session.scalar(stmt) or 0)

    def page(
        self,
        flt: RegisterFilter,
        sort: SortSpec,
        offset: int,
        limit: int,
        total: int | None = None,
    ) -> list[EntryRow]:
        """Rows ``offset`` … ``offset+limit-1`` of the sorted view; pass ``total`` (the count)
        to read back-half pages from the end."""
        with self.db.session() as session:
            stmt = self._where(session, _entry_select(), flt, sort)
            rows = self._page(
                session, stmt, self._sort_keys(sort, flt), sort.descending, offset, limit, total
            )
            return [_entry_row(r) for r in rows]

    def stream(
        self, flt: RegisterFilter, sort: SortSpec, batch: int = 2000
    ) -> Iterator[list[EntryRow]]:
        """All rows of the view in batches, from one query (exports)."""
        with self.db.session() as session:
            stmt = self._where(session, _entry_select(), flt, sort).order_by(
                *_ordered(self._sort_keys(sort, flt), sort.descending, False)
            )
            result = session.execute(stmt.execution_options(yield_per=batch))
            for part in result.partitions():
                yield [_entry_row(r) for r in part]

    def entry(self, entry_id: int) -> EntryDetails:
        """One entry for the details dialog; the view of personal data is audited."""
        from clerk_app.errors import ValidationError
        from clerk_app.models import Assignment, Attachment

        with self.db.session(write=True) as session:
            stmt = self._where(
                session,
                _entry_select().add_columns(
                    RegisterEntry.created_by_id, RegisterEntry.attention_reason
                ),
                RegisterFilter(direction=None),
            ).where(RegisterEntry.id == entry_id)
            found = session.execute(stmt).first()
            if found is None:
                raise ValidationError(
                    f"Wpis rejestru nr {entry_id} nie istnieje lub jest niedostępny."
                )
            row = _entry_row(found)
            created_by = (
                session.scalar(select(User.full_name).where(User.id == found.created_by_id))
                if found.created_by_id
                else None
            )
            instruction = session.scalar(
                select(Assignment.instruction)
                .where(Assignment.entry_id == entry_id, Assignment.active.is_(True))
                .order_by(Assignment.id.desc())
                .limit(1)
            )
            names = tuple(
                session.scalars(
                    select(Attachment.file_name)
                    .where(Attachment.entry_id == entry_id)
                    .order_by(Attachment.id)
                )
            )
            audit.record(session, self.user, "view", "register_entry", entry_id, row.number)
            return EntryDetails(
                row, created_by, instruction or "", found.attention_reason or "", names
            )

    def number_lookup(self, number: str) -> int | None:
        """The id of the entry with exactly this register number (a scanned sticker)."""
        with self.db.session() as session:
            stmt = self._where(
                session, select(RegisterEntry.id), RegisterFilter(direction=None)
            ).where(RegisterEntry.number == number.strip())
            return session.scalar(stmt)


_SENDER = aliased(Correspondent, name="sender")
_UNIT = aliased(OrgUnit, name="unit")
_HANDLER = aliased(User, name="handler")
_CASE = aliased(Case, name="linked_case")
_CASE_HANDLER = aliased(User, name="case_handler")
_CASE_UNIT = aliased(OrgUnit, name="case_unit")


def _entry_select() -> Select:
    e = RegisterEntry
    return (
        select(
            e.id,
            e.number,
            e.direction,
            e.registered_at,
            e.received_on,
            e.sent_on,
            e.title,
            _SENDER.display_name.label("sender"),
            e.letter_date,
            e.letter_ref,
            e.unknown_fields,
            e.channel,
            e.tracking_no,
            _UNIT.symbol.label("unit"),
            _HANDLER.full_name.label("handler"),
            e.attachment_count,
            e.notes,
            _CASE.sign.label("case_sign"),
            e.version,
            e.needs_attention,
            e.delivery_status,
        )
        .select_from(e)
        .outerjoin(_SENDER, _SENDER.id == e.correspondent_id)
        .outerjoin(_UNIT, _UNIT.id == e.assigned_unit_id)
        .outerjoin(_HANDLER, _HANDLER.id == e.assigned_user_id)
        .outerjoin(_CASE, _CASE.id == e.case_id)
    )


def _entry_row(r: Any) -> EntryRow:
    return EntryRow(
        id=r.id,
        number=r.number,
        direction=r.direction,
        registered_at=r.registered_at,
        received_on=r.received_on,
        sent_on=r.sent_on,
        title=r.title,
        sender=r.sender,
        letter_date=r.letter_date,
        letter_ref=r.letter_ref,
        unknown_fields=parse_unknown(r.unknown_fields or ""),
        channel=r.channel,
        tracking_no=r.tracking_no or "",
        assigned_unit=r.unit,
        assigned_user=r.handler,
        attachment_count=r.attachment_count or 0,
        notes=r.notes or "",
        case_sign=r.case_sign,
        version=r.version,
        needs_attention=bool(r.needs_attention),
        delivery_status=DeliveryStatus(r.delivery_status) if r.delivery_status else None,
    )


class CaseQuery(_Paged):
    """What the case list (and the overdue report) reads."""

    def __init__(
        self, db: Database, user: CurrentUser, today: Callable[[], date] = date.today
    ) -> None:
        super().__init__(db, user)
        self._today = today

    def _where(self, session: Session, stmt: Select, flt: CaseFilter) -> Select:
        c = Case
        if not self.user.roles & READ_ALL_CASES:
            unit_id = _user_unit(session, self.user)
            visible = c.handler_id == self.user.id
            if unit_id is not None:
                visible = or_(visible, c.unit_id == unit_id)
            stmt = stmt.where(visible)
        if flt.unit_id is not None:
            stmt = stmt.where(c.unit_id == flt.unit_id)
        if flt.handler_id is not None:
            stmt = stmt.where(c.handler_id == flt.handler_id)
        if flt.status is not None:
            stmt = stmt.where(c.status == flt.status)
        if flt.year is not None:
            stmt = stmt.where(c.year == flt.year)
        if flt.jrwa_symbol.strip():
            stmt = stmt.where(
                exists()
                .where(
                    JrwaClass.id == c.jrwa_class_id,
                    JrwaClass.symbol.like(_prefix_pattern(flt.jrwa_symbol.strip()), escape="\\"),
                )
                # The page query joins jrwa_class too: the subquery keeps its own.
                .correlate_except(JrwaClass)
            )
        today = self._today()
        if flt.deadline is DeadlineFilter.OVERDUE:
            stmt = stmt.where(c.status != CaseStatus.CLOSED, c.due_on < today)
        elif flt.deadline is DeadlineFilter.AT_RISK:
            stmt = stmt.where(
                c.status != CaseStatus.CLOSED,
                c.due_on >= today,
                c.due_on <= today + timedelta(days=AT_RISK_DAYS),
            )
        if flt.prefix.strip():
            pattern = _prefix_pattern(flt.prefix.strip())
            stmt = stmt.where(
                or_(c.sign.ilike(pattern, escape="\\"), c.title.ilike(pattern, escape="\\"))
            )
        return stmt

    def _sort_keys(self, sort: SortSpec) -> list[ColumnElement[Any]]:
        c = Case
        column = CaseColumn(sort.column)
        keys: list[Any]
        if column is CaseColumn.SIGN:
            keys = [c.year, self._text(_CASE_UNIT.symbol), c.jrwa_class_id, c.seq_no, c.subgroup]
        elif column is CaseColumn.TITLE:
            keys = [self._text(c.title)]
        elif column is CaseColumn.HANDLER:
            keys = [self._text(_CASE_HANDLER.full_name)]
        elif column is CaseColumn.OPENED:
            keys = [c.opened_on]
        elif column in (CaseColumn.DUE, CaseColumn.DAYS_LEFT):
            keys = [c.due_on]
        else:
            keys = [c.status]
        return [*keys, c.id]

    def count(self, flt: CaseFilter) -> int:
        with self.db.session() as session:
            stmt = self._where(session, select(func.count()).select_from(Case), flt)
            return int(session.scalar(stmt) or 0)

    def page(
        self, flt: CaseFilter, sort: SortSpec, offset: int, limit: int, total: int | None = None
    ) -> list[CaseRow]:
        today = self._today()
        with self.db.session() as session:
            stmt = self._where(session, _case_select(), flt)
            rows = self._page(
                session, stmt, self._sort_keys(sort), sort.descending, offset, limit, total
            )
            return [_case_row(r, today) for r in rows]

    def stream(self, flt: CaseFilter, sort: SortSpec, batch: int = 2000) -> Iterator[list[CaseRow]]:
        today = self._today()
        with self.db.session() as session:
            stmt = self._where(session, _case_select(), flt).order_by(
                *_ordered(self._sort_keys(sort), sort.descending, False)
            )
            result = session.execute(stmt.execution_options(yield_per=batch))
            for part in result.partitions():
                yield [_case_row(r, today) for r in part]


def _case_select() -> Select:
    c = Case
    return (
        select(
            c.id,
            c.sign,
            c.title,
            _CASE_UNIT.symbol.label("unit"),
            JrwaClass.symbol.label("jrwa_symbol"),
            _CASE_HANDLER.full_name.label("handler"),
            c.status,
            c.opened_on,
            c.due_on,
            c.closed_on,
        )
        .select_from(c)
        .join(_CASE_UNIT, _CASE_UNIT.id == c.unit_id)
        .join(JrwaClass, JrwaClass.id == c.jrwa_class_id)
        .outerjoin(_CASE_HANDLER, _CASE_HANDLER.id == c.handler_id)
    )


def _case_row(r: Any, today: date) -> CaseRow:
    status = CaseStatus(r.status)
    days_left = (
        (r.due_on - today).days if r.due_on is not None and status != CaseStatus.CLOSED else None
    )
    return CaseRow(
        id=r.id,
        sign=r.sign,
        title=r.title,
        unit=r.unit,
        jrwa_symbol=r.jrwa_symbol,
        handler=r.handler,
        status=status,
        opened_on=r.opened_on,
        due_on=r.due_on,
        closed_on=r.closed_on,
        days_left=days_left,
    )


def list_units(db: Database) -> list[Choice]:
    """Active organisational units for filter and assignment pickers."""
    with db.session() as session:
        rows = session.execute(
            select(OrgUnit.id, OrgUnit.symbol, OrgUnit.name)
            .where(OrgUnit.active.is_(True))
            .order_by(OrgUnit.symbol)
        )
        return [Choice(r.id, f"{r.symbol} – {r.name}") for r in rows]


def list_handlers(db: Database, unit_id: int | None = None) -> list[Choice]:
    """Active users (optionally of one unit) for filter and assignment pickers."""
    with db.session() as session:
        stmt = select(User.id, User.full_name).where(User.active.is_(True))
        if unit_id is not None:
            stmt = stmt.where(User.unit_id == unit_id)
        rows = session.execute(stmt.order_by(User.full_name))
        return [Choice(r.id, r.full_name) for r in rows]


def dumps_view(definition: dict[str, Any]) -> str:
    return json.dumps(definition, ensure_ascii=False, sort_keys=True)
