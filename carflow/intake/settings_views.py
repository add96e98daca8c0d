"""Settings › API keys (issue 15 item 1): list, create (the key is shown once), revoke;
each key's page edits the website form's allowed origins and shows the snippet to copy.
Needs "settings.manage"; creations and revocations are in the administration history."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from carflow.admin.actions import form_status, press_button, submit_form
from carflow.admin.base import SecuredBaseView
from carflow.admin.forms import CarflowForm, select_choices
from carflow.converters import is_valid_id
from carflow.extensions import db
from carflow.i18n import localized_name
from carflow.intake.api_keys import (
    create_api_key,
    list_api_keys,
    revoke_api_key,
    update_allowed_origins,
)
from carflow.models import ApiKey, Branch, LeadSource, LeadType

ORIGINS_HELP = _l(
    "The website form may be posted from pages of these origins only, one per line, "
    "like https://www.example.com."
)


class ApiKeyForm(CarflowForm):
    name = StringField(_l("Name (the sender)"), validators=[DataRequired(), Length(max=120)])
    source = SelectField(_l("Lead source"), validators=[DataRequired()], choices=[])
    branch = SelectField(_l("Branch"), validators=[DataRequired()], choices=[])
    lead_type = SelectField(_l("Lead type when the request names no vehicle"), choices=[])
    allowed_origins = TextAreaField(
        _l("Website form: allowed origins"),
        validators=[Optional(), Length(max=2000)],
        description=ORIGINS_HELP,
    )

    def fill_choices(self) -> None:
        """Active sources and branches, and lead types, in the reader's language."""
        sources = db.session.scalars(
            select(LeadSource).where(LeadSource.active.is_(True)).order_by(LeadSource.position)
        )
        branches = db.session.scalars(
            select(Branch).where(Branch.active.is_(True)).order_by(Branch.name)
        )
        types = db.session.scalars(
            select(LeadType).where(LeadType.active.is_(True)).order_by(LeadType.position)
        )
        self.source.choices = select_choices(
            [(str(s.id), localized_name(s)) for s in sources], blank=""
        )
        self.branch.choices = select_choices([(str(b.id), b.name) for b in branches], blank="")
        self.lead_type.choices = select_choices(
            [(str(t.id), localized_name(t)) for t in types], blank=_("From the request")
        )


class OriginsForm(CarflowForm):
    version = HiddenField()
    allowed_origins = TextAreaField(
        _l("Allowed origins"), validators=[Optional(), Length(max=2000)], description=ORIGINS_HELP
    )


def _row(model, value: str):
    return db.session.get(model, int(value)) if is_valid_id(value) else None


def get_api_key(key_id: int) -> ApiKey:
    api_key = db.session.get(ApiKey, key_id)
    if api_key is None:
        abort(404)
    return api_key


class ApiKeySettingsView(SecuredBaseView):
    """/admin/api-keys: the keys of the senders of leads."""

    required_action = "settings.manage"

    def _list(self, form: ApiKeyForm, status: int = 200):
        page = self.render("admin/intake/api_keys.html", keys=list_api_keys(), form=form)
        return page, status

    @expose("/")
    def index(self):
        form = ApiKeyForm(formdata=None)
        form.fill_choices()
        return self._list(form)

    @expose("/new", methods=("POST",))
    def create(self):
        form = ApiKeyForm()
        form.fill_choices()
        outcome = None
        if form.validate():
            outcome = submit_form(
                form,
                lambda: create_api_key(
                    current_user,
                    form.name.data,
                    _row(LeadSource, form.source.data),
                    _row(Branch, form.branch.data),
                    _row(LeadType, form.lead_type.data),
                    form.allowed_origins.data,
                ),
            )
            if outcome.ok:
                row, key = outcome.result
                # Shown once, in this answer only (never in a redirect, a flash or a log).
                return self.render("admin/intake/api_key_created.html", api_key=row, key=key)
        return self._list(form, form_status(form, outcome))

    @expose("/<int:key_id>/revoke", methods=("POST",))
    def revoke(self, key_id: int):
        api_key = get_api_key(key_id)
        version = request.form.get("version")
        press_button(
            lambda: revoke_api_key(current_user, api_key, version), _("The API key is revoked.")
        )
        return redirect(url_for(".index"))

    @expose("/<int:key_id>", methods=("GET", "POST"))
    def key(self, key_id: int):
        api_key = get_api_key(key_id)
        outcome = None
        if request.method == "POST":
            form = OriginsForm()
            if form.validate():
                outcome = submit_form(
                    form,
                    lambda: update_allowed_origins(
                        current_user, api_key, form.allowed_origins.data, form.version.data
                    ),
                )
                if outcome.ok:
                    flash(_("Allowed origins saved."), "success")
                    return redirect(url_for(".key", key_id=key_id))
        else:
            form = OriginsForm(
                formdata=None, allowed_origins=api_key.allowed_origins, version=api_key.version_id
            )
        page = self.render(
            "admin/intake/api_key.html",
            api_key=api_key,
            form=form,
            form_url=url_for("intake_form.receive", form_token=api_key.form_token, _external=True),
        )
        return page, form_status(form, outcome)
