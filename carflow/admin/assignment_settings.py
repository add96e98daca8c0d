"""Settings of automatic assignment, alerts and escalation (issue 15 items 3–5), and the
contact merge page's registration.

- Settings › Assignment rules: channel / source / lead type → branch, in position order.
- Settings › Assignment per branch: round robin or queue, open-lead limit per user,
  escalation delays (opening minutes) and what happens after the second one, auto-reply.
- Settings › Automatic reply: the customer's reply per language, with placeholders.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import NumberRange, Optional

from carflow.admin.forms import select_choices
from carflow.admin.settings import SettingsModelView
from carflow.admin.user_forms import LANGUAGE_CHOICES
from carflow.extensions import db
from carflow.models import AssignmentRule, AutoReply, BranchAssignment
from carflow.models.assignment import MODE_QUEUE, MODE_ROUND_ROBIN, REASSIGN_NEXT, REASSIGN_QUEUE
from carflow.services.lead_alerts import PLACEHOLDERS

#: The intake channels a rule may name (carflow/intake records one of these on each lead).
CHANNELS = [
    ("api", _l("JSON API")),
    ("adf_http", _l("ADF/XML over HTTP")),
    ("adf_email", _l("E-mail (ADF)")),
    ("website", _l("Website form")),
]
MINUTES = [Optional(), NumberRange(min=1, max=60 * 24 * 90)]


def _none_if_empty(value):
    return value or None


class AssignmentRuleView(SettingsModelView):
    """Rules: the first active one (by position) that fits a new lead sends it to a branch."""

    can_delete = True
    column_list = ("position", "name", "channel", "source", "lead_type", "branch", "active")
    form_columns = ("name", "position", "channel", "source", "lead_type", "branch", "active")
    column_default_sort = ("position", False)
    column_labels = {
        "position": _l("Position"),
        "name": _l("Rule name"),
        "channel": _l("Channel"),
        "source": _l("Source"),
        "lead_type": _l("Lead type"),
        "branch": _l("Branch"),
        "active": _l("Active"),
    }
    form_overrides = {"channel": SelectField}
    form_args = {
        "channel": {
            "choices": select_choices(CHANNELS, blank=_l("Any channel")),
            "filters": [_none_if_empty],
        },
        "name": {"description": _l("Shown in the timeline, e.g. 'Website → Ghent, round robin'.")},
    }
    column_descriptions = {
        "source": _l("Empty: any source."),
        "lead_type": _l("Empty: any lead type."),
    }


class BranchAssignmentView(SettingsModelView):
    """Per branch: mode, open-lead limit, escalation, automatic reply."""

    column_list = (
        "branch",
        "mode",
        "max_open_leads",
        "escalate_after_minutes",
        "reassign_after_minutes",
        "reassign_action",
        "auto_reply",
    )
    form_columns = column_list
    column_labels = {
        "branch": _l("Branch"),
        "mode": _l("Assignment"),
        "max_open_leads": _l("Maximum open leads per user"),
        "escalate_after_minutes": _l("Notify the sales managers after (minutes)"),
        "reassign_after_minutes": _l("Then take the lead back after (minutes)"),
        "reassign_action": _l("Taken back to"),
        "auto_reply": _l("Automatic reply to the customer"),
    }
    column_choices = {
        "mode": [(MODE_ROUND_ROBIN, _l("Round robin")), (MODE_QUEUE, _l("Branch queue"))],
        "reassign_action": [
            (REASSIGN_QUEUE, _l("The branch queue")),
            (REASSIGN_NEXT, _l("The next person of the round robin")),
        ],
    }
    form_overrides = {"mode": SelectField, "reassign_action": SelectField}
    form_args = {
        "mode": {"choices": select_choices(column_choices["mode"])},
        "reassign_action": {"choices": select_choices(column_choices["reassign_action"])},
        "max_open_leads": {
            "validators": [Optional(), NumberRange(min=0, max=100_000)],
            "description": _l("Empty: no limit. A user's own limit (user form) wins."),
        },
        "escalate_after_minutes": {
            "validators": MINUTES,
            "description": _l(
                "Counted in the branch's opening hours after a missed first-contact "
                "deadline. Empty: no escalation."
            ),
        },
        "reassign_after_minutes": {
            "validators": MINUTES,
            "description": _l("Counted after the notification. Empty: the lead stays."),
        },
    }


class AutoReplyView(SettingsModelView):
    """The automatic reply to a new lead's customer, per language."""

    can_delete = True
    column_list = ("language", "subject")
    form_columns = ("language", "subject", "body")
    column_labels = {"language": _l("Language"), "subject": _l("Subject"), "body": _l("Text")}
    form_overrides = {"language": SelectField}
    form_args = {
        "language": {"choices": select_choices(LANGUAGE_CHOICES)},
        "body": {
            "description": _l(
                "Placeholders: %(names)s. Sent in the customer's language (else English), "
                "within the branch's opening hours.",
                names=", ".join("{" + name + "}" for name in PLACEHOLDERS),
            )
        },
    }
    form_widget_args = {"body": {"rows": 10}}


def register_assignment_views(admin) -> None:
    """The settings pages of issue 15 items 3–5 and the contact merge page."""
    from carflow.admin.contact_merge import ContactMergeView

    category = _l("Settings")
    admin.add_view(
        AssignmentRuleView(
            AssignmentRule,
            db,
            name=_l("Assignment rules"),
            endpoint="assignment_rule",
            category=category,
        )
    )
    admin.add_view(
        BranchAssignmentView(
            BranchAssignment,
            db,
            name=_l("Assignment and escalation"),
            endpoint="branch_assignment",
            category=category,
        )
    )
    admin.add_view(
        AutoReplyView(
            AutoReply, db, name=_l("Automatic reply"), endpoint="auto_reply", category=category
        )
    )
    admin.add_view(
        ContactMergeView(
            name=_l("Merge contacts"), endpoint="contact_merge", url="/admin/contact-merge"
        )
    )
