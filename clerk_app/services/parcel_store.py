"""The local parcel store: look-ups by id, precinct + number, name, address and point.

Offline first: every look-up answers from the local tables; ULDK is asked only when the clerk
presses "check online" (:meth:`ParcelStore.check_online`), and what it returns can be saved
(:meth:`ParcelStore.save_from_uldk`). Bounding-box queries go through the spatial index the
migration creates: the ``parcel_rtree`` / ``plan_zone_rtree`` R*Trees on SQLite, the GiST
index on ``box(point(minx, miny), point(maxx, maxy))`` on PostgreSQL; the exact test
(point in polygon, intersection) is done with shapely on the few rows the index returns.

Sensitive data (register unit, land register number, owners) is never part of the ordinary
results: :meth:`ParcelStore.sensitive` checks the role and audits every view.
"""

from __future__ import annotations

import json
import re
from collections import namedtuple
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

import numpy as np
import shapely
from sqlalchemy import Connection, Float, Integer, String, bindparam, exists, func, select, table
from sqlalchemy import column as sql_column

from clerk_app.errors import ValidationError
from clerk_app.integrations.egib.crs import to_working
from clerk_app.integrations.uldk import UldkClient, UldkError, UldkParcel
from clerk_app.models import ImportBatch, Office, Parcel, ParcelOwner, PlanZone, Role
from clerk_app.models.types import utc_now
from clerk_app.services import audit, permissions
from clerk_app.services.database import Database
from clerk_app.services.parcel_id import (
    CANONICAL_PATTERN,
    VOIVODESHIP_NAMES,
    ParcelId,
    ParcelIdError,
)
from clerk_app.services.parcel_search_input import (
    PointCandidate,
    SearchInput,
    SearchKind,
    classify,
    office_units,
)
from clerk_app.services.text_fold import fold
from clerk_app.services.users import CurrentUser

# Who may see register units, land register numbers and owners (every view is audited).
SENSITIVE_ROLES = frozenset({Role.PLANNER, Role.MANAGER, Role.ADMIN})
# Who may write into the store (imports, saving ULDK answers).
STORE_WRITERS = frozenset({Role.PLANNER, Role.ADMIN})
MAX_CANDIDATES = 50
# A point typed or clicked this close to a boundary is on it (several parcels answer).
POINT_TOLERANCE_M = 0.01
# Geometry differences below these are digitising noise, not a change of the parcel.
GEOMETRY_AREA_TOLERANCE = 0.005
GEOMETRY_SHIFT_TOLERANCE_M = 0.5

_RTREE_COLUMNS = ("id", "minx", "maxx", "miny", "maxy")
_PARCEL_RTREE = table("parcel_rtree", *(sql_column(c) for c in _RTREE_COLUMNS))
_ZONE_RTREE = table("plan_zone_rtree", *(sql_column(c) for c in _RTREE_COLUMNS))

BBox = tuple[float, float, float, float]  # minx, miny, maxx, maxy in EPSG:2180


@dataclass(frozen=True, slots=True)
class ParcelSummary:
    """One parcel as a candidate list shows it (always with its commune)."""

    parcel_id: str
    unit_code: str
    unit_name: str
    county_name: str
    voivodeship_name: str
    precinct_code: str
    precinct_name: str
    sheet: str
    number: str
    area_ha: float | None
    source: str

    @property
    def commune_label(self) -> str:
        name = self.unit_name or self.unit_code
        return f"gm. {name}" + (f", pow. {self.county_name}" if self.county_name else "")

    @property
    def precinct_label(self) -> str:
        name = f" {self.precinct_name}" if self.precinct_name else ""
        sheet = f", ark. {self.sheet}" if self.sheet else ""
        return f"obręb {self.precinct_code}{name}{sheet}"

    @property
    def label(self) -> str:
        """One line for candidate lists: id, number, precinct and commune."""
        return f"{self.parcel_id} — dz. {self.number}, {self.precinct_label}, {self.commune_label}"


@dataclass(frozen=True, slots=True)
class ParcelDetails:
    summary: ParcelSummary
    land_use: tuple[tuple[str, float | None], ...]
    addresses: tuple[str, ...]
    geometry_wkb: bytes
    bbox: BBox
    updated_at: datetime
    batch_id: int | None
    has_sensitive: bool
    """Whether a register unit, land register number or owners are stored (not their values)."""

    @property
    def parcel_id(self) -> str:
        return self.summary.parcel_id

    @property
    def geometry(self) -> Any:
        return shapely.from_wkb(self.geometry_wkb)

    @property
    def geometry_area_ha(self) -> float:
        return float(shapely.area(self.geometry)) / 10_000.0


