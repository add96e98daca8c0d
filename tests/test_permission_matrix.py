"""F19, F32, F33: every endpoint of the app × every role preset × own / other branch.

RULES below holds ONE rule per endpoint of `app.url_map`; an endpoint without a rule
fails `test_every_endpoint_has_a_rule`. A rule says what the endpoint needs:

    "trade_in.create": Rule("trade_in.manage", lead=True)
        the URL is url_for(endpoint, lead_id=<lead>.id) and the lead's branch scope applies
    "trade_in.edit": Rule("trade_in.manage", lead=True,
                          url=lambda lead: url_for("trade_in.edit", id=make_trade_in(lead).id))
        `url(lead)` builds the URL (create the item with factories under that lead)
    "user.details": Rule("users.manage", url=lambda lead: url_for("user.details", ...))
        no lead scope: only the action is checked
    PUBLIC / LOGIN: open to anyone / to any signed-in user
    DISABLED: a Flask-Admin built-in switched off; it must never answer 2xx to anyone

Expected outcome = `can(user, rule.action, lead if rule.lead else None)`: allowed means an
answer that is not 401/403/404 nor a redirect to the login page; refused means 403 or 404.
`method="POST"` rules are posted with an empty form (CSRF is off in this client).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import url_for

from carflow.extensions import db
from carflow.models import AccountSettings, Edition
from carflow.permissions import ACTIONS, EDITION_FEATURES, can
from tests.factories import (
    make_appointment,
    make_branch,
    make_contact,
    make_lead,
    make_offer,
    make_task,
    make_trade_in,
    make_user,
    make_vehicle,
)

ROLES = ("admin", "sales_manager", "salesperson", "receptionist", "read_only")


@dataclass(frozen=True)
class Rule:
    action: str | None = None
    lead: bool = False  # the endpoint acts on a lead (or an item of a lead): scope applies
    url: Callable | None = None  # url(lead) -> str; default url_for(endpoint[, lead_id=])
    method: str = "GET"
    public: bool = False
    login_only: bool = False
    disabled: bool = False
    to_login: bool = False  # its normal answer is a redirect to the login page (logout)


PUBLIC = Rule(public=True)
LOGIN = Rule(login_only=True)
DISABLED = Rule(disabled=True)


def _post(action, **kwargs):
    return Rule(action, method="POST", **kwargs)


def _fa(model: str, view: str) -> Callable:
    """A Flask-Admin built-in URL aimed at the lead (or its contact)."""

    def build(target):
        record_id = target.contact_id if model == "contact" else target.id
        return f"/admin/{model}/{view}/?id={record_id}"

    return build


def _new_user_url(lead):
    return url_for("user.details", user_id=make_user().id)


def _user_url(endpoint):
    return lambda lead: url_for(endpoint, user_id=make_user().id)


def _logo_url(lead):
    from carflow.storage import IMAGE_TYPES, save_upload
    from tests.test_editions import PNG

    stored = save_upload(io.BytesIO(PNG), "logo.png", IMAGE_TYPES)
    AccountSettings.get().logo_stored_name = stored.stored_name
    return url_for("account.logo")


def _import_url(endpoint: str) -> Callable:
    """An import of the lead's branch (in preview; its file already removed)."""

    def build(lead):
        from carflow.models import DataImport

        record = DataImport(
            kind="contacts", original_filename="c.csv", sha256="0" * 64, file_format="csv",
            headers=["Name"], mapping=["last_name"], branch_id=lead.branch_id,
        )  # fmt: skip
        db.session.add(record)
        db.session.flush()
        return url_for(endpoint, import_id=record.id)

    return build


def _branch_url(lead):
    return url_for("branch_admin.edit", branch_id=lead.branch_id)


def _settings_model_rules(name: str) -> dict[str, Rule]:
    return {
        f"{name}.index_view": Rule("settings.manage"),
        f"{name}.create_view": Rule("settings.manage"),
        f"{name}.edit_view": Rule("settings.manage"),
        f"{name}.details_view": Rule("settings.manage"),
        f"{name}.delete_view": _post("settings.manage"),
        f"{name}.action_view": _post("settings.manage"),
        f"{name}.export": Rule("settings.manage", url=lambda lead: f"/admin/{name}/export/csv/"),
        f"{name}.ajax_lookup": DISABLED,  # no ajax fields: never answers 2xx
        f"{name}.ajax_update": Rule(disabled=True, method="POST"),
    }


