"""JRWA CSV import: tree building, categories, errors with line numbers, shipped plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from clerk_app.services.jrwa_import import (
    ArchivalCategory,
    ArchivalCategoryError,
    CategoryKind,
    JrwaImportError,
    load_jrwa_csv,
    parse_jrwa_csv,
)

HEADER = "symbol;title;category_lead;category_other\n"

SMALL_PLAN = HEADER + (
    "0;Zarządzanie;;\n"
    "00;Organy gminy;;\n"
    "000;Rada gminy;;\n"
    "0002;Sesje rady gminy;A;Bc\n"
    "0007;Uchwały rady gminy;A;Bc\n"
    "6;Gospodarka;;\n"
    "67;Planowanie i zagospodarowanie przestrzenne;;\n"
    "673;Warunki zabudowy;;\n"
    "6733;Lokalizacja inwestycji celu publicznego;A;Bc\n"
    "6730;Ustalanie warunków zabudowy;A;B5\n"
    "1;Kadry;;\n"
    "10;Nabór;B2;Bc\n"
    "11;Opinie biegłych;BE10;Bc\n"
)


def test_plan_becomes_a_tree_in_symbol_order() -> None:
    plan = parse_jrwa_csv(SMALL_PLAN)
    assert [root.symbol for root in plan.roots] == ["0", "1", "6"]
    assert [node.symbol for node in plan.walk()] == [
        "0",
        "00",
        "000",
        "0002",
        "0007",
        "1",
        "10",
        "11",
        "6",
        "67",
        "673",
        "6730",
        "6733",
    ]
    node = plan.get("673")
    assert node is not None
    assert [child.symbol for child in node.children] == ["6730", "6733"]
    assert node.parent_symbol == "67"
    assert node.level == 3
    assert not node.is_end_class


def test_end_classes_carry_categories() -> None:
    plan = parse_jrwa_csv(SMALL_PLAN)
    assert [node.symbol for node in plan.end_classes()] == [
        "0002",
        "0007",
        "10",
        "11",
        "6730",
        "6733",
    ]
    assert plan.is_end_class("6730")
    assert not plan.is_end_class("67")
    assert not plan.is_end_class("9999")
    wz = plan.get("6730")
    assert wz is not None
    assert wz.title == "Ustalanie warunków zabudowy"
    assert wz.category_lead == ArchivalCategory(CategoryKind.A)
    assert wz.category_other == ArchivalCategory(CategoryKind.B, 5)
    assert wz.line == 11
    expert = plan.get("11")
    assert expert is not None and expert.category_lead == ArchivalCategory(CategoryKind.BE, 10)
    root = plan.get("0")
    assert root is not None and root.parent_symbol is None


def test_bom_crlf_quotes_and_blank_lines_are_accepted() -> None:
    text = (
        "\ufeffsymbol;title;category_lead;category_other\r\n"
        "\r\n"
        '3;"Finanse; budżet";;\r\n'
        '30;"Budżet\u00a0gminy\n(uchwały)";A;Bc\r\n'
    )
    plan = parse_jrwa_csv(text)
    finance = plan.get("3")
    budget = plan.get("30")
    assert finance is not None and finance.title == "Finanse; budżet"
    assert budget is not None and budget.title == "Budżet gminy (uchwały)"


@pytest.mark.parametrize("text", ["A", "Bc", "B5", "B50", "BE5", "BE10"])
def test_category_round_trip(text: str) -> None:
    assert str(ArchivalCategory.parse(text)) == text


@pytest.mark.parametrize(
    "text", ["", "B", "BE", "C5", "b5", "bc", "B05", "B101", "A5", "B 5", "B٥"]
)
def test_bad_category_is_rejected(text: str) -> None:
    with pytest.raises(ArchivalCategoryError):
        ArchivalCategory.parse(text)


@pytest.mark.parametrize(
    ("rows", "line", "message"),
    [
        ("0;Zarządzanie;;\n012;Upoważnienia;A;Bc\n", 3, "klasa 012 nie ma klasy nadrzędnej 01"),
        (
            "0;Zarządzanie;;\n00;Organy;A;Bc\n00;Organy gminy;A;Bc\n",
            4,
            "symbol 00 powtarza się (pierwszy raz w wierszu 3)",
        ),
        ("6a;Gospodarka;A;Bc\n", 2, "symbol „6a” musi składać się z 1–6 cyfr"),
        ("1234567;Za długi;A;Bc\n", 2, "symbol „1234567”"),
        ("6;;A;Bc\n", 2, "klasa 6 nie ma hasła"),
        ("6;Gospodarka;C5;Bc\n", 2, "nieznana kategoria archiwalna „C5”"),
        ("6;Gospodarka;A;B05\n", 2, "liczba lat nie może zaczynać się od 0"),
        (
            "6;Gospodarka;A;Bc\n67;Planowanie;A;Bc\n",
            2,
            "klasa 6 ma podklasy, więc nie może mieć kategorii archiwalnej",
        ),
        ("6;Gospodarka;;\n67;Planowanie;A;\n", 3, "klasa końcowa 67 musi mieć obie kategorie"),
        ("6;Gospodarka\n", 2, "oczekiwano 4 kolumn"),
        ("6;Gospodarka;A;Bc;extra\n", 2, "jest 5"),
        ("6;Gospo\x07darka;A;Bc\n", 2, "zawiera znaki sterujące"),
        ('6;"Gospodarka;A;Bc\n', 2, "niepoprawny zapis CSV"),
    ],
)
def test_errors_name_the_line(rows: str, line: int, message: str) -> None:
    with pytest.raises(JrwaImportError) as caught:
        parse_jrwa_csv(HEADER + rows)
    lines_and_messages = [(problem.line, problem.message) for problem in caught.value.problems]
    assert any(found_line == line and message in text for found_line, text in lines_and_messages), (
        lines_and_messages
    )
    assert f"wiersz {line}: " in str(caught.value)


def test_all_problems_are_reported_together() -> None:
    text = HEADER + "0;Zarządzanie;;\n012;Upoważnienia;A;Bc\n7x;Drogi;A;Bc\n"
    with pytest.raises(JrwaImportError) as caught:
        parse_jrwa_csv(text)
    assert [problem.line for problem in caught.value.problems] == [2, 3, 4]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "plik jest pusty"),
        ("symbol,title,category_lead,category_other\n0,Zarządzanie,,\n", "nagłówek musi brzmieć"),
        ("0;Zarządzanie;;\n", "nagłówek musi brzmieć"),
        (HEADER, "plik nie zawiera żadnej klasy"),
    ],
)
def test_file_level_errors(text: str, message: str) -> None:
    with pytest.raises(JrwaImportError, match=message):
        parse_jrwa_csv(text)


def test_load_rejects_non_utf8_and_oversized_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    legacy = tmp_path / "jrwa_cp1250.csv"
    legacy.write_bytes((HEADER + "0;Zarządzanie;A;Bc\n").encode("cp1250"))
    with pytest.raises(JrwaImportError, match="UTF-8"):
        load_jrwa_csv(legacy)

    big = tmp_path / "big.csv"
    big.write_text(HEADER + "6;Gospodarka;A;Bc\n" * 10, encoding="utf-8")
    monkeypatch.setattr("clerk_app.services.jrwa_import.MAX_FILE_BYTES", 100)
    with pytest.raises(JrwaImportError, match="plik jest większy niż"):
        load_jrwa_csv(big)


def test_load_reads_a_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text(SMALL_PLAN, encoding="utf-8-sig")
    assert len(list(load_jrwa_csv(path).walk())) == 13


SHIPPED_PLAN = Path(__file__).resolve().parents[2] / "resources" / "jrwa" / "jrwa_gmina_subset.csv"


def test_shipped_gmina_subset_is_a_valid_plan() -> None:
    plan = load_jrwa_csv(SHIPPED_PLAN)
    classes = list(plan.walk())
    assert 60 <= len(classes) <= 120
    for symbol in ("0", "00", "000", "1", "2", "3", "5", "6", "67", "672", "673", "7"):
        assert not plan.is_end_class(symbol), symbol
    for symbol in ("0001", "0120", "6720", "6721", "6730", "6733"):
        assert plan.is_end_class(symbol), symbol
    wz = plan.get("6730")
    assert wz is not None and wz.title == "Ustalanie warunków zabudowy"
    for node in plan.end_classes():
        assert node.category_lead is not None and node.category_other is not None
