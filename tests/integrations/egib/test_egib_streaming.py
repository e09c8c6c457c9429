"""Streaming behaviour: progress, cancel, flat memory on big files, the synthetic generator."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from clerk_app.integrations.egib.errors import ImportCancelled
from clerk_app.integrations.egib.gml_reader import EgibGmlReader
from clerk_app.integrations.egib.records import ParcelRecord, PrecinctRecord
from clerk_app.integrations.egib.synthetic import write_synthetic_egib


@pytest.fixture(scope="module")
def synthetic_2000(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("egib") / "syn2000.gml"
    write_synthetic_egib(path, 2_000, seed=7)
    return path


def test_synthetic_file_reads_back_with_matching_areas(synthetic_2000: Path) -> None:
    reader = EgibGmlReader(synthetic_2000)
    records = list(reader)
    parcels = [r for r in records if isinstance(r, ParcelRecord)]

    assert reader.summary.read == len(parcels) == 2_000
    assert reader.summary.rejected == [] and reader.summary.repaired == 0
    assert len({p.parcel_id for p in parcels}) == 2_000
    assert [r.precinct_code for r in records if isinstance(r, PrecinctRecord)] == ["146501_1.0001"]
    for parcel in parcels[:200]:
        assert parcel.area_ha is not None
        assert parcel.geometry.area / 10_000 == pytest.approx(parcel.area_ha, abs=1e-4)
        assert 6 <= len(parcel.geometry.exterior.coords) - 1 <= 20
        assert parcel.precinct_name == "Obręb 1"
    minx = min(p.geometry.bounds[0] for p in parcels)
    maxx = max(p.geometry.bounds[2] for p in parcels)
    assert minx >= 349_900 and maxx <= 650_100  # centres in the square, radius <= 60 m
    assert maxx - minx > 250_000  # spread over the 300 km square


def test_progress_reports_bytes_up_to_the_total(synthetic_2000: Path) -> None:
    seen: list[tuple[int, int]] = []
    reader = EgibGmlReader(synthetic_2000, progress=lambda done, total: seen.append((done, total)))
    list(reader)

    size = synthetic_2000.stat().st_size
    assert len(seen) >= 2
    assert all(total == size for _, total in seen)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert seen[-1][0] == size
    assert reader.summary.bytes_read == size


def test_cancel_stops_early(synthetic_2000: Path) -> None:
    received: list[object] = []
    reader = EgibGmlReader(synthetic_2000, cancel=lambda: len(received) >= 10)

    with pytest.raises(ImportCancelled, match="przerwany"):
        for record in reader:
            received.append(record)

    assert reader.summary.cancelled is True
    assert 10 <= len(received) < 1_000
    assert reader.summary.bytes_read < synthetic_2000.stat().st_size


PEAK_RSS_SCRIPT = """
import resource, sys
from clerk_app.integrations.egib.gml_reader import EgibGmlReader
from clerk_app.integrations.egib.records import ParcelRecord
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
count = 0
if len(sys.argv) > 1:
    count = sum(1 for r in EgibGmlReader(sys.argv[1]) if isinstance(r, ParcelRecord))
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(count, (after - before) // 1024)
"""


@pytest.mark.slow
def test_memory_stays_flat_on_a_large_file(tmp_path: Path) -> None:
    """Peak RSS of a child process (it sees libxml2's C allocations too, unlike tracemalloc)."""
    path = tmp_path / "syn50k.gml"
    write_synthetic_egib(path, 50_000, seed=3)
    size_mib = path.stat().st_size / 1024**2
    assert size_mib > 50

    result = subprocess.run(
        [sys.executable, "-c", PEAK_RSS_SCRIPT, str(path)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    count, growth_mib = map(int, result.stdout.split())
    assert count == 50_000
    # A parsed tree of this file would take several times its size; streaming keeps a few batches.
    assert growth_mib < 48, f"RSS grew by {growth_mib} MiB while reading a {size_mib:.0f} MiB file"
