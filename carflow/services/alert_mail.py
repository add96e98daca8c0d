"""The outbox of lead alerts (issue 15 items 4–5): stored with the change, sent after it.

`queue_alert` renders an alert in the recipient's language, stores it as a `LeadAlert`
row and registers (with `after_commit`) the job that sends it, at once or when
`not_before` comes (a branch that opens on Monday). `deliver_alert` is one attempt,
claimed with a conditional UPDATE so that the job and the sweep never send it twice.
`due_alerts` lists what the periodic sweep retries (the queue was down, SMTP failed).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app, has_request_context, render_template, request
from flask_babel import force_locale
from sqlalchemy import select, update

from carflow.extensions import db
from carflow.mailer import MailError, build_message, deliver
from carflow.models import Lead, LeadAlert, utcnow
from carflow.unit_of_work import after_commit

log = logging.getLogger(__name__)
LANGUAGES = ("en", "fr", "nl")
MAX_ATTEMPTS = 10
ERROR_MAX_LENGTH = 1000


def language_of(value: str | None) -> str:
    """A supported language code (the recipient's, else English)."""
    return value if value in LANGUAGES else "en"


def base_url() -> str:
    """The app's public address: CARFLOW_BASE_URL, else the current request's, else
    http://SERVER_NAME (or localhost)."""
    configured = current_app.config.get("CARFLOW_BASE_URL")
    if configured:
        return configured.rstrip("/") + "/"
    if has_request_context():
        return request.url_root
    return f"http://{current_app.config.get('SERVER_NAME') or 'localhost'}/"


def absolute_url(endpoint: str, **values) -> str:
    """An absolute link for an e-mail, built from the app's URL map (no request needed)."""
    parts = urlsplit(base_url())
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)


def lead_url(lead: Lead) -> str:
    """The absolute link to the lead page."""
    return absolute_url("lead_page.page", lead_id=lead.id)


def render_alert(template: str, language: str, **context) -> tuple[str, str]:
    """(subject, body) of `templates/email/<template>.txt` in `language`: the first line
    is the subject, the rest the body."""
    with force_locale(language_of(language)):
        text = render_template(f"email/{template}.txt", **context)
    subject, _sep, body = text.partition("\n")
    return subject.strip(), body.lstrip("\n")


def queue_alert(
    lead: Lead,
    kind: str,
    recipient: str,
    language: str,
    subject: str,
    body: str,
    not_before: datetime | None = None,
) -> LeadAlert:
    """Store one alert e-mail and have it sent after the commit (or at `not_before`)."""
    alert = LeadAlert(
        lead_id=lead.id,
        kind=kind,
        recipient=recipient,
        language=language_of(language),
        subject=subject[:255],
        body=body,
        not_before=not_before or utcnow(),
        attempts=0,
    )
    db.session.add(alert)
    db.session.flush()
    alert_id, eta = alert.id, alert.not_before
    after_commit(lambda: enqueue_alert(alert_id, eta))
    return alert


def enqueue_alert(alert_id: int, eta: datetime | None = None) -> bool:
    """Put the sending job on the queue (after the commit); if the queue is down, log it:
    the periodic sweep sends it later. Returns whether it was queued."""
    from carflow.jobs import jobs_for

    try:
        task = jobs_for(current_app).send_lead_alert
        if eta is not None and eta > utcnow() + timedelta(seconds=1):
            task.schedule(args=(alert_id,), eta=eta)
        else:
            task(alert_id)
    except Exception:
        current_app.logger.exception("lead alert %s not queued; the sweep will send it", alert_id)
        return False
    return True


def _claim(alert_id: int, seen: int) -> bool:
    """Take this attempt (attempts seen → seen + 1); False when another sender took it."""
    result = db.session.execute(
        update(LeadAlert)
        .where(LeadAlert.id == alert_id, LeadAlert.attempts == seen, LeadAlert.sent_at.is_(None))
        .values(attempts=seen + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def deliver_alert(alert: LeadAlert, now: datetime | None = None) -> bool | None:
    """One attempt at an alert: True sent, False failed (reason kept), None nothing to do
    (already sent, not yet due, or claimed by another sender)."""
    now = now or utcnow()
    if alert.sent_at is not None or alert.not_before > now:
        return None
    if not _claim(alert.id, alert.attempts):
        return None
    db.session.expire(alert, ["attempts"])
    try:
        deliver(build_message(alert.subject, [alert.recipient], alert.body))
    except (MailError, ValueError) as error:
        alert.error = str(getattr(error, "reason", error))[:ERROR_MAX_LENGTH]
        log.warning("lead alert %s not sent: %s", alert.id, alert.error)
        db.session.flush()
        return False
    alert.sent_at = utcnow()
    alert.error = None
    db.session.flush()
    return True


def due_alerts(now: datetime, min_age: float = 60.0, limit: int = 500) -> list[int]:
    """Ids of unsent alerts due for at least `min_age` seconds with tries left (the sweep)."""
    return list(
        db.session.scalars(
            select(LeadAlert.id)
            .where(
                LeadAlert.sent_at.is_(None),
                LeadAlert.not_before <= now - timedelta(seconds=min_age),
                LeadAlert.attempts < MAX_ATTEMPTS,
            )
            .order_by(LeadAlert.not_before, LeadAlert.id)
            .limit(limit)
        )
    )
