"""Forms of the leads overview: creating a lead with its contact (F4)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import EmailField, HiddenField, SelectChoice, SelectField, StringField
from wtforms.validators import Email, Length, Optional

from carflow.admin.forms import CarflowForm, select_choices
from carflow.extensions import db
from carflow.i18n import localized_name
from carflow.models import Branch, ContactKind, LeadSource, LeadType, Salutation, User
from carflow.permissions import may_own_leads, scope_branches
from carflow.services.lead_creation import NewLead


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class LeadCreateForm(CarflowForm):
    """The lead and, when no existing contact is picked, the new contact's fields."""

    contact_id = HiddenField()
    contact_kind = SelectField(
        _l("Contact kind"), choices=select_choices(ContactKind.choices()), default="person"
    )
    salutation = SelectField(
        lazy_pgettext("salutation", "Title"),
        choices=select_choices(Salutation.choices(), blank="—"),
        validators=[Optional()],
    )
    first_name = StringField(_l("First name"), validators=[Optional(), Length(max=80)])
    last_name = StringField(
        _l("Last name / company name"), validators=[Optional(), Length(max=120)]
    )
    company_registration = StringField(
        _l("Company registration number"), validators=[Optional(), Length(max=40)]
    )
    email = EmailField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    language = SelectField(
        _l("Language"),
        choices=select_choices([("en", "English"), ("fr", "Français"), ("nl", "Nederlands")]),
        default="en",
    )
    lead_type_id = SelectField(_l("Lead type"), coerce=int)
    source_id = SelectField(_l("Source"), coerce=int)
    branch_id = SelectField(_l("Branch"), coerce=int)
    owner_id = SelectField(_l("Owner"), coerce=_int_or_none, validators=[Optional()])
    comment = StringField(_l("Comment"), validators=[Optional(), Length(max=2000)])


def fill_lead_form_choices(form: LeadCreateForm, user) -> None:
    """Choices from the settings; a user without 'view all branches' creates in their branch."""
    form.lead_type_id.choices = [
        (t.id, localized_name(t))
        for t in db.session.scalars(
            select(LeadType).where(LeadType.active).order_by(LeadType.position, LeadType.name)
        )
    ]
    form.source_id.choices = [
        (s.id, localized_name(s))
        for s in db.session.scalars(
            select(LeadSource).where(LeadSource.active).order_by(LeadSource.position)
        )
    ]
    branches = scope_branches(select(Branch).where(Branch.active), user).order_by(Branch.name)
    form.branch_id.choices = [(b.id, b.name) for b in db.session.scalars(branches)]
    form.owner_id.choices = owner_choices([branch_id for branch_id, _ in form.branch_id.choices])


def owner_choices(branch_ids: list[int]) -> list[SelectChoice]:
    """Active users who may own leads in one of `branch_ids` (permissions.may_own_leads),
    labelled with their branch; the service checks the pair chosen (issue 13)."""
    owners = (
        select(User)
        .where(User.active)
        .options(joinedload(User.branch))
        .order_by(User.last_name, User.first_name)
    )
    choices = [SelectChoice(None, _l("Branch queue"))]
    for user in db.session.scalars(owners):
        if any(may_own_leads(user, branch_id) for branch_id in branch_ids):
            branch = user.branch.name if user.branch else None
            label = f"{user.full_name} ({branch})" if branch else user.full_name
            choices.append(SelectChoice(user.id, label))
    return choices


class NewLeadForm(LeadCreateForm):
    """The new-lead form with the duplicate warning's two answers (set by its buttons)."""

    use_contact = HiddenField()  # "Use this contact": the id of an existing contact
    create_anyway = HiddenField()  # "Create a new contact anyway": "1"

    def values(self) -> NewLead:
        """The submitted lead as plain values for `create_lead_with_contact`; the contact
        picked in the duplicate warning wins over the one picked by search."""
        picked = (self.use_contact.data or "").strip() or (self.contact_id.data or "").strip()
        return NewLead(
            lead_type_id=self.lead_type_id.data,
            source_id=self.source_id.data,
            branch_id=self.branch_id.data,
            owner_id=self.owner_id.data,
            comment=self.comment.data,
            contact_id=picked or None,
            contact=dict(
                kind=self.contact_kind.data,
                salutation=self.salutation.data or None,
                first_name=self.first_name.data,
                last_name=self.last_name.data,
                company_registration=self.company_registration.data,
                email=self.email.data,
                phone=self.phone.data,
                language=self.language.data,
            ),
            create_anyway=self.create_anyway.data == "1",
        )