def _fa_lead_rules(model: str) -> dict[str, Rule]:
    """Switched-off built-ins of the overview and contacts list, aimed at a lead's data."""
    return {
        f"{model}.details_view": Rule(disabled=True, url=_fa(model, "details")),
        f"{model}.edit_view": Rule(disabled=True, url=_fa(model, "edit")),
        f"{model}.delete_view": Rule(disabled=True, method="POST", url=_fa(model, "delete")),
        f"{model}.export": Rule(disabled=True, url=lambda lead: f"/admin/{model}/export/csv/"),
        f"{model}.ajax_lookup": Rule(disabled=True),
        f"{model}.ajax_update": Rule(disabled=True, method="POST"),
        f"{model}.action_view": Rule(disabled=True, method="POST"),
        f"{model}.create_view": Rule(disabled=True) if model == "contact" else None,
    }


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def make_document(lead):
    """A document uploaded through `upload_document`."""
    from carflow.services.documents import upload_document

    return upload_document(lead, lead.owner, io.BytesIO(PDF), "scan.pdf", "Identity card")


def make_communication(lead):
    """A pending email about a new offer, stored through `queue_communication`."""
    from carflow.services.communications import queue_communication

    offer = make_offer(lead)
    return queue_communication(lead, lead.owner, offer, [lead.contact.email], "Offer", "Hello")


def make_deadline(lead):
    """A follow-up deadline added through `add_deadline`."""
    from datetime import timedelta

    from carflow.models import utcnow
    from carflow.services.deadlines import add_deadline

    return add_deadline(lead, lead.owner, utcnow() + timedelta(days=1))


def make_photo(lead):
    """A trade-in photo stored through `add_trade_in`."""
    from werkzeug.datastructures import FileStorage

    from carflow.services.trade_ins import add_trade_in

    photo = FileStorage(io.BytesIO(PNG), filename="front.png")
    trade_in = add_trade_in(lead, lead.owner, {"make": "Peugeot", "model": "208"}, [photo])
    return trade_in.photos[0]


def linked_contact(lead):
    """A second contact linked to the lead through `link_contact`."""
    from carflow.services.lead_contacts import link_contact

    contact = make_contact()
    link_contact(lead, lead.owner, contact, "spouse")
    return contact


def _item(endpoint: str, make: Callable, key: str = "id", **values) -> Callable:
    """url(lead): an item made under `lead`, aimed at by `endpoint`."""
    return lambda lead: url_for(endpoint, **{key: make(lead).id}, **values)


def _contact_url(endpoint: str) -> Callable:
    return lambda lead: url_for(endpoint, lead_id=lead.id, contact_id=linked_contact(lead).id)


def _contact_page_url(view: str) -> Callable:
    return lambda lead: url_for(f"contact_page.{view}", contact_id=lead.contact_id)


def _privacy_url(view: str) -> Callable:
    return lambda lead: url_for(f"privacy.{view}", contact_id=lead.contact_id)


def _compose_url(lead):
    make_offer(lead)
    return url_for("communication.compose", lead_id=lead.id)


