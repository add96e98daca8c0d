"""Trade-in pages (F10): create from the lead's action bar, edit, delete, photos."""

from __future__ import annotations

from functools import partial

from flask import abort, redirect, request
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from carflow.admin.actions import form_status, press_button, submit_form
from carflow.admin.base import HiddenView
from carflow.admin.lead_page import get_visible_lead
from carflow.admin.sales_forms import TradeInForm
from carflow.admin.sales_items import (
    back_to_lead,
    get_visible_item,
    lead_url,
)
from carflow.extensions import db
from carflow.lead_page_parts import register_lead_action
from carflow.models import TradeIn, TradeInPhoto
from carflow.permissions import can
from carflow.services.documents import content_disposition
from carflow.services.trade_ins import (
    add_trade_in,
    delete_trade_in,
    delete_trade_in_photo,
    update_trade_in,
)
from carflow.storage import delete_stored, download_response
from carflow.timeline import register_event_kind, register_item_endpoint
from carflow.unit_of_work import after_commit


class TradeInView(HiddenView):
    """The lead's trade-ins; every item URL is checked against its lead's scope."""

    required_action = "trade_in.view"

    @expose("/")
    def index(self):
        abort(404)

    def _render(self, form, lead, trade_in=None, outcome=None):
        title = _("Edit trade-in") if trade_in else _("New trade-in")
        manage = can(current_user, "trade_in.manage", lead)
        page = self.render(
            "admin/sales/trade_in_form.html",
            form=form,
            lead=lead,
            trade_in=trade_in,
            action_title=title,
            can_manage=manage,
        )
        return page, form_status(form, outcome)

    @expose("/new/<int:lead_id>", methods=("GET", "POST"))
    def create_view(self, lead_id: int):
        lead = get_visible_lead(lead_id, "trade_in.manage")
        form, outcome = TradeInForm(), None
        if form.validate_on_submit():
            outcome = submit_form(
                form,
                lambda: add_trade_in(lead, current_user, form.service_data(), form.photos.data),
            )
            if outcome.ok:
                return back_to_lead(lead, _("Trade-in added."))
        return self._render(form, lead, outcome=outcome)

    @expose("/<int:id>", methods=("GET", "POST"))
    def edit_view(self, id: int):
        trade_in = get_visible_item(TradeIn, id, "trade_in.view")
        lead = trade_in.lead
        form, outcome = TradeInForm(), None
        if request.method == "POST":
            if not can(current_user, "trade_in.manage", lead):
                abort(403)
            if form.validate_on_submit():
                outcome = submit_form(
                    form,
                    lambda: update_trade_in(
                        trade_in,
                        current_user,
                        form.service_data(),
                        form.version.data,
                        form.photos.data,
                    ),
                )
                if outcome.ok:
                    return back_to_lead(lead, _("Trade-in saved."))
        else:
            form.fill_from(trade_in)
        return self._render(form, lead, trade_in, outcome)

    @expose("/<int:id>/delete", methods=("POST",))
    def delete_view(self, id: int):
        trade_in = get_visible_item(TradeIn, id, "trade_in.manage")
        lead = trade_in.lead

        def call():
            for name in delete_trade_in(trade_in, current_user):
                after_commit(partial(delete_stored, name))

        press_button(call, _("Trade-in deleted."))
        return redirect(lead_url(lead))

    @expose("/lead/<int:lead_id>")
    def for_lead(self, lead_id: int):
        lead = get_visible_lead(lead_id, "trade_in.view")
        items = db.session.scalars(
            select(TradeIn)
            .where(TradeIn.lead_id == lead.id)
            .options(selectinload(TradeIn.photos))
            .order_by(TradeIn.created_at.desc(), TradeIn.id.desc())
        ).all()
        return self.render(
            "admin/sales/trade_in_list.html",
            lead=lead,
            items=items,
            action_title=_("Trade-ins"),
            can_manage=can(current_user, "trade_in.manage", lead),
        )

    @expose("/photo/<int:photo_id>")
    def photo(self, photo_id: int):
        photo = db.session.get(TradeInPhoto, photo_id)
        if photo is None:
            abort(404)
        get_visible_item(TradeIn, photo.trade_in_id, "trade_in.view")
        response = download_response(
            photo.stored_name, photo.content_type, content_disposition(photo.original_filename)
        )
        if response is None:
            abort(404)
        return response

    @expose("/photo/<int:photo_id>/delete", methods=("POST",))
    def delete_photo(self, photo_id: int):
        photo = db.session.get(TradeInPhoto, photo_id)
        if photo is None:
            abort(404)
        trade_in = get_visible_item(TradeIn, photo.trade_in_id, "trade_in.manage")

        def call():
            after_commit(partial(delete_stored, delete_trade_in_photo(photo, current_user)))

        press_button(call, _("Photo deleted."))
        return redirect(lead_url(trade_in.lead))


register_lead_action(
    "trade_in",
    _l("Trade-in"),
    "fa-exchange",
    action="trade_in.manage",
    endpoint="trade_in.create_view",
    order=10,
)
register_item_endpoint("trade_in", "trade_in.edit_view")
register_event_kind(
    "trade_in_added", "fa-exchange", lambda d: _("Trade-in added: %(t)s", t=d.get("title", ""))
)
register_event_kind(
    "trade_in_updated", "fa-exchange", lambda d: _("Trade-in changed: %(t)s", t=d.get("title", ""))
)
register_event_kind(
    "trade_in_deleted", "fa-trash", lambda d: _("Trade-in deleted: %(t)s", t=d.get("title", ""))
)
register_event_kind(
    "trade_in_photo_deleted",
    "fa-trash",
    lambda d: _(
        "Photo %(f)s removed from trade-in %(t)s", f=d.get("file", ""), t=d.get("title", "")
    ),
)
