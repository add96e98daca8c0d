"""Background work on a Huey job queue (issue 12): customer emails, reminders, sweeps.

The queue is built once per app from its configuration: `SqliteHuey` in a file of the
instance folder (`CARFLOW_QUEUE_PATH`) by default, `RedisHuey` when
`CARFLOW_QUEUE_URL=redis://…`. The web app only enqueues, after its commit
(`enqueue_delivery`); the worker (`flask --app app carflow worker`, or
`huey_consumer carflow.jobs.huey`) runs the tasks, each in an app context and its body
in `unit_of_work()`. Periodic tasks: the reminder digest (weekdays at
`CARFLOW_REMINDER_TIME` in `CARFLOW_TIMEZONE`), the sweep of emails left pending (every
5 minutes: what a full queue or a killed worker left behind) and the orphan-upload sweep.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from huey import RedisHuey, SqliteHuey, crontab
from huey.api import Huey
from huey.exceptions import TaskLockedException
from redis import ConnectionPool

from carflow.data_import.job import run_import_pass
from carflow.extensions import db
from carflow.models import Communication, CommunicationStatus, utcnow
from carflow.services.communications import deliver_communication, retryable_communications
from carflow.services.reminders import send_reminders
from carflow.services.retention import apply_retention
from carflow.services.uploads import remove_orphan_uploads
from carflow.unit_of_work import unit_of_work

log = logging.getLogger(__name__)

EXTENSION = "carflow_jobs"
_build_lock = threading.Lock()


class DeliveryFailed(Exception):
    """An attempt failed and more tries remain: Huey schedules the next one (backoff)."""


def make_huey(config, instance_path: str) -> Huey:
    """`RedisHuey` for a redis:// CARFLOW_QUEUE_URL, else `SqliteHuey` in a file."""
    url = config.get("CARFLOW_QUEUE_URL")
    if url:
        if not url.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("CARFLOW_QUEUE_URL must be a redis:// URL")
        # Timeouts: a Redis that does not answer must not hang a web request's enqueue.
        pool = ConnectionPool.from_url(url, socket_connect_timeout=5, socket_timeout=10)
        return RedisHuey("carflow", connection_pool=pool, results=False)
    path = config.get("CARFLOW_QUEUE_PATH") or os.path.join(instance_path, "queue.sqlite3")
    return SqliteHuey("carflow", filename=path, results=False, timeout=10)


def weekdays_at(hhmm: str, timezone: str):
    """A Huey schedule: Monday to Friday at `hhmm` local time in `timezone`."""
    hour, minute = (int(part) for part in hhmm.split(":"))
    zone = ZoneInfo(timezone)

    def due(timestamp: datetime) -> bool:  # Huey passes naive UTC (utc=True)
        local = timestamp.replace(tzinfo=UTC).astimezone(zone)
        return local.weekday() < 5 and (local.hour, local.minute) == (hour, minute)

    return due


class Jobs:
    """The app's queue and its tasks (`jobs_for(app)` builds it once per app)."""

    def __init__(self, app: Flask):
        app = app.app_context().app  # the app itself, also when given `current_app`
        config = app.config
        self.app = app
        self.huey = make_huey(config, app.instance_path)
        self.deliver_communication = self.huey.task(
            retries=max(int(config["CARFLOW_MAIL_TRIES"]) - 1, 0),
            retry_delay=float(config["CARFLOW_MAIL_RETRY_DELAY"]),
            retry_backoff=2,
            context=True,
            name="deliver_communication",
        )(self._in_app(deliver_communication_task))
        self.send_reminders = self.huey.periodic_task(
            weekdays_at(config["CARFLOW_REMINDER_TIME"], config["CARFLOW_DEFAULT_TIMEZONE"]),
            name="send_reminders",
        )(self._in_app(send_reminders_task))
        self.sweep_pending = self.huey.periodic_task(crontab(minute="*/5"), name="sweep_pending")(
            self._in_app(sweep_pending)
        )
        self.sweep_uploads = self.huey.periodic_task(crontab(minute="*/15"), name="sweep_uploads")(
            self._in_app(sweep_uploads)
        )
        # Issue 17: daily, anonymize contacts inactive for the set years (off by default).
        self.apply_retention = self.huey.periodic_task(
            crontab(hour="2", minute="30"), name="apply_retention"
        )(self._in_app(apply_retention))
        # Lead alerts and escalation (issue 15 items 4-5): carflow/alert_jobs.py
        from carflow.alert_jobs import escalate_task, send_lead_alert_task

        self.send_lead_alert = self.huey.task(name="send_lead_alert")(
            self._in_app(send_lead_alert_task)
        )
        self.escalate = self.huey.periodic_task(crontab(minute="*/5"), name="escalate")(
            self._in_app(escalate_task)
        )
        # Issue 15: the intake mailbox (ADF e-mails), every minute when configured.
        self.poll_mailbox = self.huey.periodic_task(crontab(minute="*"), name="poll_mailbox")(
            self._in_app(self._locked("poll_mailbox", poll_mailbox_task))
        )
        self.run_import = self.huey.task(name="run_data_import")(self._in_app(run_import_pass))

    def _in_app(self, func):
        app = self.app

        @functools.wraps(func)
        def run(*args, **kwargs):
            with app.app_context():
                return func(*args, **kwargs)

        return run

    def _locked(self, name: str, func):
        """`func` run by one worker at a time; a run that finds it busy skips this turn.
        The lock is registered with Huey, so the periodic worker flushes it at start (a
        killed worker must not leave it held for ever)."""
        lock = self.huey.lock_task(name)

        @functools.wraps(func)
        def run(*args, **kwargs):
            try:
                with lock:
                    return func(*args, **kwargs)
            except TaskLockedException:
                log.info("%s still running: this turn skipped", name)
                return None

        return run

    def consumer(self, workers: int = 2, max_delay: float = 5.0, periodic: bool = True):
        """A Huey consumer on this queue (threads; `periodic`: it runs the schedule)."""
        return self.huey.create_consumer(
            workers=workers,
            worker_type="thread",
            periodic=periodic,
            max_delay=max_delay,
            flush_locks=periodic,  # the locks of `_locked` tasks a killed worker left
        )


