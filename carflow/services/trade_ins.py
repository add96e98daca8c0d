"""Trade-ins of a lead (F10): add, update, delete, photos. Every change is logged."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from carflow.extensions import db
from carflow.models import Lead, Offer, TradeIn, TradeInPhoto
from carflow.services.errors import ServiceError, check_version
from carflow.services.events import bump_item_count, record_event
from carflow.services.money import to_cents
from carflow.services.stock import normalize_vin
from carflow.storage import IMAGE_TYPES, delete_stored, save_upload

FIELDS = (
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
    "condition_notes",
    "estimated_value",
    "offered_value",
)
MAX_PHOTOS = 20


def _apply(trade_in: TradeIn, data: dict) -> None:
    for name in FIELDS:
        if name in data:
            setattr(trade_in, name, data[name] or None)
    if not (trade_in.make or "").strip() or not (trade_in.model or "").strip():
        raise ServiceError(_l("Make and model are required."), field="make")
    trade_in.vin = normalize_vin(trade_in.vin)
    if trade_in.mileage is not None and trade_in.mileage < 0:
        raise ServiceError(_l("The mileage cannot be negative."), field="mileage")
    for name in ("estimated_value", "offered_value"):
        value = getattr(trade_in, name)
        if value is not None:
            value = to_cents(value, name)
            if value < 0:
                raise ServiceError(_l("An amount cannot be negative."), field=name)
            setattr(trade_in, name, value)


def _store_photos(trade_in: TradeIn, files) -> list[str]:
    stored = []
    files = [f for f in files or () if f and getattr(f, "filename", "")]
    if len(trade_in.photos) + len(files) > MAX_PHOTOS:
        raise ServiceError(_l("At most %(n)s photos per trade-in.", n=MAX_PHOTOS), field="photos")
    for upload in files:
        try:
            saved = save_upload(upload.stream, upload.filename, IMAGE_TYPES)
        except ServiceError as error:
            for name in stored:
                delete_stored(name)
            raise ServiceError(
                _l("%(name)s: %(reason)s", name=upload.filename, reason=error.message),
                field="photos",
            ) from error
        stored.append(saved.stored_name)
        trade_in.photos.append(
            TradeInPhoto(
                stored_name=saved.stored_name,
                original_filename=saved.original_filename,
                content_type=saved.content_type,
                size=saved.size,
                sha256=saved.sha256,
            )
        )
    return stored


def add_trade_in(lead: Lead, actor, data: dict, photos=()) -> TradeIn:
    """Record the customer's car on `lead`, with optional photos (images only)."""
    trade_in = TradeIn(lead=lead, created_by_id=actor.id if actor else None)
    _apply(trade_in, data)
    db.session.add(trade_in)
    _store_photos(trade_in, photos)
    db.session.flush()
    bump_item_count(lead, "trade_in_count", 1)
    record_event(lead, actor, "trade_in_added", {"title": str(trade_in)}, ref=trade_in)
    return trade_in


def update_trade_in(trade_in: TradeIn, actor, data: dict, version, photos=()) -> TradeIn:
    """Save changes to a trade-in (refused when someone saved it meanwhile)."""
    check_version(trade_in, version)
    _apply(trade_in, data)
    _store_photos(trade_in, photos)
    db.session.flush()
    record_event(trade_in.lead, actor, "trade_in_updated", {"title": str(trade_in)}, ref=trade_in)
    return trade_in


def delete_trade_in(trade_in: TradeIn, actor) -> list[str]:
    """Delete a trade-in no offer uses; returns its photo files to remove after commit."""
    used = db.session.scalars(select(Offer.id).where(Offer.trade_in_id == trade_in.id)).first()
    if used is not None:
        raise ServiceError(
            _l("This trade-in is used by offer #%(id)s: change that offer first.", id=used)
        )
    lead = trade_in.lead
    files = [p.stored_name for p in trade_in.photos]
    title = str(trade_in)
    db.session.delete(trade_in)
    db.session.flush()
    bump_item_count(lead, "trade_in_count", -1)
    record_event(lead, actor, "trade_in_deleted", {"title": title})
    return files


def delete_trade_in_photo(photo: TradeInPhoto, actor) -> str:
    """Remove one photo; returns its stored file name to remove after commit."""
    trade_in = photo.trade_in
    name = photo.stored_name
    trade_in.photos.remove(photo)
    db.session.flush()
    record_event(
        trade_in.lead,
        actor,
        "trade_in_photo_deleted",
        {"title": str(trade_in), "file": photo.original_filename},
        ref=trade_in,
    )
    return name
