"""Creating a lead with its contact, an existing one or a new one (F4).

The caller passes plain values (`NewLead`): the overview's form, a CLI command or an API
build them the same way; this module knows nothing of forms.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from carflow.converters import is_valid_id
from carflow.extensions import db
from carflow.models import Branch, Contact, LeadSource, LeadType, User
from carflow.permissions import can_see_contact, may_own_leads
from carflow.services.contacts import (
    create_contact,
    refuse_duplicate_contacts,
    validate_contact_fields,
)
from carflow.services.errors import ServiceError
from carflow.services.leads import create_lead


@dataclass(frozen=True)
class NewLead:
    """A new lead as plain values. `contact_id` (an existing contact, as sent: digits)
    wins over `contact` (the new contact's fields: kind, salutation, first_name,
    last_name, company_registration, email, phone, language). `create_anyway` is the
    answer to the duplicate warning: create the new contact although it may exist."""

    lead_type_id: int | None
    source_id: int | None
    branch_id: int | None
    owner_id: int | None = None
    comment: str | None = None
    contact_id: int | str | None = None
    contact: Mapping[str, object] = field(default_factory=dict)
    create_anyway: bool = False


def _get(model, value, field: str, message):
    record = db.session.get(model, value) if value is not None else None
    if record is None:
        raise ServiceError(message, field=field)
    return record


def create_lead_with_contact(actor: User, values: NewLead):
    """Resolve the references, create the contact if needed, then the lead."""
    lead_type = _get(LeadType, values.lead_type_id, "lead_type_id", _l("Choose a lead type."))
    source = _get(LeadSource, values.source_id, "source_id", _l("Choose a source."))
    branch = _get(Branch, values.branch_id, "branch_id", _l("Choose a branch."))
    owner = None
    if values.owner_id is not None:
        owner = _get(User, values.owner_id, "owner_id", _l("Choose an active user."))
        if not owner.active:
            raise ServiceError(_l("Choose an active user."), field="owner_id")
        if not may_own_leads(owner, branch.id):
            raise ServiceError(_l("This user may not own leads in this branch."), field="owner_id")
    contact = _resolve_contact(values, actor, branch)
    return create_lead(
        actor,
        contact=contact,
        lead_type=lead_type,
        source=source,
        branch=branch,
        owner=owner,
        comment=values.comment,
    )


def _resolve_contact(values: NewLead, actor: User, branch: Branch) -> Contact:
    raw_id = "" if values.contact_id is None else str(values.contact_id).strip()
    if raw_id:
        if not is_valid_id(raw_id):
            raise ServiceError(_l("The chosen contact does not exist."), field="last_name")
        contact = _get(Contact, int(raw_id), "last_name", _l("The chosen contact does not exist."))
        if not can_see_contact(actor, contact):
            raise ServiceError(_l("The chosen contact does not exist."), field="last_name")
        return contact
    fields = dict(values.contact)
    if not values.create_anyway:
        refuse_duplicate_contacts(validate_contact_fields(fields), actor)
    return create_contact(actor, branch_id=branch.id, **fields)
