"""The base of every form: hostile input is refused with a message, never stored (issue 12).

`SafeForm.process` looks at every submitted value once, after WTForms has converted it:

- text: no control characters (NUL, escape, …); multi-line text areas may hold tab, CR, LF;
- whole numbers: within a 32-bit column (-2^31 … 2^31-1); ids in hidden fields 1 … 2^31-1;
- decimals: finite, at most 10,000,000 in size and 2 decimals;
- dates and date-times: between 1900-01-01 and 2100-12-31.

A refused value gets its message on the field and the form never validates (see
`SafeForm.validate`); numbers and dates are replaced by None so no later validator compares
a NaN or year 1. Fields keep their own, narrower bounds (`NumberRange`, `Length`).
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from decimal import Decimal
from functools import cache

from babel import support
from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.i18n import messages_path

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
MAX_AMOUNT = Decimal(10_000_000)
FIRST_DATE, LAST_DATE = date(1900, 1, 1), date(2100, 12, 31)
MULTILINE_ALLOWED = frozenset("\t\r\n")


def _has_control_characters(text: str, multiline: bool) -> bool:
    for char in text:
        if unicodedata.category(char) == "Cc" and not (multiline and char in MULTILINE_ALLOWED):
            return True
    return False


def _without_control_characters(text: str, multiline: bool) -> str:
    return "".join(
        c for c in text if unicodedata.category(c) != "Cc" or (multiline and c in MULTILINE_ALLOWED)
    )


def without_control_characters(text: str) -> str:
    """`text` without its control characters (for search terms and filter values)."""
    return "".join(c for c in text if unicodedata.category(c) != "Cc")


def _text_problem(field, value: str):
    if isinstance(field, SelectField) and value and not value.strip():
        return _l("Not a valid choice.")  # Optional() would take spaces for "nothing chosen"
    multiline = isinstance(field, TextAreaField)
    if _has_control_characters(value, multiline):
        return _l("Remove the control characters (such as NUL) from this text.")
    if isinstance(field, HiddenField) and field.name.endswith("_id") and value.strip():
        digits = value.strip()
        if not digits.isdigit() or not 1 <= int(digits) <= INT_MAX:
            return _l("Not a valid choice.")
    return None


def _number_problem(value):
    if isinstance(value, int):
        if not INT_MIN <= value <= INT_MAX:
            return _l("Enter a whole number between %(min)s and %(max)s.", min=INT_MIN, max=INT_MAX)
        return None
    if isinstance(value, float):
        value = Decimal(value) if value == value and abs(value) != float("inf") else None
        if value is None:
            return _l("Enter a valid number.")
    if not value.is_finite():
        return _l("Enter a valid number.")
    if abs(value) > MAX_AMOUNT:
        return _l("Enter a number no larger than 10,000,000.")
    if value != value.quantize(Decimal("0.01"), rounding="ROUND_DOWN"):
        return _l("Use at most 2 decimals.")
    return None


def input_problem(field):
    """Why the submitted value of `field` is refused, or None."""
    value = field.data
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        return _text_problem(field, value)
    if isinstance(value, int | float | Decimal):
        return _number_problem(value)
    if isinstance(value, date):
        day = value.date() if isinstance(value, datetime) else value
        if not FIRST_DATE <= day <= LAST_DATE:
            return _l("Enter a date between 1900-01-01 and 2100-12-31.")
        return None
    if isinstance(value, list | tuple):
        texts = [v for v in value if isinstance(v, str)]
        if any(_has_control_characters(v, False) for v in texts):
            return _l("Remove the control characters (such as NUL) from this text.")
    return None


def _neutralised(field):
    """The value kept once refused: text as typed (shown again, with the message, for the
    user to correct; the form never validates), numbers and dates None (so no later
    validator compares a NaN or an out-of-range date)."""
    if isinstance(field.data, str | list | tuple):
        return field.data
    return None


@cache
def wtforms_catalog(locale: str) -> support.Translations:
    """WTForms' own messages ("This field is required.") in `locale`, read once per
    language: Flask-WTF reads and parses the catalog file again on every request."""
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class SafeForm(FlaskForm):
    """A Flask-WTF form (CSRF) that refuses hostile submitted values (see the module)."""

    class Meta:
        def get_translations(self, form):
            """The language's WTForms catalog, loaded once (WTForms' documented hook)."""
            locale = get_locale()
            if locale is None or not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return wtforms_catalog(str(locale))

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        super().process(formdata, obj, data=data, extra_filters=extra_filters, **kwargs)
        self.refused_input = {}
        for field in self:
            if not field.raw_data or field.process_errors:
                continue
            problem = input_problem(field)
            if problem is not None:
                # Not in `process_errors`: those would silence WTForms' own checks (a
                # select's "not a valid choice"); `validate` adds the message.
                self.refused_input[field.short_name] = problem  # the form's key, without any prefix
                field.data = _neutralised(field)

    def validate(self, extra_validators=None) -> bool:
        """WTForms' validation, then the refused values' messages: never valid with one."""
        valid = super().validate(extra_validators)
        for name, lazy_problem in getattr(self, "refused_input", {}).items():
            field, problem = self[name], str(lazy_problem)  # plain text: Flask-Admin joins them
            if problem not in field.errors:
                field.errors = [*field.errors, problem]
            valid = False
        return valid
