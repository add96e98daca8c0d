"""Worker side of lead alerts and escalation (issue 15 items 4–5), registered in jobs.py.

`send_lead_alert_task` sends one stored alert; `escalate_task` (every 5 minutes) takes the
escalation steps that are due, then sends the alerts left unsent (queue down, SMTP failed,
a worker killed): the outbox is never lost.
"""

from __future__ import annotations

import logging

from carflow.extensions import db
from carflow.models import LeadAlert, utcnow
from carflow.services.alert_mail import deliver_alert, due_alerts
from carflow.services.escalation import escalate_missed_deadlines
from carflow.unit_of_work import unit_of_work

log = logging.getLogger(__name__)


def send_lead_alert_task(alert_id: int) -> bool | None:
    """Worker: one attempt at one alert (a failure is left for the sweep)."""
    with unit_of_work():
        alert = db.session.get(LeadAlert, alert_id)
        return None if alert is None else deliver_alert(alert)


def sweep_lead_alerts() -> dict[str, int]:
    """Send every unsent alert that is due (one transaction each)."""
    with unit_of_work():
        ids = due_alerts(utcnow())
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    for alert_id in ids:
        outcome = send_lead_alert_task(alert_id)
        counts[{True: "sent", False: "failed", None: "skipped"}[outcome]] += 1
    return counts


def escalate_task() -> dict:
    """Worker (every 5 minutes): escalation steps, then the sweep of unsent alerts."""
    with unit_of_work():
        counts = escalate_missed_deadlines()
    counts.update(sweep_lead_alerts())
    if counts.get("notified") or counts.get("reassigned") or counts.get("sent"):
        log.info("escalation and lead alerts: %s", counts)
    return counts
