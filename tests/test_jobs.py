"""Issue 12: customer emails go through the job queue and a REAL worker process.

Each test starts `flask --app app carflow worker` as a subprocess on the test database
(SQLite file or PostgreSQL, the same DATABASE_URL) and the test's own SqliteHuey file,
and kills it at teardown. Waiting polls the database; nothing asserts wall-clock time.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from carflow.extensions import db
from carflow.models import Communication, CommunicationStatus, Event
from tests.factories import make_contact, make_lead, make_offer, make_user
from tests.queue import queued_count
from tests.smtp import DelayedDataHandler, SilentServer, SMTPServer, free_port

ROOT = Path(__file__).resolve().parent.parent


def _half_a_day_from_now() -> str:
    """HH:MM twelve hours from now (UTC; the schedule reads it in the account's time zone,
    one or two hours off, so it is still ten hours or more away)."""
    return (datetime.now(UTC) + timedelta(hours=12)).strftime("%H:%M")


@pytest.fixture
def start_worker(app, database_url, tmp_path):
    """`start_worker(mail_port, **env)`: a worker process; every one is killed at teardown."""
    processes: list[tuple[subprocess.Popen, Path]] = []

    def start(mail_port: int, **env_overrides) -> subprocess.Popen:
        log = tmp_path / f"worker-{len(processes)}.log"
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "CARFLOW_QUEUE_PATH": app.config["CARFLOW_QUEUE_PATH"],
            "CARFLOW_UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
            "CARFLOW_INSTANCE_PATH": str(tmp_path / "worker-instance"),
            "SECRET_KEY": "worker-test",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(mail_port),
            "MAIL_TIMEOUT": "2",
            "CARFLOW_MAIL_TRIES": "2",
            "CARFLOW_MAIL_RETRY_DELAY": "0.2",
            # The daily digest, half a day away: a worker started at the reminder time
            # (07:30 local, weekdays) sent it too, and the exact e-mail counts failed.
            "CARFLOW_REMINDER_TIME": _half_a_day_from_now(),
            **env_overrides,
        }
        command = [sys.executable, "-m", "flask", "--app", "app", "carflow", "worker"]
        with log.open("wb") as out:
            process = subprocess.Popen(
                [*command, "--workers", "1", "--poll", "0.2"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        processes.append((process, log))
        return process

    yield start
    for process, _log in processes:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def _logs(tmp_path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in sorted(tmp_path.glob("worker-*.log")))


def wait_for(predicate, what: str, tmp_path, limit: float = 90.0):
    """Poll (reading fresh database state) until `predicate()` is true; fail after `limit` s."""
    deadline = time.monotonic() + limit
    while True:
        db.session.rollback()  # a new snapshot each time
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}; worker log:\n{_logs(tmp_path)}")
        time.sleep(0.1)


def stop(process: subprocess.Popen) -> None:
    """SIGTERM: the consumer finishes and exits; after that nothing more can be sent."""
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)


@pytest.fixture
def seller(login_as):
    return login_as("salesperson", email="sam.seller@carflow.example")


@pytest.fixture
def lead(seller):
    contact = make_contact(first_name="Eva", last_name="Janssens", email="eva@example.com")
    return make_lead(owner=seller, contact=contact)


@pytest.fixture
def offer(lead, seller):
    return make_offer(lead, seller)


def _post_email(client, lead, offer, subject="Your offer"):
    data = {
        "recipients": ["eva@example.com"],
        "offer_id": str(offer.id),
        "subject": subject,
        "body": "Dear Eva,\nour offer.\n",
    }
    response = client.post(f"/admin/communications/new/{lead.id}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalar(select(Communication).where(Communication.subject == subject))


def _status(communication) -> CommunicationStatus:
    return db.session.get(Communication, communication.id).status


def _events(lead, kind):
    return list(
        db.session.scalars(select(Event).where(Event.lead_id == lead.id, Event.kind == kind))
    )


def test_a_real_worker_delivers_the_email_exactly_once(
    app, client, smtp_server, seller, lead, offer, start_worker, tmp_path
):
    communication = _post_email(client, lead, offer)
    assert communication.status == CommunicationStatus.pending
    assert smtp_server.messages == [] and queued_count(app) == 1

    worker = start_worker(smtp_server.port)
    wait_for(lambda: _status(communication) == CommunicationStatus.sent, "sent", tmp_path)
    wait_for(lambda: queued_count(app) == 0, "an empty queue", tmp_path)
    stop(worker)

    [received] = smtp_server.messages
    assert received["to"] == ["eva@example.com"]
    assert received["message"]["Subject"] == "Your offer"
    communication = db.session.get(Communication, communication.id)
    assert communication.attempts == 1 and communication.error is None
    assert communication.message_id == received["message"]["Message-ID"]
    [event] = _events(lead, "communication_sent")
    assert event.actor_id == seller.id and event.ref_id == communication.id
    page = client.get(f"/admin/communications/{communication.id}").get_data(as_text=True)
    assert "status-sent" in page and "communication-retry" not in page

    result = app.test_cli_runner().invoke(args=["carflow", "send-pending"])
    assert "0 sent, 0 failed" in result.output
    assert len(smtp_server.messages) == 1


def test_a_mail_server_that_never_answers_fails_the_email_and_blocks_nobody(
    app, client, login_as, branch, seller, lead, offer, start_worker, tmp_path
):
    silent = SilentServer().start()
    try:
        silent.configure(app)
        app.config["CARFLOW_MAIL_TRIES"] = 2  # the queued task carries its number of tries
        communication = _post_email(client, lead, offer)
        assert silent.accepted == 0  # the request queued it and answered: no SMTP in it
        assert communication.status == CommunicationStatus.pending

        # Two tries; the sweep leaves emails tried twice alone (so the count is exact).
        start_worker(silent.port, MAIL_TIMEOUT="1", CARFLOW_SEND_MAX_ATTEMPTS="2")
        wait_for(lambda: silent.accepted >= 1, "the worker's SMTP connection", tmp_path)
        # Meanwhile another user writes (SQLite: the worker holds no write lock).
        manager = make_user("admin", branch=branch, email="ada.admin@carflow.example")
        login_as(user=manager)
        response = client.post(f"/admin/lead-actions/{lead.id}/note", data={"note": "Called"})
        assert response.status_code == 302
        [note] = _events(lead, "note")
        assert note.actor_id == manager.id and note.data == {"text": "Called"}

        wait_for(lambda: _status(communication) == CommunicationStatus.failed, "failed", tmp_path)
    finally:
        silent.stop()
    communication = db.session.get(Communication, communication.id)
    assert communication.attempts == 2  # CARFLOW_MAIL_TRIES=2: one retry, then failed
    assert communication.error == "mail server did not answer within 1 s"
    [failed] = _events(lead, "communication_failed")
    assert failed.data["reason"] == communication.error
    assert silent.accepted == 2
    page = client.get(f"/admin/communications/{communication.id}").get_data(as_text=True)
    assert "did not answer within 1 s" in page and "communication-retry" in page


def test_a_worker_killed_mid_send_is_restarted_and_the_email_goes_out_once(
    app, client, lead, offer, start_worker, tmp_path
):
    handler = DelayedDataHandler(delay=120)
    server = SMTPServer(handler=handler).start()
    try:
        server.configure(app)
        communication = _post_email(client, lead, offer)
        first = start_worker(server.port, MAIL_TIMEOUT="300")
        wait_for(handler.data_started.is_set, "the DATA of the first attempt", tmp_path)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        assert server.messages == []  # the server never acknowledged it
        assert _status(communication) == CommunicationStatus.pending

        handler.delay = 0
        # Its start-up sweep picks the email up (sweeping pending emails of any age).
        second = start_worker(server.port, CARFLOW_SWEEP_AFTER="0")
        wait_for(lambda: _status(communication) == CommunicationStatus.sent, "sent", tmp_path)
        wait_for(lambda: queued_count(app) == 0, "an empty queue", tmp_path)
        stop(second)
    finally:
        server.stop()
    assert [m["message"]["Subject"] for m in server.messages] == ["Your offer"]
    assert db.session.get(Communication, communication.id).attempts == 1  # the kill rolled back
    assert len(_events(lead, "communication_sent")) == 1


def test_the_sweep_sends_an_email_left_pending_while_the_queue_was_down(
    app, client, smtp_server, lead, offer, caplog
):
    app.config["CARFLOW_QUEUE_URL"] = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens
    communication = _post_email(client, lead, offer)  # the request still succeeds
    assert communication.status == CommunicationStatus.pending
    assert f"communication {communication.id} not queued" in caplog.text
    page = client.get(f"/admin/leads/{lead.id}?tab=details").get_data(as_text=True)
    assert "The email is queued" in page
    assert smtp_server.messages == []

    result = app.test_cli_runner().invoke(args=["carflow", "send-pending"])
    assert result.exit_code == 0, result.output
    assert "1 sent, 0 failed" in result.output
    assert _status(communication) == CommunicationStatus.sent
    assert [m["message"]["Subject"] for m in smtp_server.messages] == ["Your offer"]


@pytest.fixture
def redis_url(tmp_path):
    """A throwaway redis-server on a free port (killed at teardown)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    command += ["--appendonly", "no", "--dir", str(tmp_path)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/0"
    process.kill()
    process.wait(timeout=30)


def test_with_redis_the_queue_works_the_same(
    app, client, smtp_server, lead, offer, start_worker, redis_url, tmp_path
):
    app.config["CARFLOW_QUEUE_URL"] = redis_url
    communication = _post_email(client, lead, offer)
    assert queued_count(app) == 1 and smtp_server.messages == []

    worker = start_worker(smtp_server.port, CARFLOW_QUEUE_URL=redis_url)
    wait_for(lambda: _status(communication) == CommunicationStatus.sent, "sent", tmp_path)
    stop(worker)
    assert [m["message"]["Subject"] for m in smtp_server.messages] == ["Your offer"]
