"""Trade-in pages (F10): create from the lead's action bar, edit, delete, photos."""

from __future__ import annotations

from flask import abort, request, send_file
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from carflow.admin.base import HiddenView
from carflow.admin.forms import attach_error
from carflow.admin.lead_page import get_visible_lead
from carflow.admin.sales_forms import TradeInForm
from carflow.admin.sales_items import (
    back_to_lead,
    commit_or_error,
    get_visible_item,
)
from carflow.extensions import db
from carflow.lead_page_parts import register_lead_action
from carflow.models import TradeIn, TradeInPhoto
from carflow.permissions import can
from carflow.services.errors import ServiceError
from carflow.services.trade_ins import (
    add_trade_in,
    delete_trade_in,
    delete_trade_in_photo,
    update_trade_in,
)
from carflow.storage import delete_stored, stored_path
from carflow.timeline import register_event_kind, register_item_endpoint


class TradeInView(HiddenView):
    """The lead's trade-ins; every item URL is checked against its lead's scope."""

    required_action = "trade_in.view"

    @expose("/")
    def index(self):
        abort(404)

    def _render(self, form, lead, trade_in=None):
        title = _("Edit trade-in") if trade_in else _("New trade-in")
        manage = can(current_user, "trade_in.manage", lead)
        return self.render(
            "admin/sales/trade_in_form.html",
            form=form,
            lead=lead,
            trade_in=trade_in,
            action_title=title,
            can_manage=manage,
        )

    @expose("/new/<int:lead_id>", methods=("GET", "POST"))
    def create_view(self, lead_id: int):
        lead = get_visible_lead(lead_id, "trade_in.manage")
        form = TradeInForm()
        if form.validate_on_submit():
            try:
                add_trade_in(lead, current_user, form.service_data(), form.photos.data)
            except ServiceError as error:
                db.session.rollback()
                attach_error(form, error)
            else:
                if commit_or_error(form):
                    return back_to_lead(lead, _("Trade-in added."))
        return self._render(form, lead)

    @expose("/<int:id>", methods=("GET", "POST"))
    def edit_view(self, id: int):
        trade_in = get_visible_item(TradeIn, id, "trade_in.view")
        lead = trade_in.lead
        form = TradeInForm()
        if request.method == "POST":
            if not can(current_user, "trade_in.manage", lead):
                abort(403)
            if form.validate_on_submit():
                try:
                    data = form.service_data()
                    update_trade_in(
                        trade_in, current_user, data, form.version.data, form.photos.data
                    )
                except ServiceError as error:
                    db.session.rollback()
                    attach_error(form, error)
                else:
                    if commit_or_error(form):
                        return back_to_lead(lead, _("Trade-in saved."))
        else:
            form.fill_from(trade_in)
        return self._render(form, lead, trade_in)

    @expose("/<int:id>/delete", methods=("POST",))
    def delete_view(self, id: int):
        trade_in = get_visible_item(TradeIn, id, "trade_in.manage")
        lead = trade_in.lead
        try:
            files = delete_trade_in(trade_in, current_user)
        except ServiceError as error:
            db.session.rollback()
            return back_to_lead(lead, str(error.message), "error")
        db.session.commit()
        for name in files:
            delete_stored(name)
        return back_to_lead(lead, _("Trade-in deleted."))

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
        path = stored_path(photo.stored_name)
        if not path.exists():
            abort(404)
        return send_file(
            path,
            mimetype=photo.content_type,
            as_attachment=True,
            download_name=photo.original_filename,
        )

    @expose("/photo/<int:photo_id>/delete", methods=("POST",))
    def delete_photo(self, photo_id: int):
        photo = db.session.get(TradeInPhoto, photo_id)
        if photo is None:
            abort(404)
        trade_in = get_visible_item(TradeIn, photo.trade_in_id, "trade_in.manage")
        name = delete_trade_in_photo(photo, current_user)
        db.session.commit()
        delete_stored(name)
        return back_to_lead(trade_in.lead, _("Photo deleted."))


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
