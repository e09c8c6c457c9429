"""Import EGiB GML, county WFS parcel layers and plan zones into the local store.

One file is one transaction: the batch row, every parcel or zone and the audit event commit
together, or nothing does (a truncated file, a cancel or a crash leaves no half-imported batch;
a failed or cancelled attempt is then recorded on its own, with its reason and no data).
Re-importing updates parcels in place by their id (zones by their source key). The readers
stream the file, so memory stays flat; only the small objects parcels link to (precincts,
register units, land-use classes, addresses) are kept until the end of the file, because the
export may list them after the parcels that point at them.
"""

from __future__ import annotations

import gc
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import shapely
from sqlalchemy import Column, Integer, MetaData, Table, Text, bindparam, insert, select, update
from sqlalchemy.orm import Session

from clerk_app.errors import ClerkError, ValidationError
from clerk_app.integrations.egib.errors import GmlImportError, ImportCancelled
from clerk_app.integrations.egib.gml_reader import EgibGmlReader, WfsParcelReader
from clerk_app.integrations.egib.plan_zones import (
    AppZoneReader,
    GeoJsonZoneReader,
    GmlZoneLayerReader,
)
from clerk_app.integrations.egib.records import (
    AddressRecord,
    AreaGeometry,
    CadastralUnitRecord,
    ImportSummary,
    LandUse,
    LandUseRecord,
    ParcelRecord,
    PlanActRecord,
    PlanZoneRecord,
    PrecinctRecord,
    RegisterUnitRecord,
)
from clerk_app.models import ImportBatch, Parcel, PlanZone
from clerk_app.models.types import utc_now
from clerk_app.services import audit, permissions
from clerk_app.services.database import Database
from clerk_app.services.parcel_bulk_insert import (
    bulk_parcel_writes,
    insert_parcels,
    insert_rows,
)
from clerk_app.services.parcel_id import (
    CANONICAL_PATTERN,
    VOIVODESHIP_NAMES,
    ParcelId,
    ParcelIdError,
)
from clerk_app.services.parcel_owner_import import OWNER_RECORDS, OwnerStaging
from clerk_app.services.parcel_store import SENSITIVE_ROLES, STORE_WRITERS
from clerk_app.services.users import CurrentUser

log = logging.getLogger("clerk_app.parcels")

ImportKind = Literal["egib", "wfs", "app_zones", "zones"]
KIND_NAMES: dict[str, str] = {
    "egib": "EGiB GML",
    "wfs": "warstwa WFS działek",
    "app_zones": "strefy planistyczne APP",
    "zones": "strefy planu miejscowego",
}
CHUNK = 500
_KEEP_WHEN_EMPTY = frozenset(
    {
        "unit_name",
        "precinct_name",
        "area_ha",
        "land_use",
        "addresses",
        "register_unit",
        "land_register_no",
    }
)
_EMPTY: tuple[Any, ...] = (None, "", "[]")
_SNIFF_BYTES = 64 * 1024
_MAX_REPORTED = 1_000  # rejected features kept in the batch report
# One encoder for the per-parcel JSON columns: json.dumps with options builds a new one per call.
_to_json = json.JSONEncoder(ensure_ascii=False).encode

ProgressCallback = Callable[[int, int], None]
CancelCheck = Callable[[], bool]


class ImportFailed(ClerkError):
    """The file could not be imported; nothing of it was stored."""


class ImportCancelledByUser(ClerkError):
    """The clerk cancelled; nothing of the file was stored."""


@dataclass(frozen=True, slots=True)
class RejectedItem:
    feature: str
    line: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class ImportResult:
    batch_id: int
    path: str
    kind: ImportKind
    schema: str | None
    imported: int
    updated: int
    repaired: int
    axis_swapped: int
    skipped_archival: int
    rejected: tuple[RejectedItem, ...]
    total_area_ha: float
    """Sum of the areas of record of the parcels stored (0 for zones)."""
    owners: int = 0
    """Owner rows stored (only when owners were imported, see ``import_file``)."""

    @property
    def rejected_count(self) -> int:
        return len(self.rejected)

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "path": self.path,
            "kind": self.kind,
            "schema": self.schema,
            "imported": self.imported,
            "updated": self.updated,
            "repaired": self.repaired,
            "axis_swapped": self.axis_swapped,
            "skipped_archival": self.skipped_archival,
            "rejected": [
                {"feature": r.feature, "line": r.line, "reason": r.reason} for r in self.rejected
            ],
            "total_area_ha": round(self.total_area_ha, 4),
            "owners": self.owners,
        }

    def describe(self) -> str:
        text = (
            f"{Path(self.path).name}: nowych {self.imported}, zaktualizowanych {self.updated}, "
            f"odrzuconych {self.rejected_count}, naprawionych geometrii {self.repaired}"
        )
        if self.skipped_archival:
            text += f", pominiętych wersji archiwalnych {self.skipped_archival}"
        if self.owners:
            text += f", właścicieli (udziałów) {self.owners}"
        return text


