"""Settings: lead types (with their first-contact delay), sources, lost reasons."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import NumberRange, Optional

from carflow.admin.base import SecuredModelView
from carflow.extensions import db
from carflow.models import LeadSource, LeadType, LostReason


class SettingsModelView(SecuredModelView):
    required_action = "settings.manage"
    can_delete = False
    column_exclude_list = ()


class LeadTypeView(SettingsModelView):
    """F25–F26: 'Purchase – Opportunity deadlines': the first-contact delay per lead type."""

    column_list = ("name", "first_contact_delay_minutes", "active", "position")
    form_columns = ("name", "first_contact_delay_minutes", "active", "position")
    column_labels = {
        "name": _l("Name"),
        "first_contact_delay_minutes": _l("First-contact delay (minutes)"),
        "active": _l("Active"),
        "position": _l("Position"),
    }
    form_args = {
        "first_contact_delay_minutes": {
            "validators": [Optional(), NumberRange(min=1, max=60 * 24 * 90)],
            "description": _l("Empty: the account default applies."),
        }
    }


class LeadSourceView(SettingsModelView):
    column_list = ("name", "is_media_partner", "active", "position")
    form_columns = ("name", "is_media_partner", "active", "position")
    column_labels = {
        "name": _l("Name"),
        "is_media_partner": _l("Media partner"),
        "active": _l("Active"),
        "position": _l("Position"),
    }


class LostReasonView(SettingsModelView):
    column_list = ("name", "active", "position")
    form_columns = ("name", "active", "position")
    column_labels = {"name": _l("Name"), "active": _l("Active"), "position": _l("Position")}


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
