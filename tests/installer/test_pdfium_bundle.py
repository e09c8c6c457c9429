"""The frozen bundle carries PDFium, which pypdfium2 loads with ctypes (invisible to imports)."""

from __future__ import annotations

import ast
from pathlib import Path

import pypdfium2_raw

SPEC = Path(__file__).resolve().parents[2] / "installer" / "kancelaria.spec"


def test_spec_collects_the_pdfium_library_into_the_analysis() -> None:
    tree = ast.parse(SPEC.read_text(encoding="utf-8"), str(SPEC))
    collected = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "collect_dynamic_libs"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    assert "pypdfium2_raw" in collected
    analysis = next(
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Analysis"
    )
    assert any(kw.arg == "binaries" for kw in analysis.keywords)


def test_the_installed_package_ships_the_library_the_spec_collects() -> None:
    folder = Path(pypdfium2_raw.__file__).parent
    libraries = [
        p for p in folder.iterdir() if "pdfium" in p.name and p.suffix in (".so", ".dll", ".dylib")
    ]
    assert libraries, f"no PDFium library in {folder}"
