"""Parcel look-up benchmark: the service layer against plain sqlite3 floors, in one run.

Builds a migrated embedded database with ``--rows`` synthetic parcels (star-shaped 6-20 vertex
polygons, 15-60 m across, over a 300 x 300 km square, like ``egib.synthetic``), written with
plain sqlite3 ``executemany`` (the R*Tree is filled in one statement afterwards), then times:

- lookup by id: ``ParcelStore.get`` vs ``SELECT … WHERE parcel_id = ?`` on the unique index;
- lookup by point: ``ParcelStore.at_point`` vs an R*Tree query + shapely point-in-polygon.

Then it imports a generated EGiB GML (``--gml-parcels``) through ``ParcelImporter`` and compares
it with a plain lxml iterparse pass over the same file, as wall-clock and as CPU-time ratios (the
CPU-time ratio is the steadier one on a machine shared with other work).

Run: ``python bench/parcels.py`` (2,000,000 parcels) or ``python bench/parcels.py --rows 200000``.
Issue 5 targets: <= 0.5 ms by id and <= 1 ms by point through the service layer, import >= 1/4
of the lxml pass.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import shapely

AREA_ORIGIN = (350_000.0, 300_000.0)
AREA_SIDE_M = 300_000.0
PER_PRECINCT = 2_000
UNIT = "146501_1"
UPDATED_AT = "2024-01-01 00:00:00.000000"
_BATCH = 50_000


def parcel_id(i: int) -> str:
    return f"{UNIT}.{i // PER_PRECINCT + 1:04d}.{i % PER_PRECINCT + 1}"


def generate(rows: int, seed: int = 1) -> Iterator[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
    """Batches of (first index, centres x, centres y, WKB array), vectorised per vertex count."""
    rng = np.random.default_rng(seed)
    for start in range(0, rows, _BATCH):
        n = min(_BATCH, rows - start)
        cx = AREA_ORIGIN[0] + rng.uniform(0, AREA_SIDE_M, n)
        cy = AREA_ORIGIN[1] + rng.uniform(0, AREA_SIDE_M, n)
        vertices = rng.integers(6, 21, n)
        radius = rng.uniform(15.0, 60.0, n)
        wkb = np.empty(n, dtype=object)
        for k in range(6, 21):
            sel = np.nonzero(vertices == k)[0]
            if not len(sel):
                continue
            step = 2 * np.pi / k
            angles = (np.arange(k) + rng.uniform(0.1, 0.9, (len(sel), k))) * step
            reach = radius[sel, None] * rng.uniform(0.6, 1.0, (len(sel), k))
            xs = cx[sel, None] + reach * np.cos(angles)
            ys = cy[sel, None] + reach * np.sin(angles)
            ring = np.stack([xs, ys], axis=-1)
            ring = np.concatenate([ring, ring[:, :1, :]], axis=1)
            wkb[sel] = shapely.to_wkb(shapely.polygons(ring))
        yield start, cx, cy, wkb


def build(db_path: Path, rows: int) -> list[tuple[float, float]]:
    """Fill the parcel table; return one centre per parcel sample for point look-ups."""
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    triggers = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type='trigger' AND tbl_name='parcel'"
    ).fetchall()
    for name, _sql in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    # Secondary indexes are rebuilt once at the end (a sort), not updated row by row.
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name='parcel'"
        " AND sql IS NOT NULL"
    ).fetchall()
    for name, _sql in indexes:
        conn.execute(f"DROP INDEX {name}")
    conn.execute("PRAGMA cache_size=-500000")
    insert = (
        "INSERT INTO parcel (id, parcel_id, unit_code, unit_name, county_name, voivodeship_name,"
        " precinct_code, precinct_name, sheet, number, area_ha, land_use, addresses,"
        " register_unit, land_register_no, geometry_wkb, minx, miny, maxx, maxy, source,"
        " updated_at) VALUES (?, ?, ?, 'Syntetyczna', '', 'mazowieckie', ?, ?, '', ?, ?, '[]',"
        " '[]', '', '', ?, ?, ?, ?, ?, 'bench', ?)"
    )
    with conn:
        for start, _cx, _cy, wkb in generate(rows):
            geoms = shapely.from_wkb(wkb)
            bounds = shapely.bounds(geoms)
            areas = shapely.area(geoms) / 10_000.0
            conn.executemany(
                insert,
                (
                    (
                        start + j + 1,
                        parcel_id(start + j),
                        UNIT,
                        f"{(start + j) // PER_PRECINCT + 1:04d}",
                        f"Obręb {(start + j) // PER_PRECINCT + 1}",
                        str((start + j) % PER_PRECINCT + 1),
                        round(float(areas[j]), 4),
                        wkb[j],
                        float(bounds[j, 0]),
                        float(bounds[j, 1]),
                        float(bounds[j, 2]),
                        float(bounds[j, 3]),
                        UPDATED_AT,
                    )
                    for j in range(len(wkb))
                ),
            )
        conn.execute(
            "INSERT INTO parcel_rtree (id, minx, maxx, miny, maxy)"
            " SELECT id, minx, maxx, miny, maxy FROM parcel"
        )
    for _name, sql in indexes + triggers:
        conn.execute(sql)
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()


def existing_rows(db_path: Path) -> int:
    if not db_path.exists():
        return 0
    conn = sqlite3.connect(db_path)
    try:
        return int(conn.execute("SELECT count(*) FROM parcel").fetchone()[0])
    except sqlite3.Error:
        return 0
    finally:
        conn.close()


def sample_points(db_path: Path, count: int, rows: int, seed: int = 7) -> list[tuple[float, float]]:
    """Points inside random parcels (``point_on_surface``), for point look-ups."""
    rng = random.Random(seed)
    conn = sqlite3.connect(db_path)
    wkbs = [
        conn.execute(
            "SELECT geometry_wkb FROM parcel WHERE id = ?", (rng.randrange(rows) + 1,)
        ).fetchone()[0]
        for _ in range(count)
    ]
    conn.close()
    points = shapely.point_on_surface(shapely.from_wkb(np.array(wkbs, dtype=object)))
    return [(float(x), float(y)) for x, y in shapely.get_coordinates(points)]


def prepare(folder: Path, rows: int, *, reuse: bool) -> Path:
    """A migrated embedded database with ``rows`` synthetic parcels (reused when asked)."""
    from clerk_app.services.app_context import open_context

    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "kancelaria.sqlite"
    if reuse and existing_rows(db_path) == rows:
        print(f"reusing {rows:,} parcels in {db_path}")
        return db_path
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    ctx = open_context(settings_for(db_path), auto_upgrade=True)
    ctx.close()
    t0 = time.perf_counter()
    build(db_path, rows)
    elapsed = time.perf_counter() - t0
    print(f"{rows:,} parcels written in {elapsed:.1f} s ({rows / elapsed:,.0f}/s, {db_path})")
    return db_path


def settings_for(db_path: Path) -> Any:
    from clerk_app.config import load_settings

    return load_settings(data_dir=db_path.parent, database_url=f"sqlite:///{db_path}", env={})


def timed(label: str, calls: list[Callable[[], object]]) -> float:
    for call in calls[:50]:
        call()  # warm caches
    durations = []
    for call in calls:
        t0 = time.perf_counter()
        call()
        durations.append(time.perf_counter() - t0)
    median = statistics.median(durations) * 1e6
    p95 = sorted(durations)[int(len(durations) * 0.95)] * 1e6
    print(f"  {label:<48} median {median:9.1f} µs   p95 {p95:9.1f} µs")
    return median


def rss_mb() -> float:
    """Resident memory of this process (Linux), in MB."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except OSError:
        return float("nan")


