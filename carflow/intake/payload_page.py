"""The page of one received request, linked from the lead's timeline (issue 15): channel,
sender, time, outcome and the payload as received. Seen by whoever may see the lead."""

from __future__ import annotations

from flask import abort
from flask_admin import expose

from carflow.admin.base import HiddenView
from carflow.admin.lead_page import get_visible_lead
from carflow.intake.raw_payload import load_intake, pretty_payload, source_name
from carflow.intake.service import CHANNEL_LABELS
from carflow.timeline import register_item_endpoint

register_item_endpoint("lead_intake", "lead_intake.page")


class LeadIntakePageView(HiddenView):
    """/admin/lead-intake/<id>: "lead.view" on the request's lead (out of scope: 404)."""

    required_action = "lead.view"

    @expose("/")
    def index(self):
        abort(404)

    @expose("/<int:id>")
    def page(self, id: int):
        intake = load_intake(id)
        if intake is None or intake.lead_id is None:
            abort(404)
        lead = get_visible_lead(intake.lead_id, "lead.view")
        return self.render(
            "admin/intake/payload.html",
            intake=intake,
            lead=lead,
            channel=CHANNEL_LABELS.get(intake.channel, intake.channel),
            source=source_name(intake),
            payload=pretty_payload(intake.raw_payload, intake.content_type),
        )