def detect_kind(path: Path | str, *, symbol_attribute: str | None = None) -> ImportKind:
    """Tell the file's kind from its first bytes (namespaces, layer names) and extension."""
    target = Path(path)
    if target.suffix.lower() in (".geojson", ".json"):
        return "zones"
    try:
        with open(target, "rb") as handle:
            head = handle.read(_SNIFF_BYTES).decode("utf-8", errors="replace")
    except OSError as exc:
        raise ImportFailed(f"Nie można otworzyć pliku {target.name}: {exc.strerror}.") from exc
    if "ewidencjaGruntowBudynkow" in head or "ewidencjaGruntowIBudynkow" in head:
        return "egib"
    if "zagospodarowanieprzestrzenne/schemas/app/" in head:
        return "app_zones"
    lowered = head.lower()
    if ":dzialki" in lowered or "<dzialki" in lowered:
        return "wfs"
    if symbol_attribute:
        return "zones"
    raise ImportFailed(
        f"Nie rozpoznano rodzaju pliku {target.name}: to nie jest EGiB GML, warstwa WFS działek "
        "ani plik APP. Dla warstwy stref planu podaj atrybut symbolu strefy."
    )


@dataclass
class _SideObjects:
    """Small objects parcels link to, kept by key until the end of the file."""

    precinct_names: dict[str, str] = field(default_factory=dict)
    precinct_names_by_code: dict[str, str] = field(default_factory=dict)
    unit_names: dict[str, str] = field(default_factory=dict)
    register_units: dict[str, str] = field(default_factory=dict)
    land_uses: dict[str, LandUse] = field(default_factory=dict)
    addresses: dict[str, str] = field(default_factory=dict)
    version: int = 0
    """Counts the objects added: rows built at an older version may resolve more links."""

    def can_resolve(self, kinds: set[str]) -> bool:
        """Whether objects of any of these kinds of links were read (else nothing resolves)."""
        known = {
            "precinct": self.precinct_names,
            "register_unit": self.register_units,
            "land_use": self.land_uses,
            "address": self.addresses,
        }
        return any(known[kind] for kind in kinds)

    def add(self, record: Any) -> None:
        self.version += 1
        if isinstance(record, PrecinctRecord):
            if record.name:
                self.precinct_names[record.key] = record.name
                self.precinct_names_by_code[record.precinct_code] = record.name
        elif isinstance(record, CadastralUnitRecord):
            if record.name:
                self.unit_names[record.unit_code] = record.name
        elif isinstance(record, RegisterUnitRecord):
            self.register_units[record.key] = record.unit_number
        elif isinstance(record, LandUseRecord):
            self.land_uses[record.key] = record.land_use
        elif isinstance(record, AddressRecord):
            self.addresses[record.key] = _address_text(record)


@dataclass
class _Counts:
    imported: int = 0
    updated: int = 0
    area_ha: float = 0.0
    # Precincts ("unit.precinct") and units stored without a name: only these need _fill_names.
    unnamed_precincts: set[str] = field(default_factory=set)
    unnamed_units: set[str] = field(default_factory=set)
    owners: int = 0
    rejected: list[RejectedItem] = field(default_factory=list)


