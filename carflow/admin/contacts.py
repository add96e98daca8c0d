"""Contacts list (read and edit; creation happens with a lead)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from carflow.admin.base import SecuredModelView


class ContactView(SecuredModelView):
    """Contacts: searchable list; editing is done from the lead page's Contacts tab."""

    required_action = "contact.view"
    can_create = False
    can_edit = False
    can_delete = False
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
