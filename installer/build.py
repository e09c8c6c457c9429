"""Build the one-folder bundle and prove it works: frozen ``--version`` and ``--smoke-test``.

    python installer/build.py                 # build into build/bundle/dist/kancelaria
    python installer/build.py --skip-build    # only check an existing bundle

The frozen program runs offscreen with a throw-away HOME and data folder; it fails
the build on a non-zero exit code, on unexpected output, or on any line on stderr
other than the few known-harmless Qt platform notices listed in ALLOWED_STDERR.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "installer" / "kancelaria.spec"
DEFAULT_OUT = ROOT / "build" / "bundle"
BUNDLE_NAME = "kancelaria"

# The offscreen platform plugin prints this for every top-level window (pytest ignores it too).
ALLOWED_STDERR = (re.compile(r"^This plugin does not support propagateSizeHints\(\)$"),)

# Files the program opens at run time; a bundle without them builds fine and fails later.
REQUIRED_FILES = (
    "clerk_app/resources/fonts/DejaVuSans.ttf",
    "clerk_app/resources/fonts/DejaVuSans-Bold.ttf",
    "clerk_app/resources/translations/kancelaria_pl.qm",
    "clerk_app/resources/jrwa/jrwa_gmina_subset.csv",
    "clerk_app/resources/templates/letter_generic.txt",
    "clerk_app/migrations/env.py",
    "clerk_app/migrations/script.py.mako",
    "clerk_app/migrations/versions/0001_initial_schema.py",
    "alembic/templates/generic/script.py.mako",
)
# Qt's own translations (standard buttons in Polish); their folder differs between builds.
REQUIRED_GLOBS = ("**/qtbase_pl.qm",)


class BuildFailed(Exception):
    pass


@dataclass(frozen=True)
class RunResult:
    stdout: str
    stderr_lines: list[str]


def executable(bundle: Path, name: str) -> Path:
    return bundle / (f"{name}.exe" if sys.platform == "win32" else name)


def internal_dir(bundle: Path) -> Path:
    """PyInstaller 6 keeps everything but the executables in ``_internal``."""
    inner = bundle / "_internal"
    return inner if inner.is_dir() else bundle


def build(out: Path) -> None:
    dist, work = out / "dist", out / "work"
    shutil.rmtree(dist / BUNDLE_NAME, ignore_errors=True)
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--clean",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
        str(SPEC),
    ]
    print("$ " + " ".join(command), flush=True)
    if subprocess.run(command, cwd=ROOT).returncode != 0:
        raise BuildFailed("PyInstaller failed (see its output above)")


def check_files(bundle: Path) -> None:
    inner = internal_dir(bundle)
    missing = [name for name in REQUIRED_FILES if not (inner / name).is_file()]
    missing += [pattern for pattern in REQUIRED_GLOBS if not any(inner.glob(pattern))]
    for name in ("kancelaria", "clerk-app"):
        if not executable(bundle, name).is_file():
            missing.append(executable(bundle, name).name)
    if missing:
        raise BuildFailed("bundle lacks: " + ", ".join(missing))


def frozen_env(home: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CLERK_", "PYTHON", "QT_", "VIRTUAL_ENV"))
    }
    env.update(
        QT_QPA_PLATFORM="offscreen",
        HOME=str(home),
        USERPROFILE=str(home),
        APPDATA=str(home / "AppData" / "Roaming"),
        LOCALAPPDATA=str(home / "AppData" / "Local"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_RUNTIME_DIR=str(home / "runtime"),
        CLERK_DATA_DIR=str(home / "kancelaria-data"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    (home / "runtime").mkdir(mode=0o700, parents=True, exist_ok=True)
    return env


def run_frozen(bundle: Path, args: Sequence[str], env: dict[str, str], timeout: int) -> RunResult:
    program = executable(bundle, "clerk-app")
    print(f"$ {program.name} {' '.join(args)}", flush=True)
    result = subprocess.run(
        [str(program), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=env,
        timeout=timeout,
        cwd=env["HOME"],
    )
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    unexpected = [line for line in lines if not any(p.match(line) for p in ALLOWED_STDERR)]
    if result.returncode != 0 or unexpected:
        raise BuildFailed(
            f"{program.name} {' '.join(args)} exited with {result.returncode}\n"
            f"stdout:\n{result.stdout}\nunexpected stderr:\n" + "\n".join(unexpected or lines)
        )
    print(result.stdout.strip(), flush=True)
    return RunResult(result.stdout, lines)


def smoke_test(bundle: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from clerk_app import __version__

    with tempfile.TemporaryDirectory(prefix="kancelaria-frozen-") as tmp:
        env = frozen_env(Path(tmp))
        version = run_frozen(bundle, ["--version"], env, timeout=120)
        if version.stdout.strip() != f"Kancelaria {__version__}":
            raise BuildFailed(f"--version printed {version.stdout.strip()!r}")
        smoke = run_frozen(bundle, ["--smoke-test"], env, timeout=300)
        if "smoke test passed" not in smoke.stdout:
            raise BuildFailed("--smoke-test did not report success")


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="build folder")
    parser.add_argument("--skip-build", action="store_true", help="check an existing bundle")
    args = parser.parse_args(argv)
    # Absolute: the frozen program runs with another working directory.
    args.out = args.out.resolve()
    bundle = args.out / "dist" / BUNDLE_NAME
    started = time.monotonic()
    try:
        if not args.skip_build:
            build(args.out)
        built = time.monotonic()
        check_files(bundle)
        smoke_test(bundle)
    except (BuildFailed, subprocess.TimeoutExpired) as exc:
        print(f"bundle check FAILED: {exc}", file=sys.stderr)
        return 1
    print(
        f"bundle OK: {bundle} ({folder_size(bundle) / 2**20:.0f} MiB), "
        f"build {built - started:.0f} s, checks {time.monotonic() - built:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
