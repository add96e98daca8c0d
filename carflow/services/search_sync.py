"""Keeps the leads search index in step with the data, whatever service changed it.

After each flush, the leads whose searched data changed (lead code or main contact,
linked contacts, trade-ins, offers, test drives, a contact's names, email or phones)
are noted on the session; just before the commit their search terms are rewritten,
so the index is committed in the same transaction as the change.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from carflow.models import Contact, Lead, LeadContact, Offer, TestDrive, TradeIn

LEAD_ITEMS = (TradeIn, Offer, TestDrive, LeadContact)
LEAD_FIELDS = ("code", "contact_id")
CONTACT_FIELDS = ("first_name", "last_name", "email", "phone", "mobile")
_KEY = "carflow.reindex"


def _changed(obj, fields) -> bool:
    from sqlalchemy import inspect

    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in fields)


def _note_changes(session: Session, flush_context) -> None:
    pending = session.info.setdefault(_KEY, {"leads": set(), "contacts": set()})
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, LEAD_ITEMS) and obj.lead_id is not None:
            pending["leads"].add(obj.lead_id)
        elif isinstance(obj, Lead) and (obj in session.new or _changed(obj, LEAD_FIELDS)):
            pending["leads"].add(obj.id)
        elif isinstance(obj, Contact) and obj not in session.new and _changed(obj, CONTACT_FIELDS):
            pending["contacts"].add(obj.id)


def _reindex_before_commit(session: Session) -> None:
    from carflow.services.search import reindex_contact, reindex_lead

    pending = session.info.get(_KEY)
    while pending and (pending["leads"] or pending["contacts"]):
        if pending["contacts"]:
            reindex_contact(pending["contacts"].pop())
        else:
            reindex_lead(pending["leads"].pop())


def _forget(session: Session, *args) -> None:
    session.info.pop(_KEY, None)


def install_search_sync() -> None:
    """Listen on every session (once per process)."""
    for name, listener in (
        ("after_flush", _note_changes),
        ("before_commit", _reindex_before_commit),
        ("after_soft_rollback", _forget),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
