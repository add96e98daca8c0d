"""The JSON API's lead payload: one table of fields, read by the parser and by the OpenAPI
document (`carflow.intake.openapi`), so the two can never disagree (issue 15 item 1).

`parse_lead_json(data)` turns the decoded JSON into an `IncomingLead`, or raises
`IntakeError` naming the field by its JSON path ("contact.phones[1]", "vehicles[0].year").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from carflow.intake.incoming import IncomingContact, IncomingLead, IncomingVehicle, IntakeError

INTERESTS = ("buy", "sell", "trade-in", "lease", "test-drive")
VEHICLE_STATUSES = ("new", "used")
MAX_VEHICLES = 10
MAX_PHONES = 5


@dataclass(frozen=True)
class Field:
    """One field: JSON type ("string", "integer", "boolean", "date-time") and limits."""

    kind: str
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] | None = None
    pattern: str | None = None
    description: str = ""


def _string(max_length: int, description: str = "", **extra) -> Field:
    return Field("string", max_length=max_length, description=description, **extra)


CONTACT_FIELDS = {
    "first_name": _string(80),
    "last_name": _string(120, "Family name; with no name at all the e-mail stands for it."),
    "company": _string(120, "A company alone makes a company contact."),
    "email": _string(
        254, "Lower-cased before matching.", pattern=r"^\s*[^@\s]+@[^@\s]+\.[^@\s]+\s*$"
    ),
    "street": _string(200),
    "postal_code": _string(20),
    "city": _string(120),
    "country": _string(2, "ISO 3166 alpha-2.", pattern="^[A-Za-z]{2}$"),
    "language": _string(5, "en, fr or nl (others: en)."),
}
PHONE = _string(40, "Any format; without a country code it is read in the branch's country.")
VEHICLE_FIELDS = {
    "interest": Field("string", choices=INTERESTS, description="The lead type (default buy)."),
    "status": Field("string", choices=VEHICLE_STATUSES),
    "year": Field("integer", minimum=1900, maximum=2100),
    "make": _string(60),
    "model": _string(60),
    "trim": _string(120),
    "vin": _string(40, "Matched to the stock when it is a stock vehicle's VIN."),
    "stock_number": _string(30, "Matched to the stock vehicle with this number."),
    "mileage": Field("integer", minimum=0, maximum=10_000_000, description="Kilometres."),
    "price": _string(40),
    "comments": _string(2000),
}
LEAD_FIELDS = {
    "external_id": _string(200, "Your id of the request: a retry with it makes no new lead."),
    "comments": _string(5000, "The customer's message."),
    "requested_at": Field("date-time", description="When the customer asked (RFC 3339)."),
    "consent": Field("boolean", description="The customer's marketing consent, if asked."),
}


def _check(path: str, spec: Field, value):
    """The value when it fits `spec` (None for null), else IntakeError at `path`."""
    if value is None:
        return None
    if spec.kind in ("string", "date-time"):
        if not isinstance(value, str):
            raise IntakeError(path, "Must be a string.")
        if spec.max_length is not None and len(value) > spec.max_length:
            raise IntakeError(path, f"At most {spec.max_length} characters.")
        if spec.choices is not None and value not in spec.choices:
            raise IntakeError(path, f"One of: {', '.join(spec.choices)}.")
        return _date_time(path, value) if spec.kind == "date-time" else value
    if spec.kind == "boolean":
        if not isinstance(value, bool):
            raise IntakeError(path, "Must be true or false.")
        return value
    if not isinstance(value, int) or isinstance(value, bool):
        raise IntakeError(path, "Must be a whole number.")
    if not spec.minimum <= value <= spec.maximum:
        raise IntakeError(path, f"Between {spec.minimum} and {spec.maximum}.")
    return value


def _date_time(path: str, value: str) -> datetime:
    try:
        return datetime.fromisoformat(value.upper().replace(" ", "T", 1))
    except ValueError:
        raise IntakeError(path, "A date and time like 2026-11-29T14:05:00+01:00.") from None


def _object(path: str, value, fields: dict[str, Field], extra: tuple[str, ...] = ()) -> dict:
    """Check a JSON object: no unknown member, each known one fits its field."""
    label = path or "body"
    if not isinstance(value, dict):
        raise IntakeError(label, "Must be a JSON object.")
    for name in value:
        if name not in fields and name not in extra:
            raise IntakeError(f"{path}.{name}" if path else name, "Unknown field.")
    prefix = f"{path}." if path else ""
    return {name: _check(prefix + name, spec, value.get(name)) for name, spec in fields.items()}


def _list(path: str, value, max_items: int) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise IntakeError(path, "Must be a list.")
    if len(value) > max_items:
        raise IntakeError(path, f"At most {max_items} items.")
    return value


def _contact(value) -> IncomingContact:
    if value is None:
        raise IntakeError("contact", "This field is required.")
    fields = _object("contact", value, CONTACT_FIELDS, extra=("phones",))
    raw_phones = _list("contact.phones", value.get("phones"), MAX_PHONES)
    phones = tuple(
        phone
        for index, item in enumerate(raw_phones)
        if (phone := _check(f"contact.phones[{index}]", PHONE, item)) is not None
    )
    return IncomingContact(phones=phones, **fields)


def _vehicles(value) -> tuple[IncomingVehicle, ...]:
    vehicles = []
    for index, item in enumerate(_list("vehicles", value, MAX_VEHICLES)):
        fields = _object(f"vehicles[{index}]", item, VEHICLE_FIELDS)
        fields["interest"] = fields["interest"] or "buy"
        vehicles.append(IncomingVehicle(**fields))
    return tuple(vehicles)


def parse_lead_json(data) -> IncomingLead:
    """The API's payload as an IncomingLead (IntakeError naming the wrong field)."""
    fields = _object("", data, LEAD_FIELDS, extra=("contact", "vehicles"))
    return IncomingLead(
        contact=_contact(data.get("contact")),
        vehicles=_vehicles(data.get("vehicles")),
        comments=fields["comments"],
        requested_at=fields["requested_at"],
        external_id=fields["external_id"],
        consent=fields["consent"],
    )
