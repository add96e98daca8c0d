"""The one intake service every channel calls: `receive_lead` (issue 15, F4).

The JSON API, ADF over HTTP, ADF by e-mail and the website form parse their payload into
an `IncomingLead` and call `receive_lead` inside the caller's unit of work (a view:
`run_action`; the CLI or a job: `unit_of_work`). It never commits.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from carflow.extensions import db
from carflow.intake.contacts import check_contact, find_or_create_contact
from carflow.intake.incoming import IncomingLead, IntakeError
from carflow.intake.normalize import DEFAULT_REGION
from carflow.intake.summary import describe_request, match_stock_vehicles
from carflow.models import (
    ApiKey,
    Branch,
    Event,
    Lead,
    LeadIntake,
    LeadSource,
    LeadStatus,
    LeadType,
    utcnow,
)
from carflow.models.intake import CHANNELS
from carflow.services.assignment import assign_new_lead
from carflow.services.consent import record_consent
from carflow.services.events import record_event
from carflow.services.lead_alerts import announce_enquiry_again, announce_new_lead
from carflow.services.leads import COMMENT_MAX_LENGTH, create_lead
from carflow.timeline import register_event_kind

#: Raw payloads are stored up to this many characters (the API refuses bigger bodies).
RAW_PAYLOAD_MAX_CHARS = 256 * 1024
#: ADF's `vehicle interest` (and the API's `interest`) -> lead type name, by default; the
#: app setting INTAKE_LEAD_TYPES overrides it (names of the demo data, carflow/demo.py).
DEFAULT_LEAD_TYPES = {
    "buy": "Purchase",
    "sell": "Sale",
    "trade-in": "Trade-in",
    "lease": "Lease",
    "test-drive": "Purchase",
}
DEFAULT_ENQUIRY_AGAIN_DAYS = 30
SUMMARY_MAX_CHARS = 1000

CHANNEL_LABELS = {
    "api": _l("the JSON API"),
    "adf_http": _l("ADF over HTTP"),
    "adf_email": _l("ADF by e-mail"),
    "website": _l("the website form"),
}


def _channel_label(data: dict) -> str:
    label = CHANNEL_LABELS.get(data.get("channel", ""))
    return str(label) if label is not None else data.get("channel", "")


register_event_kind(
    "lead_received",
    "fa-inbox",
    lambda d: _(
        "Received through %(channel)s (source: %(source)s) — show the request as received",
        channel=_channel_label(d),
        source=d.get("source", ""),
    ),
)
register_event_kind(
    "enquiry_again",
    "fa-repeat",
    lambda d: _(
        "Enquired again through %(channel)s: %(summary)s",
        channel=_channel_label(d),
        summary=d.get("summary") or "—",
    ),
)


@dataclass(frozen=True)
class IntakeResult:
    """What `receive_lead` did: the lead (new or enquired again) and whether this was a
    replay of an earlier request (same idempotency key or external id)."""

    lead_id: int
    lead_code: str
    created: bool
    enquiry_again: bool
    replayed: bool

    @property
    def outcome(self) -> str:
        return "enquiry_again" if self.enquiry_again else "created"


class IntakeConflict(IntakeError):
    """The same request is being received by another transaction right now."""


def receive_lead(
    incoming: IncomingLead,
    *,
    channel: str,
    raw_payload: str,
    content_type: str,
    api_key: ApiKey | None = None,
    branch: Branch | None = None,
    source: LeadSource | None = None,
    idempotency_key: str | None = None,
) -> IntakeResult:
    """Turn one incoming request into a lead, an "enquiry again" event, or a replay.

    1. A request already received from the same sender (`Idempotency-Key` or the
       payload's external id) replays the first result: no second lead, also when two
       arrive together (the unique constraints of `lead_intake`, caught in a savepoint).
    2. Checks the request (IntakeError naming the field; nothing is stored).
    3. Finds the contact by normalized e-mail or E.164 phone, or creates it.
    4. An open lead of that contact, of the same type, in the same branch, created within
       the enquiry-again window gets an "enquiry_again" event; else a lead is created by
       `create_lead` (the UI's service) with a "lead_received" event linking to the raw
       payload. Then `_after_intake` runs.
    Branch and source default to the API key's. Call it inside a unit of work.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown intake channel {channel!r}")
    branch, source = _branch_and_source(api_key, branch, source)
    digest = hashlib.sha256(raw_payload.encode("utf-8", "replace")).hexdigest()
    sender = sender_scope(api_key, source)
    idempotency_key = (idempotency_key or "").strip() or None
    external_id = (incoming.external_id or "").strip() or None
    _check_ids(external_id, idempotency_key)
    earlier = _earlier_intake(sender, external_id, idempotency_key)
    if earlier is not None:
        return _replay(earlier, digest, idempotency_key)
    checked = check_contact(incoming.contact, (branch.country or DEFAULT_REGION).upper())
    lead_type = _lead_type_for(incoming, api_key)
    claimed = _claim(
        LeadIntake(
            channel=channel,
            sender=sender,
            api_key_id=api_key.id if api_key else None,
            external_id=external_id,
            idempotency_key=idempotency_key,
            payload_sha256=digest,
            content_type=(content_type or "")[:120] or None,
            raw_payload=cap_raw_payload(raw_payload),
            received_at=utcnow(),
        ),
        digest,
    )
    if isinstance(claimed, IntakeResult):
        return claimed
    contact, new_contact = find_or_create_contact(checked, branch.id)
    result, lead, event = _create_or_extend(
        incoming, claimed, contact, lead_type, branch, source, new_contact
    )
    _after_intake(lead, result, incoming, claimed, event)
    return result


def sender_scope(api_key: ApiKey | None, source: LeadSource) -> str:
    """Whose ids an external id or idempotency key is: the key's, else the source's."""
    return f"key:{api_key.id}" if api_key is not None else f"source:{source.id}"


def cap_raw_payload(raw: str) -> str:
    """The raw payload as stored: cut at RAW_PAYLOAD_MAX_CHARS, saying so."""
    if len(raw) <= RAW_PAYLOAD_MAX_CHARS:
        return raw
    return raw[:RAW_PAYLOAD_MAX_CHARS] + "\n[… cut: the request was longer]"


def _branch_and_source(api_key, branch, source) -> tuple[Branch, LeadSource]:
    branch = branch or (api_key.branch if api_key else None)
    source = source or (api_key.source if api_key else None)
    if branch is None or not branch.active:
        raise IntakeError("branch", "No active branch receives these leads.")
    if source is None:
        raise IntakeError("source", "No lead source is configured for this sender.")
    return branch, source


def _check_ids(external_id: str | None, idempotency_key: str | None) -> None:
    if external_id and len(external_id) > 200:
        raise IntakeError("external_id", "At most 200 characters.")
    if idempotency_key and len(idempotency_key) > 200:
        raise IntakeError("Idempotency-Key", "At most 200 characters.")


def _earlier_intake(sender, external_id, idempotency_key) -> LeadIntake | None:
    conditions = []
    if idempotency_key:
        conditions.append(LeadIntake.idempotency_key == idempotency_key)
    if external_id:
        conditions.append(LeadIntake.external_id == external_id)
    if not conditions:
        return None
    query = select(LeadIntake).where(LeadIntake.sender == sender, or_(*conditions))
    return db.session.scalars(query.order_by(LeadIntake.id).limit(1)).first()


def _replay(earlier: LeadIntake, digest: str, idempotency_key: str | None) -> IntakeResult:
    """The first request's result again. Reusing an idempotency key for another body is
    refused (the sender has a bug: answering "done" would lose the second lead)."""
    same_key = idempotency_key and earlier.idempotency_key == idempotency_key
    if same_key and earlier.payload_sha256 != digest:
        raise IntakeError("Idempotency-Key", "This key was already used for a different request.")
    if earlier.lead_id is None:  # only visible inside its own, unfinished transaction
        raise IntakeConflict("external_id", "This request is being received; retry later.")
    code = db.session.scalar(select(Lead.code).where(Lead.id == earlier.lead_id))
    return IntakeResult(
        lead_id=earlier.lead_id,
        lead_code=code,
        created=earlier.outcome == "created",
        enquiry_again=earlier.outcome == "enquiry_again",
        replayed=True,
    )


def _claim(intake: LeadIntake, digest: str) -> LeadIntake | IntakeResult:
    """Insert the intake row first, in a savepoint: a concurrent request with the same
    ids waits on it (PostgreSQL) and then fails the unique constraint; that one replays
    the result of the first instead of making a second lead."""
    try:
        with db.session.begin_nested():
            db.session.add(intake)
    except IntegrityError:
        earlier = _earlier_intake(intake.sender, intake.external_id, intake.idempotency_key)
        if earlier is None:
            raise IntakeConflict(
                "external_id", "This request is being received; retry later."
            ) from None
        return _replay(earlier, digest, intake.idempotency_key)
    return intake


def _lead_type_for(incoming: IncomingLead, api_key: ApiKey | None) -> LeadType:
    """The lead type of the request's interest; a key's own type when no vehicle says."""
    if not incoming.vehicles and api_key is not None and api_key.lead_type is not None:
        return api_key.lead_type
    interest = (incoming.interest or "buy").strip().lower()
    mapping = current_app.config.get("INTAKE_LEAD_TYPES") or DEFAULT_LEAD_TYPES
    name = mapping.get(interest)
    field = "vehicles[0].interest"
    if name is None:
        raise IntakeError(field, f"Unknown interest {interest!r}: one of {', '.join(mapping)}.")
    lead_type = db.session.scalars(
        select(LeadType).where(LeadType.name == name, LeadType.active.is_(True))
    ).first()
    if lead_type is None:
        raise IntakeError(field, f"No active lead type {name!r} receives {interest!r} leads.")
    return lead_type


def _open_lead_to_extend(contact, lead_type: LeadType, branch: Branch, now) -> Lead | None:
    """The contact's latest open lead of this type and branch within the window, if any."""
    days = current_app.config.get("INTAKE_ENQUIRY_AGAIN_DAYS", DEFAULT_ENQUIRY_AGAIN_DAYS)
    query = (
        select(Lead)
        .where(
            Lead.contact_id == contact.id,
            Lead.status == LeadStatus.open,
            Lead.lead_type_id == lead_type.id,
            Lead.branch_id == branch.id,
            Lead.created_at >= now - timedelta(days=int(days)),
        )
        .order_by(Lead.created_at.desc(), Lead.id.desc())
        .limit(1)
    )
    return db.session.scalars(query).first()


def _create_or_extend(incoming, intake, contact, lead_type, branch, source, new_contact):
    """Add an "enquiry again" event to the contact's open lead, or create the lead (a
    contact created just now has no lead to look for)."""
    now = intake.received_at
    summary = describe_request(incoming, match_stock_vehicles(incoming.vehicles))
    data = {
        "channel": intake.channel,
        "source": source.name,
        "summary": summary[:SUMMARY_MAX_CHARS],
    }
    if incoming.requested_at is not None:
        data["requested_at"] = _aware(incoming.requested_at, branch).isoformat()
    lead = None if new_contact else _open_lead_to_extend(contact, lead_type, branch, now)
    if lead is not None:
        event = record_event(lead, None, "enquiry_again", data, ref=intake, at=now)
        intake.outcome = "enquiry_again"
    else:
        comment = summary[:COMMENT_MAX_LENGTH] or None
        lead = create_lead(None, contact, lead_type, source, branch, comment=comment, now=now)
        event = record_event(lead, None, "lead_received", data, ref=intake, at=now)
        intake.outcome = "created"
    intake.lead_id = lead.id
    db.session.flush()
    created = intake.outcome == "created"
    result = IntakeResult(lead.id, lead.code, created, not created, replayed=False)
    return result, lead, event


def _aware(moment: datetime, branch: Branch) -> datetime:
    """A sender's time: as given when it has a zone, else read in the branch's zone."""
    if moment.tzinfo is not None:
        return moment
    try:
        zone = ZoneInfo(branch.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return moment.replace(tzinfo=zone)


def _after_intake(
    lead: Lead, result: IntakeResult, incoming: IncomingLead, intake: LeadIntake, event: Event
) -> None:
    """The one hook run after every received lead (not after replays), in the same unit
    of work: a new lead is assigned by the rules and round robin of its branch (issue 15
    item 3) and announced to its owner or the branch's queue address, with the automatic
    reply to the customer (item 4); an enquiry again is announced to the lead's owner. A
    ticked consent box of the website form is recorded as e-mail marketing consent (issue
    17); an unticked box records nothing, so it never withdraws an earlier consent. `event`
    is the timeline line this intake wrote ("lead received" or "enquiry again")."""
    if result.created:
        assign_new_lead(lead, channel=intake.channel)
        announce_new_lead(lead)
    else:
        announce_enquiry_again(lead, event)
    if incoming.consent:
        record_consent(
            None,
            lead.contact,
            channel="email",
            purpose="marketing",
            granted=True,
            source=f"intake:{intake.channel}",
        )
