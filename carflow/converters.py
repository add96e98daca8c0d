"""URL converters: `<int:id>` matches only 1 … 2^31-1, so an id no column can hold is a 404."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """Werkzeug's `int` converter with the range of a 32-bit id column (issue 12).

    `/admin/leads/99999999999999999999` then answers 404 instead of reaching the
    database, where PostgreSQL refuses the number (a 500).
    """

    def __init__(self, map, fixed_digits=0, min=1, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def is_valid_id(value) -> bool:
    """True for an id a database id column can hold: 1 … 2^31-1, as int or digits."""
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        value = value.strip()
        if not value.isascii() or not value.isdigit():
            return False
        value = int(value)
    return isinstance(value, int) and 1 <= value <= MAX_ID
