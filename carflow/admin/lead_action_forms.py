"""Forms of the lead page's own actions: note, assign, status, comment, contacts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select
from wtforms import DecimalField, EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import Select

from carflow.admin.forms import CarflowForm
from carflow.extensions import db
from carflow.models import Branch, ContactKind, LeadStatus, LostReason, Salutation, User
from carflow.permissions import can
from carflow.services.contacts import CONTACT_FIELDS
from carflow.services.lead_contacts import RELATION_MAX_LENGTH
from carflow.services.leads import (
    COMMENT_MAX_LENGTH,
    LOST_REASON_TEXT_MAX_LENGTH,
    NOTE_MAX_LENGTH,
)

OTHER_REASON = "other"
LANGUAGES = [("en", "English"), ("fr", "Français"), ("nl", "Nederlands")]


class ActionForm(CarflowForm):
    """Shows a service's refusal on its field, or on the form when it names none."""


class NoteForm(ActionForm):
    note = TextAreaField(
        _l("Note"),
        validators=[InputRequired(_l("Write the note.")), Length(max=NOTE_MAX_LENGTH)],
        render_kw={"rows": 4},
    )


class VersionedForm(ActionForm):
    version = HiddenField()


class CommentForm(VersionedForm):
    comment = TextAreaField(
        _l("Comment"), validators=[Length(max=COMMENT_MAX_LENGTH)], render_kw={"rows": 3}
    )


class QuickSelect(Select):
    """WTForms' select with plain options written directly (the stock widget builds each
    option's attributes through `html_params`; the assign list has one per user)."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or not isinstance(choice.value, str):
            return super().render_option(choice, **kwargs)
        label = escape(choice.label or choice.value)
        selected = "selected " if choice.selected else ""
        return Markup(f'<option {selected}value="{escape(choice.value)}">{label}</option>')


class AssignForm(VersionedForm):
    assignee = SelectField(
        _l("Assign to"),
        validators=[InputRequired(_l("Choose a user or a branch."))],
        widget=QuickSelect(),
    )


class StatusForm(VersionedForm):
    status = SelectField(_l("Status"), choices=LeadStatus.choices())
    lost_reason = SelectField(_l("Reason (when lost)"), validators=[Optional()])
    lost_reason_text = TextAreaField(
        _l("Explanation"),
        validators=[Optional(), Length(max=LOST_REASON_TEXT_MAX_LENGTH)],
        description=_l("Required when the reason is 'Other'."),
        render_kw={"rows": 2},
    )


class ContactForm(VersionedForm):
    kind = SelectField(_l("Contact kind"), choices=ContactKind.choices())
    salutation = SelectField(
        _l("Title"), choices=[("", "—")] + Salutation.choices(), validators=[Optional()]
    )
    first_name = StringField(_l("First name"), validators=[Optional(), Length(max=80)])
    last_name = StringField(
        _l("Last name / company name"),
        validators=[InputRequired(_l("A name is required.")), Length(max=120)],
    )
    company_registration = StringField(
        _l("Company registration number"), validators=[Optional(), Length(max=40)]
    )
    email = EmailField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    mobile = StringField(_l("Mobile"), validators=[Optional(), Length(max=40)])
    street = StringField(_l("Street"), validators=[Optional(), Length(max=200)])
    postal_code = StringField(_l("Postal code"), validators=[Optional(), Length(max=20)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=120)])
    country = StringField(_l("Country (2 letters)"), validators=[Optional(), Length(min=2, max=2)])
    language = SelectField(_l("Language"), choices=LANGUAGES, default="en")
    vat_percentage = DecimalField(
        _l("VAT %"), places=2, validators=[Optional(), NumberRange(min=0, max=100)]
    )
    vat_number = StringField(_l("VAT number"), validators=[Optional(), Length(max=40)])
    notes = TextAreaField(_l("Notes"), validators=[Optional()], render_kw={"rows": 2})

    FIELDS = CONTACT_FIELDS

    def contact_fields(self) -> dict:
        """The fields as the contact services take them."""
        data = {name: self[name].data for name in self.FIELDS}
        data["salutation"] = Salutation(data["salutation"]) if data["salutation"] else None
        if data["country"]:
            data["country"] = data["country"].upper()
        return data


def contact_form_data(contact) -> dict:
    """A contact's values as the contact form shows them (enums by value)."""
    data = {name: getattr(contact, name) for name in ContactForm.FIELDS}
    data["kind"] = contact.kind.value
    data["salutation"] = contact.salutation.value if contact.salutation else ""
    data["version"] = contact.version_id
    return data


class NewContactForm(ContactForm):
    relation = StringField(
        _l("Relation to the lead"),
        validators=[Optional(), Length(max=RELATION_MAX_LENGTH)],
        render_kw={"list": "relation-suggestions"},
    )


class LinkContactForm(ActionForm):
    contact_id = HiddenField(validators=[InputRequired(_l("Search and pick a contact first."))])
    relation = StringField(
        _l("Relation to the lead"),
        validators=[Optional(), Length(max=RELATION_MAX_LENGTH)],
        render_kw={"list": "relation-suggestions"},
    )


class ButtonForm(VersionedForm):
    """A button with no input but the record's version (make main, unlink)."""


def fill_assign_choices(form: AssignForm) -> None:
    """Active users (with their branch), then the branches' queues."""
    users = db.session.execute(
        select(User.id, User.first_name, User.last_name, Branch.name)
        .outerjoin(Branch, Branch.id == User.branch_id)
        .where(User.active)
        .order_by(User.last_name, User.first_name)
    )
    branches = db.session.scalars(select(Branch).where(Branch.active).order_by(Branch.name))
    form.assignee.choices = {
        str(_l("Users")): [
            (f"user:{uid}", f"{name} ({branch})" if branch is not None else name)
            for uid, name, branch in (
                (u.id, f"{u.first_name} {u.last_name}".strip(), u.name) for u in users
            )
        ],
        str(_l("Branch queues")): [
            (f"branch:{b.id}", str(_l("%(branch)s queue", branch=b.name))) for b in branches
        ],
    }


def fill_status_choices(form: StatusForm) -> None:
    """The configurable lost reasons (active ones) plus 'Other'."""
    reasons = db.session.scalars(
        select(LostReason).where(LostReason.active).order_by(LostReason.position, LostReason.name)
    )
    form.lost_reason.choices = (
        [("", "—")] + [(str(r.id), r.name) for r in reasons] + [(OTHER_REASON, _l("Other"))]
    )


def build_page_forms(lead, linked_contacts, user) -> dict:
    """The forms the lead page offers this user (modals, comment, contacts)."""
    forms: dict = {}
    version = lead.version_id
    if can(user, "lead.note", lead):
        forms["note"] = NoteForm(formdata=None)
    if can(user, "lead.assign", lead):
        forms["assign"] = AssignForm(formdata=None, version=version)
        fill_assign_choices(forms["assign"])
    if can(user, "lead.change_status", lead):
        forms["status"] = StatusForm(formdata=None, version=version, status=lead.status.value)
        fill_status_choices(forms["status"])
    if can(user, "lead.edit", lead):
        forms["comment"] = CommentForm(formdata=None, version=version, comment=lead.comment)
    if can(user, "lead.edit_contacts", lead):
        contacts = [lead.contact] + [link.contact for link in linked_contacts]
        forms["contacts"] = {
            c.id: ContactForm(formdata=None, data=contact_form_data(c)) for c in contacts
        }
        forms["link_contact"] = LinkContactForm(formdata=None)
        forms["new_contact"] = NewContactForm(formdata=None)
    return forms
