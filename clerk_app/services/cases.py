"""Cases (sprawy): opening, signs, assignment, statuses, the KPA deadline ledger, case lists.

Every operation is one unit of work: one write transaction that checks
permissions, changes the case, recomputes ``Case.due_on`` with the deadline
engine (so overdue filters run in SQL) and appends the audit event; a refused
call rolls back and leaves its own ``permission_denied`` event.

Who may do what (issue 3 point 9):

- registry clerks (kancelaria) assign cases, link register entries and look a
  case up; they do not open or handle cases;
- case clerks (referenci) open, handle and read the cases of their unit and its
  sub-units, the cases they handle, and — while a stand-in rule makes them the
  substitute of an absent colleague — that colleague's unit and cases;
- managers read everything (case details, history, lists, deadline reports);
- admins manage users, units and the JRWA, not cases;
- a case clerk without a unit is not restricted on the embedded single-clerk
  database and has no cases on the office server.

The deadline (art. 35 KPA) starts on the day the originating letter was received
(or the opening day of a case opened by hand). After an art. 36 delay notice the
new date set in the notice is the deadline; it is kept in ``custom_due_on`` and
only pauses that start after the notice push it further.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from clerk_app.errors import ValidationError
from clerk_app.models import (
    Case,
    CasePause,
    CaseStatus,
    ClosedYear,
    Correspondent,
    JrwaClass,
    JrwaPlan,
    OrgUnit,
    RegisterEntry,
    Role,
    StandIn,
    User,
)
from clerk_app.services import audit, permissions
from clerk_app.services.assignments import record_assignment, resolve_stand_in
from clerk_app.services.case_history import CaseHistory, build_case_history
from clerk_app.services.case_sign import CaseSign, CaseSignError
from clerk_app.services.database import Database
from clerk_app.services.kpa_deadlines import (
    DEFAULT_AT_RISK_DAYS,
    DeadlineError,
    DeadlineKind,
    DeadlineStatus,
    DeadlineTerm,
    Pause,
    PauseReason,
    evaluate_deadline,
)
from clerk_app.services.numbering import next_number
from clerk_app.services.users import CurrentUser

MAX_TITLE_LENGTH = 500
MAX_SUBGROUP = 99_999
PAUSED_STATUSES = (CaseStatus.SUSPENDED, CaseStatus.AWAITING_PARTY)
STATUS_LABELS = {
    CaseStatus.OPEN: "w toku",
    CaseStatus.SUSPENDED: "zawieszona",
    CaseStatus.AWAITING_PARTY: "oczekuje na stronę",
    CaseStatus.CLOSED: "zakończona",
}
_IN_CHUNK = 500
DELAY_NOTICE_ACTION = "zawiadomienie o zwłoce"


# --- plain data crossing the service boundary --------------------------------


@dataclass(frozen=True)
class CaseRow:
    id: int
    sign: str
    unit_id: int
    unit_symbol: str
    jrwa_symbol: str
    jrwa_title: str
    year: int
    seq_no: int
    subgroup: int
    initials: str
    title: str
    status: CaseStatus
    handler_id: int | None
    handler_name: str | None
    opened_on: date
    closed_on: date | None
    outcome: str
    deadline_kind: str
    deadline_days: int | None
    custom_due_on: date | None
    due_on: date | None
    delay_notice_on: date | None
    origin_entry_id: int | None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class LinkedEntry:
    id: int
    number: str
    direction: str
    on: date | None  # received (incoming) or sent (outgoing)
    title: str | None
    sender: str | None


@dataclass(frozen=True)
class PauseRow:
    id: int
    reason: str  # PauseReason value
    reason_label: str
    started_on: date
    ended_on: date | None
    note: str


@dataclass(frozen=True)
class CaseDetail:
    case: CaseRow
    entries: tuple[LinkedEntry, ...]
    pauses: tuple[PauseRow, ...]
    deadline: DeadlineStatus | None


@dataclass(frozen=True)
class CaseListRow:
    """One row of the case list (spis spraw)."""

    no: int
    sign: str
    title: str  # "sprawa (krótka treść)"
    sender: str  # from whom
    sender_ref: str  # their reference
    sender_date: date | None  # date of their letter
    started_on: date
    settled_on: date | None
    notes: str  # how settled

    @property
    def from_whom(self) -> str:
        parts = [self.sender]
        if self.sender_ref:
            parts.append(f"znak: {self.sender_ref}")
        if self.sender_date:
            parts.append(f"z dnia {self.sender_date:%d.%m.%Y}")
        return ", ".join(p for p in parts if p)


@dataclass(frozen=True)
class CaseList:
    unit_symbol: str
    unit_name: str
    jrwa_symbol: str
    jrwa_title: str
    year: int
    rows: tuple[CaseListRow, ...]


@dataclass(frozen=True)
class DeadlineReportRow:
    """A row of the manager's overdue / at-risk list (REGISTER.md, report 2)."""

    case_id: int
    sign: str
    title: str
    handler_name: str | None
    unit_symbol: str
    opened_on: date
    deadline_kind: str
    deadline_label: str
    due_on: date
    paused_days: int
    days_left: int
    overdue: bool
    at_risk: bool
    delay_notice_on: date | None
    delay_notice_due: bool

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)


class _Refused(Exception):
    """Raised inside a unit of work; turned into an audited PermissionDenied after rollback."""

    def __init__(self, why: str, object_type: str, object_id: int | str) -> None:
        super().__init__(why)
        self.why = why
        self.object_type = object_type
        self.object_id = object_id