class ParcelImporter:
    """Imports files into the parcel store for one user (who must be allowed to)."""

    def __init__(self, db: Database, user: CurrentUser) -> None:
        self.db = db
        self.user = user

    def import_file(
        self,
        path: Path | str,
        *,
        kind: ImportKind | None = None,
        symbol_attribute: str | None = None,
        plan_id: str | None = None,
        plan_name: str | None = None,
        srs_name: str | None = None,
        geojson_epsg: int = 4326,
        progress: ProgressCallback | None = None,
        cancel: CancelCheck | None = None,
        owners: bool = False,
    ) -> ImportResult:
        """Import one file in one transaction; raise ImportFailed / ImportCancelledByUser.

        Owners (personal data) are stored only when asked for with ``owners=True`` by a user
        who may see them; otherwise the file's shares and subjects are skipped.
        """
        target = Path(path)
        permissions.require(
            self.db, self.user, STORE_WRITERS, "import danych działek", "import_batch", target.name
        )
        if owners:
            permissions.require(
                self.db,
                self.user,
                SENSITIVE_ROLES,
                "import właścicieli działek",
                "import_batch",
                target.name,
            )
        kind = kind or detect_kind(target, symbol_attribute=symbol_attribute)
        if kind == "zones" and not symbol_attribute:
            raise ValidationError(
                "Atrybut symbolu strefy: podaj nazwę atrybutu z symbolem strefy (np. SYMBOL)."
            )
        reader = self._reader(
            target,
            kind,
            symbol_attribute,
            plan_id,
            plan_name,
            srs_name,
            geojson_epsg,
            progress,
            cancel,
        )
        try:
            with self.db.session(write=True) as session:
                batch = ImportBatch(
                    kind=kind,
                    source=str(target)[-500:],
                    imported=0,
                    updated=0,
                    rejected=0,
                    repaired=0,
                    report="[]",
                    status="running",
                )
                session.add(batch)
                session.flush()
                if kind in ("egib", "wfs"):
                    staging = OwnerStaging(session) if owners and kind == "egib" else None
                    with bulk_parcel_writes(session.connection()), _older_objects_frozen():
                        counts = self._store_parcels(session, batch.id, reader, staging)
                else:
                    counts = self._store_zones(session, batch.id, reader, target, plan_id)
                summary: ImportSummary = reader.summary
                rejected = [
                    RejectedItem(r.feature, r.line, r.reason) for r in summary.rejected
                ] + counts.rejected
                batch.imported = counts.imported
                batch.updated = counts.updated
                batch.rejected = len(rejected)
                batch.repaired = summary.repaired
                batch.report = json.dumps(
                    [_rejected_dict(r) for r in rejected[:_MAX_REPORTED]], ensure_ascii=False
                )
                batch.status = "done"
                batch.finished_at = utc_now()
                result = ImportResult(
                    batch_id=batch.id,
                    path=str(target),
                    kind=kind,
                    schema=summary.schema,
                    imported=counts.imported,
                    updated=counts.updated,
                    repaired=summary.repaired,
                    axis_swapped=summary.axis_swapped,
                    skipped_archival=summary.skipped_archival,
                    rejected=tuple(rejected),
                    total_area_ha=counts.area_ha,
                    owners=counts.owners,
                )
                audit.record(
                    session,
                    self.user,
                    "parcels_import",
                    "import_batch",
                    batch.id,
                    summary=f"Import {KIND_NAMES[kind]}: {result.describe()}",
                    details={k: v for k, v in result.as_dict().items() if k != "rejected"}
                    | {"rejected": result.rejected_count},
                )
        except ImportCancelled as exc:
            self._record_failure(target, kind, "cancelled", "przerwany przez użytkownika")
            raise ImportCancelledByUser(
                f"Import pliku {target.name} przerwano; nic z niego nie zapisano."
            ) from exc
        except GmlImportError as exc:
            self._record_failure(target, kind, "failed", str(exc))
            raise ImportFailed(
                f"Nie zaimportowano pliku {target.name}: {exc}. Nic z niego nie zapisano."
            ) from exc
        log.info("Imported %s", result.describe())
        return result

    # -- readers -------------------------------------------------------------------------

    def _reader(
        self,
        path: Path,
        kind: ImportKind,
        symbol_attribute: str | None,
        plan_id: str | None,
        plan_name: str | None,
        srs_name: str | None,
        geojson_epsg: int,
        progress: ProgressCallback | None,
        cancel: CancelCheck | None,
    ) -> Any:
        if kind == "egib":
            return EgibGmlReader(path, progress=progress, cancel=cancel, default_srs_name=srs_name)
        if kind == "wfs":
            return WfsParcelReader(
                path, progress=progress, cancel=cancel, default_srs_name=srs_name
            )
        if kind == "app_zones":
            return AppZoneReader(
                path,
                plan_id=plan_id,
                plan_name=plan_name,
                progress=progress,
                cancel=cancel,
                default_srs_name=srs_name,
            )
        assert symbol_attribute is not None
        if path.suffix.lower() in (".geojson", ".json"):
            return GeoJsonZoneReader(
                path,
                symbol_attribute=symbol_attribute,
                plan_id=plan_id,
                plan_name=plan_name,
                default_epsg=geojson_epsg,
                progress=progress,
                cancel=cancel,
            )
        return GmlZoneLayerReader(
            path,
            symbol_attribute=symbol_attribute,
            plan_id=plan_id,
            plan_name=plan_name,
            progress=progress,
            cancel=cancel,
            default_srs_name=srs_name,
        )

    # -- parcels -------------------------------------------------------------------------

    def _store_parcels(
        self,
        session: Session,
        batch_id: int,
        reader: Iterable[Any],
        owners: OwnerStaging | None = None,
    ) -> _Counts:
        side = _SideObjects()
        counts = _Counts()
        pending = _PendingLinks(session)
        chunk: dict[str, tuple[ParcelRecord, dict[str, Any], int]] = {}
        for record in reader:
            if not isinstance(record, ParcelRecord):
                if isinstance(record, OWNER_RECORDS):
                    if owners is not None:
                        owners.add(record)
                else:
                    side.add(record)
                continue
            row = self._parcel_row(record, side, batch_id, counts)
            if row is None:
                continue
            if owners is not None and record.register_unit_ref:
                owners.add_parcel(row["parcel_id"], record.register_unit_ref)
            if row["parcel_id"] in chunk:
                counts.updated += 1  # the same parcel twice in one file: the later one wins
            chunk[row["parcel_id"]] = (record, row, side.version)
            if len(chunk) >= CHUNK:
                self._write_parcels(session, chunk, side, counts, pending)
                chunk = {}
        self._write_parcels(session, chunk, side, counts, pending)
        self._resolve_pending(session, pending, side)
        pending.drop()
        self._fill_names(session, batch_id, side, counts)
        if owners is not None:
            counts.owners = owners.resolve()
        return counts

    def _fill_names(
        self, session: Session, batch_id: int, side: _SideObjects, counts: _Counts
    ) -> None:
        """Precinct and unit names for parcels that came before their precinct in the file."""
        for code, name in side.precinct_names_by_code.items():
            unit_code, _, precinct = code.partition(".")
            if f"{unit_code}.{precinct.zfill(4)}" not in counts.unnamed_precincts:
                continue
            session.execute(
                update(Parcel)
                .where(
                    Parcel.unit_code == unit_code,
                    Parcel.precinct_code == precinct.zfill(4),
                    Parcel.batch_id == batch_id,
                    Parcel.precinct_name == "",
                )
                .values(precinct_name=name[:100])
                .execution_options(synchronize_session=False)
            )
        for unit_code, name in side.unit_names.items():
            if unit_code not in counts.unnamed_units:
                continue
            session.execute(
                update(Parcel)
                .where(
                    Parcel.unit_code == unit_code,
                    Parcel.batch_id == batch_id,
                    Parcel.unit_name == "",
                )
                .values(unit_name=name[:100])
                .execution_options(synchronize_session=False)
            )

    def _parcel_row(
        self, record: ParcelRecord, side: _SideObjects, batch_id: int, counts: _Counts
    ) -> dict[str, Any] | None:
        try:
            pid = _parse_id(record.parcel_id)
        except ParcelIdError as exc:
            counts.rejected.append(RejectedItem(record.parcel_id, record.line, str(exc)))
            return None
        unit_code = pid.unit_code
        precinct_name = (
            record.precinct_name
            or (side.precinct_names.get(record.precinct_ref) if record.precinct_ref else None)
            or side.precinct_names_by_code.get(f"{unit_code}.{pid.precinct}")
            or ""
        )
        land_uses = record.land_uses
        if record.land_use_refs:
            known = side.land_uses
            land_uses += tuple(known[ref] for ref in record.land_use_refs if ref in known)
        return {
            "parcel_id": pid.text,
            "unit_code": unit_code,
            "unit_name": record.commune_name or side.unit_names.get(unit_code, ""),
            "voivodeship_name": VOIVODESHIP_NAMES.get(pid.voivodeship, ""),
            "precinct_code": pid.precinct,
            "precinct_name": precinct_name,
            # WFS layers may give the sheet only in NUMER_ARKUSZA, not in the id.
            "sheet": pid.sheet or (record.sheet or "").upper().removeprefix("AR_")[:20],
            "number": pid.number,
            "area_ha": record.area_ha,
            "land_use": _land_use_json(land_uses) if land_uses else "[]",
            "addresses": _to_json(
                [side.addresses[r] for r in record.address_refs if r in side.addresses],
            )
            if record.address_refs
            else "[]",
            "register_unit": (
                record.register_unit
                or side.register_units.get(record.register_unit_ref or "", "")
                or ""
            )[:60],
            "land_register_no": (record.land_register_number or "")[:30],
            # Geometry columns are filled per chunk, vectorised (see _add_geometry).
            "source": record.source[:20],
            "batch_id": batch_id,
        }

    def _write_parcels(
        self,
        session: Session,
        chunk: dict[str, tuple[ParcelRecord, dict[str, Any], int]],
        side: _SideObjects,
        counts: _Counts,
        pending: _PendingLinks,
    ) -> None:
        if not chunk:
            return
        _add_geometry(
            [row for _, row, _ in chunk.values()],
            [record.geometry for record, _, _ in chunk.values()],
        )
        for record, row, seen in chunk.values():
            if seen != side.version:  # side objects came since the row was built
                _refresh_links(record, row, side)
        existing: dict[str, int] = dict(
            session.execute(
                select(Parcel.parcel_id, Parcel.id).where(Parcel.parcel_id.in_(list(chunk)))
            ).all()
        )
        new_rows = [row for key, (_, row, _) in chunk.items() if key not in existing]
        # A poorer source (a WFS layer without names) must not blank what a richer one stored.
        changed = [
            {k: v for k, v in row.items() if k not in _KEEP_WHEN_EMPTY or v not in _EMPTY}
            | {"id": existing[key]}
            for key, (_, row, _) in chunk.items()
            if key in existing
        ]
        # Raw executemany: SQLAlchemy's per-row processing costs more than the database here.
        insert_parcels(session.connection(), new_rows)
        if changed:
            session.execute(update(Parcel), changed)
        counts.imported += len(new_rows)
        counts.updated += len(changed)
        unresolved = []
        area_ha = 0.0
        for record, row, _ in chunk.values():
            area_ha += row["area_ha"] or 0.0
            if not row["precinct_name"]:
                counts.unnamed_precincts.add(f"{row['unit_code']}.{row['precinct_code']}")
            if not row["unit_name"]:
                counts.unnamed_units.add(row["unit_code"])
            if _has_unresolved(record, row, side):
                unresolved.append((record, row))
        counts.area_ha += area_ha
        if unresolved:
            pending.add(unresolved, side)

    def _resolve_pending(
        self, session: Session, pending: _PendingLinks, side: _SideObjects
    ) -> None:
        """Fill in the links to objects that came later in the file than their parcels."""
        if not side.can_resolve(pending.kinds):
            return  # nothing the file listed later can resolve them
        for items in pending.pages():
            groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for parcel_id, links in items:
                values = _resolved_values(links, side)
                if values:
                    groups.setdefault(tuple(sorted(values)), []).append(
                        values | {"_parcel_id": parcel_id}
                    )
            for keys, rows in groups.items():
                # Core executemany: the ORM's bulk update costs more than the database here.
                session.connection().execute(
                    update(_PARCEL_TABLE)
                    .where(_PARCEL_TABLE.c.parcel_id == bindparam("_parcel_id"))
                    .values({k: bindparam(k) for k in keys}),
                    rows,
                )

    # -- zones ---------------------------------------------------------------------------

    def _store_zones(
        self,
        session: Session,
        batch_id: int,
        reader: Iterable[Any],
        path: Path,
        plan_id: str | None,
    ) -> _Counts:
        counts = _Counts()
        chunk: dict[str, dict[str, Any]] = {}
        acts: dict[str, str] = {}
        for record in reader:
            if isinstance(record, PlanActRecord):
                if record.title:
                    acts[record.plan_id] = record.title
                continue
            if not isinstance(record, PlanZoneRecord):
                continue
            row = _zone_row(record, batch_id, path, plan_id, acts)
            if row["zone_key"] in chunk:
                counts.updated += 1
            chunk[row["zone_key"]] = row
            if len(chunk) >= CHUNK:
                self._write_zones(session, chunk, counts)
                chunk = {}
        self._write_zones(session, chunk, counts)
        return counts

    def _write_zones(
        self, session: Session, chunk: dict[str, dict[str, Any]], counts: _Counts
    ) -> None:
        if not chunk:
            return
        existing: dict[str, int] = dict(
            session.execute(
                select(PlanZone.zone_key, PlanZone.id).where(PlanZone.zone_key.in_(list(chunk)))
            ).all()
        )
        new_rows = [row for key, row in chunk.items() if key not in existing]
        changed = [row | {"id": existing[key]} for key, row in chunk.items() if key in existing]
        if new_rows:
            session.execute(insert(PlanZone), new_rows)
        if changed:
            session.execute(update(PlanZone), changed)
        counts.imported += len(new_rows)
        counts.updated += len(changed)

    # -- failures ------------------------------------------------------------------------

    def _record_failure(self, path: Path, kind: str, status: str, reason: str) -> None:
        """Leave a trace of the failed attempt (no data) in its own small transaction."""
        try:
            with self.db.session(write=True) as session:
                batch = ImportBatch(
                    kind=kind,
                    source=str(path)[-500:],
                    imported=0,
                    updated=0,
                    rejected=0,
                    repaired=0,
                    report=json.dumps([{"reason": reason}], ensure_ascii=False),
                    status=status,
                    finished_at=utc_now(),
                )
                session.add(batch)
                session.flush()
                audit.record(
                    session,
                    self.user,
                    "parcels_import_failed",
                    "import_batch",
                    batch.id,
                    summary=f"Import {path.name} nieudany: {reason}"[:1000],
                    details={"status": status},
                )
        except Exception:  # the original error matters more than the trace of it
            log.exception("Could not record the failed import of %s", path)