@dataclass(frozen=True, slots=True)
class ParcelShape:
    """A parcel drawn on the map (neighbours): id, number and geometry."""

    parcel_id: str
    number: str
    geometry_wkb: bytes


@dataclass(frozen=True, slots=True)
class ZoneShape:
    zone_key: str
    symbol: str
    designation: str
    plan_id: str
    plan_name: str
    provisions: str
    geometry_wkb: bytes


@dataclass(frozen=True, slots=True)
class OwnerInfo:
    name: str
    share: str
    address: str


@dataclass(frozen=True, slots=True)
class SensitiveDetails:
    parcel_id: str
    register_unit: str
    land_register_no: str
    owners: tuple[OwnerInfo, ...]


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Candidates for one search-box input; the widget opens the only one, else lists them."""

    input: SearchInput
    candidates: tuple[ParcelSummary, ...]
    message: str = ""
    truncated: bool = False
    points: tuple[PointCandidate, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Difference:
    field: str
    """Polish label of the attribute."""
    local: str
    remote: str


@dataclass(frozen=True, slots=True)
class OnlineCheck:
    parcel_id: str
    remote: UldkParcel | None
    differences: tuple[Difference, ...]
    message: str
    """What to tell the clerk: "agrees", "N differences", "not in ULDK", "service down"."""
    ok: bool
    """False when ULDK could not be asked or did not answer usefully."""


@dataclass(frozen=True, slots=True)
class SaveResult:
    parcel_id: str
    created: bool
    batch_id: int
    repaired: bool


_SUMMARY_COLUMNS = (
    Parcel.parcel_id,
    Parcel.unit_code,
    Parcel.unit_name,
    Parcel.county_name,
    Parcel.voivodeship_name,
    Parcel.precinct_code,
    Parcel.precinct_name,
    Parcel.sheet,
    Parcel.number,
    Parcel.area_ha,
    Parcel.source,
)


def _summary(row: Any) -> ParcelSummary:
    return ParcelSummary(
        parcel_id=row.parcel_id,
        unit_code=row.unit_code,
        unit_name=row.unit_name,
        county_name=row.county_name,
        voivodeship_name=row.voivodeship_name,
        precinct_code=row.precinct_code,
        precinct_name=row.precinct_name,
        sheet=row.sheet,
        number=row.number,
        area_ha=row.area_ha,
        source=row.source,
    )


def _sort_key(summary: ParcelSummary) -> tuple[str, str, int, str]:
    sheet = int(summary.sheet) if summary.sheet.isdigit() else 0
    return (summary.unit_code, summary.precinct_code, sheet, summary.parcel_id)


@cache
def bbox_condition(dialect: str, model: type[Parcel] | type[PlanZone]) -> Any:
    """ "Bounding box overlaps the ``bbox_*`` parameters", through the spatial index.

    Built once per dialect and table: the statement is compiled once and only the four
    parameters change between look-ups (see :func:`bbox_params`).
    """
    minx, miny = bindparam("bbox_minx", type_=Float), bindparam("bbox_miny", type_=Float)
    maxx, maxy = bindparam("bbox_maxx", type_=Float), bindparam("bbox_maxy", type_=Float)
    if dialect == "postgresql":
        own = func.box(func.point(model.minx, model.miny), func.point(model.maxx, model.maxy))
        return own.op("&&")(func.box(func.point(minx, miny), func.point(maxx, maxy)))
    rtree = _PARCEL_RTREE if model is Parcel else _ZONE_RTREE
    ids = select(rtree.c.id).where(
        rtree.c.minx <= maxx, rtree.c.maxx >= minx, rtree.c.miny <= maxy, rtree.c.maxy >= miny
    )
    return model.id.in_(ids)


def bbox_params(bbox: BBox) -> dict[str, float]:
    minx, miny, maxx, maxy = (float(v) for v in bbox)
    return {"bbox_minx": minx, "bbox_miny": miny, "bbox_maxx": maxx, "bbox_maxy": maxy}


@cache
def _point_statement(dialect: str) -> Any:
    return select(*_SUMMARY_COLUMNS, Parcel.geometry_wkb).where(bbox_condition(dialect, Parcel))


@cache
def _zones_statement(dialect: str) -> Any:
    return select(
        PlanZone.zone_key,
        PlanZone.symbol,
        PlanZone.designation,
        PlanZone.plan_id,
        PlanZone.plan_name,
        PlanZone.provisions,
        PlanZone.geometry_wkb,
    ).where(bbox_condition(dialect, PlanZone))


@cache
def _bbox_shapes_statement(dialect: str) -> Any:
    return (
        select(Parcel.parcel_id, Parcel.number, Parcel.geometry_wkb)
        .where(bbox_condition(dialect, Parcel))
        .limit(bindparam("row_limit", type_=Integer))
    )


_GET_STATEMENT = select(
    *_SUMMARY_COLUMNS,
    Parcel.land_use,
    Parcel.addresses,
    Parcel.geometry_wkb,
    Parcel.minx,
    Parcel.miny,
    Parcel.maxx,
    Parcel.maxy,
    Parcel.updated_at,
    Parcel.batch_id,
    Parcel.register_unit,
    Parcel.land_register_no,
    exists().where(ParcelOwner.parcel_pk == Parcel.id).label("has_owners"),
).where(Parcel.parcel_id == bindparam("pid", type_=String))


class _Prepared:
    """A Core select compiled once per dialect and run on the pooled DBAPI cursor.

    The hot look-ups (by id, by point, the map's neighbours) are a few tens of microseconds in
    the database; SQLAlchemy's per-execution machinery would cost several times that. The SQL
    text, the bind order and the result processors (e.g. ``UtcDateTime``) come from
    SQLAlchemy's own compiler, so the statement and its typing stay defined in one place.
    """

    def __init__(self, stmt: Any, dialect: Any) -> None:
        self.compiled = stmt.compile(dialect=dialect)
        self.dialect = dialect
        self.sql: str = self.compiled.string
        self.positional: bool = bool(self.compiled.positional)
        self.order: tuple[str, ...] = tuple(self.compiled.positiontup or ())
        self.binds = {
            name: processor
            for bind, name in self.compiled.bind_names.items()
            if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect))
        }
        self.columns = list(stmt.selected_columns)
        # Rows read by attribute (row.parcel_id), like SQLAlchemy's, without its overhead.
        self.make_row: Callable[[Iterable[Any]], Any] = namedtuple(  # type: ignore[attr-defined]
            "_Row", [c.key for c in self.columns]
        )._make
        self.processors: list[tuple[int, Any]] | None = None

    def all(self, connection: Connection, params: dict[str, Any]) -> list[Any]:
        values = self.compiled.construct_params(params)
        for name, processor in self.binds.items():
            values[name] = processor(values[name])
        args: Any = tuple(values[k] for k in self.order) if self.positional else values
        cursor = connection.connection.cursor()
        try:
            cursor.execute(self.sql, args)
            rows = cursor.fetchall()
            if self.processors is None:
                # The driver's column types are known only once a statement has run.
                self.processors = [
                    (i, processor)
                    for i, (c, d) in enumerate(zip(self.columns, cursor.description, strict=True))
                    if (
                        processor := c.type.dialect_impl(self.dialect).result_processor(
                            self.dialect, d[1]
                        )
                    )
                ]
        finally:
            cursor.close()
        if not self.processors:
            return [self.make_row(r) for r in rows]
        out = []
        for raw in rows:
            row = list(raw)
            for i, processor in self.processors:
                row[i] = processor(row[i])
            out.append(self.make_row(row))
        return out


_PREPARED: dict[tuple[str, str], _Prepared] = {}


def _run(connection: Connection, name: str, stmt: Any, params: dict[str, Any]) -> list[Any]:
    """Rows of a named prebuilt statement, compiled on first use for this dialect."""
    key = (name, connection.dialect.name)
    prepared = _PREPARED.get(key)
    if prepared is None:
        prepared = _PREPARED[key] = _Prepared(stmt, connection.dialect)
    return prepared.all(connection, params)


def _point_bbox(x: float, y: float, pad: float = POINT_TOLERANCE_M) -> BBox:
    return (x - pad, y - pad, x + pad, y + pad)


class ParcelStore:
    """Read and write the local parcel store; one session per call, plain dataclasses out."""

    def __init__(self, db: Database, office_unit: str | None = None) -> None:
        self.db = db
        self.office_unit = office_unit
        """The office's commune (``141201_1`` or the 7-digit TERYT) for "0012 3/4" input."""

    # -- single parcels ------------------------------------------------------------------

    def get(self, parcel_id: ParcelId | str) -> ParcelDetails | None:
        canonical = _canonical(parcel_id)
        with self.db.read() as connection:
            # Core execution of a prebuilt statement: this is the hot path of every look-up.
            rows = _run(connection, "get", _GET_STATEMENT, {"pid": canonical})
        return _details(rows[0]) if rows else None

    def count(self) -> int:
        with self.db.read() as connection:
            return int(connection.scalar(select(func.count()).select_from(Parcel)) or 0)

    def find_by_precinct_number(
        self,
        precinct: str,
        number: str,
        *,
        sheet: str | None = None,
        unit_codes: Sequence[str] = (),
    ) -> list[ParcelSummary]:
        """Every parcel with this number in the precinct (all sheets unless one is given)."""
        stmt = select(*_SUMMARY_COLUMNS).where(
            Parcel.number == number, Parcel.precinct_code == precinct.zfill(4)
        )
        if unit_codes:
            stmt = stmt.where(Parcel.unit_code.in_(list(unit_codes)))
        if sheet is not None:
            stmt = stmt.where(Parcel.sheet == sheet)
        return self._summaries(stmt)

    def find_by_precinct_name(
        self, name: str, number: str, *, sheet: str | None = None
    ) -> list[ParcelSummary]:
        """Parcels with this number in precincts of this name (any commune, diacritics aside)."""
        wanted = fold(name)
        stmt = select(*_SUMMARY_COLUMNS).where(Parcel.number == number)
        if sheet is not None:
            stmt = stmt.where(Parcel.sheet == sheet)
        return [s for s in self._summaries(stmt, limit=None) if fold(s.precinct_name) == wanted][
            :MAX_CANDIDATES
        ]

    def find_by_address(self, text: str) -> list[ParcelSummary]:
        """Parcels whose address points match every word typed (house numbers exactly).

        The office's own commune is searched first through the ``unit_code`` index; the rest
        of the store only when that gives fewer than ``MAX_CANDIDATES`` (the search box lists
        the office's parcels first anyway, so the answer is the same). The SQL pre-filter is a
        LIKE on the most selective word with its foldable letters as wildcards, so "Lakowa"
        still finds "Łąkowa"; the exact word match is done on the few rows it returns.
        """
        words = [w for w in re.split(r"[\s,]+", text) if w]
        if not words:
            return []
        like = _address_like(words)
        patterns = [re.compile(rf"(?<![\w/]){re.escape(fold(w))}(?![\w/])") for w in words]
        own = office_units(self.office_unit)
        found: list[ParcelSummary] = []
        with self.db.read() as connection:
            match = (
                Parcel.addresses.ilike(like, escape="\\")
                if connection.dialect.name == "postgresql"
                # SQLite's LIKE already ignores ASCII case; ILIKE would add lower() per row.
                else Parcel.addresses.like(like, escape="\\")
            )
            base = (
                select(*_SUMMARY_COLUMNS, Parcel.addresses)
                .where(Parcel.addresses != "[]", match)
                .order_by(Parcel.parcel_id)
            )
            scopes = (
                [base.where(Parcel.unit_code.in_(own)), base.where(Parcel.unit_code.not_in(own))]
                if own
                else [base]
            )
            for stmt in scopes:
                for row in connection.execute(stmt):
                    texts = [fold(a) for a in _json_list(row.addresses)]
                    if any(all(p.search(t) for p in patterns) for t in texts):
                        found.append(_summary(row))
                        if len(found) >= MAX_CANDIDATES:
                            return found
        return found

    def at_point(self, x: float, y: float) -> list[ParcelSummary]:
        """Parcels containing an EPSG:2180 point; several when it lies on a shared boundary."""
        point = shapely.Point(x, y)
        with self.db.read() as connection:
            dialect = connection.dialect.name
            rows = _run(
                connection, "point", _point_statement(dialect), bbox_params(_point_bbox(x, y))
            )
        hits = [
            _summary(row)
            for row in rows
            if shapely.distance(shapely.from_wkb(row.geometry_wkb), point) <= POINT_TOLERANCE_M
        ]
        return sorted(hits, key=_sort_key)

    def in_bbox(self, bbox: BBox, *, limit: int = 2_000) -> list[ParcelShape]:
        """Parcels whose geometry meets the box (the map's neighbours)."""
        box = shapely.box(*bbox)
        with self.db.read() as connection:
            rows = _run(
                connection,
                "bbox_shapes",
                _bbox_shapes_statement(connection.dialect.name),
                bbox_params(bbox) | {"row_limit": limit},
            )
        return [
            ParcelShape(r.parcel_id, r.number, r.geometry_wkb)
            for r in rows
            if shapely.intersects(shapely.from_wkb(r.geometry_wkb), box)
        ]

    def neighbours(self, parcel_id: ParcelId | str, *, margin_m: float = 0.5) -> list[ParcelShape]:
        """Parcels touching the parcel (within ``margin_m``), the parcel itself excluded."""
        details = self.get(parcel_id)
        if details is None:
            return []
        geometry = details.geometry
        minx, miny, maxx, maxy = details.bbox
        shapes = self.in_bbox((minx - margin_m, miny - margin_m, maxx + margin_m, maxy + margin_m))
        return [
            s
            for s in shapes
            if s.parcel_id != details.parcel_id
            and shapely.distance(shapely.from_wkb(s.geometry_wkb), geometry) <= margin_m
        ]

    def zones_in_bbox(self, bbox: BBox) -> list[ZoneShape]:
        box = shapely.box(*bbox)
        with self.db.read() as connection:
            zones = _run(
                connection, "zones", _zones_statement(connection.dialect.name), bbox_params(bbox)
            )
        shapes = [
            ZoneShape(
                z.zone_key,
                z.symbol,
                z.designation,
                z.plan_id,
                z.plan_name,
                z.provisions,
                z.geometry_wkb,
            )
            for z in zones
        ]
        return [z for z in shapes if shapely.intersects(shapely.from_wkb(z.geometry_wkb), box)]

    def autocomplete(self, prefix: str, *, limit: int = 12) -> list[str]:
        """Completions for the search box: full ids by prefix, or precinct names."""
        text = " ".join(prefix.split())
        if len(text) < 2:
            return []
        with self.db.read() as session:
            if re.match(r"^\d{6}", text):
                start = text.upper().replace(" ", "")
                if re.match(r"^\d{7}", start):
                    start = f"{start[:6]}_{start[6:]}"
                rows = session.scalars(
                    select(Parcel.parcel_id)
                    .where(Parcel.parcel_id >= start, Parcel.parcel_id < start + "\uffff")
                    .order_by(Parcel.parcel_id)
                    .limit(limit)
                )
                return [r for r in rows if r.startswith(start)]
            if re.match(r"^\d", text):
                return []
            name = text.partition(" ")[0]
            variants = {name, name[:1].upper() + name[1:]}
            names: set[str] = set()
            for variant in variants:
                names.update(
                    session.scalars(
                        select(Parcel.precinct_name)
                        .where(
                            Parcel.precinct_name >= variant,
                            Parcel.precinct_name < variant + "\uffff",
                        )
                        .distinct()
                        .limit(limit)
                    )
                )
        folded = fold(text)
        return sorted(n for n in names if fold(n).startswith(fold(name)) or fold(n) == folded)[
            :limit
        ]

    # -- the search box ------------------------------------------------------------------

    def search(self, text: str) -> SearchResult:
        """Classify the input and find the candidates; raises ValidationError on bad input."""
        parsed = classify(text, self.office_unit)
        if parsed.kind is SearchKind.EMPTY:
            return SearchResult(parsed, (), "Wpisz identyfikator, numer działki, adres lub XY.")
        candidates: list[ParcelSummary] = []
        if parsed.kind is SearchKind.PARCEL_ID and parsed.parcel_id is not None:
            details = self.get(parsed.parcel_id)
            if details is not None:
                candidates = [details.summary]
            elif parsed.parcel_id.sheet is None:
                # Typed without the sheet: the number may exist on several sheets.
                pid = parsed.parcel_id
                candidates = self.find_by_precinct_number(
                    pid.precinct, pid.number, unit_codes=(str(pid.unit),)
                )
        elif parsed.kind is SearchKind.PRECINCT_NUMBER and parsed.precinct_query is not None:
            q = parsed.precinct_query
            candidates = self.find_by_precinct_number(
                q.precinct, q.number, sheet=q.sheet, unit_codes=q.unit_codes
            )
        elif parsed.kind is SearchKind.NAME_NUMBER and parsed.name_query is not None:
            q2 = parsed.name_query
            candidates = self.find_by_precinct_name(q2.name, q2.number, sheet=q2.sheet)
            if parsed.address:
                seen = {c.parcel_id for c in candidates}
                candidates += [
                    c for c in self.find_by_address(parsed.address) if c.parcel_id not in seen
                ]
        elif parsed.kind is SearchKind.ADDRESS and parsed.address:
            candidates = self.find_by_address(parsed.address)
        elif parsed.kind is SearchKind.POINT:
            seen_ids: set[str] = set()
            for point in parsed.points:
                for hit in self.at_point(point.x, point.y):
                    if hit.parcel_id not in seen_ids:
                        seen_ids.add(hit.parcel_id)
                        candidates.append(hit)
        truncated = len(candidates) > MAX_CANDIDATES
        candidates = sorted(candidates, key=self._office_first)[:MAX_CANDIDATES]
        message = "" if candidates else _not_found_message(parsed)
        return SearchResult(parsed, tuple(candidates), message, truncated, parsed.points)

    def _office_first(self, summary: ParcelSummary) -> tuple[int, tuple[str, str, int, str]]:
        own = office_units(self.office_unit)
        return (0 if summary.unit_code in own else 1, _sort_key(summary))

    # -- sensitive data ------------------------------------------------------------------

    def sensitive(self, user: CurrentUser, parcel_id: ParcelId | str) -> SensitiveDetails:
        """Register unit, land register number and owners; role-checked, every view audited."""
        canonical = _canonical(parcel_id)
        permissions.require(
            self.db, user, SENSITIVE_ROLES, "wgląd w dane wrażliwe działki", "parcel", canonical
        )
        with self.db.session(write=True) as session:
            parcel = session.scalar(select(Parcel).where(Parcel.parcel_id == canonical))
            if parcel is None:
                raise ValidationError(f"Działki {canonical} nie ma w lokalnej bazie.")
            owners = tuple(
                OwnerInfo(o.name, o.share, o.address)
                for o in session.scalars(
                    select(ParcelOwner)
                    .where(ParcelOwner.parcel_pk == parcel.id)
                    .order_by(ParcelOwner.id)
                )
            )
            # Owners are personal data: their view is logged as such (like a PESEL shown).
            audit.record(
                session,
                user,
                "view_personal_data" if owners else "parcel_sensitive_view",
                "parcel",
                canonical,
                summary=(
                    f"wgląd we właścicieli działki {canonical}"
                    if owners
                    else f"Wgląd w dane wrażliwe działki {canonical}"
                ),
                details={
                    "fields": ["owners", "register_unit", "land_register_no"]
                    if owners
                    else ["register_unit", "land_register_no"],
                    "owners": len(owners),
                    "land_register_no": bool(parcel.land_register_no),
                },
            )
            return SensitiveDetails(
                canonical, parcel.register_unit, parcel.land_register_no, owners
            )

    # -- ULDK ----------------------------------------------------------------------------

    def check_online(self, client: UldkClient, parcel_id: ParcelId | str) -> OnlineCheck:
        """Ask ULDK for the parcel and compare it with the local store (no write)."""
        canonical = _canonical(parcel_id)
        local = self.get(canonical)
        try:
            remote = client.get_parcel_by_id(canonical, refresh=True)
        except UldkError as exc:
            return OnlineCheck(canonical, None, (), str(exc), ok=False)
        differences = tuple(compare_with_uldk(local, remote))
        if local is None:
            message = "Działki nie ma w lokalnej bazie; ULDK ją zna (można ją zapisać)."
        elif differences:
            message = f"Dane lokalne różnią się od ULDK ({len(differences)})."
        else:
            message = "Dane lokalne zgadzają się z ULDK."
        return OnlineCheck(canonical, remote, differences, message, ok=True)

    def save_from_uldk(
        self, user: CurrentUser, remote: UldkParcel, *, source: str = "ULDK"
    ) -> SaveResult:
        """Store (or update) a parcel as ULDK returned it; audited, one transaction."""
        if remote.parcel_id is None:
            raise ValidationError(
                f"ULDK zwróciło identyfikator „{remote.id}” spoza gramatyki; nie zapisano."
            )
        canonical = str(remote.parcel_id)
        permissions.require(
            self.db, user, STORE_WRITERS, "zapis działki z ULDK", "parcel", canonical
        )
        geometry, repaired = _working_geometry(remote)
        minx, miny, maxx, maxy = (float(v) for v in shapely.bounds(geometry))
        pid = remote.parcel_id
        values: dict[str, Any] = {
            "parcel_id": canonical,
            "unit_code": str(pid.unit),
            "unit_name": remote.commune,
            "county_name": remote.county,
            "voivodeship_name": remote.voivodeship or VOIVODESHIP_NAMES.get(pid.voivodeship, ""),
            "precinct_code": pid.precinct,
            "precinct_name": remote.region,
            "sheet": pid.sheet or "",
            "number": pid.number,
            "geometry_wkb": shapely.to_wkb(geometry),
            "minx": minx,
            "miny": miny,
            "maxx": maxx,
            "maxy": maxy,
            "source": "uldk",
            "updated_at": utc_now(),
        }
        with self.db.session(write=True) as session:
            batch = ImportBatch(
                kind="uldk",
                source=source[:500],
                imported=0,
                updated=0,
                rejected=0,
                repaired=int(repaired),
                report="[]",
                status="running",
            )
            session.add(batch)
            session.flush()
            values["batch_id"] = batch.id
            parcel = session.scalar(select(Parcel).where(Parcel.parcel_id == canonical))
            created = parcel is None
            if parcel is None:
                # ULDK gives no area of record; keep the geometric one until EGiB brings it.
                values["area_ha"] = round(float(shapely.area(geometry)) / 10_000.0, 4)
                session.add(Parcel(**values))
                batch.imported = 1
            else:
                for key, value in values.items():
                    setattr(parcel, key, value)
                batch.updated = 1
            batch.status = "done"
            batch.finished_at = utc_now()
            session.flush()
            audit.record(
                session,
                user,
                "parcel_save_uldk",
                "parcel",
                canonical,
                summary=f"Zapisano działkę {canonical} z ULDK",
                details={"created": created, "batch": batch.id, "repaired": repaired},
            )
            return SaveResult(canonical, created, batch.id, repaired)

    # -- plumbing ------------------------------------------------------------------------

    def _summaries(
        self, stmt: Any, *, limit: int | None = MAX_CANDIDATES + 1
    ) -> list[ParcelSummary]:
        stmt = stmt.order_by(Parcel.parcel_id)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self.db.read() as connection:
            return sorted((_summary(r) for r in connection.execute(stmt)), key=_sort_key)


def compare_with_uldk(local: ParcelDetails | None, remote: UldkParcel) -> list[Difference]:
    """What differs between the local record and ULDK's (names, geometry, area)."""
    if local is None:
        return [Difference("działka", "brak w lokalnej bazie", remote.id)]
    s = local.summary
    diffs: list[Difference] = []
    for label, mine, theirs in (
        ("obręb", s.precinct_name, remote.region),
        ("gmina", s.unit_name, remote.commune),
        ("powiat", s.county_name, remote.county),
        ("województwo", s.voivodeship_name, remote.voivodeship),
    ):
        if theirs and mine and fold(mine) != fold(theirs):
            diffs.append(Difference(label, mine, theirs))
        elif theirs and not mine:
            diffs.append(Difference(label, "(brak)", theirs))
    try:
        theirs_geom, _ = _working_geometry(remote)
    except ValidationError as exc:
        diffs.append(Difference("geometria", "", str(exc)))
        return diffs
    mine_geom = local.geometry
    mine_area = float(shapely.area(mine_geom))
    their_area = float(shapely.area(theirs_geom))
    changed = float(shapely.area(shapely.symmetric_difference(mine_geom, theirs_geom)))
    shift = float(shapely.hausdorff_distance(mine_geom, theirs_geom))
    if (
        changed > GEOMETRY_AREA_TOLERANCE * max(mine_area, 1.0)
        or shift > GEOMETRY_SHIFT_TOLERANCE_M
    ):
        diffs.append(
            Difference(
                "granice",
                f"{mine_area:,.1f} m²".replace(",", " "),
                f"{their_area:,.1f} m² (przesunięcie do {shift:.2f} m)".replace(",", " "),
            )
        )
    return diffs


def _working_geometry(remote: UldkParcel) -> tuple[Any, bool]:
    geometry = remote.geometry.shape
    if remote.geometry.srid != 2180:
        coords = shapely.get_coordinates(geometry)
        x, y = to_working(remote.geometry.srid, coords[:, 0], coords[:, 1])
        geometry = shapely.set_coordinates(geometry, np.column_stack([x, y]))
    repaired = False
    if not shapely.is_valid(geometry):
        repaired = True
        fixed = shapely.make_valid(geometry)
        polygons = [
            g
            for g in shapely.get_parts(fixed)
            if shapely.get_type_id(g) in (3, 6) and not shapely.is_empty(g)
        ]
        if not polygons:
            raise ValidationError(f"Geometria działki {remote.id} z ULDK jest nienaprawialna.")
        geometry = shapely.union_all(polygons)
    if shapely.get_type_id(geometry) not in (3, 6):
        raise ValidationError(f"Geometria działki {remote.id} z ULDK nie jest wielokątem.")
    return geometry, repaired


def _details(parcel: Any) -> ParcelDetails:
    land_use = tuple(
        (str(item[0]), float(item[1]) if item[1] is not None else None)
        for item in _json_list(parcel.land_use)
        if isinstance(item, list | tuple) and item
    )
    return ParcelDetails(
        summary=_summary(parcel),
        land_use=land_use,
        addresses=tuple(str(a) for a in _json_list(parcel.addresses)),
        geometry_wkb=parcel.geometry_wkb,
        bbox=(parcel.minx, parcel.miny, parcel.maxx, parcel.maxy),
        updated_at=parcel.updated_at,
        batch_id=parcel.batch_id,
        has_sensitive=bool(parcel.register_unit or parcel.land_register_no or parcel.has_owners),
    )


def _json_list(text: str | None) -> list[Any]:
    if not text:
        return []
    try:
        value = json.loads(text)
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def _canonical(parcel_id: ParcelId | str) -> str:
    if isinstance(parcel_id, ParcelId):
        return str(parcel_id)
    if CANONICAL_PATTERN.match(parcel_id) and not _zero_precinct_or_number(parcel_id):
        return parcel_id  # already canonical (the hot path: ids from the store itself)
    try:
        return str(ParcelId.parse(parcel_id, allow_legacy_number=True))
    except ParcelIdError as exc:
        raise ValidationError(str(exc)) from exc


def _zero_precinct_or_number(parcel_id: str) -> bool:
    parts = parcel_id.split(".")
    return parts[1] == "0000" or any(p.isdigit() and int(p) == 0 for p in parts[-1].split("/"))


# Letters that folded text may have got from an accented one (ą→a, ł→l, ü→u, é→e, ...):
# the address pre-filter leaves them to a one-character wildcard.
_FOLDABLE = frozenset("acelnoszuiy")


def _address_like(words: Sequence[str]) -> str:
    """A LIKE pattern for the most selective typed word that cannot miss a folded match."""

    def pattern(word: str) -> tuple[int, int, str]:
        chars = ["_" if c in _FOLDABLE or not c.isascii() else _escape_like(c) for c in fold(word)]
        return (sum(c != "_" for c in chars), len(chars), "".join(chars))

    return f"%{max(pattern(w) for w in words)[2]}%"


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _not_found_message(parsed: SearchInput) -> str:
    if parsed.kind is SearchKind.POINT:
        systems = ", ".join(sorted({p.system for p in parsed.points}))
        return f"W lokalnej bazie nie ma działki w tym punkcie ({systems})."
    return f"Nie znaleziono działki „{parsed.text}” w lokalnej bazie."


def summaries_by_ids(db: Database, parcel_ids: Iterable[str]) -> list[ParcelSummary]:
    """Summaries of known parcels, in the order given (unknown ids are skipped)."""
    ids = list(parcel_ids)
    if not ids:
        return []
    with db.read() as connection:
        rows = {
            r.parcel_id: _summary(r)
            for r in connection.execute(select(*_SUMMARY_COLUMNS).where(Parcel.parcel_id.in_(ids)))
        }
    return [rows[i] for i in ids if i in rows]


def office_commune(db: Database) -> str | None:
    """The office's commune as a 7-digit TERYT (``1412011``), or None when not configured."""
    with db.session() as session:
        teryt = session.scalar(select(Office.teryt).order_by(Office.id).limit(1))
    return teryt if teryt and re.fullmatch(r"\d{7}", teryt) else None
