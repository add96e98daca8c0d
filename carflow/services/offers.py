"""Offers of a lead (F11): exact totals, status changes, vehicle reservation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from carflow.extensions import db
from carflow.models import AccountSettings, Communication, Lead, Offer, OfferStatus, TradeIn
from carflow.services.errors import ServiceError, check_version
from carflow.services.events import bump_item_count, record_event
from carflow.services.money import compute_totals, to_cents
from carflow.services.stock import lock_vehicle, release_vehicle_of, reserve_vehicle_for

EDITABLE = (OfferStatus.draft, OfferStatus.sent)


@dataclass
class OfferData:
    """What the offer form submits (amounts as Decimal or None)."""

    vehicle_id: int | None = None
    vehicle_description: str | None = None
    list_price: Decimal | None = None
    discount: Decimal | None = None
    trade_in_id: int | None = None
    trade_in_deduction: Decimal | None = None
    vat_rate: Decimal | None = None
    valid_until: date | None = None
    notes: str | None = None


def default_vat_rate() -> Decimal:
    """The account's default VAT rate (AccountSettings.default_vat_rate)."""
    return to_cents(AccountSettings.get().default_vat_rate or "0")


def _trade_in_of(lead: Lead, trade_in_id: int | None) -> TradeIn | None:
    if trade_in_id is None:
        return None
    trade_in = db.session.get(TradeIn, trade_in_id)
    if trade_in is None or trade_in.lead_id != lead.id:
        raise ServiceError(_l("Pick one of this lead's trade-ins."), field="trade_in_id")
    return trade_in


def _apply(offer: Offer, lead: Lead, data: OfferData) -> None:
    description = (data.vehicle_description or "").strip() or None
    vehicle = lock_vehicle(data.vehicle_id)
    if data.vehicle_id is not None and vehicle is None:
        raise ServiceError(_l("Unknown vehicle: pick one from the stock."), field="vehicle_id")
    if vehicle is None and description is None:
        raise ServiceError(
            _l("Pick a stock vehicle or describe the vehicle."), field="vehicle_description"
        )
    if data.list_price is None:
        raise ServiceError(_l("The price is required."), field="list_price")
    trade_in = _trade_in_of(lead, data.trade_in_id)
    deduction = data.trade_in_deduction
    if trade_in is None:
        deduction = Decimal("0")
    elif deduction is None:
        deduction = trade_in.offered_value or Decimal("0")
    rate = data.vat_rate if data.vat_rate is not None else default_vat_rate()
    totals = compute_totals(data.list_price, data.discount, deduction, rate)
    offer.vehicle = vehicle
    offer.vehicle_description = description
    offer.list_price = to_cents(data.list_price)
    offer.discount = to_cents(data.discount)
    offer.trade_in = trade_in
    offer.trade_in_deduction = to_cents(deduction)
    offer.vat_rate = to_cents(rate)
    offer.net_amount, offer.vat_amount, offer.total_amount = totals.net, totals.vat, totals.total
    offer.valid_until = data.valid_until
    offer.notes = (data.notes or "").strip() or None


def _summary(offer: Offer) -> dict:
    return {
        "id": offer.id,
        "vehicle": offer.vehicle_title,
        "total": str(offer.total_amount),
        "payable": str(offer.amount_payable),
    }


def make_offer(lead: Lead, actor, data: OfferData) -> Offer:
    """Create a draft offer on `lead` with computed totals."""
    offer = Offer(lead=lead, status=OfferStatus.draft, created_by_id=actor.id if actor else None)
    _apply(offer, lead, data)
    db.session.add(offer)
    db.session.flush()
    bump_item_count(lead, "offer_count", 1)
    record_event(lead, actor, "offer_created", _summary(offer), ref=offer)
    return offer


def update_offer(offer: Offer, actor, data: OfferData, version) -> Offer:
    """Save changes to a draft or sent offer (accepted and declined offers are locked)."""
    check_version(offer, version)
    if offer.status not in EDITABLE:
        raise ServiceError(_l("An accepted or declined offer cannot be changed."))
    _apply(offer, offer.lead, data)
    db.session.flush()
    record_event(offer.lead, actor, "offer_updated", _summary(offer), ref=offer)
    return offer


def change_offer_status(offer: Offer, actor, status: OfferStatus, version) -> Offer:
    """Move an offer to `status`; accepting reserves its stock vehicle, leaving releases it."""
    check_version(offer, version)
    previous = offer.status
    if status == previous:
        return offer
    vehicle = lock_vehicle(offer.vehicle_id)
    if vehicle is not None and status == OfferStatus.accepted:
        reserve_vehicle_for(vehicle, offer)
    offer.status = status
    db.session.flush()
    if vehicle is not None and previous == OfferStatus.accepted:
        release_vehicle_of(vehicle, offer)
    data = _summary(offer) | {"from": previous.value, "to": status.value}
    record_event(offer.lead, actor, "offer_status", data, ref=offer)
    return offer


def delete_offer(offer: Offer, actor) -> None:
    """Delete a draft offer (sent, accepted and declined offers are kept as records)."""
    if offer.status != OfferStatus.draft:
        raise ServiceError(_l("Only a draft offer can be deleted."))
    sent = select(Communication.id).where(Communication.offer_id == offer.id).limit(1)
    if db.session.scalars(sent).first() is not None:
        raise ServiceError(_l("This offer was sent to the customer: it cannot be deleted."))
    lead = offer.lead
    summary = _summary(offer)
    db.session.delete(offer)
    db.session.flush()
    bump_item_count(lead, "offer_count", -1)
    record_event(lead, actor, "offer_deleted", summary)