@contextmanager
def _older_objects_frozen() -> Iterator[None]:
    """Keep the objects that existed before the import out of the cyclic GC while it runs.

    An import allocates millions of short-lived containers, and every full collection they
    trigger also walked all the objects the program already held (~120,000 in the benchmark):
    15 % of a 200,000-parcel import's CPU time. Frozen objects are only skipped by collections,
    never freed early; they are handed back to the collector on the way out (process-wide: an
    overlapping import that ends first merely ends the saving early).
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@dataclass(slots=True)  # built once per parcel: frozen would cost several times more
class _Id:
    text: str
    unit_code: str
    voivodeship: str
    precinct: str
    sheet: str | None
    number: str


def _parse_id(text: str) -> _Id:
    """The id's parts; canonical ids (nearly all) skip the lenient parser."""
    match = CANONICAL_PATTERN.match(text)
    if match is None or match.group(5) == "0000":
        pid = ParcelId.parse(text, allow_legacy_number=True)
        return _Id(str(pid), str(pid.unit), pid.voivodeship, pid.precinct, pid.sheet, pid.number)
    woj, county, commune, kind, precinct, sheet, number = match.groups()
    if (
        woj not in VOIVODESHIP_NAMES
        or county == "00"
        or commune == "00"
        or (sheet is not None and int(sheet) == 0)
        or ("0" in number and any(int(p) == 0 for p in number.split("/")))
    ):
        ParcelId.parse(text, allow_legacy_number=True)  # raises with the precise message
    return _Id(text, f"{woj}{county}{commune}_{kind}", woj, precinct, sheet, number)