def _lead_item_rules() -> dict[str, Rule]:
    """Items of a lead (F10-F16, F21): each checked against its lead's scope.

    Edit pages answer GET with `*.view` and POST with `*.manage`: the POST is tested.
    """
    return {
        # Communication (F15)
        "communication.index": DISABLED,
        "communication.compose": Rule("communication.send", lead=True, url=_compose_url),
        "communication.item_view": Rule(
            "communication.view",
            lead=True,
            url=_item("communication.item_view", make_communication),
        ),
        "communication.retry": _post(
            "communication.send", lead=True, url=_item("communication.retry", make_communication)
        ),
        # Deadlines (F21, F25)
        "deadline.index": DISABLED,
        "deadline.add": Rule("deadline.manage", lead=True),
        "deadline.open": Rule("lead.view", lead=True, url=_item("deadline.open", make_deadline)),
        "deadline.move": _post(
            "deadline.manage", lead=True, url=_item("deadline.move", make_deadline)
        ),
        "deadline.outcome": _post(
            "deadline.manage", lead=True, url=_item("deadline.outcome", make_deadline)
        ),
        "deadline_settings.index": _post("settings.manage"),
        # Documents (F14)
        "document.index": DISABLED,
        "document.upload": Rule("document.manage", lead=True),
        "document.item_view": Rule(
            "document.view", lead=True, url=_item("document.item_view", make_document)
        ),
        "document.download": Rule(
            "document.view", lead=True, url=_item("document.download", make_document)
        ),
        "document.rename": _post(
            "document.manage", lead=True, url=_item("document.rename", make_document)
        ),
        "document.delete": _post(
            "document.manage", lead=True, url=_item("document.delete", make_document)
        ),
        # Lead page actions (F13, F17, F18, F20, F22)
        "lead_actions.index": DISABLED,
        "lead_actions.note": _post("lead.note", lead=True),
        "lead_actions.comment": _post("lead.edit", lead=True),
        "lead_actions.assign": _post("lead.assign", lead=True),
        "lead_actions.status": _post("lead.change_status", lead=True),
        "lead_actions.contact_edit": _post(
            "lead.edit_contacts", lead=True, url=_contact_url("lead_actions.contact_edit")
        ),
        "lead_actions.contact_link": _post("lead.edit_contacts", lead=True),
        "lead_actions.contact_new": _post("lead.edit_contacts", lead=True),
        "lead_actions.contact_unlink": _post(
            "lead.edit_contacts", lead=True, url=_contact_url("lead_actions.contact_unlink")
        ),
        "lead_actions.contact_main": _post(
            "lead.edit_contacts", lead=True, url=_contact_url("lead_actions.contact_main")
        ),
        # Offers (F11)
        "offer.index": DISABLED,
        "offer.create_view": Rule("offer.manage", lead=True),
        "offer.edit_view": _post(
            "offer.manage", lead=True, url=_item("offer.edit_view", make_offer)
        ),
        "offer.status_view": _post(
            "offer.manage", lead=True, url=_item("offer.status_view", make_offer)
        ),
        "offer.delete_view": _post(
            "offer.manage", lead=True, url=_item("offer.delete_view", make_offer)
        ),
        "offer.for_lead": Rule("offer.view", lead=True),
        "offer.pdf": Rule(
            "offer.view", lead=True, url=_item("offer.pdf", make_offer, kind="quote")
        ),
        # Tasks (F16, F27-F29)
        "task_page.index": Rule("task.view"),  # redirects to the overview
        "task_page.create": Rule("task.manage", lead=True),
        "task_page.page": _post("task.manage", lead=True, url=_item("task_page.page", make_task)),
        "task_page.complete": _post(
            "task.manage", lead=True, url=_item("task_page.complete", make_task)
        ),
        "task_page.reopen": _post(
            "task.manage", lead=True, url=_item("task_page.reopen", make_task)
        ),
        "tasks.index": Rule("task.view"),
        "tasks.agenda": Rule("task.view"),
        "tasks.events": Rule("task.view"),
        # Test drives (F12)
        "test_drive.index": DISABLED,
        "test_drive.create_view": Rule("test_drive.manage", lead=True),
        "test_drive.edit_view": _post(
            "test_drive.manage", lead=True, url=_item("test_drive.edit_view", make_appointment)
        ),
        "test_drive.delete_view": _post(
            "test_drive.manage", lead=True, url=_item("test_drive.delete_view", make_appointment)
        ),
        "test_drive.for_lead": Rule("test_drive.view", lead=True),
        # Trade-ins (F10)
        "trade_in.index": DISABLED,
        "trade_in.create_view": Rule("trade_in.manage", lead=True),
        "trade_in.edit_view": _post(
            "trade_in.manage", lead=True, url=_item("trade_in.edit_view", make_trade_in)
        ),
        "trade_in.delete_view": _post(
            "trade_in.manage", lead=True, url=_item("trade_in.delete_view", make_trade_in)
        ),
        "trade_in.for_lead": Rule("trade_in.view", lead=True),
        "trade_in.photo": Rule(
            "trade_in.view", lead=True, url=_item("trade_in.photo", make_photo, key="photo_id")
        ),
        "trade_in.delete_photo": _post(
            "trade_in.manage",
            lead=True,
            url=_item("trade_in.delete_photo", make_photo, key="photo_id"),
        ),
    }


