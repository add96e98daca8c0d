"""Forms of the lead page's own actions: note, assign, status, comment, contacts."""

from __future__ import annotations

from functools import cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import String, literal, null, select, union_all
from wtforms import DecimalField, EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from carflow.admin.forms import CarflowForm, select_choices
from carflow.extensions import db
from carflow.i18n import language_params, localized_name_column
from carflow.models import Branch, ContactKind, LeadStatus, LostReason, Salutation, User
from carflow.models.user import person_name
from carflow.permissions import can
from carflow.services.contacts import CONTACT_FIELDS
from carflow.services.lead_contacts import RELATION_MAX_LENGTH
from carflow.services.leads import (
    COMMENT_MAX_LENGTH,
    LOST_REASON_TEXT_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    OTHER_REASON,
)

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


class AssignForm(VersionedForm):
    assignee = SelectField(
        _l("Assign to"),
        validators=[InputRequired(_l("Choose a user or a branch."))],
    )


class StatusForm(VersionedForm):
    status = SelectField(_l("Status"), choices=select_choices(LeadStatus.choices()))
    lost_reason = SelectField(_l("Reason (when lost)"), validators=[Optional()])
    lost_reason_text = TextAreaField(
        _l("Explanation"),
        validators=[Optional(), Length(max=LOST_REASON_TEXT_MAX_LENGTH)],
        description=_l("Required when the reason is 'Other'."),
        render_kw={"rows": 2},
    )


class ContactForm(VersionedForm):
    kind = SelectField(_l("Contact kind"), choices=select_choices(ContactKind.choices()))
    salutation = SelectField(
        lazy_pgettext("salutation", "Title"),
        choices=select_choices(Salutation.choices(), blank="—"),
        validators=[Optional()],
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
    language = SelectField(_l("Language"), choices=select_choices(LANGUAGES), default="en")
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


def _choice_rows(kind, id_, a, b=None, c=None, sort_n=None, sort_a=None, sort_b=None):
    """One part of the choices query: (kind, id, texts a–c, sort keys), same types in all."""
    text = String()
    return select(
        literal(kind, text).label("kind"),
        id_.label("id"),
        a.label("a"),
        (b if b is not None else null()).cast(text).label("b"),
        (c if c is not None else null()).cast(text).label("c"),
        (sort_n if sort_n is not None else literal(0)).label("sort_n"),
        (sort_a if sort_a is not None else a).label("sort_a"),
        (sort_b if sort_b is not None else a).label("sort_b"),
    )


@cache
def _choices_query():
    """Built once: constructing the union costs more than running it."""
    parts = union_all(
        _choice_rows(
            "user",
            User.id,
            User.first_name,
            User.last_name,
            Branch.name,
            sort_a=User.last_name,
            sort_b=User.first_name,
        )  # fmt: skip
        .outerjoin(Branch, Branch.id == User.branch_id)
        .where(User.active),
        _choice_rows("branch", Branch.id, Branch.name).where(Branch.active),
        _choice_rows(
            "reason", LostReason.id, localized_name_column(LostReason), sort_n=LostReason.position
        ).where(LostReason.active),
    ).subquery()
    return select(parts.c.kind, parts.c.id, parts.c.a, parts.c.b, parts.c.c).order_by(
        parts.c.kind, parts.c.sort_n, parts.c.sort_a, parts.c.sort_b, parts.c.id
    )


def load_choices() -> dict[str, list]:
    """Active users (with their branch name), active branches and active lost reasons, in
    display order, in one query (the lead page offers all three)."""
    query = _choices_query()
    choices: dict[str, list] = {"user": [], "branch": [], "reason": []}
    for kind, id_, a, b, c in db.session.connection().execute(query, language_params()):
        choices[kind].append((id_, a, b, c))
    return choices


def fill_assign_choices(form: AssignForm, choices: dict | None = None) -> None:
    """Active users (with their branch), then the branches' queues."""
    choices = choices or load_choices()
    user_choices = []
    for uid, first, last, branch in choices["user"]:
        name = person_name(first, last)
        user_choices.append((f"user:{uid}", f"{name} ({branch})" if branch is not None else name))
    form.assignee.choices = {
        _("Users"): user_choices,
        _("Branch queues"): [
            (f"branch:{bid}", _("%(branch)s queue", branch=name))
            for bid, name, _b, _c in choices["branch"]
        ],
    }


def fill_status_choices(form: StatusForm, choices: dict | None = None) -> None:
    """The configurable lost reasons (active ones) plus 'Other'."""
    choices = choices or load_choices()
    form.lost_reason.choices = (
        [("", "—")]
        + [(str(rid), name) for rid, name, _b, _c in choices["reason"]]
        + [(OTHER_REASON, _l("Other"))]
    )


MODAL_FORMS = {"note": "lead.note", "assign": "lead.assign", "status": "lead.change_status"}


def build_modal_form(name: str, lead, user, version: int):
    """The form of one of the lead page's modals (`MODAL_FORMS`), built when the modal is
    opened (issue 14 item 8: the page itself renders none). `version` is the lead's
    version the page showed, so a change made since is refused (409), never overwritten.
    None when the user may not take that action on the lead."""
    action = MODAL_FORMS.get(name)
    if action is None or not can(user, action, lead):
        return None
    if name == "note":
        return NoteForm(formdata=None)
    if name == "assign":
        form = AssignForm(formdata=None, version=version)
        fill_assign_choices(form)
        return form
    form = StatusForm(formdata=None, version=version, status=LeadStatus.lost.value)
    fill_status_choices(form)
    return form


def build_page_forms(lead, linked_contacts, user, tab: str = "contacts") -> dict:
    """The forms the lead page itself shows this user (the comment, and on the Contacts
    tab the contact forms); the modals' forms come with the modals (`build_modal_form`)."""
    forms: dict = {}
    version = lead.version_id
    if can(user, "lead.edit", lead):
        forms["comment"] = CommentForm(formdata=None, version=version, comment=lead.comment)
    if tab == "contacts" and can(user, "lead.edit_contacts", lead):
        contacts = [lead.contact] + [link.contact for link in linked_contacts]
        forms["contacts"] = {
            c.id: ContactForm(formdata=None, data=contact_form_data(c)) for c in contacts
        }
        forms["link_contact"] = LinkContactForm(formdata=None)
        forms["new_contact"] = NewContactForm(formdata=None)
    return forms


class NewContactConfirmForm(NewContactForm):
    """The Contacts tab's new contact, with the duplicate warning's "create anyway" ("1")."""

    create_anyway = HiddenField()