def _add_geometry(rows: list[dict[str, Any]], geometries: list[AreaGeometry]) -> None:
    """WKB, bounding box and timestamp for a chunk of rows, vectorised."""
    array = np.array(geometries, dtype=object)
    wkb = shapely.to_wkb(array)
    bounds = shapely.bounds(array)
    now = utc_now()
    for row, blob, (minx, miny, maxx, maxy) in zip(
        rows, wkb.tolist(), bounds.tolist(), strict=True
    ):
        row["geometry_wkb"] = blob
        row["minx"] = minx
        row["miny"] = miny
        row["maxx"] = maxx
        row["maxy"] = maxy
        row["updated_at"] = now


def _zone_row(
    record: PlanZoneRecord,
    batch_id: int,
    path: Path,
    plan_id: str | None,
    acts: dict[str, str],
) -> dict[str, Any]:
    geometry = record.geometry
    minx, miny, maxx, maxy = (float(v) for v in shapely.bounds(geometry))
    scope = plan_id or record.plan_id or path.name
    key = record.zone_id if "/" in record.zone_id else f"{scope}/{record.zone_id}"
    return {
        "zone_key": key[:200],
        "plan_id": (record.plan_id or plan_id or "")[:200],
        "plan_name": (record.plan_name or acts.get(record.plan_id or "", ""))[:500],
        "symbol": (record.designation or record.symbol)[:30],
        "designation": (record.name or "")[:500],
        "provisions": _zone_provisions(record),
        "geometry_wkb": shapely.to_wkb(geometry),
        "minx": minx,
        "miny": miny,
        "maxx": maxx,
        "maxy": maxy,
        "batch_id": batch_id,
        "updated_at": utc_now(),
    }


