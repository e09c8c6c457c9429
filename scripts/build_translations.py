"""Refresh the Qt Linguist sources from the code and compile them.

    python scripts/build_translations.py          # lupdate + lrelease
    python scripts/build_translations.py --check  # fail if a .qm is stale or a text untranslated

Translators edit resources/translations/kancelaria_pl.ts (Qt Linguist); the
compiled .qm files are committed so an installation needs no Qt tools.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TS_DIR = ROOT / "resources" / "translations"
LANGUAGES = ["pl"]


def ui_sources() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "clerk_app" / "ui").rglob("*.py"))


def tool(name: str) -> str:
    found = shutil.which(f"pyside6-{name}", path=str(Path(sys.executable).parent))
    return found or f"pyside6-{name}"


def lupdate() -> None:
    for lang in LANGUAGES:
        ts = TS_DIR / f"kancelaria_{lang}.ts"
        subprocess.run(
            [tool("lupdate"), "-no-obsolete", "-locations", "none", *ui_sources(), "-ts", str(ts)],
            cwd=ROOT,
            check=True,
        )


def lrelease(ts: Path, qm: Path) -> None:
    subprocess.run([tool("lrelease"), "-silent", str(ts), "-qm", str(qm)], check=True)


def check() -> int:
    problems = []
    for lang in LANGUAGES:
        ts = TS_DIR / f"kancelaria_{lang}.ts"
        text = ts.read_text(encoding="utf-8")
        if 'type="unfinished"' in text:
            problems.append(f"{ts.name}: untranslated texts")
        with tempfile.TemporaryDirectory() as tmp:
            fresh = Path(tmp) / "fresh.qm"
            lrelease(ts, fresh)
            qm = ts.with_suffix(".qm")
            if not qm.exists() or qm.read_bytes() != fresh.read_bytes():
                problems.append(f"{qm.name} is stale: run scripts/build_translations.py")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


def main() -> int:
    if "--check" in sys.argv:
        return check()
    TS_DIR.mkdir(parents=True, exist_ok=True)
    lupdate()
    for lang in LANGUAGES:
        ts = TS_DIR / f"kancelaria_{lang}.ts"
        lrelease(ts, ts.with_suffix(".qm"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
