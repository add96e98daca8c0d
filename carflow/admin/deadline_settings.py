"""Settings > "Purchase – Opportunity deadlines" (F25–F26).

The account default first-contact delay, each lead type's delay and whether delays are
counted in the branches' sales opening hours. Changes apply to leads created afterwards.
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from sqlalchemy import select

from carflow.admin.actions import form_status, submit_form
from carflow.admin.base import SecuredBaseView
from carflow.admin.task_forms import deadline_settings_form
from carflow.extensions import db
from carflow.models import AccountSettings, LeadType
from carflow.services.deadlines import update_deadline_settings


class DeadlineSettingsView(SecuredBaseView):
    """One form: default delay, per-type delays, 'count in opening hours'."""

    required_action = "settings.manage"

    @expose("/", methods=("GET", "POST"))
    def index(self):
        from flask_login import current_user

        lead_types = db.session.scalars(
            select(LeadType).order_by(LeadType.position, LeadType.name)
        ).all()
        settings = AccountSettings.get()
        form, outcome = deadline_settings_form(lead_types, formdata=request.form or None), None
        if request.method == "POST" and form.validate():
            per_type = {t.id: form[f"type_{t.id}"].data for t in lead_types}
            outcome = submit_form(
                form,
                lambda: update_deadline_settings(
                    current_user,
                    form.default_delay.data,
                    per_type,
                    form.count_in_opening_hours.data,
                    form.version.data,
                    reopen_minutes=form.reopen_delay.data,
                ),
            )
            if outcome.ok:
                flash(_("Deadline settings saved. They apply to new leads."), "success")
                return redirect(url_for(".index"))
        elif request.method == "GET":
            form.default_delay.data = settings.default_first_contact_delay_minutes
            form.count_in_opening_hours.data = settings.count_deadlines_in_opening_hours
            form.reopen_delay.data = settings.reopen_follow_up_minutes
            form.version.data = settings.version_id
            for lead_type in lead_types:
                form[f"type_{lead_type.id}"].data = lead_type.first_contact_delay_minutes
        page = self.render(
            "admin/tasks/deadline_settings.html",
            form=form,
            lead_types=lead_types,
        )
        return page, form_status(form, outcome)
