"""Forms of the sales items: trade-in (F10), offer (F11), test drive (F12)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    DateTimeLocalField,
    DecimalField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from carflow.admin.forms import PickedIdField, select_choices
from carflow.models import Fuel, Gearbox
from carflow.safe_form import SafeForm


def int_or_none(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # an id that exists nowhere: the service refuses it as unknown


MAX_MONEY = 10_000_000
MAX_MILEAGE = 2_000_000


def _money(label, required=False):
    validators = [InputRequired()] if required else [Optional()]
    validators.append(NumberRange(min=0, message=_l("The amount cannot be negative.")))
    validators.append(
        NumberRange(max=MAX_MONEY, message=_l("Enter an amount of at most 10,000,000."))
    )
    return DecimalField(label, places=2, validators=validators)


def _mileage(label):
    return IntegerField(
        label,
        validators=[
            Optional(),
            NumberRange(min=0, message=_l("The mileage cannot be negative.")),
            NumberRange(max=MAX_MILEAGE, message=_l("Enter a mileage of at most 2,000,000 km.")),
        ],
    )


def _choices(enum_cls):
    return select_choices(enum_cls.choices(), blank="—")


class TradeInForm(SafeForm):
    version = HiddenField()
    make = StringField(_l("Make"), validators=[DataRequired(), Length(max=60)])
    model = StringField(_l("Model"), validators=[DataRequired(), Length(max=60)])
    version_name = StringField(_l("Version"), validators=[Optional(), Length(max=120)])
    vin = StringField(_l("VIN"), validators=[Optional(), Length(max=20)])
    plate = StringField(_l("Plate"), validators=[Optional(), Length(max=20)])
    first_registration = DateField(_l("First registration"), validators=[Optional()])
    mileage = _mileage(_l("Mileage (km)"))
    fuel = SelectField(_l("Fuel"), choices=_choices(Fuel), validators=[Optional()])
    gearbox = SelectField(_l("Gearbox"), choices=_choices(Gearbox), validators=[Optional()])
    color = StringField(_l("Color"), validators=[Optional(), Length(max=40)])
    condition_notes = TextAreaField(
        _l("Condition and damage"), validators=[Optional(), Length(max=5000)]
    )
    estimated_value = _money(_l("Estimated value"))
    offered_value = _money(_l("Offered value"))
    photos = MultipleFileField(_l("Photos"), description=_l("Images only (JPEG, PNG, WebP…)."))

    def service_data(self) -> dict:
        data = {
            name: getattr(self, name).data
            for name in (
                "make",
                "model",
                "vin",
                "plate",
                "first_registration",
                "mileage",
                "color",
                "condition_notes",
                "estimated_value",
                "offered_value",
            )
        }
        data["version"] = self.version_name.data
        data["fuel"] = Fuel(self.fuel.data) if self.fuel.data else None
        data["gearbox"] = Gearbox(self.gearbox.data) if self.gearbox.data else None
        return data

    def fill_from(self, trade_in) -> None:
        for name in ("make", "model", "vin", "plate", "first_registration", "mileage", "color"):
            getattr(self, name).data = getattr(trade_in, name)
        for name in ("condition_notes", "estimated_value", "offered_value"):
            getattr(self, name).data = getattr(trade_in, name)
        self.version_name.data = trade_in.version
        self.fuel.data = trade_in.fuel.value if trade_in.fuel else ""
        self.gearbox.data = trade_in.gearbox.value if trade_in.gearbox else ""
        self.version.data = trade_in.version_id


class OfferForm(SafeForm):
    version = HiddenField()
    vehicle_id = PickedIdField(filters=[int_or_none])
    vehicle_description = StringField(
        _l("Vehicle not in stock"),
        validators=[Optional(), Length(max=255)],
        description=_l("Only when the vehicle is not in the stock."),
    )
    list_price = _money(_l("List price"), required=True)
    discount = _money(_l("Discount"))
    trade_in_id = SelectField(_l("Trade-in deduction"), coerce=int_or_none, validate_choice=False)
    trade_in_deduction = _money(_l("Deduction amount"))
    vat_rate = DecimalField(
        _l("VAT rate (%)"),
        places=2,
        validators=[InputRequired(), NumberRange(min=0, max=100)],
    )
    valid_until = DateField(_l("Valid until"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])


class OfferStatusForm(SafeForm):
    version = HiddenField()
    status = SelectField(_l("Status"), choices=[])


class TestDriveForm(SafeForm):
    version = HiddenField()
    vehicle_id = PickedIdField(filters=[int_or_none])
    driver = SelectField(_l("Driver"), coerce=int_or_none, validate_choice=False)
    starts_at = DateTimeLocalField(
        _l("Start"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()]
    )
    ends_at = DateTimeLocalField(_l("End"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()])
    licence_number = StringField(
        _l("Driving licence number"), validators=[Optional(), Length(max=40)]
    )
    mileage_out = _mileage(_l("Mileage out (km)"))
    mileage_in = _mileage(_l("Mileage in (km)"))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])
