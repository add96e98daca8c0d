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

    from carflow.admin.account import register_account_views
    from carflow.admin.contact_page import ContactPageView
    from carflow.admin.contacts import ContactView
    from carflow.admin.lead_actions import LeadActionsView
    from carflow.admin.lead_page import LeadPageView
    from carflow.admin.leads import LeadView
    from carflow.admin.settings import register_settings_views
    from carflow.admin.shell import install_shell
    from carflow.admin.tasks import register_task_views
    from carflow.error_pages import init_error_pages
    from carflow.extensions import db
    from carflow.models import Contact, DeadlineKind, Lead, LeadStatus, utcnow
    from carflow.permissions import can
    from carflow.timeline import timeline_items
    from carflow.url_patterns import id_urls

    admin = Admin(
        app,
        name="Carflow",
        theme=Bootstrap4Theme(base_template="admin/carflow_base.html", fluid=True),
        index_view=SecuredIndexView(name=_l("Home"), url="/admin"),
        csp_nonce_generator=csp_nonce,
    )
    admin.add_view(LeadView(Lead, db, name=_l("Leads"), endpoint="lead"))
    admin.add_view(LeadPageView(name=_l("Lead"), endpoint="lead_page", url="/admin/leads"))
    admin.add_view(
        LeadActionsView(name=_l("Lead actions"), endpoint="lead_actions", url="/admin/lead-actions")
    )
    admin.add_view(ContactView(Contact, db, name=_l("Contacts"), endpoint="contact"))
    admin.add_view(
        ContactPageView(name=_l("Contact"), endpoint="contact_page", url="/admin/contacts")
    )
    register_settings_views(admin)
    from carflow.admin.assignment_settings import register_assignment_views

    register_assignment_views(admin)
    register_account_views(admin)
    register_task_views(admin)
    from carflow.admin.stock import StockView
    from carflow.models import Vehicle

    admin.add_view(StockView(Vehicle, db, name=_l("Stock"), endpoint="stock"))
    from carflow.admin.trade_ins import TradeInView

    admin.add_view(TradeInView(name=_l("Trade-ins"), endpoint="trade_in", url="/admin/trade-ins"))
    from carflow.admin.offers import OfferView

    admin.add_view(OfferView(name=_l("Offers"), endpoint="offer", url="/admin/offers"))
    from carflow.admin.test_drives import TestDriveView

    admin.add_view(
        TestDriveView(name=_l("Test drives"), endpoint="test_drive", url="/admin/test-drives")
    )
    _add_document_views(app, admin)
    from carflow.admin.privacy import register_privacy_views  # issue 17: personal data

    register_privacy_views(admin)
    from carflow.intake.admin_views import register_intake_views

    register_intake_views(admin)  # issue 15: Settings › API keys, received requests
    from carflow.admin.mailbox_settings import MailboxSettingsView  # issue 15: ADF e-mail

    admin.add_view(
        MailboxSettingsView(
            name=_l("Intake mailbox"),
            endpoint="intake_mailbox",
            url="/admin/settings/intake-mailbox",
            category=_l("Settings"),
        )
    )
    from carflow.admin.reports import register_report_views

    register_report_views(admin)
    from carflow.admin.data_import import register_import_view

    register_import_view(admin)
    install_shell(app)
    init_error_pages(app, admin.index_view)
    app.jinja_env.globals.update(
        csp_nonce=csp_nonce,
        timeline_items=timeline_items,
        can=can,
        now_utc=utcnow,
        deadline_kind_choices=DeadlineKind.choices,
        id_urls=id_urls,
        lead_statuses=tuple(LeadStatus),
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