def _vehicle_url(view: str) -> Callable:
    return lambda lead: f"/admin/stock/{view}/?id={make_vehicle(branch=lead.branch).id}"


def _stock_rules() -> dict[str, Rule]:
    """Stock (not lead-scoped): everyone with the feature lists; managers change."""
    return {
        "stock.index_view": Rule("stock.view"),
        "stock.search": Rule("stock.view"),
        "stock.create_view": Rule("stock.manage"),
        "stock.edit_view": Rule("stock.manage", url=_vehicle_url("edit")),
        "stock.delete_view": _post("stock.manage", url=_vehicle_url("delete")),
        "stock.details_view": Rule(disabled=True, url=_vehicle_url("details")),
        "stock.export": Rule(disabled=True, url=lambda lead: "/admin/stock/export/csv/"),
        "stock.action_view": Rule(disabled=True, method="POST"),
        "stock.ajax_lookup": DISABLED,
        "stock.ajax_update": Rule(disabled=True, method="POST"),
    }


def _intake_key(lead):
    from carflow.intake.api_keys import create_api_key
    from tests.factories import make_source

    return create_api_key(None, "Matrix", make_source(), lead.branch)[0]


def _intake_url(lead):
    from carflow.models import LeadIntake

    intake = LeadIntake(
        lead_id=lead.id, channel="api", sender="source:0", payload_sha256="0" * 64, raw_payload="{}"
    )
    db.session.add(intake)
    db.session.flush()
    return url_for("lead_intake.page", id=intake.id)


def _intake_rules() -> dict[str, Rule]:
    """Issue 15. The API and the website form authenticate with an API key or a form token,
    never with a session: no signed-in user gets a 2xx for an empty post (401 / 400, hence
    DISABLED). Their own tests cover the keys."""
    form = lambda view: lambda lead: url_for(view, form_token=_intake_key(lead).form_token)  # noqa: E731
    key = lambda view: lambda lead: url_for(view, key_id=_intake_key(lead).id)  # noqa: E731
    return {
        "intake_api.post_lead": Rule(disabled=True, method="POST"),
        "intake_api.openapi": PUBLIC,
        "intake_form.receive": Rule(disabled=True, method="POST", url=form("intake_form.receive")),
        "intake_form.thanks": Rule(public=True, url=form("intake_form.thanks")),
        "intake_form.demo": Rule(public=True, url=form("intake_form.demo")),
        "api_keys.index": Rule("settings.manage"),
        "api_keys.create": _post("settings.manage"),
        "api_keys.key": Rule("settings.manage", url=key("api_keys.key")),
        "api_keys.revoke": _post("settings.manage", url=key("api_keys.revoke")),
        "lead_intake.index": DISABLED,
        "lead_intake.page": Rule("lead.view", lead=True, url=_intake_url),
    }


