"""Personal data pages (issue 17): consent, subject access export, erasure, settings.

Every page acts on one contact the user may see (404 otherwise, F32) and asks `can()`:
"contact.record_consent", "contact.export_personal_data" (administrators and sales
managers), "contact.erase" (administrators). The consent grid is also a panel of the lead
page's Contacts tab, and a section of the contact page.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from carflow.admin.actions import form_status, submit_form
from carflow.admin.base import HiddenView, SecuredBaseView
from carflow.admin.contact_page import get_visible_contact
from carflow.admin.privacy_forms import EraseForm, PrivacySettingsForm, consent_form
from carflow.extensions import db
from carflow.lead_page_parts import register_lead_panel
from carflow.models.privacy import PrivacyLog, PrivacySettings
from carflow.permissions import can, refuse
from carflow.safe_url import safe_next
from carflow.services.consent import (
    CHANNELS,
    PURPOSES,
    consent_grid,
    consent_history,
    record_consent,
    source_label,
)
from carflow.services.erasure import REASONS, erase_contact, erasure_preview, is_erased, legal_hold
from carflow.services.retention import update_privacy_settings
from carflow.services.subject_access import export_personal_data, stream_file
from carflow.unit_of_work import run_action

LOG_PAGE_SIZE = 50


def _consent_form_back_to(url: str):
    form = consent_form()
    form.next.data = url
    return form


def consent_labels() -> dict:
    """What the consent templates need besides the data: the shown names."""
    return {"channels": CHANNELS, "purposes": PURPOSES, "source_label": source_label}


def contact_privacy_panel(contact, user) -> dict:
    """The contact page's "Personal data" section: grid, history, forms and buttons."""
    may_record = can(user, "contact.record_consent")
    return {
        "grid": consent_grid(contact.id),
        "history": consent_history(contact.id),
        "form": _consent_form_back_to(url_for("contact_page.page", contact_id=contact.id))
        if may_record
        else None,
        "may_export": can(user, "contact.export_personal_data"),
        "may_erase": can(user, "contact.erase"),
        "erased": is_erased(contact.id),
        **consent_labels(),
    }


def load_lead_consent_panel(lead, user) -> dict:
    """The lead page's Contacts tab panel: the main contact's consent grid and form."""
    may_record = can(user, "contact.record_consent", lead)
    back = url_for("lead_page.page", lead_id=lead.id, tab="contacts")
    return {
        "contact": lead.contact,
        "grid": consent_grid(lead.contact_id),
        "form": _consent_form_back_to(back) if may_record else None,
        **consent_labels(),
    }


register_lead_panel(
    "consent",
    tab="contacts",
    template="admin/privacy/_lead_consent.html",
    load=load_lead_consent_panel,
    action="contact.view",
    order=50,
)


def _contact_for(contact_id: int, action: str):
    """The contact when the current user may see it (else 404) and do `action` (else 403)."""
    contact = get_visible_contact(contact_id)
    if not can(current_user, action):
        refuse(action)
    return contact


class PrivacyView(HiddenView):
    """/admin/privacy/contacts/<id>/consent, …/export, …/forget (no menu entry)."""

    required_action = "contact.view"

    @expose("/")
    def index(self):
        abort(404)

    @expose("/contacts/<int:contact_id>/consent", methods=("GET", "POST"))
    def consent(self, contact_id: int):
        """Record a consent decision; refusals come back on this page with 400."""
        contact = _contact_for(contact_id, "contact.record_consent")
        form, outcome = consent_form(request.form if request.method == "POST" else None), None
        back = url_for("contact_page.page", contact_id=contact.id)
        if request.method == "POST" and form.validate():
            outcome = submit_form(
                form,
                lambda: record_consent(
                    current_user,
                    contact,
                    channel=form.channel.data,
                    purpose=form.purpose.data,
                    granted=form.state.data == "granted",
                    source=form.source.data,
                    note=form.note.data,
                ),
            )
            if outcome.ok:
                flash(_("Consent recorded."), "success")
                return redirect(safe_next(form.next.data, back))
        elif request.method == "GET":
            form.next.data = safe_next(request.args.get("next"), back)
        page = self.render("admin/privacy/consent.html", contact=contact, form=form, back=back)
        return page, form_status(form, outcome)

    @expose("/contacts/<int:contact_id>/export", methods=("POST",))
    def export(self, contact_id: int):
        """Download the subject access archive (ZIP), logged once it is written."""
        contact = _contact_for(contact_id, "contact.export_personal_data")
        if not FlaskForm().validate_on_submit():
            abort(400)
        archive, error = run_action(lambda: export_personal_data(current_user, contact))
        if error is not None:
            flash(str(error.message), "error")
            return redirect(url_for("contact_page.page", contact_id=contact_id))
        response = Response(
            stream_file(archive.file),
            mimetype="application/zip",
            headers={
                "Content-Disposition": f'attachment; filename="{archive.filename}"',
                "Content-Length": str(archive.size),
                "Cache-Control": "no-store",
            },
            direct_passthrough=True,
        )
        return response

    @expose("/contacts/<int:contact_id>/forget", methods=("GET", "POST"))
    def forget(self, contact_id: int):
        """The confirm page listing what is erased, then the erasure (administrators)."""
        contact = _contact_for(contact_id, "contact.erase")
        form, outcome = EraseForm(), None
        if request.method == "POST" and form.validate():
            outcome = submit_form(
                form, lambda: erase_contact(current_user, contact, reason=form.reason.data)
            )
            if outcome.ok:
                flash(_("The contact's personal data was erased."), "success")
                return redirect(url_for("contact_page.page", contact_id=contact_id))
        page = self.render(
            "admin/privacy/forget.html",
            contact=contact,
            form=form,
            hold=legal_hold(contact),
            erased=is_erased(contact.id),
            preview=erasure_preview(contact),
        )
        return page, form_status(form, outcome)


class PrivacySettingsView(SecuredBaseView):
    """Settings › Personal data: retention and legal hold years, the privacy log."""

    required_action = "settings.manage"

    @expose("/", methods=("GET", "POST"))
    def index(self):
        settings = PrivacySettings.get()
        form, outcome = PrivacySettingsForm(), None
        if request.method == "POST" and form.validate():
            outcome = submit_form(
                form,
                lambda: update_privacy_settings(
                    current_user,
                    form.retention_years.data,
                    form.legal_hold_years.data,
                    form.version.data,
                ),
            )
            if outcome.ok:
                flash(_("Personal data settings saved."), "success")
                return redirect(url_for(".index"))
        elif request.method == "GET":
            form.retention_years.data = settings.retention_years
            form.legal_hold_years.data = settings.legal_hold_years
            form.version.data = settings.version_id
        log = db.session.scalars(
            select(PrivacyLog)
            .options(selectinload(PrivacyLog.actor))
            .order_by(PrivacyLog.at.desc(), PrivacyLog.id.desc())
            .limit(LOG_PAGE_SIZE)
        ).all()
        page = self.render("admin/privacy/settings.html", form=form, log=log, reasons=REASONS)
        return page, form_status(form, outcome)


def register_privacy_views(admin) -> None:
    """Add the personal-data pages and their settings page (menu: Settings)."""
    admin.add_view(PrivacyView(name=_l("Personal data"), endpoint="privacy", url="/admin/privacy"))
    admin.add_view(
        PrivacySettingsView(
            name=_l("Personal data"),
            endpoint="privacy_settings",
            url="/admin/privacy-settings",
            category=_l("Settings"),
        )
    )
