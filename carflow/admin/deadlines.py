"""Follow-up endpoints (F21): add a deadline, move one, record whether contact was made.

A deadline has no page of its own (F27): these are action forms that return to the
lead's Follow-up tab. A deadline is loaded through its lead's scope (other branch: 404).
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_login import current_user

from carflow.admin.actions import form_status, submit_form
from carflow.admin.base import HiddenView
from carflow.admin.lead_page import get_visible_lead
from carflow.admin.task_forms import DeadlineAddForm, DeadlineMoveForm, DeadlineOutcomeForm
from carflow.extensions import db
from carflow.models import ContactOutcome, Deadline, DeadlineKind
from carflow.services.deadlines import add_deadline, move_deadline, record_contact_outcome
from carflow.services.opening_hours import local_to_utc, utc_to_local
from carflow.timeline import register_item_endpoint

FORM_TEMPLATE = "admin/tasks/deadline_form.html"

register_item_endpoint("deadline", "deadline.open")


def followup_url(lead_id: int) -> str:
    return url_for("lead_page.page", lead_id=lead_id, tab="followup")


def get_visible_deadline(deadline_id: int, action: str = "deadline.manage") -> Deadline:
    """The deadline if its lead is in the user's scope (404) and `action` is allowed (403)."""
    deadline = db.session.get(Deadline, deadline_id)
    if deadline is None:
        abort(404)
    get_visible_lead(deadline.lead_id, action)
    return deadline


def _user_tz() -> str:
    return current_user.timezone or "UTC"


class DeadlineView(HiddenView):
    """F21 actions on deadlines; each redirects to the lead's Follow-up tab."""

    required_action = "lead.view"  # each endpoint checks its own action on the lead

    @expose("/")
    def index(self):
        abort(404)

    @expose("/<int:id>")
    def open(self, id: int):
        """A deadline has no page (F27): its link opens the lead's Follow-up tab."""
        deadline = get_visible_deadline(id, "lead.view")
        return redirect(followup_url(deadline.lead_id))

    def _render(self, lead, form, title, submit, deadline=None, status=200):
        return (
            self.render(
                FORM_TEMPLATE,
                lead=lead,
                form=form,
                deadline=deadline,
                action_title=title,
                submit_label=submit,
            ),
            status,
        )

    def _submit(self, form, lead_id: int, call, message: str):
        """Run the action; on success flash and go back to the Follow-up tab (else None)."""
        outcome = submit_form(form, call)
        if not outcome.ok:
            return None, outcome
        flash(message, "success")
        return redirect(followup_url(lead_id)), outcome

    @expose("/new/<int:lead_id>", methods=("GET", "POST"))
    def add(self, lead_id: int):
        """Add a deadline to a lead."""
        lead = get_visible_lead(lead_id, "deadline.manage")
        form, outcome = DeadlineAddForm(), None
        if form.validate_on_submit():

            def call():
                due = local_to_utc(form.due_at.data, _user_tz())
                add_deadline(lead, current_user, due, DeadlineKind(form.kind.data))

            done, outcome = self._submit(form, lead.id, call, _("Deadline added."))
            if done:
                return done
        status = form_status(form, outcome)
        return self._render(lead, form, _("New deadline"), _("Add deadline"), status=status)

    @expose("/<int:id>/move", methods=("GET", "POST"))
    def move(self, id: int):
        """Change an open deadline's due moment."""
        deadline = get_visible_deadline(id)
        form, outcome = DeadlineMoveForm(), None
        if form.validate_on_submit():

            def call():
                due = local_to_utc(form.due_at.data, _user_tz())
                move_deadline(deadline, current_user, due, form.version.data, form.note.data or "")

            done, outcome = self._submit(form, deadline.lead_id, call, _("Deadline moved."))
            if done:
                return done
        elif request.method == "GET":
            form.due_at.data = utc_to_local(deadline.due_at, _user_tz())
            form.version.data = deadline.version_id
        status = form_status(form, outcome)
        lead = get_visible_lead(deadline.lead_id, "deadline.manage")
        return self._render(lead, form, _("Move deadline"), _("Move"), deadline, status)

    @expose("/<int:id>/outcome", methods=("GET", "POST"))
    def outcome(self, id: int):
        """Record whether contact was made (made closes the deadline)."""
        deadline = get_visible_deadline(id)
        form, outcome = DeadlineOutcomeForm(), None
        if form.validate_on_submit():

            def call():
                new_due = form.new_due_at.data
                record_contact_outcome(
                    deadline,
                    current_user,
                    ContactOutcome(form.outcome.data),
                    form.version.data,
                    note=form.note.data or "",
                    new_due_at=local_to_utc(new_due, _user_tz()) if new_due else None,
                )

            message = _("Contact outcome saved.")
            done, outcome = self._submit(form, deadline.lead_id, call, message)
            if done:
                return done
        elif request.method == "GET":
            form.version.data = deadline.version_id
            form.outcome.data = request.args.get("outcome", "made")
        status = form_status(form, outcome)
        lead = get_visible_lead(deadline.lead_id, "deadline.manage")
        return self._render(lead, form, _("Contact outcome"), _("Save"), deadline, status)
