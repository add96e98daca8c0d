"""Two requests with the same Idempotency-Key (or external id) arriving together make one
lead (issue 15 item 1): the second waits on the first's `lead_intake` row, fails its unique
constraint in a savepoint and replays the first result. PostgreSQL only (SQLite runs one
writer at a time, so the race cannot happen there)."""

from __future__ import annotations

import os
import threading
import time

import pytest
from sqlalchemy import func, select, text

from carflow.extensions import db
from carflow.intake import service
from carflow.intake.api_keys import create_api_key
from carflow.intake.incoming import IncomingContact, IncomingLead
from carflow.models import Lead, LeadIntake
from carflow.unit_of_work import unit_of_work
from tests.factories import make_branch, make_lead_type, make_source

pytestmark = pytest.mark.skipif(
    not os.environ.get("CARFLOW_TEST_DATABASE_URL"), reason="needs PostgreSQL"
)

WAIT_SECONDS = 20


def _someone_waits_on_a_lock() -> bool:
    with db.engine.connect() as conn:
        waiting = conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        ).scalar()
    return bool(waiting)


@pytest.mark.parametrize("same", ["idempotency_key", "external_id"])
def test_two_concurrent_requests_make_one_lead(app, monkeypatch, same):
    branch = make_branch("Gent", country="BE")
    make_lead_type("Purchase")
    key, _plain = create_api_key(None, "Site", make_source("Website"), branch)
    db.session.commit()
    key_id = key.id
    first_claimed = threading.Event()
    second_waited: list[bool] = []
    real_after_intake = vars(service)["_after_intake"]  # assignment, alerts, consent

    def after_intake_then_wait(*args):
        """The first request holds its transaction open until the second one waits."""
        real_after_intake(*args)
        if threading.current_thread().name == "first":
            first_claimed.set()
            deadline = time.monotonic() + WAIT_SECONDS
            while not _someone_waits_on_a_lock() and time.monotonic() < deadline:
                time.sleep(0.05)
            second_waited.append(_someone_waits_on_a_lock())

    monkeypatch.setattr(service, "_after_intake", after_intake_then_wait)
    results, errors = {}, []

    def receive() -> None:
        name = threading.current_thread().name
        incoming = IncomingLead(
            contact=IncomingContact(last_name="Claes", email="an@example.com"),
            external_id="ext-1" if same == "external_id" else None,
        )
        try:
            with app.app_context(), unit_of_work():
                api_key = db.session.get(service.ApiKey, key_id)
                results[name] = service.receive_lead(
                    incoming,
                    channel="api",
                    raw_payload='{"same": true}',
                    content_type="application/json",
                    api_key=api_key,
                    idempotency_key="same-key" if same == "idempotency_key" else None,
                )
            with app.app_context():
                db.session.remove()
        except Exception as error:  # reported below
            errors.append(error)

    first = threading.Thread(target=receive, name="first")
    second = threading.Thread(target=receive, name="second")
    first.start()
    assert first_claimed.wait(WAIT_SECONDS)
    second.start()
    first.join(WAIT_SECONDS * 2)
    second.join(WAIT_SECONDS * 2)
    assert not errors, errors
    assert second_waited == [True]  # the race really happened: the second one waited
    assert results["first"].created and not results["first"].replayed
    assert results["second"].replayed and results["second"].lead_id == results["first"].lead_id
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 1
    assert db.session.scalar(select(func.count()).select_from(LeadIntake)) == 1
