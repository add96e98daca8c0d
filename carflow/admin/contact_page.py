"""The contact page (issue 13): details, edit, the contact's leads, linked leads, documents.

Opened from the Contacts list, the overview's contact cell and the lead page. A contact
the user may not see answers 404 (F32); editing needs "contact.edit" (403 otherwise).
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_login import current_user

from carflow.admin.actions import form_status, submit_form
from carflow.admin.base import HiddenView
from carflow.admin.lead_action_forms import LANGUAGES, ContactForm, contact_form_data
from carflow.extensions import db
from carflow.models import Contact
from carflow.permissions import can, can_see_contact
from carflow.services.contact_page import (
    load_contact_documents,
    load_linked_leads,
    load_main_leads,
)
from carflow.services.contacts import edit_contact

TEMPLATE = "admin/contacts/page.html"


def get_visible_contact(contact_id: int) -> Contact:
    """The contact if the current user may see it, else 404."""
    contact = db.session.get(Contact, contact_id)
    if contact is None or not can_see_contact(current_user, contact):
        abort(404)
    return contact


class ContactPageView(HiddenView):
    """One contact: /admin/contacts/<id>; its edit form posts to /admin/contacts/<id>/edit."""

    required_action = "contact.view"

    @expose("/")
    def index(self):
        abort(404)

    def _render(self, contact: Contact, form, editing: bool = False):
        from carflow.admin.privacy import contact_privacy_panel  # issue 17

        may_see_documents = can(current_user, "document.view")
        return self.render(
            TEMPLATE,
            contact=contact,
            form=form,
            editing=editing,
            languages=dict(LANGUAGES),
            main_leads=load_main_leads(contact, current_user),
            linked_leads=load_linked_leads(contact, current_user),
            documents=load_contact_documents(contact, current_user) if may_see_documents else None,
            privacy=contact_privacy_panel(contact, current_user),
        )

    @expose("/<int:contact_id>")
    def page(self, contact_id: int):
        contact = get_visible_contact(contact_id)
        form = None
        if can(current_user, "contact.edit"):
            form = ContactForm(formdata=None, data=contact_form_data(contact))
        return self._render(contact, form)

    @expose("/<int:contact_id>/edit", methods=("GET", "POST"))
    def edit(self, contact_id: int):
        contact = get_visible_contact(contact_id)
        if not can(current_user, "contact.edit"):
            abort(403)
        outcome = None
        if request.method == "POST":
            form = ContactForm()
            if form.validate():
                outcome = submit_form(
                    form,
                    lambda: edit_contact(
                        contact, current_user, form.version.data or "", **form.contact_fields()
                    ),
                )
                if outcome.ok:
                    flash(_("Contact saved."), "success")
                    return redirect(url_for(".page", contact_id=contact_id))
        else:
            form = ContactForm(data=contact_form_data(contact))
        return self._render(contact, form, editing=True), form_status(form, outcome)
