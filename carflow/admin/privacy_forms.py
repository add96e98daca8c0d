"""Forms of the personal-data pages (issue 17): consent, erasure, privacy settings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from carflow.admin.forms import CarflowForm, select_choices
from carflow.services.consent import CHANNELS, NOTE_MAX, PURPOSES, SOURCES
from carflow.services.erasure import REASONS
from carflow.services.retention import MAX_YEARS

#: The reasons a person may choose from (retention is the job's own).
MANUAL_REASONS = {key: label for key, label in REASONS.items() if key != "retention"}


class ConsentForm(CarflowForm):
    """Record one consent decision (the fields carry the prefix "consent-")."""

    channel = SelectField(
        _l("Channel"),
        choices=select_choices(CHANNELS.items()),
        validators=[DataRequired(message=_l("Choose a channel."))],
    )
    purpose = SelectField(
        _l("Purpose"),
        choices=select_choices(PURPOSES.items()),
        validators=[DataRequired(message=_l("Choose a purpose."))],
    )
    state = RadioField(
        _l("Decision"),
        choices=select_choices([("granted", _l("Granted")), ("withdrawn", _l("Withdrawn"))]),
        validators=[InputRequired(message=_l("Choose granted or withdrawn."))],
    )
    source = SelectField(
        _l("Source"),
        choices=select_choices(
            [(k, v) for k, v in SOURCES.items() if k not in ("intake", "import")], blank=""
        ),
        validators=[DataRequired(message=_l("Choose where the consent comes from."))],
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=NOTE_MAX)])
    next = HiddenField()


def consent_form(formdata=None) -> ConsentForm:
    """The consent form with its field prefix (one per page, beside the contact's forms)."""
    return ConsentForm(formdata=formdata, prefix="consent")


class EraseForm(CarflowForm):
    """Confirm "forget this person": a reason from the list (no free text, see README)."""

    reason = SelectField(
        _l("Reason"),
        choices=select_choices(MANUAL_REASONS.items(), blank=""),
        validators=[DataRequired(message=_l("Choose the reason for the erasure."))],
    )
    confirm = BooleanField(
        _l("I understand that this cannot be undone."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )


class PrivacySettingsForm(CarflowForm):
    retention_years = IntegerField(
        _l("Erase contacts without activity after (years)"),
        validators=[Optional(), NumberRange(min=1, max=MAX_YEARS)],
        description=_l("Empty: never erase automatically."),
    )
    legal_hold_years = IntegerField(
        _l("Legal hold after a sale (years)"),
        validators=[InputRequired(), NumberRange(min=0, max=MAX_YEARS)],
        description=_l(
            "A contact with a won lead or an accepted offer younger than this cannot be erased."
        ),
    )
    version = HiddenField()
