"""The lead page's own actions (F13, F17, F18, F20, F22): one POST endpoint each.

Each endpoint: WTForms validation → `can()` (through `get_visible_lead`) → one service
in one unit of work (`carflow.admin.actions`) → flash → redirect to the lead page's tab
(PRG). The lead page opens the forms in Bootstrap modals; the same URL answers GET with a
form page of its own, and bad input re-renders that page with the message (nothing stored).
"""

from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from carflow.admin import lead_action_forms as f
from carflow.admin.actions import go_to, press_button, submit_form
from carflow.admin.base import HiddenView
from carflow.admin.lead_page import get_visible_lead
from carflow.extensions import db
from carflow.lead_page_parts import register_lead_action
from carflow.models import Branch, Contact, User
from carflow.permissions import can, can_see_contact
from carflow.services import lead_contacts, leads
from carflow.services.contacts import refuse_duplicate_contacts, validate_contact_fields
from carflow.services.errors import ServiceError

FORM_TEMPLATE = "admin/lead/action_form.html"


def _page(lead, tab: str):
    """Back to the lead page's tab, or to the overview when the lead left the user's scope."""
    if not can(current_user, "lead.view", lead):
        return go_to(url_for("lead.index_view"))
    return go_to(url_for("lead_page.page", lead_id=lead.id, tab=tab))


