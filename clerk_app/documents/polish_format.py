"""Polish formatting of dates, numbers and money for letters.

Dates are written the way offices write them ("25 listopada 2026 r."), numbers
group thousands with a space and use a decimal comma ("1 234,50"), and fee
amounts can be spelled out for payment slips and decisions ("sto dwadzieścia
trzy złote 50/100"). Plain spaces are used everywhere: keeping a group or
"r." from breaking at the end of a line is the PDF layout's job.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from num2words import num2words

# Genitive month names: "25 listopada", never the nominative "listopad".
MONTHS_GENITIVE = (
    "stycznia",
    "lutego",
    "marca",
    "kwietnia",
    "maja",
    "czerwca",
    "lipca",
    "sierpnia",
    "września",
    "października",
    "listopada",
    "grudnia",
)

Number = Decimal | int | float | str


class PolishFormatError(ValueError):
    """A value cannot be written as a Polish date, number or amount."""


def to_date(value: date | str) -> date:
    """Accept a date (or datetime) or an ISO "2026-11-25" string, as JSON data carries."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise PolishFormatError(f"„{value}” nie jest datą (oczekiwano np. 2026-11-25).")


def format_date_words(value: date | str) -> str:
    """Return e.g. "25 listopada 2026 r." (day without a leading zero)."""
    day = to_date(value)
    return f"{day.day} {MONTHS_GENITIVE[day.month - 1]} {day.year} r."


def format_date_numeric(value: date | str) -> str:
    """Return e.g. "05.03.2026 r." as used in tables and references."""
    return f"{to_date(value):%d.%m.%Y} r."


def format_place_date(place: str, value: date | str) -> str:
    """Return the dateline of a letter, e.g. "Gdańsk, 25 listopada 2026 r."."""
    place = place.strip()
    if not place:
        raise PolishFormatError("Brak miejscowości w dacie pisma.")
    return f"{place}, {format_date_words(value)}"


def to_decimal(value: Number) -> Decimal:
    """Convert to ``Decimal`` exactly as written (floats via their shortest repr)."""
    if isinstance(value, bool):
        raise PolishFormatError("Wartość logiczna nie jest liczbą.")
    try:
        result = Decimal(str(value).strip()) if isinstance(value, float | str) else Decimal(value)
    except InvalidOperation:
        raise PolishFormatError(f"„{value}” nie jest liczbą.") from None
    if not result.is_finite():
        raise PolishFormatError(f"„{value}” nie jest skończoną liczbą.")
    return result


def format_number(value: Number, decimals: int | None = None) -> str:
    """Group thousands with spaces and use a decimal comma: "1 234 567,5".

    ``decimals`` rounds half up to that many places (and pads with zeros);
    ``None`` keeps the digits the value has.
    """
    number = to_decimal(value)
    if decimals is not None:
        if decimals < 0:
            raise PolishFormatError("Liczba miejsc po przecinku nie może być ujemna.")
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if number.is_zero():
        number = number.copy_abs()  # rounding -0.001 must not print "-0,00"
    # The "," option groups by three; swap separators for the Polish convention.
    text = f"{number:,f}" if decimals is None else f"{number:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",")


def format_money(value: Number) -> str:
    """Return an amount in złoty with grosze, e.g. "1 234,50 zł"."""
    return f"{format_number(value, 2)} zł"


def plural_form(count: int, one: str, few: str, many: str) -> str:
    """Pick the Polish noun form for ``count``: 1 złoty, 2 złote, 5 złotych.

    "few" applies to 2–4, 22–24, 32–34… but not 12–14; everything else,
    including 0 and 21, takes "many".
    """
    count = abs(count)
    if count == 1:
        return one
    if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14):
        return few
    return many


def number_in_words(value: int) -> str:
    """Return a whole number in Polish words, e.g. 123 → "sto dwadzieścia trzy"."""
    if value < 0:
        raise PolishFormatError("Liczba słownie musi być nieujemna.")
    return str(num2words(value, lang="pl"))


def amount_in_words(value: Number) -> str:
    """Spell out a fee: 123.50 → "sto dwadzieścia trzy złote 50/100".

    Grosze stay as digits over 100, as written on payment slips and decisions.
    """
    amount = to_decimal(value)
    if amount < 0:
        raise PolishFormatError("Kwota słownie nie może być ujemna.")
    amount = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    zloty = int(amount)
    grosze = int((amount - zloty) * 100)
    unit = plural_form(zloty, "złoty", "złote", "złotych")
    return f"{number_in_words(zloty)} {unit} {grosze:02d}/100"
