"""Parcel look-up benchmark: the service layer against plain sqlite3 floors, in one run.

Builds a migrated embedded database with ``--rows`` synthetic parcels (star-shaped 6-20 vertex
polygons, 15-60 m across, over a 300 x 300 km square, like ``egib.synthetic``), written with
plain sqlite3 ``executemany`` (the R*Tree is filled in one statement afterwards), then times:

- lookup by id: ``ParcelStore.get`` vs ``SELECT … WHERE parcel_id = ?`` on the unique index;
- lookup by point: ``ParcelStore.at_point`` vs an R*Tree query + shapely point-in-polygon.

Run: ``python bench/parcels.py`` (2,000,000 parcels) or ``python bench/parcels.py --rows 200000``.
Issue 5 targets: <= 0.5 ms by id and <= 1 ms by point through the service layer.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

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
    sample: list[tuple[float, float]] = []
    insert = (
        "INSERT INTO parcel (id, parcel_id, unit_code, unit_name, county_name, voivodeship_name,"
        " precinct_code, precinct_name, sheet, number, area_ha, land_use, addresses,"
        " register_unit, land_register_no, geometry_wkb, minx, miny, maxx, maxy, source,"
        " updated_at) VALUES (?, ?, ?, 'Syntetyczna', '', 'mazowieckie', ?, ?, '', ?, ?, '[]',"
        " '[]', '', '', ?, ?, ?, ?, ?, 'bench', ?)"
    )
    with conn:
        for start, cx, cy, wkb in generate(rows):
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
            sample.extend(zip(cx[:200].tolist(), cy[:200].tolist(), strict=True))
        conn.execute(
            "INSERT INTO parcel_rtree (id, minx, maxx, miny, maxy)"
            " SELECT id, minx, maxx, miny, maxy FROM parcel"
        )
    for _name, sql in triggers:
        conn.execute(sql)
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()
    return sample


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--lookups", type=int, default=2_000)
    parser.add_argument("--keep", type=Path, help="keep the database in this folder")
    args = parser.parse_args(argv)

    from clerk_app.config import load_settings
    from clerk_app.services.app_context import open_context
    from clerk_app.services.parcel_store import ParcelStore

    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-parcels-"))
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "kancelaria.sqlite"
    if db_path.exists():
        db_path.unlink()
    settings = load_settings(data_dir=folder, database_url=f"sqlite:///{db_path}", env={})
    ctx = open_context(settings, auto_upgrade=True)
    ctx.close()

    t0 = time.perf_counter()
    sample = build(db_path, args.rows)
    print(f"{args.rows:,} parcels written in {time.perf_counter() - t0:.1f} s ({db_path})")

    rng = random.Random(7)
    ids = [parcel_id(rng.randrange(args.rows)) for _ in range(args.lookups)]
    points = [sample[rng.randrange(len(sample))] for _ in range(args.lookups)]

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
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
