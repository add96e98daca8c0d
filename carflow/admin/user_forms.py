"""Forms of the users admin, the own profile and the account settings.

Each form declares only the fields it may change: anything else posted is ignored
(mass assignment).
"""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import available_timezones

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from carflow.admin.forms import CarflowForm, select_choices
from carflow.models import Edition
from carflow.permissions import PERMISSION_LABELS, ROLE_LABELS
from carflow.services.account import DAYS
from carflow.services.users import PASSWORD_MIN_LENGTH

_PASSWORD_RULE = Length(
    min=PASSWORD_MIN_LENGTH,
    max=256,
    message=_l("Use a password of at least %(n)s characters.", n=PASSWORD_MIN_LENGTH),
)
LANGUAGE_CHOICES = [("en", "English"), ("fr", "Français"), ("nl", "Nederlands")]


@lru_cache(maxsize=1)
def _zones() -> tuple[str, ...]:
    return tuple(sorted(tz for tz in available_timezones() if "/" in tz or tz == "UTC"))


def _zone_label(zone: str) -> str:
    return zone.replace("_", " ")


def timezone_choices() -> dict:
    """The time-zone picker's groups: the account's zone first, then Europe, then the rest
    (the page's `data-searchable` filter narrows the list as the user types)."""
    account_zone = current_app.config["CARFLOW_DEFAULT_TIMEZONE"]
    europe = [z for z in _zones() if z.startswith("Europe/") and z != account_zone]
    other = [z for z in _zones() if not z.startswith("Europe/") and z != account_zone]
    return {
        str(_l("Account time zone")): select_choices([(account_zone, _zone_label(account_zone))]),
        str(_l("Europe")): select_choices((z, _zone_label(z)) for z in europe),
        str(_l("Other time zones")): select_choices((z, _zone_label(z)) for z in other),
    }


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class ProfileForm(CarflowForm):
    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=80)])
    last_name = StringField(_l("Last name"), validators=[DataRequired(), Length(max=80)])
    language = SelectField(_l("Language"), choices=select_choices(LANGUAGE_CHOICES))
    timezone = SelectField(
        _l("Time zone"),
        choices=[],
        render_kw={"data-searchable": _l("Filter: type a city or region")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()


class UserForm(ProfileForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    branch_id = SelectField(_l("Branch"), coerce=_int_or_none, validators=[Optional()])
    role = SelectField(_l("Role preset"), choices=select_choices(ROLE_LABELS.items()))
    permissions = SelectMultipleField(
        _l("Permissions"),
        choices=select_choices(PERMISSION_LABELS.items()),
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validators=[Optional()],
    )
    version = HiddenField()
    # Automatic assignment (issue 15): no new leads while absent; an open-lead limit.
    absent_from = DateField(_l("Absent from"), validators=[Optional()])
    absent_until = DateField(_l("Absent until (included)"), validators=[Optional()])
    max_open_leads = IntegerField(
        _l("Maximum open leads"),
        validators=[Optional(), NumberRange(min=0, max=100_000)],
        description=_l("Empty: the branch's limit. 0: no automatically assigned leads."),
    )


class NewUserForm(UserForm):
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), _PASSWORD_RULE],
        description=_l("At least %(n)s characters.", n=PASSWORD_MIN_LENGTH),
    )


class ResetPasswordForm(CarflowForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), _PASSWORD_RULE])


class ChangePasswordForm(CarflowForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), _PASSWORD_RULE])


class CompanyForm(CarflowForm):
    company_name = StringField(_l("Company name"), validators=[DataRequired(), Length(max=200)])
    official_name = StringField(_l("Official name"), validators=[Optional(), Length(max=200)])
    vat_number = StringField(_l("VAT number"), validators=[Optional(), Length(max=40)])
    bank = StringField(_l("Bank"), validators=[Optional(), Length(max=120)])
    iban = StringField(_l("IBAN"), validators=[Optional(), Length(max=40)])
    bic = StringField(_l("BIC"), validators=[Optional(), Length(max=20)])
    version = HiddenField()


class EditionForm(CarflowForm):
    edition = SelectField(_l("Edition"), choices=select_choices(Edition.choices()))


class LogoForm(CarflowForm):
    file = FileField(_l("Logo (PNG, JPEG, GIF or WebP)"), validators=[FileRequired()])


_DAY_LABELS = {
    "mon": _l("Monday"),
    "tue": _l("Tuesday"),
    "wed": _l("Wednesday"),
    "thu": _l("Thursday"),
    "fri": _l("Friday"),
    "sat": _l("Saturday"),
    "sun": _l("Sunday"),
}


class BranchForm(CarflowForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    street = StringField(_l("Street"), validators=[Optional(), Length(max=200)])
    postal_code = StringField(_l("Postal code"), validators=[Optional(), Length(max=20)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=120)])
    country = StringField(_l("Country (2 letters)"), validators=[Optional(), Length(max=2)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    email = EmailField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    lead_notification_email = EmailField(
        _l("New-lead notifications to"), validators=[Optional(), Email(), Length(max=254)]
    )
    website = StringField(_l("Website"), validators=[Optional(), Length(max=254)])
    timezone = SelectField(
        _l("Time zone"),
        choices=[],
        render_kw={"data-searchable": _l("Filter: type a city or region")},
    )
    active = BooleanField(_l("Active"), default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()

    def hours(self, kind: str) -> dict[str, str]:
        """The per-day texts of one opening-hours block ("sales" or "aftersales")."""
        return {day: getattr(self, f"{kind}_{day}").data or "" for day in DAYS}

    def hours_fields(self, kind: str):
        return [getattr(self, f"{kind}_{day}") for day in DAYS]


for _kind in ("sales", "aftersales"):
    for _day in DAYS:
        setattr(
            BranchForm,
            f"{_kind}_{_day}",
            StringField(
                _DAY_LABELS[_day],
                validators=[Optional(), Length(max=60)],
                render_kw={"placeholder": lazy_pgettext("opening hours", "Closed")},
            ),
        )
