"""Retention (issue 17 item 3): contacts without activity for N years are anonymized.

The daily job (carflow/jobs.py) runs `apply_retention`: off while the settings' retention
years are empty. A contact is inactive when it, its consents and every lead it belongs
to (main or linked) have not changed for that long; each one found is erased with the
same service as a manual erasure (reason "retention"), in its own transaction, and
logged. Contacts under a legal hold are skipped (and found again on a later day).
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, or_, select

from carflow.extensions import db
from carflow.models import Contact, Lead, LeadContact, LeadStatus, Offer, OfferStatus, utcnow
from carflow.models.privacy import ConsentRecord, PrivacyLog, PrivacySettings
from carflow.services.erasure import add_years, erase_contact
from carflow.services.errors import ServiceError, check_version
from carflow.unit_of_work import unit_of_work

log = logging.getLogger(__name__)
BATCH = 200
MAX_YEARS = 50


def retention_cutoff(years: int, now: datetime) -> datetime:
    """The moment `years` years before `now` (29 February: the 28th)."""
    day = add_years(now, -years)
    return now.replace(year=day.year, month=day.month, day=day.day)


def _under_legal_hold(hold_cutoff: datetime):
    """SQL: the contact has a won lead or an accepted offer since `hold_cutoff`."""
    won = exists().where(
        Lead.contact_id == Contact.id,
        Lead.status == LeadStatus.won,
        func.coalesce(Lead.closed_at, Lead.created_at) >= hold_cutoff,
    )
    accepted = exists().where(
        Offer.lead_id == Lead.id,
        Lead.contact_id == Contact.id,
        Offer.status == OfferStatus.accepted,
        Offer.created_at >= hold_cutoff,
    )
    return or_(won, accepted)


def inactive_contacts(cutoff: datetime, hold_cutoff: datetime, limit: int = BATCH) -> list[int]:
    """Ids of contacts not erased yet nor under a legal hold, with no change, consent or
    lead activity since `cutoff`, oldest first."""
    linked = select(LeadContact.lead_id).where(LeadContact.contact_id == Contact.id)
    recent_lead = exists().where(
        or_(Lead.contact_id == Contact.id, Lead.id.in_(linked)),
        Lead.last_activity_at >= cutoff,
    )
    recent_consent = exists().where(
        ConsentRecord.contact_id == Contact.id, ConsentRecord.at >= cutoff
    )
    erased = exists().where(PrivacyLog.contact_id == Contact.id, PrivacyLog.action == "erasure")
    query = (
        select(Contact.id)
        .where(Contact.updated_at < cutoff, ~recent_lead, ~recent_consent, ~erased)
        .where(~_under_legal_hold(hold_cutoff))
        .order_by(Contact.updated_at, Contact.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def apply_retention(now: datetime | None = None, limit: int = BATCH) -> dict[str, int]:
    """The retention job: erase up to `limit` inactive contacts, each in its own unit of
    work; returns {"erased": n, "held": n}. Does nothing while retention is off."""
    now = now or utcnow()
    with unit_of_work():
        settings = PrivacySettings.get()
        if not settings.retention_years:
            return {"erased": 0, "held": 0}
        candidates = inactive_contacts(
            retention_cutoff(settings.retention_years, now),
            retention_cutoff(settings.legal_hold_years, now),
            limit,
        )
    counts = {"erased": 0, "held": 0}
    for contact_id in candidates:
        try:
            with unit_of_work():
                contact = db.session.get(Contact, contact_id)
                erase_contact(None, contact, reason="retention", now=now)
            counts["erased"] += 1
        except ServiceError as refusal:  # a legal hold: tried again another day
            log.info("retention: contact %s kept: %s", contact_id, refusal)
            counts["held"] += 1
    if candidates:
        log.info("retention: %s", counts)
    return counts


def update_privacy_settings(
    actor, retention_years: int | None, legal_hold_years: int, version
) -> PrivacySettings:
    """Save the retention years (None: no automatic erasure) and the legal-hold years;
    refused when the settings were saved meanwhile."""
    settings = PrivacySettings.get()
    check_version(settings, version)
    if retention_years is not None and not 1 <= retention_years <= MAX_YEARS:
        raise ServiceError(
            _l("Between 1 and %(max)s years, or empty.", max=MAX_YEARS), field="retention_years"
        )
    if legal_hold_years is None or not 0 <= legal_hold_years <= MAX_YEARS:
        raise ServiceError(
            _l("Between 0 and %(max)s years.", max=MAX_YEARS), field="legal_hold_years"
        )
    settings.retention_years = retention_years
    settings.legal_hold_years = legal_hold_years
    db.session.flush()
    return settings
