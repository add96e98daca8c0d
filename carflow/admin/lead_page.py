"""The lead page (F5–F24): header, action bar, tabs. Actions live in their own views."""

from __future__ import annotations

from flask import abort, current_app, render_template, request, url_for
from flask_admin import expose
from flask_login import current_user

from carflow.admin.base import HiddenView
from carflow.converters import is_valid_id
from carflow.extensions import db
from carflow.lead_page_parts import available_actions, panels_for
from carflow.models import Lead, LeadStatus, utcnow
from carflow.permissions import can, refusal_message, refuse
from carflow.services.lead_page import (
    load_deadlines,
    load_lead_for_page,
    load_linked_contacts,
    load_timeline,
)

TABS = ("details", "followup", "contacts")
# The header's blue box (F8): counter -> the endpoint listing those items of a lead.
COUNT_ENDPOINTS = {
    "trade_in_count": "trade_in.for_lead",
    "test_drive_count": "test_drive.for_lead",
    "offer_count": "offer.for_lead",
}
# Actions of the bar opened in a modal of the page (key -> modal id).
MODAL_ACTIONS = {"note": "modal-note", "assign": "modal-assign"}
PAGE_ACTIONS = ("lead.note", "lead.assign", "lead.change_status", "lead.edit", "lead.edit_contacts")


def get_visible_lead(lead_id: int, action: str = "lead.view") -> Lead:
    """The lead if the current user may do `action` on it: 404 when out of scope, else 403."""
    for needed in ("lead.view", action):
        if refusal_message(needed):  # F19: the edition lacks the feature, whatever the lead
            refuse(needed)
    lead = db.session.get(Lead, lead_id)
    if lead is None or not can(current_user, "lead.view", lead):
        abort(404)
    if action != "lead.view" and not can(current_user, action, lead):
        abort(403)
    return lead


def count_links(lead: Lead) -> dict[str, str | None]:
    """The URL behind each header count, when the feature's page exists."""
    endpoints = current_app.view_functions
    return {
        counter: url_for(endpoint, lead_id=lead.id) if endpoint in endpoints else None
        for counter, endpoint in COUNT_ENDPOINTS.items()
    }


class LeadPageView(HiddenView):
    """One lead: header, action bar, tabs (the tab is in the URL: ?tab=followup)."""

    required_action = "lead.view"

    @expose("/")
    def index(self):
        abort(404)

    @expose("/<int:lead_id>/modal/<modal>")
    def modal_body(self, lead_id: int, modal: str):
        """The fields of one of the page's modals (note, assign, status), fetched when the
        modal opens (issue 14 item 8: the page renders none). `?version=` is the lead's
        version the page showed: a change made since is refused on submit, not overwritten."""
        from carflow.admin.lead_action_forms import MODAL_FORMS, build_modal_form

        if modal not in MODAL_FORMS:
            abort(404)
        lead = get_visible_lead(lead_id, MODAL_FORMS[modal])  # 404 out of scope, else 403
        version = request.args.get("version", type=int)
        if not is_valid_id(version):
            version = lead.version_id
        form = build_modal_form(modal, lead, current_user, version)
        return render_template("admin/lead/_modal_body.html", name=modal, form=form)

    @expose("/<int:lead_id>")
    def page(self, lead_id: int):
        from carflow.admin.lead_action_forms import build_page_forms

        lead = load_lead_for_page(lead_id)
        if lead is None or not can(current_user, "lead.view", lead):
            abort(404)
        tab = request.args.get("tab", "details")
        if tab not in TABS:
            tab = "details"
        before = request.args.get("before", type=int)
        before = before if is_valid_id(before) else None
        # Each tab reads only what it shows: the timeline on Details, the deadlines on
        # Follow-up, the linked contacts on Contacts (fewer queries, issue 8).
        events, more_events = (
            load_timeline(lead, before_id=before) if tab == "details" else ([], False)
        )
        linked_contacts = load_linked_contacts(lead) if tab == "contacts" else []
        return self.render(
            "admin/lead/page.html",
            lead=lead,
            tab=tab,
            now=utcnow(),
            actions=available_actions(current_user, lead),
            modal_actions=MODAL_ACTIONS,
            statuses=list(LeadStatus),
            allowed={a: can(current_user, a, lead) for a in PAGE_ACTIONS},
            forms=build_page_forms(lead, linked_contacts, current_user, tab),
            count_links=count_links(lead),
            panels={tab: panels_for(tab, current_user, lead)},
            events=events,
            more_events=more_events,
            before=before,
            deadlines=load_deadlines(lead) if tab == "followup" else [],
            linked_contacts=linked_contacts,
        )
