"""Offer pages (F11): create, edit, status, delete (draft), quote and purchase-order PDFs."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from carflow.admin.actions import form_status, press_button, submit_form
from carflow.admin.base import HiddenView
from carflow.admin.lead_page import get_visible_lead
from carflow.admin.sales_forms import OfferForm, OfferStatusForm
from carflow.admin.sales_items import (
    back_to_lead,
    get_visible_item,
    lead_url,
)
from carflow.extensions import db
from carflow.i18n import fmt_money
from carflow.lead_page_parts import register_lead_action
from carflow.models import Offer, OfferStatus, TradeIn, Vehicle
from carflow.pdf import DOCUMENT_TEMPLATES, offer_pdf_filename, render_offer_pdf
from carflow.permissions import can
from carflow.services.offers import (
    EDITABLE,
    OfferData,
    change_offer_status,
    default_vat_rate,
    delete_offer,
    make_offer,
    update_offer,
)
from carflow.timeline import register_event_kind, register_item_endpoint
from carflow.unit_of_work import run_action

VALIDITY_DAYS = 30
STATUS_ENDPOINT = "lead_actions.status"  # the lead page's status form (leadpage helper)


def _trade_in_choices(form: OfferForm, lead) -> list[TradeIn]:
    trade_ins = db.session.scalars(
        select(TradeIn).where(TradeIn.lead_id == lead.id).order_by(TradeIn.id)
    ).all()
    # data-offered-value: the live totals use it when the deduction is left empty (F11)
    form.trade_in_id.choices = [SelectChoice(None, _("No trade-in"))] + [
        SelectChoice(
            t.id,
            _("%(t)s · offered %(v)s", t=str(t), v=fmt_money(t.offered_value) or "—"),
            {"data-offered-value": str(t.offered_value or "0.00")},
        )
        for t in trade_ins
    ]
    return trade_ins


def _offer_data(form: OfferForm) -> OfferData:
    return OfferData(
        vehicle_id=form.vehicle_id.data,
        vehicle_description=form.vehicle_description.data,
        list_price=form.list_price.data,
        discount=form.discount.data,
        trade_in_id=form.trade_in_id.data,
        trade_in_deduction=form.trade_in_deduction.data,
        vat_rate=form.vat_rate.data,
        valid_until=form.valid_until.data,
        notes=form.notes.data,
    )


def _fill(form: OfferForm, offer: Offer) -> None:
    for name in (
        "vehicle_description",
        "list_price",
        "discount",
        "trade_in_id",
        "trade_in_deduction",
        "vat_rate",
        "valid_until",
        "notes",
    ):
        getattr(form, name).data = getattr(offer, name)
    form.vehicle_id.data = offer.vehicle_id
    form.version.data = offer.version_id


def _picked_vehicle(form: OfferForm):
    vehicle_id = form.vehicle_id.data
    return db.session.get(Vehicle, vehicle_id) if vehicle_id and vehicle_id > 0 else None


def _won_prompt(lead) -> Markup:
    """After acceptance: offer to mark the lead won (the status page belongs to the lead)."""
    message = _("Offer accepted: the vehicle is reserved.")
    if not can(current_user, "lead.change_status", lead):
        return Markup("{}").format(message)
    if STATUS_ENDPOINT in current_app.view_functions:
        url = url_for(STATUS_ENDPOINT, lead_id=lead.id, status="won")
    else:
        url = url_for("lead_page.page", lead_id=lead.id, tab="details", suggest="won")
    return Markup('{} <a class="alert-link mark-won-link" href="{}">{}</a>').format(
        message, url, _("Mark the lead as won?")
    )


class OfferView(HiddenView):
    """The lead's offers; every item URL is checked against its lead's scope."""

    required_action = "offer.view"

    @expose("/")
    def index(self):
        abort(404)

    def _render(self, form, lead, offer=None, outcome=None):
        status_form = None
        if offer is not None:
            status_form = OfferStatusForm(formdata=None)
            status_form.version.data = offer.version_id
        page = self.render(
            "admin/sales/offer_form.html",
            form=form,
            status_form=status_form,
            statuses=list(OfferStatus),
            lead=lead,
            offer=offer,
            vehicle=_picked_vehicle(form),
            action_title=_("Offer #%(id)s", id=offer.id) if offer else _("New offer"),
            can_manage=can(current_user, "offer.manage", lead),
            editable=offer is None or offer.status in EDITABLE,
        )
        return page, form_status(form, outcome)

    @expose("/new/<int:lead_id>", methods=("GET", "POST"))
    def create_view(self, lead_id: int):
        lead = get_visible_lead(lead_id, "offer.manage")
        form, outcome = OfferForm(), None
        _trade_in_choices(form, lead)
        if form.validate_on_submit():
            outcome = submit_form(form, lambda: make_offer(lead, current_user, _offer_data(form)))
            if outcome.ok:
                return back_to_lead(lead, _("Offer #%(id)s created.", id=outcome.result.id))
        elif request.method == "GET":
            form.vat_rate.data = default_vat_rate()
            form.valid_until.data = date.today() + timedelta(days=VALIDITY_DAYS)
            form.trade_in_id.data = None
        return self._render(form, lead, outcome=outcome)

    @expose("/<int:id>", methods=("GET", "POST"))
    def edit_view(self, id: int):
        offer = get_visible_item(Offer, id, "offer.view")
        lead = offer.lead
        form, outcome = OfferForm(), None
        _trade_in_choices(form, lead)
        if request.method == "POST":
            if not can(current_user, "offer.manage", lead):
                abort(403)
            if form.validate_on_submit():
                outcome = submit_form(
                    form,
                    lambda: update_offer(offer, current_user, _offer_data(form), form.version.data),
                )
                if outcome.ok:
                    return back_to_lead(lead, _("Offer #%(id)s saved.", id=offer.id))
        else:
            _fill(form, offer)
        return self._render(form, lead, offer, outcome)

    @expose("/<int:id>/status", methods=("POST",))
    def status_view(self, id: int):
        offer = get_visible_item(Offer, id, "offer.manage")
        lead = offer.lead
        form = OfferStatusForm()
        form.status.choices = OfferStatus.choices()
        if not form.validate_on_submit():
            abort(400)
        status = OfferStatus(form.status.data)
        _result, error = run_action(
            lambda: change_offer_status(offer, current_user, status, form.version.data)
        )
        if error is not None:
            flash(str(error.message), "error")
            return redirect(url_for("offer.edit_view", id=offer.id))
        if status == OfferStatus.accepted and lead.status.value == "open":
            flash(_won_prompt(lead), "success")
            return redirect(lead_url(lead))
        return back_to_lead(lead, _("Offer #%(id)s is now %(s)s.", id=offer.id, s=status.label))

    @expose("/<int:id>/delete", methods=("POST",))
    def delete_view(self, id: int):
        offer = get_visible_item(Offer, id, "offer.manage")
        lead = offer.lead
        if press_button(lambda: delete_offer(offer, current_user), _("Offer deleted.")).ok:
            return redirect(lead_url(lead))
        return redirect(url_for("offer.edit_view", id=id))

    @expose("/lead/<int:lead_id>")
    def for_lead(self, lead_id: int):
        lead = get_visible_lead(lead_id, "offer.view")
        items = db.session.scalars(
            select(Offer)
            .where(Offer.lead_id == lead.id)
            .options(selectinload(Offer.vehicle), selectinload(Offer.trade_in))
            .order_by(Offer.created_at.desc(), Offer.id.desc())
        ).all()
        return self.render(
            "admin/sales/offer_list.html",
            lead=lead,
            items=items,
            action_title=_("Offers"),
            can_manage=can(current_user, "offer.manage", lead),
        )

    @expose("/<int:id>/pdf/<kind>")
    def pdf(self, id: int, kind: str):
        if kind not in DOCUMENT_TEMPLATES:
            abort(404)
        offer = get_visible_item(Offer, id, "offer.view")
        response = Response(render_offer_pdf(offer, kind), mimetype="application/pdf")
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{offer_pdf_filename(offer, kind)}"'
        )
        response.headers["Cache-Control"] = "private, no-store"
        return response


def _describe_status(d: dict) -> str:
    try:
        label = OfferStatus(d.get("to")).label
    except ValueError:
        label = d.get("to", "")
    return _(
        "Offer #%(id)s %(vehicle)s: %(status)s",
        id=d.get("id"),
        vehicle=d.get("vehicle", ""),
        status=label,
    )


register_lead_action(
    "offer",
    _l("Offer"),
    "fa-file-text-o",
    action="offer.manage",
    endpoint="offer.create_view",
    order=20,
)
register_item_endpoint("offer", "offer.edit_view")
register_event_kind(
    "offer_created",
    "fa-file-text-o",
    lambda d: _("Offer #%(id)s created: %(vehicle)s", id=d.get("id"), vehicle=d.get("vehicle", "")),
)
register_event_kind(
    "offer_updated",
    "fa-file-text-o",
    lambda d: _("Offer #%(id)s changed: %(vehicle)s", id=d.get("id"), vehicle=d.get("vehicle", "")),
)
register_event_kind("offer_status", "fa-flag", _describe_status)
register_event_kind(
    "offer_deleted",
    "fa-trash",
    lambda d: _("Offer #%(id)s deleted: %(vehicle)s", id=d.get("id"), vehicle=d.get("vehicle", "")),
)
