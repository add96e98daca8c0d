"""The lead page (F5–F24): header, action bar, tabs. Actions live in their own views."""

from __future__ import annotations

from flask import abort, request
from flask_admin import expose
from flask_login import current_user

from carflow.admin.base import HiddenView
from carflow.extensions import db
from carflow.lead_page_parts import available_actions, panels_for
from carflow.models import Lead, utcnow
from carflow.permissions import can
from carflow.services.lead_page import (
    load_deadlines,
    load_lead_for_page,
    load_linked_contacts,
    load_timeline,
)

TABS = ("details", "followup", "contacts")


def get_visible_lead(lead_id: int, action: str = "lead.view") -> Lead:
    """The lead if the current user may do `action` on it: 404 when out of scope, else 403."""
    lead = db.session.get(Lead, lead_id)
    if lead is None or not can(current_user, "lead.view", lead):
        abort(404)
    if action != "lead.view" and not can(current_user, action, lead):
        abort(403)
    return lead


class LeadPageView(HiddenView):
    """One lead: header, action bar, tabs (the tab is in the URL: ?tab=followup)."""

    required_action = "lead.view"

    @expose("/")
    def index(self):
        abort(404)

    @expose("/<int:lead_id>")
    def page(self, lead_id: int):
        lead = load_lead_for_page(lead_id)
        if lead is None or not can(current_user, "lead.view", lead):
            abort(404)
        tab = request.args.get("tab", "details")
        if tab not in TABS:
            tab = "details"
        before = request.args.get("before", type=int)
        events, more_events = load_timeline(lead, before_id=before)
        return self.render(
            "admin/lead/page.html",
            lead=lead,
            tab=tab,
            now=utcnow(),
            actions=available_actions(current_user, lead),
            panels={t: panels_for(t, current_user, lead) for t in TABS},
            events=events,
            more_events=more_events,
            deadlines=load_deadlines(lead),
            linked_contacts=load_linked_contacts(lead),
        )
