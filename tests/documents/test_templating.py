"""Letter templates: the file format, the sandbox and errors that name the line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from clerk_app.documents.templating import (
    MAX_OUTPUT_CHARS,
    TemplateError,
    builtin_template_names,
    load_builtin_template,
    load_template_file,
    parse_template,
)

HEADER = "name: test_letter\ntitle: Pismo testowe\nkind: letter\n"  # lines 1-3


def template_with_body(*body_lines: str) -> str:
    """Header on lines 1-3, subject on line 5, body text from line 7 on."""
    return HEADER + "=== subject\nTemat\n=== body\n" + "\n".join(body_lines) + "\n"


def render_body(*body_lines: str, **data: Any) -> tuple[str, ...]:
    return parse_template(template_with_body(*body_lines), "test.txt").render(data).body


# --- format -----------------------------------------------------------------


def test_full_template_renders_every_section() -> None:
    text = (
        "# komentarz\n"
        "name: zawiadomienie\n"
        "title: Zawiadomienie o wszczęciu postępowania\n"
        "kind: notice\n"
        "required: party.name, case.sign\n"
        "description: Art. 61 § 4 KPA\n"
        "\n"
        "=== subject\n"
        "Zawiadomienie   o wszczęciu\n"
        "postępowania w sprawie {{ case.sign }}\n"
        "=== body\n"
        "Szanowna Pani {{ party.name }},\n"
        "zawiadamiam o wszczęciu postępowania.\n"
        "\n"
        "\n"
        "{% if fee %}\n"
        "Opłata: {{ fee|money }} ({{ fee|amount_in_words }}).\n"
        "{% endif %}\n"
        "Termin: {{ days }} {{ days|plural('dzień', 'dni', 'dni') }}, do {{ due|date_pl }}\n"
        "=== legal_basis\n"
        "art. 61 § 4 KPA\n"
        "=== instruction\n"
        "Pierwszy akapit pouczenia.\n"
        "\n"
        "Drugi akapit pouczenia.\n"
    )
    template = parse_template(text, "zawiadomienie.txt")
    assert (template.name, template.title, template.kind) == (
        "zawiadomienie",
        "Zawiadomienie o wszczęciu postępowania",
        "notice",
    )
    assert template.required == ("party.name", "case.sign")
    rendered = template.render(
        {
            "party": {"name": "Łucja Ćwik"},
            "case": {"sign": "GK.6730.1.2026"},
            "fee": Decimal("10"),
            "days": 7,
            "due": date(2026, 12, 2),
        }
    )
    assert rendered.subject == "Zawiadomienie o wszczęciu postępowania w sprawie GK.6730.1.2026"
    assert rendered.body == (
        "Szanowna Pani Łucja Ćwik,\nzawiadamiam o wszczęciu postępowania.",
        "Opłata: 10,00 zł (dziesięć złotych 00/100).\nTermin: 7 dni, do 2 grudnia 2026 r.",
    )
    assert rendered.legal_basis == "art. 61 § 4 KPA"
    assert rendered.instruction == ("Pierwszy akapit pouczenia.", "Drugi akapit pouczenia.")


def test_data_can_be_dataclasses_and_none_prints_as_nothing() -> None:
    @dataclass
    class Party:
        name: str
        title: str | None

    body = render_body("{{ party.title }} {{ party.name }}", party=Party("Jan Żak", None))
    assert body == ("Jan Żak",)


def test_template_output_is_plain_text_not_escaped() -> None:
    # Escaping for the PDF happens in letter_pdf; the template keeps text as typed.
    assert render_body("{{ name }}", name="Kowalski & Syn <sp. j.>") == ("Kowalski & Syn <sp. j.>",)


def test_dates_from_json_strings_are_accepted() -> None:
    assert render_body("{{ due|date_pl }}", due="2026-11-25") == ("25 listopada 2026 r.",)


# --- errors name the line ----------------------------------------------------


def test_unknown_placeholder_names_the_field_and_file_line() -> None:
    text = template_with_body("Pierwszy wiersz.", "", "Wnioskodawca: {{ applicant_name }}")
    with pytest.raises(TemplateError) as error:
        parse_template(text, "pismo.txt").render({})
    assert error.value.line == 9
    assert error.value.template == "pismo.txt"
    assert str(error.value) == "Szablon „pismo.txt”, wiersz 9: nieznane pole „applicant_name”"


def test_unknown_attribute_names_the_field() -> None:
    with pytest.raises(TemplateError, match="wiersz 8: nieznane pole „signn”") as error:
        render_body("x", "{{ case.signn }}", case={"sign": "A.1"})
    assert isinstance(error.value, ValueError)


def test_unknown_placeholder_in_a_later_section_counts_file_lines() -> None:
    text = HEADER + "=== subject\nT\n=== body\nB\n=== legal_basis\n\n{{ basis }}\n"
    with pytest.raises(TemplateError) as error:
        parse_template(text).render({})
    assert error.value.line == 10


def test_syntax_error_names_the_line() -> None:
    text = template_with_body("ok", "{{ name }", "ok")
    with pytest.raises(TemplateError, match="błąd składni") as error:
        parse_template(text, "zly.txt")
    assert error.value.line == 8
    assert "wiersz 8" in str(error.value)


def test_unclosed_block_is_reported() -> None:
    text = template_with_body("{% if name %}", "Tekst")
    with pytest.raises(TemplateError, match="niezamknięty blok"):
        parse_template(text)


def test_unknown_tag_is_reported_with_line() -> None:
    with pytest.raises(TemplateError, match="nieznany znacznik") as error:
        parse_template(template_with_body("a", "b", "{% exec %}"))
    assert error.value.line == 9


def test_error_in_a_filter_names_the_line() -> None:
    with pytest.raises(TemplateError, match=r"wiersz 7: „dużo” nie jest liczbą"):
        render_body("{{ fee|money }}", fee="dużo")


def test_division_by_zero_is_a_template_error() -> None:
    with pytest.raises(TemplateError, match="wiersz 7: dzielenie przez zero"):
        render_body("{{ 1 / zero }}", zero=0)


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("name: a\ntitle: A\n=== subject\nS\n=== body\nB\n", None, "brak klucza „kind”"),
        ("name: A-1\ntitle: A\nkind: k\n=== subject\nS\n=== body\nB\n", 1, "nazwa „A-1”"),
        (HEADER + "author: x\n=== subject\nS\n=== body\nB\n", 4, "nieznany klucz nagłówka"),
        (HEADER + "title: x\n=== subject\nS\n=== body\nB\n", 4, "powtórzony"),
        (HEADER + "to nie jest klucz\n=== subject\nS\n=== body\nB\n", 4, "klucz: wartość"),
        (HEADER + "=== subject\nS\n=== body\nB\n=== sentencja\nx\n", 8, "nieznana sekcja"),
        (HEADER + "=== subject\nS\n=== subject\nB\n", 6, "powtórzona"),
        (HEADER + "=== subject\nS\n", None, "brak sekcji „=== body”"),
        (HEADER + "required: party..name\n=== subject\nS\n=== body\nB\n", 4, "wymaganego pola"),
        (HEADER + "required: __class__\n=== subject\nS\n=== body\nB\n", 4, "wymaganego pola"),
    ],
)
def test_malformed_files_are_rejected_with_line(text: str, line: int | None, reason: str) -> None:
    with pytest.raises(TemplateError, match=reason) as error:
        parse_template(text)
    assert error.value.line == line


def test_required_fields_must_be_filled() -> None:
    text = HEADER + "required: party.name, case.sign, parcels\n=== subject\nS\n=== body\nB\n"
    template = parse_template(text, "wymagane.txt")
    with pytest.raises(TemplateError) as error:
        template.render({"party": {"name": "  "}, "case": {"sign": "A.1"}, "parcels": []})
    assert error.value.line == 4
    assert "„party.name”" in error.value.reason
    assert "„parcels”" in error.value.reason
    assert "case.sign" not in error.value.reason
    rendered = template.render({"party": {"name": "Ewa"}, "case": {"sign": "A.1"}, "parcels": [1]})
    assert rendered.body == ("B",)


# --- sandbox ----------------------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ (1).__class__.__base__ }}",
        "{{ lipsum.__globals__['os'].popen('id').read() }}",
        "{{ cycler.__init__.__globals__.os.system('id') }}",
        "{{ joiner.__init__.__globals__ }}",
        "{{ self.__init__.__globals__ }}",
        "{{ namespace.__init__.__globals__ }}",
        "{{ data.__dict__ }}",
        "{{ data.run.__globals__ }}",
        "{{ data.run.__code__ }}",
        "{{ items.append(1) }}",
        "{{ mapping.update({'a': 1}) }}",
        "{{ mapping.pop('key') }}",
        "{% set x = items.clear() %}",
    ],
)
def test_sandbox_escapes_are_refused(expression: str) -> None:
    class Data:
        def run(self) -> str:
            return "ran"

    items = [1, 2]
    mapping = {"key": "value"}
    with pytest.raises(TemplateError, match="wiersz 7") as error:
        render_body(expression, data=Data(), items=items, mapping=mapping)
    assert error.value.reason.startswith("operacja niedozwolona w szablonie")
    assert items == [1, 2]
    assert mapping == {"key": "value"}


def test_attribute_access_to_os_is_refused() -> None:
    import os

    with pytest.raises(TemplateError, match="zabroniony"):
        render_body("{{ os.system.__self__ }}", os=os)
    with pytest.raises(TemplateError, match="niedozwolon"):
        render_body("{{ os.__dict__ }}", os=os)


@pytest.mark.parametrize(
    "statement",
    [
        "{% include '/etc/passwd' %}",
        "{% import 'os' as os %}",
        "{% extends '../../pyproject.toml' %}",
        "{% from 'letter_generic.txt' import x %}",
    ],
)
def test_templates_cannot_read_files(statement: str) -> None:
    with pytest.raises(TemplateError, match="nie można dołączać innych szablonów"):
        render_body(statement)


@pytest.mark.parametrize(
    "expression",
    [
        "{{ 'x' * 100000000 }}",
        "{{ 100000000 * [1] }}",
        "{{ 2 ** 100000000 }}",
        "{{ 'x'.center(100000000) }}",
        "{{ 'x'|center(100000000) }}",
        "{{ 'x'.zfill(100000000) }}",
        "{{ 'x'|indent(100000000) }}",
        "{{ [1]|slice(100000000) }}",
        "{{ 'x'.rjust(100000000) }}",
        "{{ '{:>100000000}'.format('x') }}",
        "{{ '{:{w}}'.format('x', w=100000000) }}",
        "{{ '{0:>100000000}'.format_map({}) }}",
        "{{ '%100000000s' % 'x' }}",
        "{{ '%*s' % (100000000, 'x') }}",
        "{{ '%100000000s'|format('x') }}",
        "{{ ('x' * 10000) + ('y' * 10000) + big }}",
    ],
)
def test_memory_bombs_are_refused(expression: str) -> None:
    with pytest.raises(TemplateError, match="niedozwolona"):
        render_body(expression, big="z" * MAX_OUTPUT_CHARS)


def test_runaway_output_stops_at_the_limit() -> None:
    body = "{% set s = 'x' * 10000 %}{% for i in range(1000) %}{{ s }}{% endfor %}"
    with pytest.raises(TemplateError, match=f"ponad {MAX_OUTPUT_CHARS} znaków"):
        render_body(body)


def test_ordinary_arithmetic_and_formatting_still_work() -> None:
    body = (
        "{{ 'ab' * 3 }} {{ 2 ** 10 }} {{ price * 3 }} {{ 'a' + 'b' }} {{ '%05d' % 42 }}"
        " {{ '{:>6}'.format(number) }} {{ '%s/%d'|format('GK', 123456) }} {{ 'x'.rjust(3) }}"
    )
    assert render_body(body, price=Decimal("1.5"), number=123456) == (
        "ababab 1024 4.5 ab 00042 123456 GK/123456   x",
    )


# --- files --------------------------------------------------------------------


def test_template_file_is_read_as_utf8_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "pismo.txt"
    path.write_bytes("\ufeff".encode() + template_with_body("Zażółć {{ x }}").encode())
    assert load_template_file(path).render({"x": "gęślą jaźń"}).body == ("Zażółć gęślą jaźń",)


def test_template_file_not_in_utf8_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "cp1250.txt"
    path.write_bytes(template_with_body("Zażółć").encode("cp1250"))
    with pytest.raises(TemplateError, match="UTF-8") as error:
        load_template_file(path)
    assert error.value.line == 7


def test_missing_template_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="nie można odczytać"):
        load_template_file(tmp_path / "brak.txt")


@pytest.mark.parametrize(
    "name", ["../../pyproject", "letter_generic.txt", "/etc/passwd", "CON", ""]
)
def test_builtin_template_names_cannot_escape(name: str) -> None:
    with pytest.raises(TemplateError, match="niepoprawna nazwa"):
        load_builtin_template(name)


def test_unknown_builtin_template_is_reported() -> None:
    with pytest.raises(TemplateError, match="nie ma takiego"):
        load_builtin_template("no_such_template")


# --- the shipped generic template --------------------------------------------


def test_generic_template_is_shipped_and_renders_minimal_data() -> None:
    assert "letter_generic" in builtin_template_names()
    template = load_builtin_template("letter_generic")
    rendered = template.render(
        {
            "subject": "wniosku o wydanie zaświadczenia",
            "body": "Akapit 1.\n\nAkapit 2.",
            "office": {"name": "Urząd Gminy Żółkiewka"},
        }
    )
    assert rendered.subject == "Dotyczy: wniosku o wydanie zaświadczenia"
    assert rendered.body == ("Akapit 1.", "Akapit 2.")
    assert rendered.legal_basis == ""
    assert rendered.instruction == ()


def test_generic_template_with_reference_deadline_and_fee() -> None:
    template = load_builtin_template("letter_generic")
    rendered = template.render(
        {
            "subject": "opłaty",
            "body": "Treść.",
            "office": {"name": "Urząd Gminy Żółkiewka"},
            "reference": {"sign": "AB/7/2026", "dated": date(2026, 11, 3)},
            "reply_days": 14,
            "fee": Decimal("123.50"),
            "fee_account": "12 1020 0000 0000 0000 0000 0000",
            "legal_basis": "art. 61 § 4 KPA",
            "instruction": "Pouczenie 1.\n\nPouczenie 2.",
        }
    )
    assert rendered.body[0].startswith("W odpowiedzi na pismo z dnia 3 listopada 2026 r.")
    assert "(znak: AB/7/2026) Urząd Gminy Żółkiewka" in rendered.body[0]
    assert rendered.body[1] == "Treść."
    assert "w terminie 14 dni od dnia doręczenia" in rendered.body[2]
    assert "123,50 zł (słownie: sto dwadzieścia trzy złote 50/100)" in rendered.body[3]
    assert rendered.legal_basis == "art. 61 § 4 KPA"
    assert rendered.instruction == ("Pouczenie 1.", "Pouczenie 2.")


def test_generic_template_refuses_missing_body() -> None:
    template = load_builtin_template("letter_generic")
    with pytest.raises(TemplateError, match="„body”") as error:
        template.render({"subject": "x", "office": {"name": "Urząd"}})
    assert error.value.template == "letter_generic.txt"
    assert error.value.line is not None
