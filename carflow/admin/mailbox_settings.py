"""Settings › Intake mailbox (issue 15, item 1): the IMAP mailbox polled for ADF e-mails,
and the last messages it bounced. Permission: settings.manage."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import BooleanField, HiddenField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional

from carflow.admin.actions import form_status, submit_form
from carflow.admin.base import SecuredBaseView
from carflow.admin.forms import CarflowForm, select_choices
from carflow.extensions import db
from carflow.i18n import localized_name
from carflow.intake.mailbox_settings import MailboxValues, update_mailbox_settings
from carflow.models import Branch, LeadSource
from carflow.models.mailbox import EmailRejection, IntakeMailbox

SECURITY_LABELS = (
    ("tls", _l("TLS (IMAPS, port 993)")),
    ("starttls", _l("STARTTLS (port 143)")),
    ("plain", _l("Unencrypted (a server on this machine only)")),
)
RECENT_REJECTIONS = 20


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class MailboxForm(CarflowForm):
    enabled = BooleanField(_l("Poll this mailbox every minute"))
    host = StringField(_l("IMAP server"), validators=[Optional(), Length(max=200)])
    port = IntegerField(
        _l("Port"),
        validators=[Optional(), NumberRange(min=1, max=65535)],
        description=_l("Empty: the usual port of the connection."),
    )
    security = SelectField(_l("Connection"), choices=select_choices(SECURITY_LABELS))
    username = StringField(_l("User"), validators=[Optional(), Length(max=200)])
    password = PasswordField(
        _l("Password"),
        validators=[Optional(), Length(max=500)],
        description=_l("Never shown. Empty: the stored password is kept."),
    )
    forget_password = BooleanField(_l("Forget the stored password"))
    folder = StringField(_l("Folder to poll"), validators=[Length(max=200)])
    processed_folder = StringField(_l("Folder for processed messages"), [Length(max=200)])
    bounce_folder = StringField(_l("Folder for refused messages"), [Length(max=200)])
    branch_id = SelectField(_l("Branch receiving the leads"), coerce=_optional_int)
    source_id = SelectField(_l("Source of the leads"), coerce=_optional_int)
    version = HiddenField()


def mailbox_form(formdata=None) -> MailboxForm:
    """The form with its branch and source choices."""
    form = MailboxForm(formdata=formdata) if formdata is not None else MailboxForm()
    branches = db.session.scalars(select(Branch).order_by(Branch.name)).all()
    sources = db.session.scalars(
        select(LeadSource).order_by(LeadSource.position, LeadSource.name)
    ).all()
    form.branch_id.choices = select_choices([(b.id, b.name) for b in branches], blank="—")
    form.source_id.choices = select_choices([(s.id, localized_name(s)) for s in sources], blank="—")
    return form


def _values(form: MailboxForm) -> MailboxValues:
    return MailboxValues(
        enabled=form.enabled.data,
        host=form.host.data,
        port=form.port.data,
        security=form.security.data,
        username=form.username.data,
        password=form.password.data,
        forget_password=form.forget_password.data,
        folder=form.folder.data or "",
        processed_folder=form.processed_folder.data or "",
        bounce_folder=form.bounce_folder.data or "",
        branch_id=form.branch_id.data,
        source_id=form.source_id.data,
    )


def _fill(form: MailboxForm, mailbox: IntakeMailbox) -> None:
    for name in ("enabled", "host", "port", "security", "username", "folder"):
        form[name].data = getattr(mailbox, name)
    form.processed_folder.data = mailbox.processed_folder
    form.bounce_folder.data = mailbox.bounce_folder
    form.branch_id.data = mailbox.branch_id
    form.source_id.data = mailbox.source_id
    form.version.data = mailbox.version_id


class MailboxSettingsView(SecuredBaseView):
    """One form for the mailbox; below it, the latest refused messages and why."""

    required_action = "settings.manage"

    @expose("/", methods=("GET", "POST"))
    def index(self):
        mailbox = IntakeMailbox.get()
        form, outcome = mailbox_form(request.form or None), None
        if request.method == "POST" and form.validate():
            values = _values(form)
            version = form.version.data
            outcome = submit_form(
                form, lambda: update_mailbox_settings(current_user, values, version)
            )
            if outcome.ok:
                flash(_("Mailbox settings saved."), "success")
                return redirect(url_for(".index"))
        elif request.method == "GET":
            _fill(form, mailbox)
        rejections = db.session.scalars(
            select(EmailRejection).order_by(EmailRejection.at.desc()).limit(RECENT_REJECTIONS)
        ).all()
        page = self.render(
            "admin/intake/mailbox.html",
            form=form,
            mailbox=mailbox,
            rejections=rejections,
        )
        return page, form_status(form, outcome)
