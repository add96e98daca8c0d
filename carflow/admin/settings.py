"""Settings: lead types (with their first-contact delay), sources, lost reasons."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from carflow.admin.base import SecuredModelView
from carflow.admin.duration import minutes_as_hours
from carflow.extensions import db
from carflow.models import LeadSource, LeadType, LostReason


def _none_if_empty(value):
    return (value or "").strip() or None


# Reference data has an English name and may have a French and a Dutch one (issue 13).
NAME_LABELS = {
    "name": _l("Name"),
    "name_fr": _l("Name in French"),
    "name_nl": _l("Name in Dutch"),
}
NAME_ARGS = {
    "name_fr": {
        "filters": [_none_if_empty],
        "description": _l("Empty: the name is shown."),
    },
    "name_nl": {
        "filters": [_none_if_empty],
        "description": _l("Empty: the name is shown."),
    },
}


class SettingsModelView(SecuredModelView):
    required_action = "settings.manage"
    can_delete = False
    column_exclude_list = ()


def _delay_column(view, context, model, name):
    """The lead type's first-contact delay as hours:minutes (edited in the deadline settings,
    the one place for delays), or the account default."""
    minutes = model.first_contact_delay_minutes
    return minutes_as_hours(minutes) if minutes else _("default")


class LeadTypeView(SettingsModelView):
    """Lead types; their first-contact delays are set in Settings › deadlines (F25–F26)."""

    column_list = (
        "name",
        "name_fr",
        "name_nl",
        "first_contact_delay_minutes",
        "active",
        "position",
    )
    form_columns = ("name", "name_fr", "name_nl", "active", "position")
    column_labels = {
        **NAME_LABELS,
        "first_contact_delay_minutes": _l("First-contact delay (hours:minutes)"),
        "active": _l("Active"),
        "position": _l("Position"),
    }
    column_formatters = {"first_contact_delay_minutes": _delay_column}
    column_descriptions = {
        "first_contact_delay_minutes": _l("Set in Settings › Purchase – Opportunity deadlines.")
    }
    form_args = NAME_ARGS


class LeadSourceView(SettingsModelView):
    column_list = ("name", "name_fr", "name_nl", "is_media_partner", "active", "position")
    form_columns = ("name", "name_fr", "name_nl", "is_media_partner", "active", "position")
    form_args = NAME_ARGS
    column_labels = {
        **NAME_LABELS,
        "is_media_partner": _l("Media partner"),
        "active": _l("Active"),
        "position": _l("Position"),
    }


class LostReasonView(SettingsModelView):
    column_list = ("name", "name_fr", "name_nl", "active", "position")
    form_columns = ("name", "name_fr", "name_nl", "active", "position")
    form_args = NAME_ARGS
    column_labels = {**NAME_LABELS, "active": _l("Active"), "position": _l("Position")}


def register_settings_views(admin) -> None:
    """The Settings menu."""
    category = _l("Settings")
    admin.add_view(
        LeadTypeView(
            LeadType,
            db,
            name=_l("Lead types and deadlines"),
            endpoint="lead_type",
            category=category,
        )
    )
    admin.add_view(
        LeadSourceView(
            LeadSource, db, name=_l("Lead sources"), endpoint="lead_source", category=category
        )
    )
    admin.add_view(
        LostReasonView(
            LostReason, db, name=_l("Lost reasons"), endpoint="lost_reason", category=category
        )
    )