def jobs_for(app: Flask) -> Jobs:
    """The app's `Jobs`, built on first use."""
    jobs = app.extensions.get(EXTENSION)
    if jobs is None:
        with _build_lock:
            jobs = app.extensions.get(EXTENSION)
            if jobs is None:
                jobs = app.extensions[EXTENSION] = Jobs(app)
    return jobs


def enqueue_delivery(communication_id: int) -> bool:
    """Queue one email (call after the commit); if the queue is down, log and leave it
    pending for the sweep. Returns whether it was queued."""
    try:
        jobs_for(current_app).deliver_communication(communication_id)
    except Exception:
        current_app.logger.exception(
            "communication %s not queued; the periodic sweep will send it", communication_id
        )
        return False
    return True


def deliver_communication_task(communication_id: int, task=None) -> bool | None:
    """Worker: one attempt at an email; a failure raises while tries remain (retried)."""
    final = task is None or not task.retries
    with unit_of_work():
        communication = db.session.get(Communication, communication_id)
        if communication is None:
            return None
        outcome = deliver_communication(communication, communication.sender, final=final)
        retry = outcome is False and communication.status == CommunicationStatus.pending
        error = communication.error
    if retry:
        raise DeliveryFailed(f"communication {communication_id}: {error}")
    return outcome


def sweep_pending(max_attempts: int | None = None, min_age: float | None = None) -> dict:
    """The sweep (periodic; `send-pending`): attempt once every failed email, and every
    pending one older than `min_age` seconds (default CARFLOW_SWEEP_AFTER: by then the
    queue's own tries are over, or were lost)."""
    config = current_app.config
    max_attempts = max_attempts or int(config["CARFLOW_SEND_MAX_ATTEMPTS"])
    min_age = float(config["CARFLOW_SWEEP_AFTER"]) if min_age is None else min_age
    with unit_of_work():
        rows = retryable_communications(max_attempts, utcnow() - timedelta(seconds=min_age))
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    for communication_id, seen in rows:
        with unit_of_work():
            communication = db.session.get(Communication, communication_id)
            outcome = None
            if communication is not None:
                outcome = deliver_communication(communication, communication.sender, seen)
        counts[{True: "sent", False: "failed", None: "skipped"}[outcome]] += 1
    if rows:
        log.info("sweep of pending emails: %s", counts)
    return counts


def send_reminders_task() -> tuple[int, int]:
    """Worker: the reminder digest; returns (sent, failed)."""
    with unit_of_work():
        return send_reminders()


def sweep_uploads() -> dict[str, int]:
    """Worker: remove orphan uploads and leftover temp files (older than the set age)."""
    with unit_of_work():
        return remove_orphan_uploads(float(current_app.config["CARFLOW_ORPHAN_MAX_AGE"]))


def poll_mailbox_task():
    """Worker: read the intake mailbox once (issue 15); nothing when not configured."""
    from carflow.intake.mailbox import poll_mailbox

    return poll_mailbox()


def __getattr__(name: str):
    """`huey_consumer carflow.jobs.huey`: the queue of `create_app()` for this process."""
    if name != "huey":
        raise AttributeError(name)
    from carflow import create_app
    from carflow.config import ProductionConfig

    global _worker_huey
    with _build_lock:
        if _worker_huey is None:
            production = os.environ.get("CARFLOW_CONFIG") == "production"
            app = create_app(ProductionConfig if production else None)
            _worker_huey = jobs_for(app).huey
    return _worker_huey


_worker_huey: Huey | None = None
