"""Users (account administration, F31)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from carflow.admin.base import SecuredModelView


class UserView(SecuredModelView):
    """List of users; managing them needs the 'manage users' permission."""

    required_action = "users.manage"
    can_create = False
    can_delete = False
    can_edit = False
    column_list = ("email", "first_name", "last_name", "role", "branch", "language", "active")
    column_labels = {
        "email": _l("Email"),
        "first_name": _l("First name"),
        "last_name": _l("Last name"),
        "role": _l("Role"),
        "branch": _l("Branch"),
        "language": _l("Language"),
        "active": _l("Active"),
    }
    column_searchable_list = ("email", "last_name")
