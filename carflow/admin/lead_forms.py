"""Forms of the leads overview: creating a lead with its contact (F4)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import select
from wtforms import EmailField, HiddenField, SelectField, StringField
from wtforms.validators import Email, Length, Optional

from carflow.admin.forms import CarflowForm, select_choices
from carflow.extensions import db
from carflow.i18n import localized_name
from carflow.models import Branch, ContactKind, LeadSource, LeadType, Salutation, User
from carflow.permissions import Perm, effective_permissions


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
    branches = select(Branch).where(Branch.active).order_by(Branch.name)
    if Perm.VIEW_ALL_BRANCHES not in effective_permissions(user):
        branches = branches.where(Branch.id == user.branch_id)
    form.branch_id.choices = [(b.id, b.name) for b in db.session.scalars(branches)]
    owners = select(User).where(User.active).order_by(User.last_name, User.first_name)
    form.owner_id.choices = [(None, _l("Branch queue"))] + [
        (u.id, u.full_name) for u in db.session.scalars(owners)
    ]
