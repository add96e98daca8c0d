"""Flask-Admin shell: the menu and every back-office view."""

from __future__ import annotations

import secrets

from flask import Flask, g
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme

from carflow.admin.base import SecuredIndexView


def csp_nonce() -> str:
    """One CSP nonce per request, shared by Flask-Admin's templates and ours."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def init_admin(app: Flask) -> Admin:
    """Build the Admin for this app (never at module level: tests build several apps)."""
    from flask_babel import lazy_gettext as _l

    from carflow.admin.contacts import ContactView
    from carflow.admin.lead_page import LeadPageView
    from carflow.admin.leads import LeadView
    from carflow.admin.settings import register_settings_views
    from carflow.admin.users import UserView
    from carflow.extensions import db
    from carflow.models import Contact, Lead, User
    from carflow.timeline import describe_event, event_icon, item_url

    admin = Admin(
        app,
        name="Carflow",
        theme=Bootstrap4Theme(base_template="admin/carflow_master.html", fluid=True),
        index_view=SecuredIndexView(name=_l("Home"), url="/admin"),
        csp_nonce_generator=csp_nonce,
    )
    admin.add_view(LeadView(Lead, db, name=_l("Leads"), endpoint="lead"))
    admin.add_view(LeadPageView(name=_l("Lead"), endpoint="lead_page", url="/admin/leads"))
    admin.add_view(ContactView(Contact, db, name=_l("Contacts"), endpoint="contact"))
    register_settings_views(admin)
    admin.add_view(UserView(User, db, name=_l("Users"), endpoint="user"))
    _add_document_views(app, admin)
    app.jinja_env.globals.update(
        csp_nonce=csp_nonce,
        describe_event=describe_event,
        event_icon=event_icon,
        item_url=item_url,
    )
    return admin


def _add_document_views(app: Flask, admin: Admin) -> None:
    """Documents and communication (F14, F15), and the 413 page for oversized uploads."""
    from flask_babel import lazy_gettext as _l

    from carflow.admin.communications import CommunicationView
    from carflow.admin.documents import DocumentView, register_too_large_page

    documents = DocumentView(name=_l("Documents"), endpoint="document", url="/admin/documents")
    admin.add_view(documents)
    register_too_large_page(app, documents)
    admin.add_view(
        CommunicationView(
            name=_l("Communications"), endpoint="communication", url="/admin/communications"
        )
    )