@dataclass(frozen=True)
class _Scope:
    unrestricted: bool
    unit_ids: frozenset[int]
    handler_ids: frozenset[int]

    def covers_unit(self, unit_id: int) -> bool:
        return self.unrestricted or unit_id in self.unit_ids

    def covers(self, case: Case) -> bool:
        return (
            self.unrestricted
            or case.unit_id in self.unit_ids
            or case.handler_id in self.handler_ids
        )


# --- helpers that do not need the user ---------------------------------------


def parse_deadline_kind(value: DeadlineKind | str) -> DeadlineKind:
    if isinstance(value, DeadlineKind):
        return value
    text = str(value).strip()
    try:
        return DeadlineKind(text)
    except ValueError:
        allowed = ", ".join(k.value for k in DeadlineKind)
        raise ValidationError(
            f"Rodzaj terminu: nieznana wartość „{text}” (dozwolone: {allowed})."
        ) from None


def _term(kind: DeadlineKind, days: int | None, due_on: date | None) -> DeadlineTerm:
    try:
        return DeadlineTerm(
            kind,
            days if kind is DeadlineKind.CUSTOM_DAYS else None,
            due_on if kind is DeadlineKind.CUSTOM_DATE else None,
        )
    except DeadlineError as exc:
        raise ValidationError(f"{exc}.") from None


def overdue_clause(today: date) -> ColumnElement[bool]:
    """SQL filter for overdue cases, for views that filter in the database.

    A paused case keeps the deadline computed when it was paused in ``due_on``
    (a lower bound; its clock stands), so paused cases are left out here.
    """
    return and_(
        Case.due_on.is_not(None),
        Case.due_on < today,
        Case.status.not_in([CaseStatus.CLOSED, *PAUSED_STATUSES]),
    )


def handler_initials(full_name: str) -> str:
    """``Jan Wiśniewski`` → ``JW``; ``Anna Maria Nowak-Kowalska`` → ``AMNK``."""
    words = full_name.replace("-", " ").split()
    return "".join(w[0].upper() for w in words if w[0].isalpha())


def unit_id_for_symbol(db: Database, symbol: str) -> int:
    with db.session() as session:
        unit_id = session.scalar(select(OrgUnit.id).where(OrgUnit.symbol == symbol.strip()))
    if unit_id is None:
        raise ValidationError(f"Komórka organizacyjna: nie ma komórki o symbolu „{symbol}”.")
    return unit_id


def user_id_for_login(db: Database, login: str) -> int:
    with db.session() as session:
        user_id = session.scalar(select(User.id).where(User.login == login.strip()))
    if user_id is None:
        raise ValidationError(f"Prowadzący: nie ma użytkownika „{login}”.")
    return user_id


def entry_id_for_number(db: Database, number: str) -> int:
    with db.session() as session:
        entry_id = session.scalar(
            select(RegisterEntry.id).where(RegisterEntry.number == number.strip())
        )
    if entry_id is None:
        raise ValidationError(f"Pismo: nie ma w rejestrze pozycji „{number}”.")
    return entry_id


# --- the service -------------------------------------------------------------


