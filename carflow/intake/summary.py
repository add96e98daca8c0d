"""The request's summary written on the lead, and its vehicles matched to the stock.

Leads have no "vehicle of interest" column: the stock vehicle a request names (by stock
number or VIN) is written in the summary (the lead's comment and the intake event) with
its stock number, so a salesperson finds it at once.
"""

from __future__ import annotations

from sqlalchemy import or_, select

from carflow.extensions import db
from carflow.intake.incoming import IncomingLead, IncomingVehicle
from carflow.intake.normalize import normalize_vin
from carflow.models import Vehicle


def match_stock_vehicles(vehicles: tuple[IncomingVehicle, ...]) -> dict[int, Vehicle]:
    """{position in `vehicles`: stock vehicle} for those whose stock number or VIN is known.
    One query for all of them."""
    wanted = {}
    for index, vehicle in enumerate(vehicles):
        stock = (vehicle.stock_number or "").strip()
        vin = normalize_vin(vehicle.vin)
        if stock or vin:
            wanted[index] = (stock or None, vin)
    if not wanted:
        return {}
    stocks = {s for s, _v in wanted.values() if s}
    vins = {v for _s, v in wanted.values() if v}
    found = db.session.scalars(
        select(Vehicle).where(or_(Vehicle.stock_number.in_(stocks), Vehicle.vin.in_(vins)))
    ).all()
    by_stock = {v.stock_number: v for v in found}
    by_vin = {v.vin: v for v in found if v.vin}
    matches = {}
    for index, (stock, vin) in wanted.items():
        vehicle = by_stock.get(stock) or by_vin.get(vin)
        if vehicle is not None:
            matches[index] = vehicle
    return matches


def _describe_vehicle(vehicle: IncomingVehicle, in_stock: Vehicle | None) -> str:
    words = [vehicle.interest or "buy"]
    if vehicle.status:
        words.append(vehicle.status)
    words += [str(p) for p in (vehicle.year, vehicle.make, vehicle.model, vehicle.trim) if p]
    text = " ".join(words)
    if in_stock is not None:
        text += f" — stock {in_stock.stock_number} ({in_stock.title})"
    else:
        ids = [f"stock no. {vehicle.stock_number}" if vehicle.stock_number else None]
        ids.append(f"VIN {vehicle.vin}" if vehicle.vin else None)
        if any(ids):
            text += " — " + ", ".join(i for i in ids if i) + " (not in stock)"
    if vehicle.mileage is not None:
        text += f", {vehicle.mileage} km"
    if vehicle.price:
        text += f", {vehicle.price}"
    if vehicle.comments:
        text += f": {vehicle.comments.strip()}"
    return text


def describe_request(incoming: IncomingLead, in_stock: dict[int, Vehicle]) -> str:
    """The request in a few lines, as the customer sent it: vehicles, then the message."""
    lines = [
        "Vehicle: " + _describe_vehicle(vehicle, in_stock.get(index))
        for index, vehicle in enumerate(incoming.vehicles)
    ]
    if incoming.comments and incoming.comments.strip():
        lines.append(incoming.comments.strip())
    return "\n".join(lines)
