"""The intake mailbox polled over IMAP, against a real dovecot started by the test
(issue 15, item 1 acceptance: e-mail intake tested against a real IMAP server)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from carflow.extensions import db
from carflow.intake import mailbox as mailbox_module
from carflow.intake.email_ingest import TemporaryIntakeFailure
from carflow.intake.mailbox import MailboxConfig, connect, move_message, poll_mailbox
from carflow.jobs import jobs_for
from carflow.models import Lead
from carflow.models.mailbox import EmailRejection, IntakeMailbox
from tests import email_samples as mails
from tests.factories import make_branch, make_lead_type, make_source
from tests.imap_server import PASSWORD, USER, ImapServer, dovecot_missing

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def imap_server():
    """One dovecot for the module (each test empties the mailbox it uses)."""
    reason = dovecot_missing()
    if reason:
        pytest.skip(reason)
    server = ImapServer().start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(app, imap_server):
    """The intake mailbox set on the test server, with fresh folders for this test."""
    branch = make_branch("Gent", country="BE")
    for name in ("Purchase", "Sale", "Trade-in", "Lease"):
        make_lead_type(name)
    source = make_source("AutoScout24")
    row = IntakeMailbox.get()
    test_id = f"t{secrets.token_hex(4)}"  # not id(row): addresses are reused across tests
    row.enabled, row.host, row.port, row.security = True, "127.0.0.1", imap_server.port, "plain"
    row.username, row.password = USER, PASSWORD
    row.folder = f"{test_id}-in"
    row.processed_folder = f"{test_id}-processed"
    row.bounce_folder = f"{test_id} bounced"  # a space: names are quoted
    row.branch_id, row.source_id = branch.id, source.id
    db.session.commit()
    return row


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_poll_creates_leads_moves_messages_and_a_second_poll_does_nothing(imap_server, mailbox):
    folder = mailbox.folder
    imap_server.append(mails.as_attachment(message_id="<1@portal.example>"), folder)
    imap_server.append(mails.in_html(mails.adf_sample("sell.xml"), "<2@portal.example>"), folder)
    # read in a mail client already: still a lead
    imap_server.append(mails.whole_body(mails.adf_sample("lease.xml")), folder, seen=True)
    imap_server.append(mails.without_adf(message_id="<ooo@portal.example>"), folder)
    imap_server.append(mails.as_attachment(mails.adf_sample("billion_laughs.xml")), folder)

    report = poll_mailbox()
    assert (report.accepted, report.refused, report.deferred, report.error) == (3, 2, 0, None)
    assert _count(Lead) == 3
    names = {lead.contact.last_name for lead in db.session.scalars(select(Lead))}
    assert names == {"Peeters", "Smet", "Dubois"}
    assert imap_server.messages(folder) == []
    assert len(imap_server.messages(mailbox.processed_folder)) == 3
    bounced = imap_server.messages(mailbox.bounce_folder)
    assert len(bounced) == 2 and b"Out of office" in b"".join(bounced)
    reasons = sorted(r.reason for r in db.session.scalars(select(EmailRejection)))
    assert "no ADF document found in the message" in reasons
    assert any("DTDs and entities are not accepted" in reason for reason in reasons)
    db.session.refresh(mailbox)
    assert mailbox.last_polled_at is not None and mailbox.last_error is None

    second = poll_mailbox()
    assert (second.accepted, second.refused) == (0, 0)
    assert _count(Lead) == 3


def test_crash_between_commit_and_move_makes_no_second_lead(imap_server, mailbox, monkeypatch):
    folder = mailbox.folder
    imap_server.append(mails.as_attachment(message_id="<crash@portal.example>"), folder)

    def crash(*args):
        raise OSError("worker killed after the commit")

    monkeypatch.setattr(mailbox_module, "move_message", crash)
    report = poll_mailbox()
    assert report.error.startswith("OSError")
    assert _count(Lead) == 1
    assert len(imap_server.messages(folder)) == 1  # still there, not lost
    db.session.refresh(mailbox)
    assert "worker killed" in mailbox.last_error

    monkeypatch.undo()
    again = poll_mailbox()
    assert again.accepted == 1 and again.error is None
    assert _count(Lead) == 1  # replayed by Message-ID, not created twice
    assert imap_server.messages(folder) == []
    assert len(imap_server.messages(mailbox.processed_folder)) == 1


def test_temporary_failure_leaves_the_message_for_the_next_poll(imap_server, mailbox, monkeypatch):
    imap_server.append(mails.whole_body(message_id="<later@portal.example>"), mailbox.folder)

    def database_down(*args, **kwargs):
        raise TemporaryIntakeFailure("database unavailable")

    monkeypatch.setattr(mailbox_module, "ingest_email", database_down)
    report = poll_mailbox()
    assert report.deferred == 1 and report.error == "database unavailable"
    assert len(imap_server.messages(mailbox.folder)) == 1
    assert imap_server.messages(mailbox.bounce_folder) == []


def test_copy_delete_expunge_when_the_server_has_no_move(imap_server, mailbox):
    imap_server.append(mails.without_adf(message_id="<m@x>"), mailbox.folder)
    config = MailboxConfig(
        "127.0.0.1", imap_server.port, "plain", USER, PASSWORD, mailbox.folder, "a", "b", None, None
    )
    with connect(config) as imap:
        assert "MOVE" in imap.capabilities  # refreshed after the login
        imap.capabilities = tuple(c for c in imap.capabilities if c not in ("MOVE", "UIDPLUS"))
        imap.create('"elsewhere"')
        imap.select(f'"{mailbox.folder}"')
        _, data = imap.uid("SEARCH", None, "ALL")
        move_message(imap, data[0].split()[0].decode(), "elsewhere")
    assert imap_server.messages(mailbox.folder) == []
    assert len(imap_server.messages("elsewhere")) == 1


def test_wrong_password_is_recorded_not_raised(imap_server, mailbox):
    mailbox.password = "wrong"
    db.session.commit()
    report = poll_mailbox()
    assert report.error and "AUTHENTICATIONFAILED" in report.error.upper()
    db.session.refresh(mailbox)
    assert mailbox.last_error == report.error


def test_not_configured_mailbox_is_not_polled(app):
    assert poll_mailbox() is None


def test_a_real_worker_process_runs_the_poll(imap_server, mailbox, app, database_url, tmp_path):
    """The periodic task, queued now and run by `flask carflow worker` (a subprocess)."""
    imap_server.append(mails.as_attachment(message_id="<job@portal.example>"), mailbox.folder)
    jobs_for(app).poll_mailbox()  # queue one run, as the scheduler does every minute
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CARFLOW_QUEUE_PATH": app.config["CARFLOW_QUEUE_PATH"],
        "CARFLOW_INSTANCE_PATH": str(tmp_path / "worker-instance"),
        "SECRET_KEY": "worker-test",
    }
    command = [sys.executable, "-m", "flask", "--app", "app", "carflow", "worker"]
    with log.open("wb") as out:
        worker = subprocess.Popen(  # noqa: S603
            [*command, "--workers", "1", "--poll", "0.2", "--no-periodic"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 90  # a wait for the worker, not an assertion
        while _count(Lead) == 0 and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.3)
            db.session.rollback()
    finally:
        worker.kill()
        worker.wait(timeout=30)
    assert _count(Lead) == 1, log.read_text()
    assert len(imap_server.messages(mailbox.processed_folder)) == 1


def test_starttls_and_tls_with_a_verified_certificate(imap_server, mailbox, app):
    app.config["CARFLOW_IMAP_CA_FILE"] = str(imap_server.certificate)
    for security, port in (("starttls", imap_server.port), ("tls", imap_server.tls_port)):
        mailbox.security, mailbox.port = security, port
        db.session.commit()
        message_id = f"<{security}@portal.example>"
        imap_server.append(mails.as_attachment(message_id=message_id), mailbox.folder)
        report = poll_mailbox()
        assert (report.accepted, report.error) == (1, None), security
    assert _count(Lead) == 1  # the same customer twice: an "enquiry again" the second time
    assert len(imap_server.messages(mailbox.processed_folder)) == 2


def test_a_certificate_that_does_not_verify_is_refused(imap_server, mailbox):
    mailbox.security, mailbox.port = "tls", imap_server.tls_port
    db.session.commit()
    imap_server.append(mails.as_attachment(message_id="<mitm@portal.example>"), mailbox.folder)
    report = poll_mailbox()
    assert "CERTIFICATE_VERIFY_FAILED" in report.error
    assert _count(Lead) == 0
    assert len(imap_server.messages(mailbox.folder)) == 1
