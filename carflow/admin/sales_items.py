"""Shared plumbing of the sales item views (trade-ins, offers, test drives)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from carflow.extensions import db
from carflow.i18n import select_timezone
from carflow.permissions import can, refuse


def get_visible_item(model, item_id: int, action: str):
    """The item if its lead is in the user's scope (else 404) and `action` is allowed (403)."""
    item = db.session.get(model, item_id)
    if item is None or not can(current_user, "lead.view", item.lead):
        abort(404)
    if not can(current_user, action, item.lead):
        refuse(action)  # the edition's message when the edition lacks the feature (F19)
    return item


def lead_url(lead) -> str:
    """The lead page's Details tab."""
    return url_for("lead_page.page", lead_id=lead.id, tab="details")


def back_to_lead(lead, message: str, category: str = "success"):
    """Flash and go back to the lead page's Details tab (PRG)."""
    flash(message, category)
    return redirect(lead_url(lead))


def to_utc(local: datetime | None) -> datetime | None:
    """A naive datetime typed in the user's time zone, as aware UTC."""
    if local is None:
        return None
    return local.replace(tzinfo=ZoneInfo(select_timezone())).astimezone(UTC)


def to_local(value: datetime | None) -> datetime | None:
    """An aware UTC datetime as a naive one in the user's time zone (for form inputs)."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(select_timezone())).replace(tzinfo=None)
