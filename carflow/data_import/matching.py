"""Which existing contact or vehicle an imported row is about (one query per batch).

Contacts: the same e-mail address, else the same phone or mobile number (E.164, as the
intake normalizer writes them; a stored number in another format is normalized before
comparing). Vehicles: the same stock number, else the same VIN.
"""

from __future__ import annotations

from sqlalchemy import or_, select

from carflow.extensions import db
from carflow.intake.normalize import normalize_phone
from carflow.models import Contact, Vehicle


def contact_keys(values: dict) -> list[str]:
    """The keys a row is matched by, strongest first: its e-mail, then its numbers."""
    keys = []
    if values.get("email"):
        keys.append("e:" + values["email"])
    keys += ["p:" + values[f] for f in ("phone", "mobile") if values.get(f)]
    return keys


def _stored_contact_keys(contact: Contact, country: str | None) -> list[str]:
    keys = ["e:" + contact.email.strip().lower()] if contact.email else []
    for number in (contact.phone, contact.mobile):
        normalized = normalize_phone(number, country)
        if normalized:
            keys.append("p:" + normalized)
    return keys


def match_contacts(rows: list[dict], country: str | None) -> list[Contact | None]:
    """For each row's clean values, the existing contact with its e-mail or number."""
    emails = {v["email"] for v in rows if v.get("email")}
    phones = {v[f] for v in rows for f in ("phone", "mobile") if v.get(f)}
    if not emails and not phones:
        return [None] * len(rows)
    query = select(Contact).where(
        or_(Contact.email.in_(emails), Contact.phone.in_(phones), Contact.mobile.in_(phones))
    )
    found: dict[str, Contact] = {}
    for contact in db.session.scalars(query.order_by(Contact.id)):
        for key in _stored_contact_keys(contact, country):
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
