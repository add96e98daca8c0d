"""Issue 17 item 3: the daily retention job anonymizes contacts without activity for the set
years (off by default), with the erasure service; the settings page sets the years."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from carflow.extensions import db
from carflow.jobs import jobs_for
from carflow.models import Contact, Lead, LeadStatus, utcnow
from carflow.models.privacy import ConsentRecord, PrivacyLog, PrivacySettings
from carflow.services.consent import record_consent
from carflow.services.retention import apply_retention
from tests.factories import make_contact, make_lead, make_user
from tests.queue import run_queued_jobs

YEAR = timedelta(days=365)


def _age(contact: Contact, years: float) -> None:
    """Make the contact and its leads look untouched for `years` years."""
    then = utcnow() - years * YEAR
    db.session.execute(update(Contact).where(Contact.id == contact.id).values(updated_at=then))
    db.session.execute(
        update(Lead)
        .where(Lead.contact_id == contact.id)
        .values(last_activity_at=then, created_at=then)
    )
    db.session.execute(
        update(ConsentRecord).where(ConsentRecord.contact_id == contact.id).values(at=then)
    )
    db.session.expire_all()


def _names() -> dict[int, str]:
    return dict(db.session.execute(select(Contact.id, Contact.last_name)).all())


def test_retention_is_off_by_default(app, branch):
    contact = make_contact(last_name="Ancient")
    make_lead(owner=make_user(branch=branch), contact=contact)
    _age(contact, 30)
    db.session.commit()
    assert PrivacySettings.get().retention_years is None
    assert apply_retention() == {"erased": 0, "held": 0}
    assert db.session.get(Contact, contact.id).last_name == "Ancient"


def test_the_daily_job_erases_inactive_contacts_only(app, branch):
    owner = make_user(branch=branch)
    inactive = make_contact(last_name="Sleeping")
    make_lead(owner=owner, contact=inactive)
    record_consent(None, inactive, channel="email", purpose="service", granted=True, source="form")
    active = make_contact(last_name="Busy")
    old_lead = make_lead(owner=owner, contact=active)
    held = make_contact(last_name="Buyer")
    won = make_lead(owner=owner, contact=held)
    recent_consent = make_contact(last_name="Consenting")
    make_lead(owner=owner, contact=recent_consent)
    for contact in (inactive, active, held, recent_consent):
        _age(contact, 6)
    make_lead(owner=owner, contact=active)  # a new lead: activity this year
    db.session.execute(
        update(Lead)
        .where(Lead.id == won.id)
        .values(status=LeadStatus.won, closed_at=utcnow() - 6 * YEAR)
    )
    record_consent(
        None, recent_consent, channel="sms", purpose="service", granted=True, source="form"
    )
    db.session.execute(
        update(Contact)
        .where(Contact.id == recent_consent.id)
        .values(updated_at=utcnow() - 6 * YEAR)
    )
    PrivacySettings.get().retention_years = 5
    db.session.commit()

    jobs_for(app).apply_retention()  # queued as the scheduler does, run from the queue
    assert run_queued_jobs(app) == 1

    db.session.expire_all()
    names = _names()
    assert names[inactive.id] == f"Erased contact #{inactive.id}"
    assert names[active.id] == "Busy" and names[recent_consent.id] == "Consenting"
    assert names[held.id] == "Buyer"  # a sale 6 years ago: under the 7-year legal hold
    log = db.session.scalars(select(PrivacyLog)).all()
    assert [(e.contact_id, e.action, e.reason, e.actor_id) for e in log] == [
        (inactive.id, "erasure", "retention", None)
    ]
    assert db.session.get(Lead, old_lead.id).contact_id == active.id
    # Run again: nothing left to do (the erased contact is not taken twice).
    assert apply_retention() == {"erased": 0, "held": 0}


def test_the_settings_page_sets_the_years(client, login_as):
    login_as("admin")
    page = client.get("/admin/privacy-settings/")
    assert page.status_code == 200 and "Legal hold after a sale (years)" in page.text
    version = PrivacySettings.get().version_id
    db.session.commit()
    response = client.post(
        "/admin/privacy-settings/",
        data={"retention_years": "4", "legal_hold_years": "10", "version": str(version)},
    )
    assert response.status_code == 302
    settings = db.session.get(PrivacySettings, 1)
    assert (settings.retention_years, settings.legal_hold_years) == (4, 10)
    response = client.post(
        "/admin/privacy-settings/",
        data={"retention_years": "", "legal_hold_years": "10", "version": str(version)},
    )
    assert response.status_code == 409  # saved meanwhile: the form was opened before
    response = client.post(
        "/admin/privacy-settings/",
        data={"retention_years": "0", "legal_hold_years": "", "version": str(version + 1)},
    )
    assert response.status_code == 400
    response = client.post(
        "/admin/privacy-settings/",
        data={"retention_years": "", "legal_hold_years": "7", "version": str(version + 1)},
    )
    assert response.status_code == 302
    assert db.session.get(PrivacySettings, 1).retention_years is None


def test_the_privacy_log_lists_exports_and_erasures_without_names(client, login_as, branch):
    from carflow.services.erasure import erase_contact

    admin = login_as("admin")
    contact = make_contact(first_name="Lena", last_name="Forgotten")
    make_lead(owner=admin, contact=contact)
    erase_contact(admin, contact, reason="objection")
    db.session.commit()
    page = client.get("/admin/privacy-settings/").text
    assert 'data-action="erasure"' in page and f"#{contact.id}" in page
    assert "The person objected to the processing" in page and "Forgotten" not in page


def test_the_settings_page_runs_a_fixed_number_of_queries(client, login_as, count_queries):
    from carflow.services.erasure import erase_contact

    admin = login_as("admin")

    def queries() -> int:
        with count_queries() as statements:
            assert client.get("/admin/privacy-settings/").status_code == 200
        return len(statements)

    erase_contact(admin, make_contact(), reason="request")
    db.session.commit()
    queries()  # warm-up
    few = queries()
    for _ in range(5):
        erase_contact(make_user(), make_contact(), reason="objection")
    db.session.commit()
    assert queries() == few
