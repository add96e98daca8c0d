"""Issue 12: two people saving the same item at the same moment, through a real threaded
HTTP server: one save wins, the other gets the one 409 answer with its form; never a 500,
and never a silent overwrite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from carflow.extensions import db
from carflow.models import Event, Lead, Offer, Task, TestDrive, TradeIn
from tests.factories import (
    make_lead,
    make_offer,
    make_task,
    make_test_drive,
    make_trade_in,
    make_vehicle,
)
from tests.live_server import LiveServer, post_together

STALE = "Someone else changed this record"
START = datetime(2026, 12, 1, 9, tzinfo=UTC)

OFFER_FORM = {
    "vehicle_description": "Golf 8 Life 1.5 TSI",
    "list_price": "20000.00",
    "discount": "0",
    "trade_in_id": "None",
    "vat_rate": "21",
    "valid_until": "2026-12-31",
}
TRADE_IN_FORM = {"make": "Peugeot", "model": "308", "fuel": "diesel", "gearbox": "manual"}


def _offer(lead, user):
    offer = make_offer(lead, user)
    return f"/admin/offers/{offer.id}", OFFER_FORM, offer


def _trade_in(lead, user):
    trade_in = make_trade_in(lead, user)
    return f"/admin/trade-ins/{trade_in.id}", TRADE_IN_FORM, trade_in


def _test_drive(lead, user):
    vehicle = make_vehicle()
    drive = make_test_drive(lead, vehicle, START, START + timedelta(hours=1))
    form = {
        "vehicle_id": str(vehicle.id),
        "driver": str(lead.contact_id),
        "starts_at": "2026-12-01T10:00",
        "ends_at": "2026-12-01T11:00",
    }
    return f"/admin/test-drives/{drive.id}", form, drive


def _task(lead, user):
    task = make_task(lead, assignee=user, title="Call back")
    form = {"title": "Call back", "assignee_id": str(user.id), "starts_at": "2026-12-03T15:00"}
    return f"/admin/task/{task.id}", form | {"duration": "30"}, task


def _comment(lead, user):
    return f"/admin/lead-actions/{lead.id}/comment", {"comment": "x"}, lead


@pytest.fixture
def signed_in(client, login_as):
    """A salesperson signed in, with the session cookie to use on the live server."""
    user = login_as("salesperson")
    client.get("/admin/")  # let the session cookie be written
    return user, client.get_cookie("session").value


@pytest.mark.parametrize(
    ("make_item", "field", "model"),
    [
        (_offer, "notes", Offer),
        (_trade_in, "color", TradeIn),
        (_test_drive, "notes", TestDrive),
        (_task, "description", Task),
        (_comment, "comment", Lead),
    ],
    ids=["offer", "trade_in", "test_drive", "task", "lead_comment"],
)
def test_simultaneous_saves_one_wins_one_409(app, signed_in, make_item, field, model):
    user, cookie = signed_in
    lead = make_lead(owner=user)
    path, form, item = make_item(lead, user)
    db.session.commit()
    version = str(item.version_id)
    with LiveServer(app) as server:
        answers = post_together(
            [
                (server.url + path, form | {"version": version, field: "Alice's text"}),
                (server.url + path, form | {"version": version, field: "Bob's text"}),
            ],
            cookie,
        )
    statuses = sorted(answer.status for answer in answers)
    assert statuses == [302, 409], [(a.status, a.text[:300]) for a in answers]
    loser = next(answer for answer in answers if answer.status == 409)
    assert STALE in loser.text and "<form" in loser.text  # the form, with the one message
    winner_text = "Alice's text" if answers[0].status == 302 else "Bob's text"
    db.session.expire_all()
    assert getattr(db.session.get(model, item.id), field) == winner_text


def test_double_complete_of_a_task_completes_it_once(app, signed_in):
    user, cookie = signed_in
    lead = make_lead(owner=user)
    task = make_task(lead, assignee=user, title="Send brochure")
    db.session.commit()
    url = f"/admin/task/{task.id}/complete"
    with LiveServer(app) as server:
        answers = post_together(
            [(server.url + url, {"version": task.version_id})] * 2,
            cookie,
        )
    assert [a.status for a in answers] == [302, 302]  # both back to the task, one refused
    completions = db.session.scalar(
        select(func.count()).select_from(Event).where(Event.kind == "task_completed")
    )
    assert completions == 1
    db.session.expire_all()
    assert db.session.get(Task, task.id).completed_by_id == user.id