def _zone_provisions(record: PlanZoneRecord) -> str:
    """The general plan's numeric limits, in words for the certificate."""
    parts = []
    if record.profiles:
        parts.append("profil podstawowy: " + ", ".join(record.profiles))
    if record.max_above_ground_intensity is not None:
        parts.append(f"maks. nadziemna intensywność zabudowy {record.max_above_ground_intensity:g}")
    if record.max_built_up_share is not None:
        parts.append(f"maks. udział powierzchni zabudowy {record.max_built_up_share:g} %")
    if record.max_height_m is not None:
        parts.append(f"maks. wysokość zabudowy {record.max_height_m:g} m")
    if record.min_biologically_active_share is not None:
        parts.append(
            "min. udział powierzchni biologicznie czynnej "
            f"{record.min_biologically_active_share:g} %"
        )
    return "; ".join(parts).replace(".", ",") if parts else ""


class _PendingLinks:
    """Parcels whose links point at objects not yet seen, kept in a temporary table.

    Exports may list precincts, register units, land-use classes and addresses after the
    parcels: the links wait on the database side (not in memory) until the end of the file.
    The table lives only in this transaction's connection and is dropped at the end. Parcels
    are named by their id (unique), so no query for their keys is needed on the way in.
    """

    _PAGE = 5_000
    _COLUMNS = ("parcel_id", "precinct", "register_unit", "lists")

    def __init__(self, session: Session) -> None:
        self.session = session
        self.count = 0
        self.created = False
        self.kinds: set[str] = set()
        """Kinds of links waiting: precinct, register_unit, land_use, address."""

    def _create(self) -> None:
        connection = self.session.connection()
        columns = "parcel_id TEXT NOT NULL, precinct TEXT, register_unit TEXT, lists TEXT"
        if connection.dialect.name == "postgresql":
            ddl = (
                "CREATE TEMPORARY TABLE IF NOT EXISTS parcel_import_pending"
                f" (seq BIGSERIAL PRIMARY KEY, {columns}) ON COMMIT DROP"
            )
        else:
            ddl = (
                "CREATE TEMPORARY TABLE IF NOT EXISTS parcel_import_pending"
                f" (seq INTEGER PRIMARY KEY, {columns})"
            )
        connection.exec_driver_sql(ddl)
        connection.exec_driver_sql("DELETE FROM parcel_import_pending")
        self.created = True

    def add(self, items: list[tuple[ParcelRecord, dict[str, Any]]], side: _SideObjects) -> None:
        """Keep the links of these stored parcels that the side objects do not resolve yet."""
        rows = []
        kinds = self.kinds
        for record, row in items:
            precinct = record.precinct_ref if not row["precinct_name"] else None
            register_unit = record.register_unit_ref if not row["register_unit"] else None
            missing_use = any(r not in side.land_uses for r in record.land_use_refs)
            missing_address = any(r not in side.addresses for r in record.address_refs)
            lists = None
            if missing_use or missing_address:
                # Lists are rare (pre-2021 links to land-use objects): JSON only for them.
                lists = _to_json(
                    [
                        list(record.land_use_refs) if missing_use else [],
                        [[u.ofu, u.ozu, u.ozk, u.area_ha] for u in record.land_uses]
                        if missing_use
                        else [],
                        list(record.address_refs) if missing_address else [],
                    ]
                )
                if missing_use:
                    kinds.add("land_use")
                if missing_address:
                    kinds.add("address")
            if precinct:
                kinds.add("precinct")
            if register_unit:
                kinds.add("register_unit")
            rows.append((row["parcel_id"], precinct, register_unit, lists))
        if not rows:
            return
        if not self.created:
            self._create()
        insert_rows(self.session.connection(), "parcel_import_pending", self._COLUMNS, rows)
        self.count += len(rows)

    def pages(self) -> Iterator[list[tuple[str, list[Any]]]]:
        """The pending links in file order, a page at a time: (parcel id, links)."""
        last = 0
        table = _PENDING_TABLE
        while True:
            page = (
                self.session.connection()
                .execute(
                    select(
                        table.c.seq,
                        table.c.parcel_id,
                        table.c.precinct,
                        table.c.register_unit,
                        table.c.lists,
                    )
                    .where(table.c.seq > last)
                    .order_by(table.c.seq)
                    .limit(self._PAGE)
                )
                .all()
            )
            if not page:
                return
            last = page[-1].seq
            yield [
                (
                    row.parcel_id,
                    [row.precinct, row.register_unit, *(json.loads(row.lists or _NO_LISTS))],
                )
                for row in page
            ]

    def drop(self) -> None:
        if self.created:
            self.session.connection().exec_driver_sql("DROP TABLE parcel_import_pending")
            self.created = False


