"""The lead services directly, as the CLI or another feature would call them (F17, F18, F20)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from carflow.extensions import db
from carflow.models import Event, LeadStatus
from carflow.services.errors import ServiceError, StaleVersionError
from carflow.services.leads import add_note, assign_lead, change_status, update_comment
from tests.factories import make_branch, make_lead, make_lost_reason, make_user


@pytest.fixture
def actor(app):
    return make_user("salesperson")


@pytest.fixture
def lead(actor):
    return make_lead(owner=actor)


def _kinds(lead):
    return list(db.session.scalars(select(Event.kind).where(Event.lead_id == lead.id)))


def test_change_status_validates_status_and_reason(actor, lead):
    with pytest.raises(ServiceError):
        change_status(lead, actor, "bogus")
    inactive = make_lost_reason()
    inactive.active = False
    with pytest.raises(ServiceError) as error:
        change_status(lead, actor, LeadStatus.lost, lost_reason=inactive)
    assert error.value.field == "lost_reason"
    with pytest.raises(ServiceError):
        change_status(lead, actor, "lost", lost_reason_text="x" * 501)
    assert lead.status == LeadStatus.open and "status_changed" not in _kinds(lead)


def test_change_status_checks_the_version_when_given(actor, lead):
    with pytest.raises(StaleVersionError):
        change_status(lead, actor, "won", version=lead.version_id + 1)
    event = change_status(lead, actor, "won", version=str(lead.version_id))
    assert event.data == {"from": "open", "to": "won", "reason": None, "deadlines_closed": 1}
    assert lead.closed_at is not None


def test_assign_needs_a_target_and_an_active_branch(actor, lead):
    with pytest.raises(ServiceError):
        assign_lead(lead, actor)
    closed_branch = make_branch(active=False)
    with pytest.raises(ServiceError):
        assign_lead(lead, actor, branch=closed_branch)
    user_without_branch = make_user(branch=None)
    user_without_branch.branch = None
    db.session.flush()
    assign_lead(lead, actor, owner=user_without_branch)
    assert lead.owner == user_without_branch and lead.branch is not None


def test_unchanged_comment_writes_no_event(actor, lead):
    assert update_comment(lead, actor, "  ") is None
    assert update_comment(lead, actor, "Blue car") is not None
    assert update_comment(lead, actor, "Blue car ") is None
    assert _kinds(lead).count("comment_changed") == 1


def test_note_keeps_the_data_shape(actor, lead):
    event = add_note(lead, actor, "\n Called \n")
    assert event.kind == "note" and event.data == {"text": "Called"} and event.actor_id == actor.id


def test_change_status_takes_the_raw_lost_reason_choice(actor, lead):
    """The form's raw choice (an id as digits, or "other") is resolved by the service."""
    with pytest.raises(ServiceError) as error:
        change_status(lead, actor, "lost", lost_reason="other", lost_reason_text="  ")
    assert (str(error.value.message), error.value.field) == (
        "Explain the reason.",
        "lost_reason_text",
    )
    for bad in ("x", "99999999999"):
        with pytest.raises(ServiceError) as error:
            change_status(lead, actor, "lost", lost_reason=bad)
        assert error.value.field == "lost_reason"
    assert lead.status == LeadStatus.open and "status_changed" not in _kinds(lead)
    reason = make_lost_reason("Bought elsewhere")
    event = change_status(lead, actor, "lost", lost_reason=str(reason.id))
    assert (lead.lost_reason, event.data["reason"]) == (reason, "Bought elsewhere")
    change_status(lead, actor, "open")
    event = change_status(lead, actor, "lost", lost_reason="other", lost_reason_text="Moved")
    assert (lead.lost_reason, lead.lost_reason_text, event.data["reason"]) == (
        None,
        "Moved",
        "Moved",
    )
