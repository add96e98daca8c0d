"""Which existing contact or vehicle an imported row is about (one query per batch).

Contacts: the same e-mail address, else the same phone or mobile number, compared in
E.164 through the indexed `phone_e164`/`mobile_e164` columns the intake keeps (issue 15),
so a number stored as typed ("0470 12 34 56") matches "+32470123456". Vehicles: the same
stock number, else the same VIN.
"""

from __future__ import annotations

from sqlalchemy import or_, select

from carflow.extensions import db
from carflow.models import Contact, Vehicle


def contact_keys(values: dict) -> list[str]:
    """The keys a row is matched by, strongest first: its e-mail, then its numbers."""
    keys = []
    if values.get("email"):
        keys.append("e:" + values["email"])
    keys += ["p:" + values[f] for f in ("phone", "mobile") if values.get(f)]
    return keys


def _stored_contact_keys(contact: Contact) -> list[str]:
    keys = ["e:" + contact.email.strip().lower()] if contact.email else []
    return keys + ["p:" + n for n in (contact.phone_e164, contact.mobile_e164) if n]


def match_contacts(rows: list[dict]) -> list[Contact | None]:
    """For each row's clean values, the existing contact with its e-mail or number."""
    emails = {v["email"] for v in rows if v.get("email")}
    phones = {v[f] for v in rows for f in ("phone", "mobile") if v.get(f)}
    if not emails and not phones:
        return [None] * len(rows)
    query = select(Contact).where(
        or_(
            Contact.email.in_(emails),
            Contact.phone_e164.in_(phones),
            Contact.mobile_e164.in_(phones),
        )
    )
    found: dict[str, Contact] = {}
    for contact in db.session.scalars(query.order_by(Contact.id)):
        for key in _stored_contact_keys(contact):
            found.setdefault(key, contact)
    return [next((found[k] for k in contact_keys(v) if k in found), None) for v in rows]


def match_vehicles(rows: list[dict]) -> list[tuple[Vehicle | None, Vehicle | None]]:
    """For each row: the vehicle with its stock number, and the one with its VIN."""
    numbers = {v["stock_number"] for v in rows if v.get("stock_number")}
    vins = {v["vin"] for v in rows if v.get("vin")}
    query = select(Vehicle).where(or_(Vehicle.stock_number.in_(numbers), Vehicle.vin.in_(vins)))
    by_number, by_vin = {}, {}
    for vehicle in db.session.scalars(query):
        by_number[vehicle.stock_number] = vehicle
        if vehicle.vin:
            by_vin[vehicle.vin] = vehicle
    return [(by_number.get(v.get("stock_number")), by_vin.get(v.get("vin"))) for v in rows]