class CaseService:
    """Case operations for one signed-in user; ``today`` is injectable for tests."""

    def __init__(
        self,
        db: Database,
        user: CurrentUser,
        *,
        today: Callable[[], date] = date.today,
        at_risk_days: int = DEFAULT_AT_RISK_DAYS,
    ) -> None:
        self.db = db
        self.user = user
        self._today = today
        self.at_risk_days = at_risk_days

    # -- units of work and permissions --

    @contextmanager
    def _operation(self, action: str, *, write: bool) -> Iterator[Session]:
        try:
            with self.db.session(write=write) as session:
                yield session
        except _Refused as refused:
            # The operation's transaction is rolled back; the refusal is audited on its own.
            permissions.deny(
                self.db, self.user, action, refused.object_type, refused.object_id, refused.why
            )
            raise AssertionError("permissions.deny always raises") from None

    def _scope(self, session: Session) -> _Scope:
        me = session.get(User, self.user.id)
        if me is None or not me.active:
            raise _Refused("konto nie istnieje albo jest wyłączone", "user", self.user.id)
        today = self._today()
        handler_ids = {me.id}
        frontier = {me.id}
        while frontier:  # stand-in chains: A covers B who covers C
            covered = set(
                session.scalars(
                    select(StandIn.absent_user_id).where(
                        StandIn.substitute_id.in_(frontier),
                        StandIn.date_from <= today,
                        StandIn.date_to >= today,
                    )
                )
            )
            frontier = covered - handler_ids
            handler_ids |= covered
        unit_ids = {
            unit_id
            for unit_id in session.scalars(select(User.unit_id).where(User.id.in_(handler_ids)))
            if unit_id is not None
        }
        frontier = set(unit_ids)
        while frontier:  # sub-units (GK-A under GK)
            children = set(
                session.scalars(select(OrgUnit.id).where(OrgUnit.parent_id.in_(frontier)))
            )
            frontier = children - unit_ids
            unit_ids |= children
        unrestricted = me.unit_id is None and self.db.is_sqlite
        return _Scope(unrestricted, frozenset(unit_ids), frozenset(handler_ids))

    def _check(
        self, session: Session, case: Case, any_case: Iterable[Role] = (), clerk: bool = True
    ) -> None:
        """Allow holders of ``any_case`` roles, and case clerks whose scope covers the case."""
        if self.user.roles & frozenset(any_case):
            return
        if clerk and Role.CASE_CLERK in self.user.roles:
            if self._scope(session).covers(case):
                return
            unit = session.get(OrgUnit, case.unit_id)
            raise _Refused(
                f"sprawa {case.sign} należy do komórki {unit.symbol if unit else '?'}, "
                "której sprawy nie prowadzisz",
                "case",
                case.id,
            )
        roles = {*any_case, *([Role.CASE_CLERK] if clerk else [])}
        names = ", ".join(sorted(permissions.ROLE_NAMES[r] for r in roles))
        raise _Refused(f"wymaga roli: {names}", "case", case.id)

    def _load(self, session: Session, case_id: int, *, lock: bool = False) -> Case:
        stmt = select(Case).where(Case.id == case_id)
        if lock:
            stmt = stmt.with_for_update()
        case = session.scalar(stmt)
        if case is None:
            raise ValidationError(f"Nie ma sprawy o identyfikatorze {case_id}.")
        return case

    @staticmethod
    def _ensure_open(case: Case) -> None:
        if case.status is CaseStatus.CLOSED:
            raise ValidationError(
                f"Sprawa {case.sign} jest zakończona ({case.closed_on}); "
                "aby ją zmienić, najpierw otwórz ją ponownie."
            )

    # -- opening --

    def open_case(
        self,
        unit_id: int,
        jrwa_symbol: str,
        title: str,
        opened_on: date,
        deadline_kind: DeadlineKind | str,
        origin_entry_id: int | None = None,
        handler_id: int | None = None,
        subgroup: int = 0,
        with_initials: bool = False,
        deadline_days: int | None = None,
        custom_due_on: date | None = None,
    ) -> CaseRow:
        """Open (załóż) a case in the unit's case list for the JRWA end class and year."""
        action = "założenie sprawy"
        permissions.require(self.db, self.user, {Role.CASE_CLERK}, action, "org_unit", unit_id)
        kind = parse_deadline_kind(deadline_kind)
        term = _term(kind, deadline_days, custom_due_on)
        if isinstance(subgroup, bool) or not isinstance(subgroup, int):
            raise ValidationError("Numer podgrupy: podaj liczbę całkowitą.")
        if not 0 <= subgroup <= MAX_SUBGROUP:
            raise ValidationError(f"Numer podgrupy: podaj liczbę od 0 do {MAX_SUBGROUP}.")
        title = (title or "").strip()
        symbol = (jrwa_symbol or "").strip()
        today = self._today()
        with self._operation(action, write=True) as session:
            unit = session.get(OrgUnit, unit_id)
            if unit is None or not unit.active:
                raise ValidationError(
                    f"Komórka organizacyjna: nie ma aktywnej komórki o identyfikatorze {unit_id}."
                )
            if not self._scope(session).covers_unit(unit.id):
                raise _Refused(
                    f"sprawy komórki {unit.symbol} zakłada jej referent", "org_unit", unit.id
                )
            year = opened_on.year
            if session.get(ClosedYear, year) is not None:
                raise ValidationError(
                    f"Data założenia: rok {year} jest zamknięty – nie można w nim zakładać spraw."
                )
            jrwa = self._end_class(session, symbol, year)
            entry = None
            if origin_entry_id is not None:
                entry = session.scalar(
                    select(RegisterEntry)
                    .where(RegisterEntry.id == origin_entry_id)
                    .with_for_update()
                )
                if entry is None:
                    raise ValidationError(
                        f"Pismo: nie ma w rejestrze pozycji o identyfikatorze {origin_entry_id}."
                    )
                if entry.case_id is not None:
                    other = session.get(Case, entry.case_id)
                    raise ValidationError(
                        f"Pismo {entry.number} jest już w sprawie "
                        f"{other.sign if other else entry.case_id}."
                    )
                if not title and entry.title:
                    title = entry.title.strip()
            if not title:
                raise ValidationError("Tytuł sprawy: pole jest wymagane.")
            if len(title) > MAX_TITLE_LENGTH:
                raise ValidationError(
                    f"Tytuł sprawy: najwyżej {MAX_TITLE_LENGTH} znaków (podano {len(title)})."
                )
            initials = ""
            if handler_id is not None:
                handler = session.get(User, handler_id)
                if handler is None or not handler.active:
                    raise ValidationError(
                        f"Prowadzący: nie ma aktywnego użytkownika o identyfikatorze {handler_id}."
                    )
            if with_initials:
                routed = resolve_stand_in(session, handler_id, today).user_id
                who = session.get(User, routed if routed is not None else self.user.id)
                initials = handler_initials(who.full_name) if who else ""
                if not initials:
                    raise ValidationError("Inicjały prowadzącego: nie można ich ustalić.")
            seq = next_number(session, f"case:{unit.id}:{jrwa.symbol}", year)
            try:
                sign = CaseSign(
                    unit.symbol,
                    jrwa.symbol,
                    seq,
                    year,
                    subnumber=subgroup or None,
                    initials=initials or None,
                )
            except CaseSignError as exc:
                raise ValidationError(f"{exc}.") from None
            case = Case(
                sign=str(sign),
                unit_id=unit.id,
                jrwa_class_id=jrwa.id,
                year=year,
                seq_no=seq,
                subgroup=subgroup,
                initials=initials,
                title=title,
                status=CaseStatus.OPEN,
                handler_id=self.user.id if handler_id is None else None,
                opened_on=opened_on,
                deadline_kind=kind.value,
                deadline_days=term.days,
                custom_due_on=term.due_on,
                origin_entry_id=entry.id if entry else None,
            )
            session.add(case)
            session.flush()
            if entry is not None:
                entry.case_id = case.id
            self._store_due(session, case)
            audit.record(
                session,
                self.user,
                "open",
                "case",
                case.id,
                summary=f"Założenie sprawy {case.sign}: {title}",
                details={
                    "sign": case.sign,
                    "title": title,
                    "opened_on": opened_on.isoformat(),
                    "deadline_kind": kind.value,
                    "due_on": case.due_on.isoformat() if case.due_on else None,
                    "origin_entry_id": case.origin_entry_id,
                    "document": entry.number if entry else "",
                },
            )
            if handler_id is not None:
                assignment = record_assignment(
                    session,
                    self.user,
                    on=today,
                    case_id=case.id,
                    to_unit_id=unit.id,
                    to_user_id=handler_id,
                )
                case.handler_id = assignment.to_user_id
            return self._row(session, case)

    def _end_class(self, session: Session, symbol: str, year: int) -> JrwaClass:
        if not symbol:
            raise ValidationError("Symbol JRWA: pole jest wymagane.")
        plan_id = session.scalar(
            select(JrwaPlan.id)
            .where(JrwaPlan.valid_from_year <= year)
            .order_by(JrwaPlan.valid_from_year.desc())
            .limit(1)
        )
        if plan_id is None:
            raise ValidationError(
                f"Symbol JRWA: brak wykazu akt obowiązującego w roku {year} "
                "(administrator musi zaimportować JRWA)."
            )
        jrwa = session.scalar(
            select(JrwaClass).where(JrwaClass.plan_id == plan_id, JrwaClass.symbol == symbol)
        )
        if jrwa is None:
            raise ValidationError(
                f"Symbol JRWA: klasy „{symbol}” nie ma w wykazie akt obowiązującym w roku {year}."
            )
        if not jrwa.is_end_class:
            examples = session.scalars(
                select(JrwaClass.symbol)
                .where(
                    JrwaClass.plan_id == plan_id,
                    JrwaClass.symbol.startswith(symbol),
                    JrwaClass.is_end_class.is_(True),
                )
                .order_by(JrwaClass.symbol)
                .limit(5)
            ).all()
            hint = f" (np. {', '.join(examples)})" if examples else ""
            raise ValidationError(
                f"Symbol JRWA: klasa „{symbol}” ({jrwa.title}) nie jest klasą końcową – "
                f"sprawy zakłada się tylko w klasach końcowych{hint}."
            )
        return jrwa

    # -- assignment and linking --

    def assign(self, case_id: int, to_user_id: int, instruction: str = "") -> CaseRow:
        """Assign (dekretuj) the case to a handler; stand-in rules route it on the way."""
        action = "dekretacja sprawy"
        with self._operation(action, write=True) as session:
            case = self._load(session, case_id, lock=True)
            self._check(session, case, any_case=[Role.REGISTRY_CLERK])
            self._ensure_open(case)
            target = session.get(User, to_user_id)
            if target is None or not target.active:
                raise ValidationError(
                    f"Prowadzący: nie ma aktywnego użytkownika o identyfikatorze {to_user_id}."
                )
            assignment = record_assignment(
                session,
                self.user,
                on=self._today(),
                case_id=case.id,
                to_unit_id=case.unit_id,
                to_user_id=to_user_id,
                instruction=instruction,
            )
            case.handler_id = assignment.to_user_id
            return self._row(session, case)

    def link_entry(self, case_id: int, entry_id: int) -> LinkedEntry:
        """File a register entry (incoming or outgoing) in the case."""
        action = "dołączenie pisma do sprawy"
        with self._operation(action, write=True) as session:
            case = self._load(session, case_id, lock=True)
            self._check(session, case, any_case=[Role.REGISTRY_CLERK])
            entry = session.scalar(
                select(RegisterEntry).where(RegisterEntry.id == entry_id).with_for_update()
            )
            if entry is None:
                raise ValidationError(
                    f"Pismo: nie ma w rejestrze pozycji o identyfikatorze {entry_id}."
                )
            if entry.case_id is not None and entry.case_id != case.id:
                other = session.get(Case, entry.case_id)
                raise ValidationError(
                    f"Pismo {entry.number} jest już w sprawie "
                    f"{other.sign if other else entry.case_id}."
                )
            if entry.case_id is None:
                entry.case_id = case.id
                audit.record(
                    session,
                    self.user,
                    "link_entry",
                    "case",
                    case.id,
                    summary=f"Dołączenie pisma {entry.number} do sprawy",
                    details={"entry_id": entry.id, "document": entry.number},
                )
            return self._linked(session, [entry])[0]

    # -- the pause ledger and statuses --

    def suspend(self, case_id: int, on: date, note: str = "") -> CaseRow:
        """Suspend the proceedings (zawieszenie): the KPA clock stops."""
        return self.pause_clock(case_id, PauseReason.SUSPENSION, on, note)

    def await_party(
        self,
        case_id: int,
        on: date,
        note: str = "",
        reason: PauseReason = PauseReason.AWAITING_PARTY,
    ) -> CaseRow:
        """Wait for the party (or another cause of art. 35 § 5): the clock stops."""
        if reason is PauseReason.SUSPENSION:
            raise ValueError("use suspend() for a suspension")
        return self.pause_clock(case_id, reason, on, note)

    def pause_clock(
        self, case_id: int, reason: PauseReason | str, on: date, note: str = ""
    ) -> CaseRow:
        try:
            why = PauseReason(reason)
        except ValueError:
            raise ValidationError(f"Przyczyna wstrzymania: nieznana wartość „{reason}”.") from None
        action = "wstrzymanie biegu terminu"
        with self._operation(action, write=True) as session:
            case = self._load(session, case_id, lock=True)
            self._check(session, case)
            self._ensure_open(case)
            pauses = self._pauses(session, case.id)
            current = next((p for p in pauses if p.ended_on is None), None)
            if current is not None:
                raise ValidationError(
                    f"Data wstrzymania: bieg terminu sprawy {case.sign} jest już wstrzymany "
                    f"od {current.started_on.isoformat()}; najpierw go wznów."
                )
            start = self._start(session, case)
            if on < start:
                raise ValidationError(
                    f"Data wstrzymania: {on.isoformat()} jest wcześniejsza niż początek biegu "
                    f"terminu {start.isoformat()}."
                )
            last_end = max((p.ended_on for p in pauses if p.ended_on), default=None)
            if last_end is not None and on < last_end:
                raise ValidationError(
                    f"Data wstrzymania: {on.isoformat()} przypada przed wznowieniem "
                    f"poprzedniego wstrzymania ({last_end.isoformat()})."
                )
            session.add(
                CasePause(
                    case_id=case.id,
                    reason=why.value,
                    started_on=on,
                    note=note.strip(),
                    created_by_id=self.user.id,
                )
            )
            case.status = (
                CaseStatus.SUSPENDED if why is PauseReason.SUSPENSION else CaseStatus.AWAITING_PARTY
            )
            session.flush()
            self._store_due(session, case)
            audit.record(
                session,
                self.user,
                "pause",
                "case",
                case.id,
                summary=f"{why.label}: od {on.isoformat()}"
                + (f" – {note.strip()}" if note else ""),
                details={"reason": why.value, "on": on.isoformat(), "note": note.strip()},
            )
            return self._row(session, case)

    def resume(self, case_id: int, on: date, note: str = "") -> CaseRow:
        """End the current pause: the clock runs again from ``on``."""
        action = "wznowienie biegu terminu"
        with self._operation(action, write=True) as session:
            case = self._load(session, case_id, lock=True)
            self._check(session, case)
            self._ensure_open(case)
            current = self._open_pause(session, case.id)
            if current is None:
                raise ValidationError(f"Sprawa {case.sign}: bieg terminu nie jest wstrzymany.")
            if on < current.started_on:
                raise ValidationError(
                    f"Data wznowienia: {on.isoformat()} jest wcześniejsza niż data wstrzymania "
                    f"{current.started_on.isoformat()}."
                )
            current.ended_on = on
            case.status = CaseStatus.OPEN
            session.flush()
            before = case.due_on
            self._store_due(session, case)
            days = (on - current.started_on).days
            audit.record(
                session,
                self.user,
                "resume",
                "case",
                case.id,
                summary=f"Wznowienie biegu terminu od {on.isoformat()} "
                f"(wstrzymanie: {days} dni), termin: {case.due_on}",
                details={
                    "on": on.isoformat(),
                    "paused_days": days,
                    "due_before": str(before),
                    "due_on": str(case.due_on),
                    "note": note.strip(),
                },
            )
            return self._row(session, case)

    def close(self, case_id: int, closed_on: date, outcome: str) -> CaseRow:
        """Settle the case (zakończenie) with how it was settled."""
        action = "zakończenie sprawy"
        outcome = (outcome or "").strip()
        with self._operation(action, write=True) as session:
            case = self._load(session, case_id, lock=True)
            self._check(session, case)
            self._ensure_open(case)
            if not outcome:
                raise ValidationError("Sposób załatwienia: pole jest wymagane przy zakończeniu.")
            if closed_on < case.opened_on:
                raise ValidationError(
                    f"Data zakończenia: {closed_on.isoformat()} jest wcześniejsza niż data "
                    f"założenia sprawy {case.opened_on.isoformat()}."
                )
            current = self._open_pause(session, case.id)
            if current is not None:
                if closed_on < current.started_on:
                    raise ValidationError(
                        f"Data zakończenia: {closed_on.isoformat()} jest wcześniejsza niż "
                        f"wstrzymanie biegu terminu od {current.started_on.isoformat()}."
                    )
                current.ended_on = closed_on
            case.status = CaseStatus.CLOSED
            case.closed_on = closed_on
            case.outcome = outcome
            session.flush()
            self._store_due(session, case)
            audit.record(
                session,
                self.user,
                "close",
                "case",
                case.id,
                summary=f"Zakończenie sprawy {closed_on.isoformat()}: {outcome}",
                details={"closed_on": closed_on.isoformat(), "outcome": outcome},
            )
            return self._row(session, case)

    def reopen(self, case_id: int, on: date, reason: str) -> CaseRow:
        """Reopen a closed case (e.g. after an appeal was upheld); the reason is required."""
        action = "ponowne otwarcie sprawy"
        reason = (reason or "").strip()
        with self._operation(action, write=True) as session:
            case = self._load(session, case_id, lock=True)
            self._check(session, case)
            if case.status is not CaseStatus.CLOSED:
                raise ValidationError(f"Sprawa {case.sign} nie jest zakończona.")
            if not reason:
                raise ValidationError("Przyczyna ponownego otwarcia: pole jest wymagane.")
            previous = {"closed_on": str(case.closed_on), "outcome": case.outcome}
            case.status = CaseStatus.OPEN
            case.closed_on = None
            case.outcome = ""
            session.flush()
            self._store_due(session, case)
            audit.record(
                session,
                self.user,
                "reopen",
                "case",
                case.id,
                summary=f"Ponowne otwarcie sprawy {on.isoformat()}: {reason}",
                details={"on": on.isoformat(), "reason": reason, "previous": previous},
            )
            return self._row(session, case)

    def record_delay_notice(
        self, case_id: int, sent_on: date, new_date: date, reason: str = ""
    ) -> CaseRow:
        """Art. 36 KPA: the parties were told of the delay, its reason and the new date."""
        with self._operation(DELAY_NOTICE_ACTION, write=True) as session:
            self._check(session, self._load(session, case_id, lock=True))
            return self.record_delay_notice_in(session, case_id, sent_on, new_date, reason)

    def authorize_delay_notice(self, case_id: int) -> None:
        """Raise (and audit) unless the user may record a delay notice on the case.

        Call it before opening the session given to :meth:`record_delay_notice_in`.
        """
        with self._operation(DELAY_NOTICE_ACTION, write=False) as session:
            self._check(session, self._load(session, case_id))

    def record_delay_notice_in(
        self, session: Session, case_id: int, sent_on: date, new_date: date, reason: str = ""
    ) -> CaseRow:
        """Record the notice inside the caller's transaction (the letter is saved with it).
        Permission: :meth:`authorize_delay_notice`.
        """
        case = self._load(session, case_id, lock=True)
        self._ensure_open(case)
        if new_date <= sent_on:
            raise ValidationError(
                f"Nowy termin: {new_date.isoformat()} musi być późniejszy niż data "
                f"zawiadomienia {sent_on.isoformat()}."
            )
        before = self._evaluate(session, case, self._today())
        if before is not None and new_date <= before.due_on:
            raise ValidationError(
                f"Nowy termin: {new_date.isoformat()} musi być późniejszy niż obecny termin "
                f"załatwienia sprawy {before.due_on.isoformat()}."
            )
        case.delay_notice_on = sent_on
        case.custom_due_on = new_date
        session.flush()
        self._store_due(session, case)
        audit.record(
            session,
            self.user,
            "delay_notice",
            "case",
            case.id,
            summary=f"Zawiadomienie o zwłoce (art. 36 KPA) wysłane {sent_on.isoformat()}, "
            f"nowy termin {new_date.isoformat()}" + (f": {reason.strip()}" if reason else ""),
            details={
                "sent_on": sent_on.isoformat(),
                "new_date": new_date.isoformat(),
                "due_before": str(before.due_on) if before else None,
                "reason": reason.strip(),
            },
        )
        return self._row(session, case)

    # -- deadlines --

    def deadline_status(self, case_id: int, today: date | None = None) -> DeadlineStatus | None:
        """The engine's evaluation (days left/overdue, at risk, paused days, notice due)."""
        with self._operation("podgląd terminu sprawy", write=False) as session:
            case = self._load(session, case_id)
            self._check(session, case, any_case=[Role.MANAGER])
            return self._evaluate(session, case, today or self._today())

    def overdue_and_at_risk(
        self, today: date | None = None, unit_id: int | None = None
    ) -> list[DeadlineReportRow]:
        """Open cases overdue or near their deadline, most overdue first (Monday list)."""
        action = "zestawienie spraw zagrożonych"
        today = today or self._today()
        permissions.require(
            self.db, self.user, {Role.MANAGER, Role.CASE_CLERK}, action, "report", "overdue"
        )
        with self._operation(action, write=True) as session:
            stmt = select(Case).where(
                Case.status != CaseStatus.CLOSED,
                Case.due_on.is_not(None),
                # due_on of a paused case is a lower bound, so this never misses one.
                Case.due_on <= today + timedelta(days=self.at_risk_days),
            )
            if unit_id is not None:
                stmt = stmt.where(Case.unit_id == unit_id)
            if Role.MANAGER not in self.user.roles:
                scope = self._scope(session)
                if unit_id is not None and not scope.covers_unit(unit_id):
                    raise _Refused("to zestawienie innej komórki", "org_unit", unit_id)
                if not scope.unrestricted:
                    stmt = stmt.where(
                        or_(
                            Case.unit_id.in_(scope.unit_ids),
                            Case.handler_id.in_(scope.handler_ids),
                        )
                    )
            cases = session.scalars(stmt.order_by(Case.due_on, Case.id)).all()
            pauses = self._pauses_of(session, [c.id for c in cases])
            rows = []
            for case in cases:
                status = self._evaluate(session, case, today, pauses.get(case.id, []))
                if status is None or not (status.overdue or status.at_risk):
                    continue
                unit = session.get(OrgUnit, case.unit_id)
                handler = session.get(User, case.handler_id) if case.handler_id else None
                kind = parse_deadline_kind(case.deadline_kind)
                rows.append(
                    DeadlineReportRow(
                        case_id=case.id,
                        sign=case.sign,
                        title=case.title,
                        handler_name=handler.full_name if handler else None,
                        unit_symbol=unit.symbol if unit else "",
                        opened_on=case.opened_on,
                        deadline_kind=kind.value,
                        deadline_label=kind.label,
                        due_on=status.due_on,
                        paused_days=status.paused_days,
                        days_left=status.days_left,
                        overdue=status.overdue,
                        at_risk=status.at_risk,
                        delay_notice_on=case.delay_notice_on,
                        delay_notice_due=status.delay_notice_due,
                    )
                )
            rows.sort(key=lambda r: (r.days_left, r.sign))
            audit.record(
                session,
                self.user,
                "view",
                "report",
                "overdue",
                summary=f"Zestawienie spraw zagrożonych na {today.isoformat()}",
                details={"unit_id": unit_id, "cases": [r.case_id for r in rows]},
            )
            return rows

    # -- reading --

    def get_case(self, sign_or_id: str | int) -> CaseDetail:
        """The case with its documents, pauses and deadline; the view is audited."""
        with self._operation("podgląd sprawy", write=True) as session:
            case = self._find(session, sign_or_id)
            self._check(session, case, any_case=[Role.MANAGER, Role.REGISTRY_CLERK])
            entries = session.scalars(
                select(RegisterEntry)
                .where(
                    or_(RegisterEntry.case_id == case.id, RegisterEntry.id == case.origin_entry_id)
                )
                .order_by(RegisterEntry.registered_at, RegisterEntry.id)
            ).all()
            detail = CaseDetail(
                case=self._row(session, case),
                entries=tuple(self._linked(session, entries)),
                pauses=tuple(
                    PauseRow(
                        p.id,
                        p.reason,
                        _reason_label(p.reason),
                        p.started_on,
                        p.ended_on,
                        p.note,
                    )
                    for p in self._pauses(session, case.id)
                ),
                deadline=self._evaluate(session, case, self._today()),
            )
            audit.record(
                session, self.user, "view", "case", case.id, summary=f"Podgląd sprawy {case.sign}"
            )
            return detail

    def case_history(self, case_id: int) -> CaseHistory:
        """The case history (metryka sprawy); the view is audited."""
        with self._operation("podgląd metryki sprawy", write=True) as session:
            case = self._load(session, case_id)
            self._check(session, case, any_case=[Role.MANAGER])
            history = build_case_history(session, case.id)
            audit.record(
                session,
                self.user,
                "view",
                "case",
                case.id,
                summary=f"Podgląd metryki sprawy {case.sign}",
            )
            return history

    def case_list(self, unit_id: int, jrwa_symbol: str, year: int) -> CaseList:
        """The case list (spis spraw) of one unit, JRWA class and year; the view is audited."""
        action = "spis spraw"
        permissions.require(
            self.db, self.user, {Role.MANAGER, Role.CASE_CLERK}, action, "org_unit", unit_id
        )
        symbol = (jrwa_symbol or "").strip()
        with self._operation(action, write=True) as session:
            unit = session.get(OrgUnit, unit_id)
            if unit is None:
                raise ValidationError(
                    f"Komórka organizacyjna: nie ma komórki o identyfikatorze {unit_id}."
                )
            if Role.MANAGER not in self.user.roles and not self._scope(session).covers_unit(
                unit.id
            ):
                raise _Refused(f"spis spraw komórki {unit.symbol}", "org_unit", unit.id)
            jrwa = self._class_for_year(session, symbol, year)
            result = session.execute(
                select(Case, RegisterEntry, Correspondent)
                .join(JrwaClass, JrwaClass.id == Case.jrwa_class_id)
                .outerjoin(RegisterEntry, RegisterEntry.id == Case.origin_entry_id)
                .outerjoin(Correspondent, Correspondent.id == RegisterEntry.correspondent_id)
                .where(Case.unit_id == unit.id, Case.year == year, JrwaClass.symbol == symbol)
                .order_by(Case.seq_no, Case.subgroup)
            ).all()
            rows = []
            for case, entry, sender in result:
                unknown = set((entry.unknown_fields or "").split(",")) if entry else set()
                rows.append(
                    CaseListRow(
                        no=case.seq_no,
                        sign=case.sign,
                        title=case.title,
                        sender=(
                            sender.display_name
                            if sender
                            else ("brak danych" if "sender" in unknown else "")
                        ),
                        sender_ref=(
                            (entry.letter_ref or "")
                            if entry and "letter_ref" not in unknown
                            else ("brak danych" if entry else "")
                        ),
                        sender_date=entry.letter_date if entry else None,
                        started_on=case.opened_on,
                        settled_on=case.closed_on,
                        notes=case.outcome,
                    )
                )
            audit.record(
                session,
                self.user,
                "view",
                "case_list",
                f"{unit.symbol}.{symbol}.{year}",
                summary=f"Podgląd spisu spraw {unit.symbol}.{symbol} za {year}",
            )
            return CaseList(unit.symbol, unit.name, symbol, jrwa.title, year, tuple(rows))

    # -- internals --

    def _find(self, session: Session, sign_or_id: str | int) -> Case:
        if isinstance(sign_or_id, int) or (
            isinstance(sign_or_id, str) and sign_or_id.strip().isdigit()
        ):
            return self._load(session, int(sign_or_id))
        try:
            sign = CaseSign.parse(sign_or_id)
        except CaseSignError as exc:
            raise ValidationError(f"{exc}.") from None
        case = session.scalar(select(Case).where(Case.sign == str(sign)))
        if case is None:
            raise ValidationError(f"Znak sprawy: nie ma sprawy „{sign}”.")
        return case

    def _class_for_year(self, session: Session, symbol: str, year: int) -> JrwaClass:
        jrwa = session.scalar(
            select(JrwaClass)
            .join(JrwaPlan, JrwaPlan.id == JrwaClass.plan_id)
            .where(JrwaClass.symbol == symbol, JrwaPlan.valid_from_year <= year)
            .order_by(JrwaPlan.valid_from_year.desc())
            .limit(1)
        )
        if jrwa is None:
            raise ValidationError(
                f"Symbol JRWA: klasy „{symbol}” nie ma w wykazie akt obowiązującym w roku {year}."
            )
        return jrwa

    def _row(self, session: Session, case: Case) -> CaseRow:
        unit = session.get(OrgUnit, case.unit_id)
        jrwa = session.get(JrwaClass, case.jrwa_class_id)
        handler = session.get(User, case.handler_id) if case.handler_id else None
        return CaseRow(
            id=case.id,
            sign=case.sign,
            unit_id=case.unit_id,
            unit_symbol=unit.symbol if unit else "",
            jrwa_symbol=jrwa.symbol if jrwa else "",
            jrwa_title=jrwa.title if jrwa else "",
            year=case.year,
            seq_no=case.seq_no,
            subgroup=case.subgroup,
            initials=case.initials,
            title=case.title,
            status=case.status,
            handler_id=case.handler_id,
            handler_name=handler.full_name if handler else None,
            opened_on=case.opened_on,
            closed_on=case.closed_on,
            outcome=case.outcome,
            deadline_kind=case.deadline_kind,
            deadline_days=case.deadline_days,
            custom_due_on=case.custom_due_on,
            due_on=case.due_on,
            delay_notice_on=case.delay_notice_on,
            origin_entry_id=case.origin_entry_id,
        )

    def _linked(self, session: Session, entries: Iterable[RegisterEntry]) -> list[LinkedEntry]:
        out = []
        for entry in entries:
            sender = (
                session.get(Correspondent, entry.correspondent_id)
                if entry.correspondent_id
                else None
            )
            out.append(
                LinkedEntry(
                    id=entry.id,
                    number=entry.number,
                    direction=entry.direction.value,
                    on=entry.received_on or entry.sent_on,
                    title=entry.title,
                    sender=sender.display_name if sender else None,
                )
            )
        return out

    def _pauses(self, session: Session, case_id: int) -> list[CasePause]:
        return list(
            session.scalars(
                select(CasePause)
                .where(CasePause.case_id == case_id)
                .order_by(CasePause.started_on, CasePause.id)
            )
        )

    def _pauses_of(self, session: Session, case_ids: list[int]) -> dict[int, list[CasePause]]:
        found: dict[int, list[CasePause]] = {}
        for i in range(0, len(case_ids), _IN_CHUNK):
            chunk = case_ids[i : i + _IN_CHUNK]
            for pause in session.scalars(select(CasePause).where(CasePause.case_id.in_(chunk))):
                found.setdefault(pause.case_id, []).append(pause)
        return found

    def _open_pause(self, session: Session, case_id: int) -> CasePause | None:
        return session.scalar(
            select(CasePause)
            .where(CasePause.case_id == case_id, CasePause.ended_on.is_(None))
            .with_for_update()
        )

    def _start(self, session: Session, case: Case) -> date:
        """The day the KPA period starts: receipt of the originating letter, else opening."""
        if case.origin_entry_id is not None:
            received = session.scalar(
                select(RegisterEntry.received_on).where(RegisterEntry.id == case.origin_entry_id)
            )
            if received is not None:
                return min(received, case.opened_on)
        return case.opened_on

    def _evaluate(
        self,
        session: Session,
        case: Case,
        today: date,
        pauses: list[CasePause] | None = None,
    ) -> DeadlineStatus | None:
        if not case.deadline_kind:
            return None
        kind = parse_deadline_kind(case.deadline_kind)
        start = self._start(session, case)
        ledger = [
            Pause(p.started_on, _reason(p.reason), p.ended_on)
            for p in (pauses if pauses is not None else self._pauses(session, case.id))
        ]
        if case.delay_notice_on is not None and case.custom_due_on is not None:
            # Art. 36: the date given in the notice replaces the statutory deadline.
            term = DeadlineTerm(DeadlineKind.CUSTOM_DATE, due_on=case.custom_due_on)
            ledger = [p for p in ledger if p.paused_on >= case.delay_notice_on]
        else:
            term = _term(kind, case.deadline_days, case.custom_due_on)
        try:
            return evaluate_deadline(
                term,
                start,
                today=today,
                pauses=ledger,
                settled_on=case.closed_on,
                delay_notice_sent_on=case.delay_notice_on,
                at_risk_days=self.at_risk_days,
            )
        except DeadlineError as exc:
            raise ValidationError(f"Termin sprawy {case.sign}: {exc}.") from None

    def _store_due(self, session: Session, case: Case) -> None:
        status = self._evaluate(session, case, self._today())
        case.due_on = status.due_on if status else None


def _reason(value: str) -> PauseReason:
    try:
        return PauseReason(value)
    except ValueError:
        return PauseReason.OTHER


def _reason_label(value: str) -> str:
    return _reason(value).label
