"""Settings › Intake mailbox (issue 15, item 1: ADF by e-mail): saved through the page,
the password never shown back, incomplete settings refused on the form."""

from __future__ import annotations

from carflow.extensions import db
from carflow.models import AuditLog
from carflow.models.mailbox import IntakeMailbox
from tests.factories import make_source

URL = "/admin/settings/intake-mailbox/"


def _form(branch, source, **overrides) -> dict:
    data = {
        "enabled": "y",
        "host": "imap.example.be",
        "port": "",
        "security": "tls",
        "username": "leads@dealer.example",
        "password": "s3cret-Imap-pass",
        "folder": "INBOX",
        "processed_folder": "Processed",
        "bounce_folder": "Bounced",
        "branch_id": str(branch.id),
        "source_id": str(source.id),
        "version": str(IntakeMailbox.get().version_id),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_saves_the_mailbox_and_the_password_is_never_shown(
    client, login_as, branch, count_queries
):
    admin = login_as("admin")
    source = make_source("AutoScout24")
    with count_queries() as queries:
        page = client.get(URL)
    assert page.status_code == 200
    assert "Intake mailbox" in page.text and "No message refused." in page.text
    assert len(queries) <= 12

    saved = client.post(URL, data=_form(branch, source), follow_redirects=True)
    assert saved.status_code == 200
    assert "Mailbox settings saved." in saved.text
    assert "s3cret-Imap-pass" not in saved.text
    assert "A password is stored." in saved.text
    mailbox = db.session.get(IntakeMailbox, 1)
    assert (mailbox.host, mailbox.port, mailbox.password) == (
        "imap.example.be",
        993,
        "s3cret-Imap-pass",
    )
    assert mailbox.is_configured
    log = db.session.query(AuditLog).filter_by(action="intake_mailbox_changed").one()
    assert log.actor_id == admin.id and "s3cret" not in str(log.details)

    # an empty password field keeps the stored one
    kept = client.post(URL, data=_form(branch, source, password="", port="1993"))
    assert kept.status_code == 302
    db.session.refresh(mailbox)
    assert (mailbox.port, mailbox.password) == (1993, "s3cret-Imap-pass")


def test_enabling_without_a_password_or_branch_is_refused_on_the_form(client, login_as, branch):
    login_as("admin")
    source = make_source("Website")
    refused = client.post(URL, data=_form(branch, source, password=""))
    assert refused.status_code == 400
    assert "Enter the mailbox password." in refused.text
    refused = client.post(URL, data=_form(branch, source, branch_id=""))
    assert refused.status_code == 400
    assert "Choose the branch that receives these leads." in refused.text
    same = client.post(URL, data=_form(branch, source, processed_folder="INBOX"))
    assert same.status_code == 400
    assert "must differ from the polled folder" in same.text
    assert db.session.get(IntakeMailbox, 1).host is None


def test_stale_form_is_refused_with_409(client, login_as, branch):
    login_as("admin")
    source = make_source("Website")
    data = _form(branch, source)
    assert client.post(URL, data=data).status_code == 302
    stale = client.post(URL, data=dict(data, host="other.example.be"))
    assert stale.status_code == 409
    assert db.session.get(IntakeMailbox, 1).host == "imap.example.be"


def test_salesperson_may_not_open_it(client, login_as):
    login_as("salesperson")
    assert client.get(URL).status_code == 403