_NO_LISTS = "[[], [], []]"
_PENDING_TABLE = Table(
    "parcel_import_pending",
    MetaData(),
    Column("seq", Integer, primary_key=True),
    Column("parcel_id", Text),
    Column("precinct", Text),
    Column("register_unit", Text),
    Column("lists", Text),
)
_PARCEL_TABLE = Parcel.metadata.tables["parcel"]


def _resolved_values(links: list[Any], side: _SideObjects) -> dict[str, Any]:
    """Column values the side objects now known resolve for one pending parcel."""
    precinct_ref, register_unit_ref, land_use_refs, inline, address_refs = links
    values: dict[str, Any] = {}
    if precinct_ref and precinct_ref in side.precinct_names:
        values["precinct_name"] = side.precinct_names[precinct_ref][:100]
    if register_unit_ref and register_unit_ref in side.register_units:
        values["register_unit"] = side.register_units[register_unit_ref][:60]
    if land_use_refs:
        values["land_use"] = _land_use_json(
            [LandUse(*item) for item in inline]
            + [side.land_uses[r] for r in land_use_refs if r in side.land_uses]
        )
    if address_refs:
        values["addresses"] = _to_json(
            [side.addresses[r] for r in address_refs if r in side.addresses],
        )
    return values


def _refresh_links(record: ParcelRecord, row: dict[str, Any], side: _SideObjects) -> None:
    """Resolve links against the side objects read since the row was built (same chunk)."""
    if record.register_unit_ref and not row["register_unit"]:
        row["register_unit"] = side.register_units.get(record.register_unit_ref, "")[:60]
    if record.precinct_ref and not row["precinct_name"]:
        row["precinct_name"] = side.precinct_names.get(record.precinct_ref, "")[:100]
    if record.land_use_refs:
        row["land_use"] = _land_use_json(
            list(record.land_uses)
            + [side.land_uses[r] for r in record.land_use_refs if r in side.land_uses]
        )
    if record.address_refs:
        row["addresses"] = _to_json(
            [side.addresses[r] for r in record.address_refs if r in side.addresses],
        )


