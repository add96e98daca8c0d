"""Merging two contacts into one (issue 15 item 2): nothing may be lost.

Everything that points at the merged contact is moved to the kept one: every column of
every table with a foreign key to `contact.id` (found in the models' metadata, so tables
added later are covered too: leads, test-drive drivers, …). Linked contacts
(`lead_contact`) are moved without creating duplicate pairs, nor a link to a lead's own
main contact. Documents and communications belong to the leads and move with them. The
kept contact takes every field it lacks from the merged one (or the fields the user chose
from the merged one); any other value found on either contact is written into the kept
contact's notes. The moved leads get a timeline event, the merge an audit entry with both
contacts as they were, then the merged contact is deleted. The search index follows.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, inspect, select, update

from carflow.extensions import db
from carflow.models import AuditLog, Contact, Lead, LeadContact, utcnow
from carflow.services.contacts import CONTACT_FIELDS
from carflow.services.errors import ServiceError, check_version
from carflow.services.events import record_event
from carflow.services.search import reindex_lead
from carflow.timeline import FIELD_LABELS, register_event_kind

#: Fields taken from the merged contact when the kept one lacks them (or chosen): the
#: contact form's fields but its kind, language and notes (notes are joined instead),
#: and its branch.
MERGE_FIELDS = (
    *(f for f in CONTACT_FIELDS if f not in ("kind", "language", "notes")),
    "branch_id",
)
#: Text values worth keeping in the notes when they are not the one kept.
NOTE_FIELDS = (
    "first_name",
    "last_name",
    "company_registration",
    "email",
    "phone",
    "mobile",
    "street",
    "postal_code",
    "city",
    "vat_number",
)


def _describe_merged(data: dict) -> str:
    return _(
        "Contact %(merged)s merged into %(kept)s",
        merged=data.get("merged", ""),
        kept=data.get("kept", ""),
    )


register_event_kind("contact_merged", "fa-compress", _describe_merged)


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _plain(value):
    """A JSON-safe copy of a column value (for the audit entry)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def contact_snapshot(contact: Contact) -> dict:
    """Every column of the contact, JSON-safe."""
    return {c.key: _plain(getattr(contact, c.key)) for c in inspect(Contact).column_attrs}


def merged_values(kept: Contact, merged: Contact, take_merged=()) -> dict:
    """{field: value} the kept contact gets: what it lacks, and the fields in `take_merged`
    (when the merged contact has a value there)."""
    values = {}
    for field in MERGE_FIELDS:
        mine, theirs = getattr(kept, field), getattr(merged, field)
        if _empty(theirs):
            continue
        if _empty(mine) or (field in take_merged and mine != theirs):
            values[field] = theirs
    return values


def _leftover_note(kept_before: dict, merged: Contact, final: dict) -> str | None:
    """A line for the notes listing the values that neither contact keeps any more."""
    lost = []
    for field in NOTE_FIELDS:
        for value in (kept_before.get(field), getattr(merged, field)):
            if not _empty(value) and value != final.get(field):
                lost.append(f"{FIELD_LABELS.get(field, field)}: {value}")
    if not lost:
        return None
    header = _("Merged with %(name)s", name=merged.display_name)
    return f"{header} ({utcnow().date().isoformat()}): " + "; ".join(dict.fromkeys(lost))


def _merge_notes(kept: Contact, merged: Contact, leftover: str | None) -> str | None:
    parts = [kept.notes, merged.notes if merged.notes != kept.notes else None, leftover]
    text = "\n".join(p.strip() for p in parts if not _empty(p))
    return text or None


def contact_references():
    """(table, column) of every foreign key to contact.id, except lead_contact's."""
    for table in db.metadata.sorted_tables:
        if table.name == LeadContact.__tablename__:
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name == Contact.__tablename__ and fk.column.name == "id":
                yield table, fk.parent