RULES: dict[str, Rule] = {
    "static": Rule(public=True, url=lambda lead: "/static/css/carflow.css"),
    "admin.static": Rule(
        public=True,
        url=lambda lead: "/admin/static/bootstrap/bootstrap4/css/bootstrap.min.css",
    ),
    "favicon": Rule(public=True, url=lambda lead: "/favicon.ico"),
    "auth.login": PUBLIC,
    "auth.root": PUBLIC,
    "auth.logout": Rule(login_only=True, method="POST", to_login=True),
    "admin.index": LOGIN,
    "profile.index": LOGIN,
    "profile.password": Rule(login_only=True, method="POST"),
    # Leads overview and lead page
    "lead.index_view": Rule("lead.view"),
    "lead.create_view": Rule("lead.create"),
    "lead.contact_search": Rule("lead.create"),
    "lead_page.index": Rule(disabled=True),
    "lead_page.page": Rule("lead.view", lead=True),
    "lead_page.modal_body": Rule(
        "lead.assign",
        lead=True,
        url=lambda lead: url_for("lead_page.modal_body", lead_id=lead.id, modal="assign"),
    ),
    **{k: v for k, v in _fa_lead_rules("lead").items() if v},
    "contact.index_view": Rule("contact.view"),
    **{k: v for k, v in _fa_lead_rules("contact").items() if v},
    # The contact page (issue 13): the lead's main contact, seen as the lead is
    "contact_page.index": DISABLED,
    "contact_page.page": Rule("contact.view", lead=True, url=_contact_page_url("page")),
    "contact_page.edit": _post("contact.edit", lead=True, url=_contact_page_url("edit")),
    # Settings
    **_settings_model_rules("lead_type"),
    **_settings_model_rules("lead_source"),
    **_settings_model_rules("lost_reason"),
    "account.index": Rule("settings.manage"),
    "account.company": _post("settings.manage"),
    "account.edition": _post("settings.manage"),
    "account.upload_logo": _post("settings.manage"),
    "account.logo": Rule("settings.manage", url=_logo_url),
    "branch_admin.index": Rule("settings.manage"),
    "branch_admin.create": Rule("settings.manage"),
    "branch_admin.edit": Rule("settings.manage", url=_branch_url),
    # Users
    "user.index": Rule("users.manage"),
    "user.create": Rule("users.manage"),
    "user.details": Rule("users.manage", url=_new_user_url),
    "user.edit": Rule("users.manage", url=_user_url("user.edit")),
    "user.deactivate": _post("users.manage", url=_user_url("user.deactivate")),
    "user.reactivate": _post("users.manage", url=_user_url("user.reactivate")),
    "user.reset_password": _post("users.manage", url=_user_url("user.reset_password")),
    **_lead_item_rules(),
    **_stock_rules(),
    "vendor.file": Rule(public=True, url=lambda lead: "/vendor/fullcalendar/index.global.min.js"),
    # Personal data (issue 17): on the lead's main contact, seen as the lead is
    "privacy.index": DISABLED,
    "privacy.consent": _post("contact.record_consent", lead=True, url=_privacy_url("consent")),
    "privacy.export": _post("contact.export_personal_data", lead=True, url=_privacy_url("export")),
    "privacy.forget": Rule("contact.erase", lead=True, url=_privacy_url("forget")),
    "privacy_settings.index": Rule("settings.manage"),
    # Issue 15: assignment, alerts, escalation settings; the contact merge page
    **_settings_model_rules("assignment_rule"),
    **_settings_model_rules("branch_assignment"),
    **_settings_model_rules("auto_reply"),
    "contact_merge.index": DISABLED,
    "contact_merge.merge": Rule(
        "contact.merge",
        lead=True,
        url=lambda lead: url_for("contact_merge.merge", contact_id=lead.contact_id),
    ),
    **_intake_rules(),
    "intake_mailbox.index": _post("settings.manage"),  # issue 15: ADF e-mail
    "intake_api.post_adf_lead": Rule(disabled=True, method="POST"),  # API key, no session
    # Reports (issue 16): figures scoped by permissions.report_scope, not by a lead
    "reports.index": Rule("report.view"),
    "reports.export": Rule("report.export", url=lambda lead: "/admin/reports/export/funnel.csv"),
    # Import and export (issue 17): replace Flask-Admin's switched-off export routes
    "lead.export": Rule("lead.export", url=lambda lead: "/admin/lead/export/csv/"),
    "contact.export": Rule("contact.export", url=lambda lead: "/admin/contact/export/xlsx/"),
    "stock.export": Rule("stock.export", url=lambda lead: "/admin/stock/export/csv/"),
    "tasks.export": Rule("task.export", url=lambda lead: "/admin/tasks/export/csv/"),
    "data_import.index": Rule("settings.manage"),
    "data_import.item": Rule("settings.manage", url=_import_url("data_import.item")),
    "data_import.run": _post("settings.manage", url=_import_url("data_import.run")),
    "data_import.status": Rule("settings.manage", url=_import_url("data_import.status")),
    "data_import.errors": Rule("settings.manage", url=_import_url("data_import.errors")),
}


def _url(endpoint: str, rule: Rule, lead) -> str:
    if rule.url is not None:
        return rule.url(lead)
    if rule.lead:
        return url_for(endpoint, lead_id=lead.id)
    return url_for(endpoint)


