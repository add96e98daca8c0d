"""Creating a lead from the overview's form: existing contact or a new one (F4)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

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


def _get(model, value, field: str, message):
    record = db.session.get(model, value) if value is not None else None
    if record is None:
        raise ServiceError(message, field=field)
    return record


def create_lead_from_form(form, actor: User):
    """Resolve the form's references, create the contact if needed, then the lead."""
    lead_type = _get(LeadType, form.lead_type_id.data, "lead_type_id", _l("Choose a lead type."))
    source = _get(LeadSource, form.source_id.data, "source_id", _l("Choose a source."))
    branch = _get(Branch, form.branch_id.data, "branch_id", _l("Choose a branch."))
    owner = None
    if form.owner_id.data is not None:
        owner = _get(User, form.owner_id.data, "owner_id", _l("Choose an active user."))
        if not owner.active:
            raise ServiceError(_l("Choose an active user."), field="owner_id")
        if not may_own_leads(owner, branch.id):
            raise ServiceError(_l("This user may not own leads in this branch."), field="owner_id")
    contact = _resolve_contact(form, actor, branch)
    return create_lead(
        actor,
        contact=contact,
        lead_type=lead_type,
        source=source,
        branch=branch,
        owner=owner,
        comment=form.comment.data,
    )


def _picked_contact_id(form) -> str:
    """The contact picked by search, or by "Use this contact" in the duplicate warning."""
    use_contact = getattr(form, "use_contact", None)
    if use_contact is not None and (use_contact.data or "").strip():
        return use_contact.data.strip()
    return (form.contact_id.data or "").strip()


def _create_anyway(form) -> bool:
    """True when the user confirmed a new contact despite the duplicate warning."""
    confirm = getattr(form, "create_anyway", None)
    return confirm is not None and confirm.data == "1"


def _resolve_contact(form, actor: User, branch: Branch) -> Contact:
    raw_id = _picked_contact_id(form)
    if raw_id:
        if not raw_id.isdigit():
            raise ServiceError(_l("The chosen contact does not exist."), field="last_name")
        contact = _get(Contact, int(raw_id), "last_name", _l("The chosen contact does not exist."))
        if not can_see_contact(actor, contact):
            raise ServiceError(_l("The chosen contact does not exist."), field="last_name")
        return contact
    fields = dict(
        kind=form.contact_kind.data,
        salutation=form.salutation.data or None,
        first_name=form.first_name.data,
        last_name=form.last_name.data,
        company_registration=form.company_registration.data,
        email=form.email.data,
        phone=form.phone.data,
        language=form.language.data,
    )
    if not _create_anyway(form):
        refuse_duplicate_contacts(validate_contact_fields(fields), actor)
    return create_contact(actor, branch_id=branch.id, **fields)
