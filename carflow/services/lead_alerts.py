"""Alerts about new leads (issue 15 item 4): the owner or the branch queue is told, the
customer may get an automatic reply.

Both run inside the unit of work that creates the lead: each e-mail is stored as a
`LeadAlert` and sent by the job queue after the commit (`services.alert_mail`). The
owner's e-mail is in the owner's language; the queue address's in the language of the user
with that address (else the default). The automatic reply (a template per language,
Settings › Automatic reply) is sent only within the branch's sales opening hours: outside
them it waits until the branch opens.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from carflow.extensions import db
from carflow.models import AutoReply, Branch, Event, Lead, User, utcnow
from carflow.services.alert_mail import language_of, lead_url, queue_alert, render_alert
from carflow.services.assignment import branch_assignment
from carflow.services.events import record_event
from carflow.services.opening_hours import add_opening_minutes
from carflow.timeline import register_event_kind

PLACEHOLDERS = (
    "first_name",
    "last_name",
    "name",
    "lead_code",
    "branch",
    "branch_phone",
    "branch_email",
)
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _describe_auto_reply(data: dict) -> str:
    from carflow.i18n import fmt_datetime

    when = data.get("not_before")
    if when:
        return _(
            "Automatic reply to %(to)s, sent when the branch opens (%(when)s)",
            to=data.get("to", ""),
            when=fmt_datetime(datetime.fromisoformat(when)),
        )
    return _("Automatic reply sent to %(to)s", to=data.get("to", ""))


register_event_kind("auto_reply_queued", "fa-reply", _describe_auto_reply)


def next_opening(branch: Branch, moment: datetime) -> datetime:
    """`moment` if the branch's sales hours are open then (or it has none), else the
    moment it next opens."""
    hours, zone = branch.opening_hours_sales, branch.timezone
    return add_opening_minutes(hours, zone, moment, 1) - timedelta(minutes=1)


def queue_recipient(branch: Branch) -> tuple[str | None, str]:
    """The branch's new-lead address and the language to write to it in."""
    address = (branch.lead_notification_email or "").strip() or None
    if address is None:
        return None, "en"
    user = db.session.scalar(select(User).where(User.email == address))
    default = current_app.config.get("BABEL_DEFAULT_LOCALE", "en")
    return address, language_of(user.language if user is not None else default)


def notify_lead_recipient(lead: Lead, template: str, kind: str, **context) -> bool:
    """Queue `template` to the lead's owner, or to its branch's queue address."""
    if lead.owner is not None and lead.owner.active and lead.owner.email:
        recipient, language, queued = lead.owner.email, lead.owner.language, False
    else:
        recipient, language = queue_recipient(lead.branch)
        queued = True
    if recipient is None:
        return False
    subject, body = render_alert(
        template, language, lead=lead, queued=queued, link=lead_url(lead), **context
    )
    queue_alert(lead, kind, recipient, language, subject, body)
    return True


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    """Replace `{name}`-style placeholders; unknown ones are left as written."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def auto_reply_template(language: str) -> AutoReply | None:
    """The reply in `language`, else the English one, else None."""
    return db.session.get(AutoReply, language_of(language)) or db.session.get(AutoReply, "en")


def queue_auto_reply(lead: Lead, now: datetime | None = None) -> bool:
    """The automatic reply to the customer, when the branch sends them and the contact
    has an address; held until the branch opens. Returns whether one was queued."""
    setting = branch_assignment(lead.branch_id)
    contact = lead.contact
    if setting is None or not setting.auto_reply or not contact.email:
        return False
    template = auto_reply_template(contact.language)
    if template is None:
        return False
    branch = lead.branch
    values = {
        "first_name": contact.first_name or "",
        "last_name": contact.last_name or "",
        "name": contact.display_name,
        "lead_code": lead.code,
        "branch": branch.name,
        "branch_phone": branch.phone or "",
        "branch_email": branch.email or "",
    }
    now = now or utcnow()
    not_before = next_opening(branch, now)
    subject = fill_placeholders(template.subject, values).replace("\r", " ").replace("\n", " ")
    body = fill_placeholders(template.body, values)
    queue_alert(lead, "auto_reply", contact.email, template.language, subject, body, not_before)
    data = {"to": contact.email}
    if not_before > now:
        data["not_before"] = not_before.isoformat()
    record_event(lead, None, "auto_reply_queued", data)
    return True


def announce_new_lead(lead: Lead) -> None:
    """Have the new lead's owner (or its branch's queue address) told by e-mail, and the
    customer sent the automatic reply when set (both after the commit)."""
    notify_lead_recipient(lead, "lead_new", "new_lead")
    queue_auto_reply(lead)


def announce_enquiry_again(lead: Lead, event: Event) -> None:
    """Tell the lead's owner (or the queue address) that the customer asked again."""
    data = event.data or {}
    message = (
        data.get("summary") or data.get("message") or data.get("comment") or data.get("text") or ""
    )
    notify_lead_recipient(lead, "lead_enquiry_again", "enquiry_again", message=message)
