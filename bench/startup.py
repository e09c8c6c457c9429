"""Start-up time of the GUI as a whole process, against a bare PySide6 window (the floor).

Runs each command several times offscreen and prints medians and the ratio.
Usage: python bench/startup.py [runs]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent


def measure(cmd: list[str], runs: int, env: dict[str, str]) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    with tempfile.TemporaryDirectory() as tmp:
        app_cmd = [sys.executable, "-m", "clerk_app", "--data-dir", tmp, "--quit-after-start"]
        subprocess.run(app_cmd, check=True, env=env)  # first start creates the database
        floor = measure([sys.executable, str(HERE / "startup_floor.py")], runs, env)
        app = measure(app_cmd, runs, env)
    f, a = statistics.median(floor), statistics.median(app)
    print(f"runs: {runs}")
    print(f"floor (bare PySide6 window, table, 7 qtawesome icons): median {f * 1000:.0f} ms")
    print(f"Kancelaria main window on the embedded database:       median {a * 1000:.0f} ms")
    print(f"ratio: {a / f:.2f}x (target <= 3x and <= 1000 ms)")


if __name__ == "__main__":
    main()
