"""A delay typed as hours and minutes ("24:00", "4:30", "2") and kept in minutes."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import ValidationError

_PATTERN = re.compile(r"^\s*(\d{1,4})\s*(?:[:hH]\s*(\d{1,2})\s*(?:m|min)?)?\s*$")


def minutes_as_hours(minutes: int | None) -> str:
    """240 → "4:00", 90 → "1:30" (how the field shows a stored delay)."""
    if minutes is None:
        return ""
    return f"{minutes // 60}:{minutes % 60:02d}"


def parse_hours_minutes(text: str) -> int | None:
    """ "4:30", "4h30", "4 h", "4" → minutes; None when it is not such a text."""
    match = _PATTERN.match(text or "")
    if not match:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    if minutes > 59:
        return None
    return hours * 60 + minutes


class HoursMinutesField(StringField):
    """A delay as hours:minutes in the form, as whole minutes in `data` (None when empty).

    `max_minutes` bounds it; `required` refuses an empty value.
    """

    def __init__(self, label=None, validators=None, max_minutes=60 * 24 * 90, **kwargs):
        kwargs.setdefault("render_kw", {"placeholder": _l("hh:mm"), "inputmode": "numeric"})
        super().__init__(label, validators, **kwargs)
        self.max_minutes = max_minutes

    def process_formdata(self, valuelist):
        self.raw_text = (valuelist[0] if valuelist else "").strip()
        self.data = parse_hours_minutes(self.raw_text) if self.raw_text else None

    def _value(self):
        if getattr(self, "raw_text", None) and self.data is None:
            return self.raw_text  # what was typed, shown again with its message
        return minutes_as_hours(self.data)

    def pre_validate(self, form):
        if getattr(self, "raw_text", "") and self.data is None:
            raise ValidationError(_l("Enter hours and minutes, for example 4:30."))
        if self.data is not None and not 1 <= self.data <= self.max_minutes:
            raise ValidationError(
                _l(
                    "Enter a delay between 0:01 and %(max)s.",
                    max=minutes_as_hours(self.max_minutes),
                )
            )
