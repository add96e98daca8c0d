"""Numbers in the reader's locale, fast: the dashboard shows about a thousand of them.

Babel's `format_decimal` parses the locale's pattern on every call (~0.2 ms); the tables
only need integers and one-decimal figures, so the locale's two symbols are read once
and Python formats the rest. Amounts still go through Flask-Babel's `format_currency`.
"""

from __future__ import annotations

from collections.abc import Callable

from babel.numbers import get_decimal_symbol, get_group_symbol
from flask_babel import format_currency, get_locale

_MARK = "\x00"


def number_formatter() -> Callable[[object], str]:
    """A function writing ints and floats (one decimal) as the current locale does."""
    locale = get_locale()
    group, decimal = get_group_symbol(locale), get_decimal_symbol(locale)

    def fmt(value) -> str:
        text = f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"
        return text.replace(",", _MARK).replace(".", decimal).replace(_MARK, group)

    return fmt


def display_rows(table) -> list[list[tuple[str, str | None]]]:
    """The table's rows as (text, link or None) cells, numbers in the reader's locale."""
    fmt = number_formatter()
    rows = []
    for r, row in enumerate(table.rows):
        cells = []
        for c, value in enumerate(row):
            if value is None:
                text = "–"
            elif isinstance(value, str):
                text = value
            elif c in table.money_columns:
                text = format_currency(value, "EUR")
            else:
                text = fmt(value)
            cells.append((text, table.links.get((r, c)) if value else None))
        rows.append(cells)
    return rows