def _move_links(kept_id: int, merged_id: int) -> tuple[set[int], list[dict]]:
    """Move lead_contact rows of the merged contact; drop the ones that would duplicate a
    pair or link a lead to its own main contact. Returns (leads the merged contact was
    linked to, the dropped links)."""
    rows = db.session.execute(
        select(LeadContact.lead_id, LeadContact.contact_id, LeadContact.relation, Lead.contact_id)
        .join(Lead, Lead.id == LeadContact.lead_id)
        .where(LeadContact.contact_id.in_((kept_id, merged_id)))
    ).all()
    links: dict[int, dict[int, str | None]] = defaultdict(dict)
    mains = {}
    for lead_id, contact_id, relation, main_id in rows:
        links[lead_id][contact_id] = relation
        mains[lead_id] = main_id
    dropped = []
    for lead_id, linked in links.items():
        becomes_main = mains[lead_id] in (kept_id, merged_id)
        doomed = [merged_id] if merged_id in linked and (becomes_main or kept_id in linked) else []
        if kept_id in linked and becomes_main:
            doomed.append(kept_id)
        for contact_id in doomed:
            dropped.append(
                {"lead_id": lead_id, "contact_id": contact_id, "relation": linked[contact_id]}
            )
        _relink(lead_id, kept_id, merged_id, doomed, move=merged_id in linked)
    return {lead_id for lead_id, linked in links.items() if merged_id in linked}, dropped


def _relink(lead_id: int, kept_id: int, merged_id: int, doomed: list[int], move: bool) -> None:
    if doomed:
        db.session.execute(
            delete(LeadContact)
            .where(LeadContact.lead_id == lead_id, LeadContact.contact_id.in_(doomed))
            .execution_options(synchronize_session=False)
        )
    if move and merged_id not in doomed:
        db.session.execute(
            update(LeadContact)
            .where(LeadContact.lead_id == lead_id, LeadContact.contact_id == merged_id)
            .values(contact_id=kept_id)
            .execution_options(synchronize_session=False)
        )


def _move_references(kept_id: int, merged_id: int) -> dict[str, int]:
    """Point every other reference to the merged contact at the kept one."""
    moved = {}
    for table, column in contact_references():
        result = db.session.execute(
            update(table).where(column == merged_id).values({column.name: kept_id})
        )
        if result.rowcount:
            moved[f"{table.name}.{column.name}"] = result.rowcount
    return moved


def _load_pair(kept_id: int, merged_id: int) -> tuple[Contact, Contact]:
    if kept_id == merged_id:
        raise ServiceError(_l("Choose two different contacts."), field="merged_id")
    kept = db.session.get(Contact, kept_id)
    merged = db.session.get(Contact, merged_id)
    if kept is None or merged is None:
        raise ServiceError(_l("This contact no longer exists."), field="merged_id")
    return kept, merged


def merge_contacts(
    actor,
    kept_id: int,
    merged_id: int,
    kept_version,
    merged_version,
    take_merged: tuple[str, ...] | list[str] = (),
) -> Contact:
    """Merge contact `merged_id` into `kept_id` (both at the versions the user saw);
    `take_merged` names fields whose merged value replaces the kept one. Returns the kept
    contact; the merged one is deleted."""
    kept, merged = _load_pair(kept_id, merged_id)
    check_version(kept, kept_version)
    check_version(merged, merged_version)
    kept_before, merged_before = contact_snapshot(kept), contact_snapshot(merged)
    main_leads = set(db.session.scalars(select(Lead.id).where(Lead.contact_id == merged_id)))
    values = merged_values(kept, merged, set(take_merged))
    final = {**kept_before, **values}
    notes = _merge_notes(kept, merged, _leftover_note(kept_before, merged, final))
    db.session.flush()
    link_leads, dropped = _move_links(kept_id, merged_id)
    moved = _move_references(kept_id, merged_id)
    db.session.expire_all()
    kept, merged = db.session.get(Contact, kept_id), db.session.get(Contact, merged_id)
    for field, value in values.items():
        setattr(kept, field, value)
    kept.notes = notes
    db.session.delete(merged)
    db.session.flush()
    data = {"kept": kept.display_name, "merged": merged_before_name(merged_before)}
    leads = db.session.scalars(select(Lead).where(Lead.id.in_(main_leads | link_leads)))
    for lead in leads:
        record_event(lead, actor, "contact_merged", {**data, "merged_id": merged_id}, ref=kept)
        reindex_lead(lead.id)
    details = {
        "kept": kept_before,
        "merged": merged_before,
        "fields_taken": sorted(values),
        "moved": moved,
        "dropped_links": dropped,
        "leads": sorted(main_leads | link_leads),
    }
    db.session.add(
        AuditLog(
            actor_id=actor.id if actor else None,
            action="contact_merged",
            details=details,
            message=_("Contact %(merged)s merged into %(kept)s", **data),
        )
    )
    db.session.flush()
    return kept


def merged_before_name(snapshot: dict) -> str:
    """The display name of a contact snapshot."""
    first, last = snapshot.get("first_name"), snapshot.get("last_name") or ""
    if snapshot.get("kind") == "company" or not first:
        return last
    return f"{first} {last}"
