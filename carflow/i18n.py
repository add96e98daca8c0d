"""Locale and time zone of the current user, and the formatting filters templates use."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache

from babel import dates as babel_dates
from babel.numbers import format_decimal, format_percent
from babel.units import format_unit
from flask import current_app, g, request
from flask_babel import (
    format_currency,
    format_date,
    format_datetime,
    format_timedelta,
    get_locale,
    get_timezone,
    get_translations,
)
from flask_login import current_user
from jinja2 import pass_context


def select_locale() -> str:
    """The user's language setting, else the browser's preference among ours."""
    languages = current_app.config["CARFLOW_LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    if request:
        return request.accept_languages.best_match(languages) or "en"
    return "en"


def select_timezone() -> str:
    """The user's time zone, else the account default."""
    if current_user and current_user.is_authenticated and current_user.timezone:
        return current_user.timezone
    return current_app.config["CARFLOW_DEFAULT_TIMEZONE"]


@lru_cache(maxsize=4096)
def _short_date(locale_id: str, day) -> str:
    return babel_dates.format_date(day, "short", locale=locale_id)


@lru_cache(maxsize=8192)
def _short_time(locale_id: str, hour: int, minute: int) -> str:
    return babel_dates.format_time(time(hour, minute), "short", locale=locale_id)


@lru_cache(maxsize=64)
def _short_pattern(locale_id: str) -> str:
    return babel_dates.get_datetime_format("short", locale=locale_id).replace("'", "")


def fmt_datetime(value: datetime | None, fmt: str = "short") -> str:
    """`|dt`: Babel's text; the 'short' form (timeline, lists) from cached date and time
    parts, since pages show hundreds of moments and Babel parses its pattern each time."""
    if value is None:
        return ""
    if fmt != "short" or value.tzinfo is None:
        return format_datetime(value, fmt)
    return short_datetime_formatter()(value)


def short_datetime_formatter():
    """`fmt_datetime` for the many moments of one page: locale and time zone read once.

    The cached parts are keyed by the locale's identifier ('fr_BE'), not the Locale object,
    whose comparison is costly when done for every moment of a page.
    """
    locale_id, tz = str(get_locale()), get_timezone()
    pattern = _short_pattern(locale_id)

    def fmt(value: datetime | None) -> str:
        if value is None:
            return ""
        if value.tzinfo is None:
            return format_datetime(value, "short")
        local = value.astimezone(tz)
        return pattern.replace("{0}", _short_time(locale_id, local.hour, local.minute)).replace(
            "{1}", _short_date(locale_id, local.date())
        )

    return fmt


def fmt_date(value, fmt: str = "medium") -> str:
    return "" if value is None else format_date(value, fmt)


def fmt_money(value: Decimal | None, currency: str = "EUR") -> str:
    return "" if value is None else format_currency(value, currency)


def fmt_number(value) -> str:
    """`|number`: a number with the locale's group and decimal separators (98 000 / 98.000)."""
    return "" if value is None else format_decimal(value, locale=get_locale())


def fmt_km(value) -> str:
    """`|km`: a distance in kilometres as the locale writes it ("98 000 km", "98.000 km")."""
    if value is None:
        return ""
    return format_unit(value, "length-kilometer", "short", locale=get_locale())


_SIZE_UNITS = ("digital-kilobyte", "digital-megabyte", "digital-gigabyte")


def fmt_filesize(size: int | None) -> str:
    """`|filesize`: the one size formatter (documents, photos, the 413 page): 1,024 bytes a
    kB, one decimal, in the locale's words and separators ("12,4 kB", "12,4 ko", "602 byte")."""
    if size is None:
        return ""
    value, unit = Decimal(int(size)), "digital-byte"
    for bigger in _SIZE_UNITS:
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return format_unit(value, unit, "short", format="#,##0.#", locale=get_locale())


def fmt_percent(rate) -> str:
    """`|percent`: a rate given in percent (21.00) as the locale writes it: "21 %" (fr),
    "21%" (en, nl), "5,5 %" — no trailing zeros, the locale's decimal sign and spacing."""
    if rate in (None, ""):
        return ""
    return format_percent(Decimal(str(rate)) / 100, locale=get_locale(), decimal_quantization=False)


