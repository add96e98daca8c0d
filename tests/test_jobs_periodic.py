"""Issue 12: the periodic jobs: orphan-upload sweep, reminder schedule, queue backends.

Tasks are put on the app's real SqliteHuey queue and run from it by `run_queued_jobs`
(tests/test_jobs.py runs a real worker process).
"""

from __future__ import annotations

import io
import os
import secrets
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from huey import RedisHuey, SqliteHuey

from carflow.extensions import db
from carflow.jobs import jobs_for, make_huey, sweep_pending, weekdays_at
from carflow.models import AccountSettings, Communication, CommunicationStatus, Document, utcnow
from carflow.services.communications import queue_communication
from carflow.services.documents import upload_document
from carflow.storage import save_upload
from tests.factories import make_contact, make_lead, make_offer, make_user
from tests.queue import run_queued_jobs

PDF = b"%PDF-1.4\n% test\n%%EOF\n"


def _file(folder: Path, name: str, age_seconds: float = 0) -> Path:
    path = folder / name
    path.write_bytes(PDF)
    if age_seconds:
        then = time.time() - age_seconds
        os.utime(path, (then, then))
    return path


def test_the_orphan_sweep_removes_old_orphans_and_temp_files_only(app):
    folder = Path(app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    user = make_user()
    document = upload_document(make_lead(owner=user), user, io.BytesIO(PDF), "a.pdf", "ID")
    logo = save_upload(io.BytesIO(PDF), "logo.pdf", frozenset({"application/pdf"}))
    AccountSettings.get().logo_stored_name = logo.stored_name
    db.session.commit()
    two_hours = 2 * 3600
    for name in (document.stored_name, logo.stored_name):
        os.utime(folder / name, (time.time() - two_hours,) * 2)
    old_orphan = _file(folder, secrets.token_hex(16), two_hours)
    fresh_orphan = _file(folder, secrets.token_hex(16))
    old_temp = _file(folder, ".upload-k1ll3d", two_hours)
    fresh_temp = _file(folder, ".upload-busy")
    not_ours = _file(folder, "README", two_hours)

    jobs_for(app).sweep_uploads()  # queue it, as the worker's scheduler does
    assert run_queued_jobs(app) == 1

    assert not old_orphan.exists() and not old_temp.exists()
    assert (folder / document.stored_name).read_bytes() == PDF  # its row keeps it
    assert (folder / logo.stored_name).exists()  # the account logo's row keeps it
    assert fresh_orphan.exists() and fresh_temp.exists()  # may be an upload in progress
    assert not_ours.exists()
    assert db.session.get(Document, document.id) is not None


def test_a_failed_copy_leaves_no_temp_file(app):
    folder = Path(app.config["UPLOAD_FOLDER"])

    class Broken(io.BytesIO):
        def read(self, size=-1):
            if self.tell():
                raise OSError("connection reset during the upload")
            return super().read(4)

    with pytest.raises(OSError, match="connection reset"):
        save_upload(Broken(PDF), "a.pdf", frozenset({"application/pdf"}))
    assert [p.name for p in folder.iterdir()] == []


@pytest.mark.parametrize(
    ("utc", "due"),
    [
        (datetime(2026, 11, 30, 6, 30), True),  # Monday 07:30 in Brussels (CET)
        (datetime(2026, 11, 30, 7, 30), False),  # 08:30 local
        (datetime(2026, 11, 28, 6, 30), False),  # Saturday
        (datetime(2026, 7, 6, 5, 30), True),  # Monday 07:30 CEST
    ],
)
def test_the_reminder_digest_runs_on_weekdays_at_local_time(utc, due):
    assert weekdays_at("07:30", "Europe/Brussels")(utc) is due


def test_the_periodic_tasks_due_at_a_time(app):
    assert app.config["CARFLOW_DEFAULT_TIMEZONE"] == "Europe/Brussels"
    huey = jobs_for(app).huey
    names = {task.name for task in huey.read_periodic(datetime(2026, 11, 30, 6, 30))}
    assert names == {
        "send_reminders",
        "sweep_pending",
        "sweep_uploads",
        "escalate",
        "poll_mailbox",
    }
    names = {task.name for task in huey.read_periodic(datetime(2026, 11, 30, 6, 35))}
    assert names == {"sweep_pending", "escalate", "poll_mailbox"}


def test_the_queue_is_sqlite_by_default_and_redis_when_configured(app, tmp_path):
    default = make_huey({}, str(tmp_path))
    assert isinstance(default, SqliteHuey)
    assert default.storage.filename == str(tmp_path / "queue.sqlite3")
    redis = make_huey({"CARFLOW_QUEUE_URL": "redis://127.0.0.1:6390/3"}, str(tmp_path))
    assert isinstance(redis, RedisHuey)
    with pytest.raises(ValueError, match="redis://"):
        make_huey({"CARFLOW_QUEUE_URL": "amqp://elsewhere"}, str(tmp_path))


def test_the_worker_sweep_sends_old_pending_emails_and_leaves_fresh_ones(
    app, smtp_server, login_as
):
    user = login_as("salesperson")
    lead = make_lead(owner=user, contact=make_contact(email="eva@example.com"))
    offer = make_offer(lead, user)
    old = queue_communication(lead, user, offer, ["eva@example.com"], "Old", "Body")
    old.created_at = utcnow() - timedelta(hours=1)
    fresh = queue_communication(lead, user, offer, ["eva@example.com"], "Fresh", "Body")
    db.session.commit()

    assert sweep_pending() == {"sent": 1, "failed": 0, "skipped": 0}  # 30 min grace
    assert db.session.get(Communication, old.id).status == CommunicationStatus.sent
    assert db.session.get(Communication, fresh.id).status == CommunicationStatus.pending
    assert [m["message"]["Subject"] for m in smtp_server.messages] == ["Old"]
