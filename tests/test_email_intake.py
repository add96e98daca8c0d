"""ADF by e-mail through `ingest_email` (the path of the IMAP poll and the MTA pipe) and
through the real CLI pipe, a subprocess reading the message on stdin (issue 15, item 1)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from carflow.extensions import db
from carflow.intake.email_ingest import TemporaryIntakeFailure, ingest_email
from carflow.models import Event, Lead, LeadIntake
from carflow.models.mailbox import EmailRejection, IntakeMailbox
from tests import email_samples as mails
from tests.factories import make_branch, make_lead_type, make_source

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def setup(app):
    """A branch in Belgium, the demo's lead types and the AutoScout24 source."""
    branch = make_branch("Gent", country="BE")
    for name in ("Purchase", "Sale", "Trade-in", "Lease"):
        make_lead_type(name)
    source = make_source("AutoScout24")
    db.session.commit()
    return {"branch_id": branch.id, "source_id": source.id}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    "build", [mails.whole_body, mails.as_attachment, mails.in_html, mails.in_plain_text]
)
def test_each_shape_of_email_makes_one_lead_and_a_second_read_none(setup, build):
    raw = build(message_id="<lead-42@autoscout24.example>")
    outcome = ingest_email(raw, via="imap", **setup)
    assert outcome.accepted and outcome.reason is None
    (result,) = outcome.results
    assert result.created and not result.replayed
    lead = db.session.get(Lead, result.lead_id)
    assert lead.contact.last_name == "Peeters" and lead.contact.email == "sophie.peeters@example.be"
    assert lead.lead_type.name == "Purchase" and lead.source.name == "AutoScout24"
    intake = db.session.scalars(select(LeadIntake)).one()
    assert intake.channel == "adf_email"
    assert intake.idempotency_key == "email:<lead-42@autoscout24.example>"
    assert "Message-ID: <lead-42@autoscout24.example>" in intake.raw_payload
    assert "<vin>WVWZZZCDZMW012345</vin>" in intake.raw_payload
    kinds = {e.kind for e in db.session.scalars(select(Event).where(Event.lead_id == lead.id))}
    assert "lead_received" in kinds

    again = ingest_email(raw, via="imap", **setup)
    assert again.accepted and again.results[0].replayed
    assert again.results[0].lead_id == lead.id
    assert _count(Lead) == 1


def test_trade_in_and_missing_names_arrive(setup):
    trade = ingest_email(mails.as_attachment(mails.adf_sample("trade_in.xml")), via="pipe", **setup)
    assert db.session.get(Lead, trade.results[0].lead_id).lead_type.name == "Purchase"
    nameless = ingest_email(
        mails.whole_body(mails.adf_sample("missing_names.xml")), via="pipe", **setup
    )
    assert nameless.accepted
    lead = db.session.get(Lead, nameless.results[0].lead_id)
    assert lead.contact.email == "anonymous.buyer@example.com"
    sell = ingest_email(mails.in_html(mails.adf_sample("sell.xml")), via="imap", **setup)
    assert db.session.get(Lead, sell.results[0].lead_id).lead_type.name == "Sale"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (mails.without_adf(message_id="<ooo@x>"), "no ADF document found in the message"),
        (
            mails.as_attachment(mails.adf_sample("billion_laughs.xml"), message_id="<b@x>"),
            "DTDs and entities are not accepted",
        ),
        (
            mails.as_attachment(mails.adf_sample("invalid.xml"), message_id="<i@x>"),
            "not well-formed XML",
        ),
        (
            mails.whole_body(mails.adf_sample("no_contact_means.xml"), message_id="<n@x>"),
            "prospect/customer/contact/name",
        ),
    ],
)
def test_refused_messages_store_nothing_but_the_reason(setup, raw, reason):
    outcome = ingest_email(raw, via="imap", **setup)
    assert not outcome.accepted and reason in outcome.reason
    rejection = db.session.scalars(select(EmailRejection)).one()
    assert reason in rejection.reason and rejection.channel == "imap"
    assert rejection.message_key.startswith("email:<")
    assert _count(Lead) == 0 and _count(LeadIntake) == 0


def test_oversized_message_refused_and_recorded_once(setup, monkeypatch):
    from carflow.intake import email_ingest

    monkeypatch.setattr(email_ingest, "MAX_EMAIL_BYTES", 1000)
    raw = mails.as_attachment(message_id="<huge@portal.example>")
    for _ in range(2):
        outcome = ingest_email(raw, via="imap", **setup)
        assert not outcome.accepted and "larger than 1000 bytes" in outcome.reason
    rejection = db.session.scalars(select(EmailRejection)).one()
    assert rejection.message_key == "email:<huge@portal.example>"
    assert rejection.subject == "Lead attached"
    assert _count(Lead) == 0


def test_unconfigured_intake_is_a_temporary_failure(setup):
    with pytest.raises(TemporaryIntakeFailure):
        ingest_email(mails.whole_body(), via="pipe", branch_id=None, source_id=None)
    assert _count(Lead) == 0 and _count(EmailRejection) == 0


def _pipe(raw: bytes, database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="pipe-test-secret-key")
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "flask", "--app", "app", "carflow", "ingest-email", *args],
        input=raw,
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )


def test_cli_pipe_exit_codes(app, setup, database_url):
    mailbox = IntakeMailbox.get()
    mailbox.branch_id, mailbox.source_id = setup["branch_id"], setup["source_id"]
    db.session.commit()
    raw = mails.as_attachment(message_id="<pipe-1@portal.example>")

    # As an MTA runs it: a process reading stdin, its exit code and stderr.
    accepted = _pipe(raw, database_url)
    assert accepted.returncode == 0, accepted.stderr
    assert b"accepted: L" in accepted.stderr

    # The other outcomes through the same command, run in this process (a process costs
    # seconds to start): the code path after stdin is the same.
    again = _pipe_here(app, raw)
    assert again.exit_code == 0, again.stderr
    assert "accepted: L" in again.stderr
    db.session.expire_all()
    assert _count(Lead) == 1

    refused = _pipe_here(app, mails.without_adf(message_id="<ooo@portal.example>"))
    assert refused.exit_code == 65
    assert "refused: no ADF document found in the message" in refused.stderr

    unknown = _pipe_here(app, raw, "--branch", "Nowhere")
    assert unknown.exit_code == 75
    assert "temporary failure, try again later: no branch named 'Nowhere'" in unknown.stderr


def _pipe_here(app, raw: bytes, *args: str):
    return app.test_cli_runner().invoke(args=["carflow", "ingest-email", *args], input=raw)


def test_cli_pipe_temporary_failure_when_the_database_is_down(setup, tmp_path):
    down = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"
    result = _pipe(mails.whole_body(), down)
    assert result.returncode == 75
    assert b"temporary failure, try again later" in result.stderr