def localized_name(item) -> str:
    """`|name`: a reference row's (lead type, source, lost reason) name in the reader's
    language: its `name_fr` / `name_nl` when filled in, else the English `name`."""
    if item is None:
        return ""
    language = get_locale().language if get_locale() else "en"
    return getattr(item, f"name_{language}", None) or item.name


def localized_name_column(model):
    """The same choice in SQL, for queries built once: execute them with `language_params()`
    (`coalesce(case :lang when 'fr' then name_fr … end, name)`)."""
    from sqlalchemy import bindparam, case, func

    lang = bindparam("lang", type_=model.name.type)
    translated = case((lang == "fr", model.name_fr), (lang == "nl", model.name_nl))
    return func.coalesce(translated, model.name)


def language_params() -> dict:
    """The bound parameter of `localized_name_column`: the reader's language."""
    locale = get_locale()
    return {"lang": locale.language if locale else "en"}


def fmt_elapsed(value: timedelta | datetime | None) -> str:
    """'3 days' — a duration, or the time since a moment."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        from carflow.models import utcnow

        value = utcnow() - value
    return format_timedelta(value, threshold=1.0)


def request_translations():
    """Flask-Babel's translations for the current locale, looked up once per locale object.

    Templates translate ~50 strings a page; Flask-Babel resolves the domain, the locale and
    its identifier for each one. The lookup is kept on `g`, tied to the locale object
    Flask-Babel's public `get_locale()` answers: `force_locale` and `refresh` install a new
    one, so an e-mail rendered in the customer's language is never served the page's catalog.
    """
    locale = get_locale()
    if locale is None:  # outside an application context
        return get_translations()
    cached = g.get("carflow_translations")
    if cached is not None and cached[0] is locale:
        return cached[1]
    translations = get_translations()
    g.carflow_translations = (locale, translations)
    return translations


# The catalog of the page being rendered, put in its template context once per render.
_RENDER_TRANSLATIONS = "carflow_render_translations"


def render_translations() -> dict:
    """A context processor: the catalog for this render, looked up once. A page translates
    ~50 strings; each lookup through Flask-Babel's locale cost 10 % of the lead page. A
    render inside `force_locale` (an e-mail in the customer's language) runs its context
    processors inside it, so it gets that language's catalog."""
    return {_RENDER_TRANSLATIONS: request_translations()}


def _translations_of(context):
    """The render's catalog; a template rendered without Flask's context processors (or a
    macro imported without context) looks it up instead."""
    return context.get(_RENDER_TRANSLATIONS) or request_translations()


@pass_context
def _gettext(context, string):
    return _translations_of(context).ugettext(string)


@pass_context
def _ngettext(context, singular, plural, number):
    return _translations_of(context).ungettext(singular, plural, number)


@pass_context
def _pgettext(context, message_context, string):
    return _translations_of(context).upgettext(message_context, string)


@pass_context
def _npgettext(context, message_context, singular, plural, number):
    return _translations_of(context).unpgettext(message_context, singular, plural, number)


def init_app(app) -> None:
    """Register the formatting filters and the templates' translation callables."""
    app.jinja_env.install_gettext_callables(
        gettext=_gettext,
        ngettext=_ngettext,
        newstyle=True,
        pgettext=_pgettext,
        npgettext=_npgettext,
    )
    app.context_processor(render_translations)
    app.jinja_env.filters["dt"] = fmt_datetime
    app.jinja_env.filters["date"] = fmt_date
    app.jinja_env.filters["money"] = fmt_money
    app.jinja_env.filters["elapsed"] = fmt_elapsed
    app.jinja_env.filters["number"] = fmt_number
    app.jinja_env.filters["km"] = fmt_km
    app.jinja_env.filters["filesize"] = fmt_filesize
    app.jinja_env.filters["percent"] = fmt_percent
    app.jinja_env.filters["name"] = localized_name
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["short_datetime_formatter"] = short_datetime_formatter