def _has_unresolved(record: ParcelRecord, row: dict[str, Any], side: _SideObjects) -> bool:
    # Precinct and unit names are filled in by code at the end (_fill_names).
    if record.register_unit_ref and not row["register_unit"]:
        return True
    if any(ref not in side.land_uses for ref in record.land_use_refs):
        return True
    return any(ref not in side.addresses for ref in record.address_refs)


def _land_use_json(land_uses: Sequence[LandUse]) -> str:
    items = []
    for use in land_uses:
        label = use.ofu
        if use.ozk and use.ozk != use.ofu:
            label = f"{use.ofu}{'-' + use.ozu if use.ozu and use.ozu != use.ofu else ''}{use.ozk}"
        items.append([label, use.area_ha])
    return _to_json(items)


def _address_text(record: AddressRecord) -> str:
    house = record.house_number or ""
    if house and record.flat_number:
        house = f"{house}/{record.flat_number}"
    street = " ".join(p for p in (record.street, house) if p)
    locality = record.locality or ""
    if street and locality and record.street:
        return f"{record.street} {house}, {locality}".strip()
    return " ".join(p for p in (locality, house) if p) or street


def _rejected_dict(item: Any) -> dict[str, Any]:
    return {"feature": item.feature, "line": item.line, "reason": item.reason}


def iter_batches(db: Database, limit: int = 50) -> Iterator[dict[str, Any]]:
    """The latest import batches, newest first (for the administrator's overview)."""
    with db.session() as session:
        rows = session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit))
        batches = [
            {
                "id": b.id,
                "kind": b.kind,
                "source": b.source,
                "status": b.status,
                "imported": b.imported,
                "updated": b.updated,
                "rejected": b.rejected,
                "repaired": b.repaired,
                "started_at": b.started_at,
                "finished_at": b.finished_at,
            }
            for b in rows
        ]
    yield from batches
