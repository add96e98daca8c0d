"""Communication (F15): email the customer with the quote and/or purchase order PDFs."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from carflow.admin.base import HiddenView
from carflow.admin.communication_forms import CommunicationForm, fill_communication_choices
from carflow.admin.lead_page import get_visible_lead
from carflow.converters import is_valid_id
from carflow.extensions import db
from carflow.lead_page_parts import register_lead_action
from carflow.models import Communication
from carflow.permissions import can
from carflow.services.communications import (
    CLAIMABLE,
    default_message,
    lead_offers,
    retry_communication,
    send_communication,
)
from carflow.timeline import register_item_endpoint
from carflow.unit_of_work import run_action

register_lead_action(
    "communication",
    _l("Communication"),
    "fa-envelope",
    action="communication.send",
    endpoint="communication.compose",
    order=60,
    condition=lambda lead: lead.offer_count > 0,
)
register_item_endpoint(Communication.__tablename__, "communication.item_view")


def _prefill(form: CommunicationForm, lead, offers) -> None:
    wanted = request.args.get("offer_id", type=int)
    wanted = wanted if is_valid_id(wanted) else None
    offer = next((o for o in offers if o.id == wanted), offers[0])
    form.offer_id.data = offer.id
    form.subject.data, form.body.data = default_message(lead, offer, current_user)
    if form.recipients.choices:
        form.recipients.data = [form.recipients.choices[0][0]]


def get_visible_communication(communication_id: int, action: str) -> Communication:
    """The communication if its lead allows `action` to the current user (404 out of scope)."""
    communication = db.session.get(Communication, communication_id)
    if communication is None:
        abort(404)
    get_visible_lead(communication.lead_id, action)
    return communication


class CommunicationView(HiddenView):
    """Compose, show and retry emails to the customer (no menu entry)."""

    required_action = "communication.view"

    @expose("/")
    def index(self):
        abort(404)

    @expose("/new/<int:lead_id>", methods=("GET", "POST"))
    def compose(self, lead_id: int):
        """F15: the form; sending stores the email as pending and queues it for the worker."""
        lead = get_visible_lead(lead_id, "communication.send")
        offers = lead_offers(lead)
        if not offers or not lead.offer_count:
            flash(_("Create an offer on this lead before emailing the customer."), "warning")
            return redirect(url_for("lead_page.page", lead_id=lead.id, tab="details"))
        form = CommunicationForm()
        fill_communication_choices(form, lead, offers)
        if form.validate_on_submit():
            result = self._send(lead, form, offers)
            if result is not None:
                return result
        elif request.method == "GET":
            _prefill(form, lead, offers)
        return self.render(
            "admin/communications/compose.html",
            lead=lead,
            form=form,
            action_title=_("Email the customer"),
        )

    def _send(self, lead, form: CommunicationForm, offers):
        offer = next(o for o in offers if o.id == form.offer_id.data)
        communication, error = run_action(
            lambda: send_communication(
                lead,
                current_user,
                offer=offer,
                recipients=form.recipients.data or [],
                other_addresses=form.other_addresses.data,
                subject=form.subject.data,
                body=form.body.data,
                attach_quote=form.attach_quote.data,
                attach_purchase_order=form.attach_purchase_order.data,
                purpose=form.purpose.data or "service",
            )
        )
        if error is not None:
            form.attach_error(error)
            return None
        flash(_("The email is queued: it is sent in the background."), "info")
        return redirect(url_for("lead_page.page", lead_id=lead.id, tab="details"))

    @expose("/<int:id>")
    def item_view(self, id: int):
        communication = get_visible_communication(id, "communication.view")
        lead = communication.lead
        return self.render(
            "admin/communications/item.html",
            lead=lead,
            communication=communication,
            action_title=communication.subject,
            can_retry=communication.status in CLAIMABLE
            and can(current_user, "communication.send", lead),
        )

    @expose("/<int:id>/retry", methods=("POST",))
    def retry(self, id: int):
        """Queue a failed (or stuck pending) email again; it is still sent only once."""
        communication = get_visible_communication(id, "communication.send")
        if FlaskForm().validate_on_submit():
            _result, error = run_action(lambda: retry_communication(communication))
            if error is not None:
                flash(str(error.message), "info")
            else:
                flash(_("The email is queued again: it is sent in the background."), "info")
        return redirect(url_for("communication.item_view", id=communication.id))