def _sign_in(client, user) -> None:
    db.session.refresh(user)
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def _request(app, client, endpoint: str, rule: Rule, lead):
    with app.test_request_context():
        url = _url(endpoint, rule, lead)
    send = client.post if rule.method == "POST" else client.get
    with send(url) as response:
        return url, response.status_code, response.headers.get("Location", "")


def _allowed(status: int, location: str, rule: Rule | None = None) -> bool:
    to_login = "/login" in location and not (rule and rule.to_login)
    return status < 500 and status not in (401, 403, 404) and not to_login


def _refused(status: int) -> bool:
    return status in (403, 404)


def test_every_endpoint_has_a_rule(app):
    missing = sorted(
        rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint not in RULES
    )
    assert missing == [], f"add these endpoints to RULES in {__name__}: {missing}"


def test_every_rule_names_a_known_action():
    for endpoint, rule in RULES.items():
        assert rule.action is None or rule.action in ACTIONS, endpoint


def _check(app, client, user, endpoint, rule, lead, where):
    url, status, location = _request(app, client, endpoint, rule, lead)
    label = f"{user.role} {where} {rule.method} {url} -> {status} {location}"
    assert status < 500, label
    if rule.disabled:
        assert status >= 300, label
        assert "/login" not in location, label
        return
    if rule.public or rule.login_only:
        assert _allowed(status, location, rule), label
        return
    expected = can(user, rule.action, lead if rule.lead else None)
    assert _allowed(status, location) if expected else _refused(status), label


@pytest.fixture
def documents_not_typeset(monkeypatch):
    """The matrix checks who reaches which endpoint; WeasyPrint's typesetting (0.5-1 s a
    PDF, a dozen PDFs a role) adds nothing to that. The HTML is still rendered, so the
    page's template and data run; tests/test_pdf.py checks the documents themselves."""
    from carflow import pdf
    from carflow.services import subject_access

    def html_only(html: str) -> bytes:
        assert "<html" in html
        return b"%PDF-1.7 matrix stand-in"

    monkeypatch.setattr(pdf, "html_to_pdf", html_only)
    monkeypatch.setattr(subject_access, "html_to_pdf", html_only)


@pytest.mark.usefixtures("documents_not_typeset")
@pytest.mark.parametrize("role", ROLES)
def test_endpoints_allow_or_refuse_by_role_and_branch(app, client, branch, role):
    user = make_user(role, branch=branch)
    colleague = make_user("salesperson", branch=branch)
    own = make_lead(owner=colleague, branch=branch)
    foreign = make_lead(owner=make_user("salesperson", branch=make_branch()))
    db.session.commit()
    checked = 0
    for endpoint in sorted(r.endpoint for r in app.url_map.iter_rules()):
        rule = RULES[endpoint]
        for lead, where in ((own, "own-branch"), (foreign, "other-branch")):
            _sign_in(client, user)
            _check(app, client, user, endpoint, rule, lead, where)
            checked += 1
    assert checked > 100


def test_anonymous_visitors_reach_only_public_endpoints(app, client, branch):
    lead = make_lead(owner=make_user(branch=branch))
    db.session.commit()
    for endpoint in sorted(r.endpoint for r in app.url_map.iter_rules()):
        rule = RULES[endpoint]
        url, status, location = _request(app, client, endpoint, rule, lead)
        if rule.public:
            assert status < 400, url
        else:
            assert status in (302, 400, 401, 403, 404) and (
                status != 302 or "/login" in location
            ), f"{url} -> {status} {location}"


def test_features_outside_the_edition_are_refused_even_to_the_administrator(app, client, branch):
    admin = make_user("admin", branch=branch)
    lead = make_lead(owner=admin)
    AccountSettings.get().edition = Edition.go
    db.session.commit()
    refused = 0
    for endpoint in sorted(r.endpoint for r in app.url_map.iter_rules()):
        rule = RULES[endpoint]
        if rule.action is None or rule.disabled:
            continue
        feature = ACTIONS[rule.action][1]
        if feature is None or feature in EDITION_FEATURES[Edition.go]:
            continue
        _sign_in(client, admin)
        url, status, location = _request(app, client, endpoint, rule, lead)
        assert _refused(status), f"{url} -> {status}"
        refused += 1
    assert refused >= 3
