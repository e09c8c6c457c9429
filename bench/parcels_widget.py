"""The parcel widget's time from Enter to a drawn map, on the 2,000,000-parcel store.

Builds (or, with ``--keep DIR --reuse``, reuses) the synthetic store of ``bench/parcels.py``,
opens a real ``ParcelsPage`` offscreen, types parcel ids and presses Enter, and measures until
the map has been painted (the view's viewport is rendered into an image, which runs every
item's paint). Issue 5 target: <= 100 ms from Enter to the drawn map.

Run: ``QT_QPA_PLATFORM=offscreen python bench/parcels_widget.py --keep /tmp/parcels --reuse``.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import parcels as store_bench  # the sibling bench builds the store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="keep the database in this folder")
    parser.add_argument("--reuse", action="store_true", help="reuse a kept database")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from clerk_app.services.app_context import open_context
    from clerk_app.services.parcel_store import ParcelStore
    from clerk_app.services.users import UserService
    from clerk_app.ui.pages.parcels_page import ParcelsPage

    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-parcels-widget-"))
    db_path = store_bench.prepare(folder, args.rows, reuse=args.reuse)
    app = QApplication.instance() or QApplication([])
    ctx = open_context(store_bench.settings_for(db_path))
    user = UserService(ctx.db).os_account_user("bench")
    page = ParcelsPage(ParcelStore(ctx.db), user)
    page.resize(1280, 800)
    page.show()
    app.processEvents()
    lookup = page.lookup
    view = lookup.map_view
    image = QImage(view.viewport().size(), QImage.Format.Format_ARGB32_Premultiplied)

    def enter_to_map(parcel_id: str) -> tuple[float, float, int]:
        lookup.search_edit.setText(parcel_id)
        t0 = time.perf_counter()
        QTest.keyClick(lookup.search_edit, Qt.Key.Key_Return)
        t1 = time.perf_counter()
        app.processEvents()
        painter = QPainter(image)
        view.render(painter)  # paints every visible item, as the screen would
        painter.end()
        t2 = time.perf_counter()
        assert lookup.current is not None and lookup.current.details.parcel_id == parcel_id
        return (t1 - t0) * 1e3, (t2 - t0) * 1e3, len(lookup.current.neighbours)

    rng = random.Random(11)
    ids = [store_bench.parcel_id(rng.randrange(args.rows)) for _ in range(args.searches)]
    for pid in ids[:10]:
        enter_to_map(pid)  # warm caches and Qt's first-paint set-up
    results = [enter_to_map(pid) for pid in ids]
    search_ms = [r[0] for r in results]
    total_ms = [r[1] for r in results]
    neighbours = statistics.mean(r[2] for r in results)
    median, p95 = statistics.median(total_ms), sorted(total_ms)[int(len(total_ms) * 0.95)]
    print(f"Enter to drawn map over {args.rows:,} parcels ({args.searches} searches):")
    print(f"  search + attributes + scene built   median {statistics.median(search_ms):7.1f} ms")
    print(f"  ... and the map painted               median {median:7.1f} ms   p95 {p95:7.1f} ms")
    print(f"  neighbours drawn per map: {neighbours:.1f} on average")
    print(f"target <= 100 ms: {'ok' if median <= 100 else 'MISSED'}")
    page.shutdown()
    page.close()
    ctx.close()
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
