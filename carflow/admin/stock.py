"""Stock (vehicles): list, filter, search, create, edit; a JSON search for the pickers."""

from __future__ import annotations

from flask import abort, flash, jsonify, request
from flask_admin import expose
from flask_admin.contrib.sqla.filters import (
    EnumEqualFilter,
    EnumFilterEmpty,
    EnumFilterInList,
    EnumFilterNotEqual,
    EnumFilterNotInList,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError
from wtforms import HiddenField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from carflow.admin.base import SecuredModelView
from carflow.admin.exports import ExportMixin
from carflow.admin.forms import select_choices
from carflow.extensions import db
from carflow.i18n import fmt_km, fmt_money
from carflow.models import Fuel, Gearbox, Offer, TestDrive, Vehicle, VehicleStatus
from carflow.permissions import can
from carflow.safe_form import without_control_characters
from carflow.services.errors import STALE_MESSAGE, ServiceError
from carflow.services.stock import normalize_vin, search_vehicles


def _enum_or_none(enum_cls):
    def coerce(value):
        if value in (None, "", "None"):
            return None
        return enum_cls(value)

    return coerce


def _vin_check(form, field):
    try:
        field.data = normalize_vin(field.data)
    except ServiceError as error:
        raise ValidationError(str(error.message)) from error


def _status_badge(view, context, model, name):
    return Markup('<span class="badge badge-{}">{}</span>').format(
        model.status.color, model.status.label
    )


def _money(view, context, model, name):
    return fmt_money(getattr(model, name))


def _label(view, context, model, name):
    """An enum column (fuel, gearbox…) as its translated label, not its code."""
    value = getattr(model, name)
    return "" if value is None else str(value.label)


def _mileage(view, context, model, name):
    return fmt_km(model.mileage)


def _enum_filters(column, label, enum_cls) -> list:
    """Flask-Admin's filters of an enum column (same order, so the same URLs), offering the
    translated labels instead of the stored codes."""

    def options():
        return [(m.value, m.label) for m in enum_cls]  # lazy: shown in the reader's language

    return [
        EnumEqualFilter(column, label, options=options),
        EnumFilterNotEqual(column, label, options=options),
        EnumFilterEmpty(column, label),
        EnumFilterInList(column, label, options=options),
        EnumFilterNotInList(column, label, options=options),
    ]


def vehicle_json(vehicle) -> dict:
    """What the vehicle picker shows and fills in."""
    return {
        "id": vehicle.id,
        "label": str(vehicle),
        "plate": vehicle.plate or "",
        "vin": vehicle.vin or "",
        "price": str(vehicle.price),
        "price_text": fmt_money(vehicle.price),
        "status": vehicle.status.value,
        "status_label": str(vehicle.status.label),
    }


class StockView(ExportMixin, SecuredModelView):
    """Vehicles in stock: everyone with the Stock feature lists them; managers change them."""

    required_action = "stock.view"
    export_name = "stock"
    export_action = "stock.export"
    list_template = "admin/export_list.html"
    column_list = (
        "stock_number",
        "make",
        "model",
        "version",
        "plate",
        "vin",
        "mileage",
        "fuel",
        "price",
        "status",
        "branch",
    )
    column_labels = {
        "stock_number": _l("Stock number"),
        "make": _l("Make"),
        "model": _l("Model"),
        "version": _l("Version"),
        "vin": _l("VIN"),
        "plate": _l("Plate"),
        "first_registration": _l("First registration"),
        "mileage": _l("Mileage"),
        "fuel": _l("Fuel"),
        "gearbox": _l("Gearbox"),
        "color": _l("Color"),
        "price": _l("Price"),
        "status": _l("Status"),
        "branch": _l("Branch"),
        "branch.name": _l("Branch"),
    }
    column_searchable_list = ("stock_number", "make", "model", "plate", "vin")
    column_filters = (
        "make",
        *_enum_filters(Vehicle.status, _l("Status"), VehicleStatus),
        "branch.name",
        *_enum_filters(Vehicle.fuel, _l("Fuel"), Fuel),
    )
    column_sortable_list = ("stock_number", "make", "model", "mileage", "price", "status")
    column_default_sort = ("stock_number", False)
    column_formatters = {
        "status": _status_badge,
        "price": _money,
        "fuel": _label,
        "gearbox": _label,
        "mileage": _mileage,
    }
    form_columns = (
        "stock_number",
        "make",
        "model",
        "version",
        "vin",
        "plate",
        "first_registration",
        "mileage",
        "fuel",
        "gearbox",
        "color",
        "price",
        "status",
        "branch",
        "record_version",
    )
    form_overrides = {"status": SelectField, "fuel": SelectField, "gearbox": SelectField}
    form_args = {
        "stock_number": {"validators": [InputRequired()]},
        "make": {"validators": [InputRequired()]},
        "model": {"validators": [InputRequired()]},
        "vin": {"validators": [Optional(), _vin_check], "filters": [lambda v: v or None]},
        "price": {
            "validators": [
                InputRequired(),
                NumberRange(min=0, message=_l("The price cannot be negative.")),
                NumberRange(max=10_000_000, message=_l("Enter an amount of at most 10,000,000.")),
            ]
        },
        "mileage": {"validators": [Optional(), NumberRange(min=0, max=2_000_000)]},
        "status": {
            "choices": select_choices(VehicleStatus.choices()),
            "coerce": _enum_or_none(VehicleStatus),
        },
        "fuel": {
            "choices": select_choices(Fuel.choices(), blank="—"),
            "coerce": _enum_or_none(Fuel),
            "validators": [Optional()],
        },
        "gearbox": {
            "choices": select_choices(Gearbox.choices(), blank="—"),
            "coerce": _enum_or_none(Gearbox),
            "validators": [Optional()],
        },
    }
    form_extra_fields = {"record_version": HiddenField()}

    @property
    def can_create(self):
        return can(current_user, "stock.manage")

    @property
    def can_edit(self):
        return can(current_user, "stock.manage")

    @property
    def can_delete(self):
        return can(current_user, "stock.manage")

    def is_action_allowed(self, name):
        return False

    def _refuse_unless_manager(self):
        if not can(current_user, "stock.manage"):
            abort(403)

    def _handle_view(self, name, **kwargs):
        """Create / edit / delete answer 403 to non-managers (not a redirect to the list)."""
        response = super()._handle_view(name, **kwargs)
        if response is None and name in ("create_view", "edit_view", "delete_view"):
            self._refuse_unless_manager()
        return response

    def on_form_prefill(self, form, id):
        form.record_version.data = self.get_one(id).version_id

    def on_model_change(self, form, model, is_created):
        self._refuse_unless_manager()
        if not is_created and str(form.record_version.data) != str(model.version_id):
            raise ValidationError(str(STALE_MESSAGE))

    def on_model_delete(self, model):
        self._refuse_unless_manager()
        used = db.session.scalar(
            select(func.count()).select_from(Offer).where(Offer.vehicle_id == model.id)
        ) + db.session.scalar(
            select(func.count()).select_from(TestDrive).where(TestDrive.vehicle_id == model.id)
        )
        if used:
            raise ValidationError(
                _("This vehicle is used by offers or test drives: mark it sold instead.")
            )

    def handle_view_exception(self, exc):
        if isinstance(exc, StaleDataError):
            flash(str(STALE_MESSAGE), "error")
            return True
        return super().handle_view_exception(exc)

    @expose("/search")
    def search(self):
        """JSON: at most 20 vehicles matching `q`, for the offer and test-drive pickers."""
        if not can(current_user, "stock.view"):
            abort(403)
        vehicles = search_vehicles(without_control_characters(request.args.get("q", ""))[:100])
        return jsonify(results=[vehicle_json(v) for v in vehicles])
