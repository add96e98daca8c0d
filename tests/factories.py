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


def make_task(lead=None, assignee=None, actor=None, **overrides):
    """A task scheduled through `schedule_task` (tasks feature)."""
    from datetime import timedelta

    from carflow.models import utcnow
    from carflow.services.tasks import schedule_task

    assignee = assignee or (lead.owner if lead is not None and lead.owner else make_user())
    return schedule_task(
        lead,
        actor or assignee,
        title=overrides.pop("title", f"Call back {next(_seq)}"),
        assignee=assignee,
        starts_at=overrides.pop("starts_at", utcnow() + timedelta(hours=1)),
        duration_minutes=overrides.pop("duration_minutes", 30),
        description=overrides.pop("description", ""),
    )


def make_appointment(lead, owner=None, starts_at=None, minutes: int = 45):
    """A test drive booked by `owner` (shown in their task overview as an appointment)."""
    from datetime import timedelta

    from carflow.models import utcnow

    starts_at = starts_at or utcnow() + timedelta(hours=2)
    return make_test_drive(
        lead,
        make_vehicle(branch=lead.branch),
        starts_at,
        starts_at + timedelta(minutes=minutes),
        actor=owner or lead.owner,
    )


def make_trade_in(lead: Lead, actor: User | None = None, **overrides):
    """A trade-in added through `add_trade_in` (counter and event)."""
    from carflow.services.trade_ins import add_trade_in

    data = dict(make="Peugeot", model="208", plate="1-XYZ-123", offered_value=Decimal("5000.00"))
    data.update(overrides)
    return add_trade_in(lead, actor or lead.owner, data)


def make_offer(lead: Lead, actor: User | None = None, **overrides):
    """A draft offer made through `make_offer` (totals, counter and event)."""
    from carflow.services.offers import OfferData
    from carflow.services.offers import make_offer as _make_offer

    data = OfferData(
        vehicle_description="Volkswagen Golf 8 1.5 eTSI",
        list_price=Decimal("20000.00"),
        discount=Decimal("1000.00"),
        vat_rate=Decimal("21.00"),
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return _make_offer(lead, actor or lead.owner, data)


def make_test_drive(lead: Lead, vehicle: Vehicle, starts_at, ends_at, actor=None, **overrides):
    """A test drive booked through `book_test_drive` (overlap rule, counter, event)."""
    from carflow.services.test_drives import TestDriveData, book_test_drive

    data = TestDriveData(
        vehicle_id=vehicle.id,
        driver_contact_id=lead.contact_id,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return book_test_drive(lead, actor or lead.owner, data)
