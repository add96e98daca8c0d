"""Forms of deadlines (F21), tasks (F16) and the deadline settings (F26).

Date-times are entered as wall-clock times in the user's time zone (`datetime-local`).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from carflow.admin.duration import HoursMinutesField
from carflow.admin.forms import CarflowForm, select_choices
from carflow.i18n import localized_name
from carflow.models import ContactOutcome, DeadlineKind
from carflow.safe_form import SafeForm

DT_FORMAT = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


class DeadlineAddForm(CarflowForm):
    due_at = DateTimeLocalField(_l("Due"), format=DT_FORMAT, validators=[DataRequired()])
    kind = SelectField(
        _l("Kind"), choices=select_choices(DeadlineKind.choices()), default="follow_up"
    )


class DeadlineMoveForm(CarflowForm):
    due_at = DateTimeLocalField(_l("New due moment"), format=DT_FORMAT, validators=[DataRequired()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    version = HiddenField()


class DeadlineOutcomeForm(CarflowForm):
    outcome = SelectField(
        _l("Contact"),
        choices=select_choices(
            (o.value, o.label) for o in (ContactOutcome.made, ContactOutcome.not_made)
        ),
        validators=[DataRequired()],
    )
    note = TextAreaField(_l("Outcome note"), validators=[Optional(), Length(max=2000)])
    new_due_at = DateTimeLocalField(
        _l("Move to (when not made)"), format=DT_FORMAT, validators=[Optional()]
    )
    version = HiddenField()


class TaskForm(CarflowForm):
    title = StringField(
        lazy_pgettext("task", "Title"), validators=[DataRequired(), Length(max=200)]
    )
    assignee_id = SelectField(_l("Assignee"), coerce=int, validators=[InputRequired()])
    starts_at = DateTimeLocalField(_l("Start"), format=DT_FORMAT, validators=[DataRequired()])
    duration = IntegerField(
        _l("Planned duration (minutes)"),
        default=30,
        validators=[InputRequired(), NumberRange(min=1, max=60 * 24 * 14)],
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    version = HiddenField()


class VersionForm(SafeForm):
    """Complete / reopen buttons: only the CSRF token and the version seen."""

    version = HiddenField()


def deadline_settings_form(lead_types, formdata=None, obj=None):
    """F26: the default delay, 'count in opening hours' and one delay field per lead type."""

    class DeadlineSettingsForm(CarflowForm):
        default_delay = HoursMinutesField(
            _l("Default first-contact delay (hours:minutes)"),
            validators=[InputRequired(_l("Enter hours and minutes, for example 4:30."))],
        )
        count_in_opening_hours = BooleanField(
            _l("Count delays in the branch's sales opening hours")
        )
        version = HiddenField()

    DeadlineSettingsForm.reopen_delay = HoursMinutesField(  # issue 13: reopening a lost lead
        _l("Follow-up delay after reopening a lead (hours:minutes)"),
        description=_l("Empty: the lead type's first-contact delay applies."),
    )
    for lead_type in lead_types:
        setattr(
            DeadlineSettingsForm,
            f"type_{lead_type.id}",
            HoursMinutesField(
                localized_name(lead_type), description=_l("Empty: the default applies.")
            ),
        )
    return (
        DeadlineSettingsForm(formdata=formdata) if formdata is not None else DeadlineSettingsForm()
    )