def iterparse_floor(path: Path) -> int:
    """The floor: one lxml iterparse pass that extracts parcel ids and coordinates."""
    from lxml import etree

    count = 0
    ids: list[str] = []
    for _event, element in etree.iterparse(str(path), events=("end",), huge_tree=True):
        tag = element.tag
        if tag.endswith("}idDzialki"):
            ids.append(element.text or "")
        elif tag.endswith("}posList"):
            np.array((element.text or "").split(), dtype=float)
        elif tag.endswith("}featureMember"):
            count += 1
            element.clear()
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:
                del parent[0]
            if len(ids) > 10_000:
                ids.clear()
    return count


def import_benchmark(folder: Path, parcels: int) -> None:
    """Import throughput of a generated EGiB GML against a plain lxml iterparse pass."""
    from clerk_app.integrations.egib.synthetic import write_synthetic_egib
    from clerk_app.services.app_context import open_context
    from clerk_app.services.parcel_import import ParcelImporter
    from clerk_app.services.users import UserService

    gml = folder / f"synthetic-{parcels}.gml"
    if not gml.exists():
        t0 = time.perf_counter()
        write_synthetic_egib(gml, parcels)
        print(f"GML with {parcels:,} parcels written in {time.perf_counter() - t0:.1f} s")
    size_mb = gml.stat().st_size / 1e6
    t0, c0 = time.perf_counter(), time.process_time()
    features = iterparse_floor(gml)
    floor_s, floor_cpu = time.perf_counter() - t0, time.process_time() - c0
    db_path = folder / "import.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    ctx = open_context(settings_for(db_path), auto_upgrade=True)
    user = UserService(ctx.db).os_account_user("bench")  # the first account is the admin
    samples: list[float] = []

    def progress(done: int, total: int) -> None:
        samples.append(rss_mb())

    before = rss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    result = ParcelImporter(ctx.db, user).import_file(gml, progress=progress)
    import_s, import_cpu = time.perf_counter() - t0, time.process_time() - c0
    ctx.close()
    quarter = len(samples) // 4
    early = max(samples[: max(quarter, 1)], default=before)
    late = max(samples, default=before)
    floor_rate, import_rate = size_mb / floor_s, size_mb / import_s
    print(
        f"import: {size_mb:,.0f} MB, {features:,} features; lxml iterparse floor "
        f"{floor_rate:.1f} MB/s, ParcelImporter {import_rate:.1f} MB/s "
        f"({result.imported:,} parcels), ratio {import_rate / floor_rate:.2f} "
        f"(target >= 0.25: {'ok' if import_rate >= floor_rate / 4 else 'MISSED'})"
    )
    # CPU time is what the reader costs; wall time also carries other processes' load.
    print(
        f"CPU time: floor {floor_cpu:.1f} s ({size_mb / floor_cpu:.1f} MB/s), "
        f"import {import_cpu:.1f} s ({size_mb / import_cpu:.1f} MB/s), "
        f"CPU-time ratio {floor_cpu / import_cpu:.2f}; wall {floor_s:.1f} s vs {import_s:.1f} s"
    )
    print(
        f"memory: RSS {before:.0f} MB before, {early:.0f} MB after the first quarter, "
        f"{late:.0f} MB peak (growth in the last three quarters {late - early:+.0f} MB)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--lookups", type=int, default=2_000)
    parser.add_argument("--keep", type=Path, help="keep the database in this folder")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse the kept database when it has --rows parcels"
    )
    parser.add_argument(
        "--gml-parcels",
        type=int,
        default=200_000,
        help="parcels in the generated EGiB GML for the import benchmark (0: skip it)",
    )
    args = parser.parse_args(argv)

    from clerk_app.services.app_context import open_context
    from clerk_app.services.parcel_store import ParcelStore

    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-parcels-"))
    db_path = prepare(folder, args.rows, reuse=args.reuse)
    settings = settings_for(db_path)

    rng = random.Random(7)
    ids = [parcel_id(rng.randrange(args.rows)) for _ in range(args.lookups)]
    points = sample_points(db_path, args.lookups, args.rows)

    ctx = open_context(settings)
    store = ParcelStore(ctx.db)
    raw = sqlite3.connect(db_path)

    def raw_by_id(pid: str) -> object:
        return raw.execute(
            "SELECT parcel_id, unit_code, precinct_code, number, area_ha, geometry_wkb, minx,"
            " miny, maxx, maxy FROM parcel WHERE parcel_id = ?",
            (pid,),
        ).fetchone()

    def raw_by_point(x: float, y: float) -> list[str]:
        rows = raw.execute(
            "SELECT p.parcel_id, p.geometry_wkb FROM parcel_rtree r JOIN parcel p ON p.id = r.id"
            " WHERE r.minx <= ? AND r.maxx >= ? AND r.miny <= ? AND r.maxy >= ?",
            (x, x, y, y),
        ).fetchall()
        return [pid for pid, wkb in rows if shapely.contains_xy(shapely.from_wkb(wkb), x, y)]

    hits = sum(1 for x, y in points[:200] if store.at_point(x, y))
    assert hits == 200, f"only {hits} of 200 centres hit a parcel"
    assert all(store.get(pid) is not None for pid in ids[:50])

    print(f"lookups: {args.lookups} (median and 95th percentile)")
    floor_id = timed("by id: sqlite3 unique index (floor)", [lambda p=p: raw_by_id(p) for p in ids])
    service_id = timed("by id: ParcelStore.get", [lambda p=p: store.get(p) for p in ids])
    floor_pt = timed(
        "by point: sqlite3 R*Tree + point-in-polygon (floor)",
        [lambda x=x, y=y: raw_by_point(x, y) for x, y in points],
    )
    service_pt = timed(
        "by point: ParcelStore.at_point", [lambda x=x, y=y: store.at_point(x, y) for x, y in points]
    )
    print(
        f"ratios service/floor: by id {service_id / floor_id:.1f}x "
        f"(target <= 500 µs: {'ok' if service_id <= 500 else 'MISSED'}), "
        f"by point {service_pt / floor_pt:.1f}x "
        f"(target <= 1000 µs: {'ok' if service_pt <= 1000 else 'MISSED'})"
    )
    raw.close()
    ctx.close()
    if args.gml_parcels:
        import_benchmark(folder, args.gml_parcels)
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
