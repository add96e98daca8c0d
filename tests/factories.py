"""Test data builders: `make_*` functions with sensible defaults and overrides.

They go through the product's services where one exists, so test data looks
like real data (system codes, events, deadlines).
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from functools import lru_cache

from carflow.extensions import db
from carflow.models import (
    Branch,
    Contact,
    ContactKind,
    Lead,
    LeadSource,
    LeadType,
    LostReason,
    User,
    Vehicle,
)
from carflow.passwords import hash_password
from carflow.services.leads import create_lead

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


@lru_cache(maxsize=1)
def _password_hash() -> str:
    return hash_password(PASSWORD)


def make_branch(name: str | None = None, **overrides) -> Branch:
    branch = Branch(name=name or f"Branch {next(_seq)}", timezone="Europe/Brussels", **overrides)
    db.session.add(branch)
    db.session.flush()
    return branch


def make_user(role: str = "salesperson", branch: Branch | None = None, **overrides) -> User:
    n = next(_seq)
    values = dict(
        email=f"user{n}@carflow.example",
        password_hash=_password_hash(),
        first_name="User",
        last_name=f"Number{n}",
        role=role,
        branch=branch if branch is not None else make_branch(),
        permissions_granted=[],
        permissions_revoked=[],
        language="en",
        timezone="Europe/Brussels",
    )
    values.update(overrides)
    user = User(**values)
    db.session.add(user)
    db.session.flush()
    return user


def make_contact(**overrides) -> Contact:
    n = next(_seq)
    values = dict(
        kind=ContactKind.person,
        first_name="Jan",
        last_name=f"Peeters{n}",
        email=f"jan.peeters{n}@example.com",
        phone=f"+3247000{n:04d}",
        language="en",
    )
    values.update(overrides)
    contact = Contact(**values)
    db.session.add(contact)
    db.session.flush()
    return contact


def make_lead_type(name: str | None = None, delay_minutes: int | None = 240) -> LeadType:
    lead_type = LeadType(
        name=name or f"Type {next(_seq)}", first_contact_delay_minutes=delay_minutes
    )
    db.session.add(lead_type)
    db.session.flush()
    return lead_type


def make_source(name: str | None = None) -> LeadSource:
    source = LeadSource(name=name or f"Source {next(_seq)}")
    db.session.add(source)
    db.session.flush()
    return source


def make_lost_reason(name: str | None = None) -> LostReason:
    reason = LostReason(name=name or f"Reason {next(_seq)}")
    db.session.add(reason)
    db.session.flush()
    return reason


def make_lead(
    owner: User | None = None,
    branch: Branch | None = None,
    contact: Contact | None = None,
    actor: User | None = None,
    **overrides,
) -> Lead:
    """A lead created through `create_lead` (code, event, first-contact deadline)."""
    if branch is None:
        branch = owner.branch if owner is not None and owner.branch else make_branch()
    lead = create_lead(
        actor or owner,
        contact=contact or make_contact(),
        lead_type=overrides.pop("lead_type", None) or make_lead_type(),
        source=overrides.pop("source", None) or make_source(),
        branch=branch,
        owner=owner,
        comment=overrides.pop("comment", None),
        now=overrides.pop("now", None),
    )
    for key, value in overrides.items():
        setattr(lead, key, value)
    db.session.flush()
    return lead


def make_vehicle(branch: Branch | None = None, **overrides) -> Vehicle:
    n = next(_seq)
    values = dict(
        stock_number=f"S{n:05d}",
        make="Volkswagen",
        model="Golf",
        version="1.5 eTSI",
        vin=f"WVWZZZ1KZ{n:08d}",
        plate=f"1-ABC-{n % 1000:03d}",
        first_registration=date(2022, 3, 1),
        mileage=25000,
        price=Decimal("24990.00"),
        branch=branch,
    )
    values.update(overrides)
    vehicle = Vehicle(**values)
    db.session.add(vehicle)
    db.session.flush()
    return vehicle


def make_offer(lead: Lead, actor: User | None = None, **overrides):
    """An offer on `lead` with consistent Decimal amounts (net − VAT − total); bumps the
    lead's offer counter like the offer service does."""
    from decimal import ROUND_HALF_UP

    from carflow.models import Offer, OfferStatus
    from carflow.services.events import bump_item_count

    list_price = Decimal(overrides.pop("list_price", "20000.00"))
    discount = Decimal(overrides.pop("discount", "1000.00"))
    deduction = Decimal(overrides.pop("trade_in_deduction", "0.00"))
    vat_rate = Decimal(overrides.pop("vat_rate", "21.00"))
    net = list_price - discount - deduction
    vat = (net * vat_rate / Decimal(100)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    values = dict(
        lead_id=lead.id,
        vehicle_description="Volkswagen Golf 8 1.5 eTSI",
        list_price=list_price,
        discount=discount,
        trade_in_deduction=deduction,
        vat_rate=vat_rate,
        net_amount=net,
        vat_amount=vat,
        total_amount=net + vat,
        status=OfferStatus.draft,
        created_by_id=actor.id if actor is not None else None,
    )
    values.update(overrides)
    offer = Offer(**values)
    db.session.add(offer)
    db.session.flush()
    bump_item_count(lead, "offer_count", 1)
    db.session.flush()
    return offer
