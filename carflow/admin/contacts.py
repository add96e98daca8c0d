"""Contacts list (read; each name opens the contact page; creation happens with a lead)."""

from __future__ import annotations

from flask_admin.model.template import macro
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from carflow.admin.base import SecuredModelView
from carflow.admin.exports import ExportMixin
from carflow.permissions import can_see_contact, scope_contacts


class ContactView(ExportMixin, SecuredModelView):
    """Contacts: searchable list; a name opens the contact page (details, edit, leads)."""

    required_action = "contact.view"
    export_name = "contacts"
    export_action = "contact.export"
    can_create = False
    can_edit = False
    can_delete = False
    column_display_actions = False  # no row actions: no empty first column
    list_template = "admin/contacts/list.html"
    column_formatters = {"last_name": macro("contact_link")}
    column_list = ("last_name", "first_name", "email", "phone", "mobile", "city")
    column_labels = {
        "last_name": _l("Name"),
        "first_name": _l("First name"),
        "email": _l("Email"),
        "phone": _l("Phone"),
        "mobile": _l("Mobile"),
        "city": _l("City"),
    }
    column_searchable_list = ("last_name", "email")
    column_default_sort = ("last_name", False)

    def get_query(self):
        """F32: contacts of leads the user may see, or of the user's branch."""
        return scope_contacts(super().get_query(), current_user)

    def get_count_query(self):
        return scope_contacts(super().get_count_query(), current_user)

    def get_one(self, id):
        contact = super().get_one(id)
        if contact is None or not can_see_contact(current_user, contact):
            return None
        return contact