class LeadActionsView(HiddenView):
    """POST endpoints of the lead page (each also serves its form page on GET)."""

    required_action = "lead.view"

    @expose("/")
    def index(self):
        abort(404)

    def _handle(self, lead, form, title, tab: str, call, success):
        """Validate, run the service, commit, redirect; else re-render the form page."""
        status, duplicates = 200, None
        if request.method == "POST":
            status = 400
            if form.validate():
                outcome = submit_form(form, lambda: call(form))
                if outcome.ok:
                    flash(success, "success")
                    return _page(lead, tab)
                status = outcome.status
                duplicates = getattr(outcome.error, "matches", None)
        context = dict(lead=lead, form=form, action_title=title, tab=tab, duplicates=duplicates)
        return self.render(FORM_TEMPLATE, **context), status

    @expose("/<int:lead_id>/note", methods=("GET", "POST"))
    def note(self, lead_id: int):
        lead = get_visible_lead(lead_id, "lead.note")
        return self._handle(
            lead,
            f.NoteForm(),
            _("Add a note"),
            "details",
            lambda form: leads.add_note(lead, current_user, form.note.data),
            _("Note added."),
        )

    @expose("/<int:lead_id>/comment", methods=("GET", "POST"))
    def comment(self, lead_id: int):
        lead = get_visible_lead(lead_id, "lead.edit")
        form = f.CommentForm(data={"version": lead.version_id, "comment": lead.comment})
        return self._handle(
            lead,
            form,
            _("Edit the comment"),
            "details",
            lambda form: leads.update_comment(
                lead, current_user, form.comment.data, version=form.version.data or ""
            ),
            _("Comment saved."),
        )

    @expose("/<int:lead_id>/assign", methods=("GET", "POST"))
    def assign(self, lead_id: int):
        lead = get_visible_lead(lead_id, "lead.assign")
        form = f.AssignForm(data={"version": lead.version_id})
        f.fill_assign_choices(form)

        def call(form):
            kind, _sep, raw_id = (form.assignee.data or "").partition(":")
            target = db.session.get(User if kind == "user" else Branch, int(raw_id))
            owner, branch = (target, None) if kind == "user" else (None, target)
            leads.assign_lead(lead, current_user, owner, branch, version=form.version.data or "")

        return self._handle(lead, form, _("Assign the lead"), "details", call, _("Lead assigned."))

    @expose("/<int:lead_id>/status", methods=("GET", "POST"))
    def status(self, lead_id: int):
        lead = get_visible_lead(lead_id, "lead.change_status")
        form = f.StatusForm(data={"version": lead.version_id, "status": lead.status.value})
        f.fill_status_choices(form)

        def call(form):
            leads.change_status(
                lead,
                current_user,
                form.status.data,
                lost_reason=form.lost_reason.data,
                lost_reason_text=form.lost_reason_text.data,
                version=form.version.data or "",
            )

        return self._handle(
            lead, form, _("Change the status"), "details", call, _("Status changed.")
        )

    # --- Contacts tab (F22) ----------------------------------------------------------------

    def _contact_of(self, lead, contact_id: int) -> Contact:
        """A contact of this lead, else 404 (ids of other leads' contacts are not found)."""
        contact = db.session.get(Contact, contact_id)
        if contact is None or not lead_contacts.is_contact_of_lead(lead, contact):
            abort(404)
        return contact

    @expose("/<int:lead_id>/contacts/<int:contact_id>/edit", methods=("GET", "POST"))
    def contact_edit(self, lead_id: int, contact_id: int):
        lead = get_visible_lead(lead_id, "lead.edit_contacts")
        contact = self._contact_of(lead, contact_id)
        if request.method == "POST":
            form = f.ContactForm()
        else:
            form = f.ContactForm(data=f.contact_form_data(contact))
        return self._handle(
            lead,
            form,
            _("Edit %(contact)s", contact=contact.display_name),
            "contacts",
            lambda form: lead_contacts.update_lead_contact(
                lead,
                current_user,
                contact,
                version=form.version.data or "",
                **form.contact_fields(),
            ),
            _("Contact saved."),
        )

    @expose("/<int:lead_id>/contacts/link", methods=("GET", "POST"))
    def contact_link(self, lead_id: int):
        lead = get_visible_lead(lead_id, "lead.edit_contacts")

        def call(form):
            raw = form.contact_id.data or ""
            contact = db.session.get(Contact, int(raw)) if raw.isdigit() else None
            if contact is None or not can_see_contact(current_user, contact):
                raise ServiceError(_l("Search and pick a contact first."), field="contact_id")
            lead_contacts.link_contact(lead, current_user, contact, form.relation.data)

        return self._handle(
            lead, f.LinkContactForm(), _("Link a contact"), "contacts", call, _("Contact linked.")
        )

    @expose("/<int:lead_id>/contacts/new", methods=("GET", "POST"))
    def contact_new(self, lead_id: int):
        lead = get_visible_lead(lead_id, "lead.edit_contacts")

        def call(form):
            fields = form.contact_fields()
            if form.create_anyway.data != "1":
                refuse_duplicate_contacts(validate_contact_fields(fields), current_user)
            return lead_contacts.create_linked_contact(
                lead, current_user, form.relation.data, **fields
            )

        return self._handle(
            lead,
            f.NewContactConfirmForm(),
            _("New contact for this lead"),
            "contacts",
            call,
            _("Contact created and linked."),
        )

    def _button(self, lead_id: int, contact_id: int, call, success):
        """A POST without input: refusals come back as a flashed error (nothing stored)."""
        lead = get_visible_lead(lead_id, "lead.edit_contacts")
        contact = self._contact_of(lead, contact_id)
        form = f.ButtonForm()
        if not form.validate():
            abort(400)
        press_button(lambda: call(lead, contact, form.version.data or ""), success)
        return _page(lead, "contacts")

    @expose("/<int:lead_id>/contacts/<int:contact_id>/unlink", methods=("POST",))
    def contact_unlink(self, lead_id: int, contact_id: int):
        return self._button(
            lead_id,
            contact_id,
            lambda lead, contact, v: lead_contacts.unlink_contact(lead, current_user, contact),
            _("Contact unlinked."),
        )

    @expose("/<int:lead_id>/contacts/<int:contact_id>/main", methods=("POST",))
    def contact_main(self, lead_id: int, contact_id: int):
        return self._button(
            lead_id,
            contact_id,
            lambda lead, contact, v: lead_contacts.make_main_contact(
                lead, current_user, contact, version=v
            ),
            _("Main contact changed."),
        )


register_lead_action(
    "note", _l("Note"), "fa-sticky-note", action="lead.note", endpoint="lead_actions.note", order=40
)
register_lead_action(
    "assign",
    _l("Assign"),
    "fa-user-plus",
    action="lead.assign",
    endpoint="lead_actions.assign",
    order=80,
)
