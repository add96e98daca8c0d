"""Issue 16: the roll-up maintained in each transaction equals the from-scratch
computation after random sequences of actions (hypothesis), a rolled-back action leaves
it untouched, a deleted lead's figures go away, and `flask carflow rebuild-reports`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from carflow.extensions import db
from carflow.models import (
    ContactOutcome,
    Deadline,
    Event,
    Lead,
    LeadSearchTerm,
    LeadStatus,
    Offer,
    OfferStatus,
    ReportLead,
    ReportRollup,
)
from carflow.reports.rollup import from_scratch, stored
from carflow.services.deadlines import record_contact_outcome
from carflow.services.errors import ServiceError
from carflow.services.leads import add_note, assign_lead, change_status
from carflow.services.offers import change_offer_status, delete_offer
from carflow.unit_of_work import rollback
from tests.factories import (
    make_branch,
    make_lead,
    make_lead_type,
    make_lost_reason,
    make_offer,
    make_source,
    make_trade_in,
    make_user,
)

START = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
HOURS = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


@pytest.fixture
def world(app):
    north, south = make_branch("North", opening_hours_sales=HOURS), make_branch("South")
    south.timezone = "America/New_York"
    users = [make_user("salesperson", branch=b) for b in (north, north, south)]
    world = dict(
        branches=[north, south],
        users=users,
        sources=[make_source(), make_source()],
        types=[make_lead_type(delay_minutes=60), make_lead_type(delay_minutes=None)],
        reasons=[make_lost_reason()],
    )
    db.session.commit()
    return world


actions = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "create",
                "won",
                "lost",
                "reopen",
                "assign",
                "queue",
                "contact",
                "no_contact",
                "offer",
                "send",
                "accept",
                "delete_offer",
                "trade_in",
                "note",
                "fail",
            ]
        ),  # fmt: skip
        st.integers(0, 5),  # which lead (or user / source, modulo)
        st.integers(0, 60 * 24 * 90),  # minutes after START
    ),
    min_size=1,
    max_size=25,
)


def _lead(n: int) -> Lead | None:
    leads = db.session.scalars(select(Lead).order_by(Lead.id)).all()
    return leads[n % len(leads)] if leads else None


def _apply(world, kind: str, n: int, minutes: int) -> None:
    when = START + timedelta(minutes=minutes)
    users = world["users"]
    if kind == "create":
        owner = users[n % 3] if n < 5 else None
        make_lead(
            owner=owner,
            branch=world["branches"][n % 2] if owner is None else None,
            actor=users[0],
            source=world["sources"][n % 2],
            lead_type=world["types"][n % 2],
            now=when,
        )
        return
    lead = _lead(n)
    if lead is None:
        return
    actor = users[0]
    if kind in ("won", "lost", "reopen"):
        status = {"won": LeadStatus.won, "lost": LeadStatus.lost, "reopen": LeadStatus.open}[kind]
        reason = world["reasons"][0].id if kind == "lost" else None
        change_status(lead, actor, status, lost_reason=reason)
    elif kind == "assign":
        assign_lead(lead, actor, owner=users[(n + minutes) % 3])
    elif kind == "queue":
        assign_lead(lead, actor, branch=world["branches"][minutes % 2])
    elif kind in ("contact", "no_contact"):
        deadline = db.session.scalars(
            select(Deadline).where(Deadline.lead_id == lead.id, Deadline.closed_at.is_(None))
        ).first()
        if deadline is not None:
            outcome = ContactOutcome.made if kind == "contact" else ContactOutcome.not_made
            moment = max(when, lead.created_at + timedelta(minutes=1))
            record_contact_outcome(deadline, actor, outcome, deadline.version_id, now=moment)
    elif kind == "offer":
        make_offer(lead, actor)
    elif kind in ("send", "accept", "delete_offer"):
        offer = db.session.scalars(select(Offer).where(Offer.lead_id == lead.id)).first()
        if offer is None:
            return
        if kind == "delete_offer":
            delete_offer(offer, actor)
        else:
            status = OfferStatus.sent if kind == "send" else OfferStatus.accepted
            change_offer_status(offer, actor, status, offer.version_id)
    elif kind == "trade_in":
        make_trade_in(lead, actor)
    elif kind == "note":
        add_note(lead, actor, "Called back")
    elif kind == "fail":  # a change that is rolled back must leave no trace in the roll-up
        change_status(
            lead, actor, LeadStatus.won if lead.status != LeadStatus.won else LeadStatus.open
        )
        raise ServiceError("refused after the change")


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=actions)
def test_incremental_roll_up_equals_from_scratch(world, steps):
    for kind, n, minutes in steps:
        try:
            _apply(world, kind, n, minutes)
            db.session.commit()
        except ServiceError:
            rollback()
    assert stored() == from_scratch()


def test_a_deleted_lead_leaves_the_roll_up(world):
    lead = make_lead(owner=world["users"][0], now=START)
    db.session.commit()
    assert db.session.scalar(select(func.sum(ReportRollup.leads_in))) == 2  # daily + monthly
    for model in (Event, Deadline, LeadSearchTerm):
        db.session.execute(delete(model).where(model.lead_id == lead.id))
    db.session.delete(lead)
    db.session.commit()
    assert db.session.scalar(select(func.sum(ReportRollup.leads_in))) == 0
    assert db.session.get(ReportLead, lead.id) is None
    assert stored() == from_scratch() == ({}, {})


def test_first_response_minutes_are_kept_per_lead(world):
    # Friday 2 January 2026 16:30 in North (Brussels, open 9–17); contact Monday 09:15:
    # 30 minutes on Friday + 15 on Monday = 45 opening minutes.
    created = datetime(2026, 1, 2, 15, 30, tzinfo=UTC)
    lead = make_lead(owner=world["users"][0], now=created)
    deadline = db.session.scalars(select(Deadline).where(Deadline.lead_id == lead.id)).one()
    monday = datetime(2026, 1, 5, 8, 15, tzinfo=UTC)
    record_contact_outcome(deadline, world["users"][0], ContactOutcome.made, 1, now=monday)
    db.session.commit()
    assert db.session.get(ReportLead, lead.id).first_response_minutes == 45


def test_rebuild_reports_command_recomputes_everything(app, world):
    for n in range(5):
        make_lead(owner=world["users"][n % 3], now=START + timedelta(days=n))
    db.session.commit()
    expected = stored()
    db.session.execute(delete(ReportRollup))
    db.session.commit()
    assert stored() != expected
    result = app.test_cli_runner().invoke(args=["carflow", "rebuild-reports"])
    assert result.exit_code == 0, result.output
    assert "5 leads" in result.output
    db.session.expire_all()
    assert stored() == expected == from_scratch()
