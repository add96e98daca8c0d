"""Issue 17 item 3: "forget this person" — nothing finds the person afterwards, anywhere;
the anonymous leads keep the reports' counts; legal holds refuse it."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from carflow.extensions import db
from carflow.models import (
    Communication,
    Contact,
    Document,
    Lead,
    LeadSearchTerm,
    LeadStatus,
    OfferStatus,
    TradeInPhoto,
    utcnow,
)
from carflow.models.privacy import ConsentRecord, PrivacyLog, PrivacySettings
from carflow.services.consent import record_consent
from carflow.services.erasure import erase_contact, legal_hold
from carflow.services.errors import ServiceError
from carflow.services.search import normalize
from tests.factories import make_contact, make_lead, make_offer, make_user
from tests.privacy_records import make_person


def _lead_counts() -> list[tuple]:
    """The reports' view: leads by status, type, source and branch."""
    query = (
        select(Lead.status, Lead.lead_type_id, Lead.source_id, Lead.branch_id, func.count())
        .group_by(Lead.status, Lead.lead_type_id, Lead.source_id, Lead.branch_id)
        .order_by(Lead.status, Lead.lead_type_id, Lead.source_id, Lead.branch_id)
    )
    return [tuple(row) for row in db.session.execute(query)]


def _search_terms(values: dict) -> list[str]:
    return [
        values["first_name"],
        values["last_name"],
        values["email"],
        values["phone"],
        values["mobile"],
        values["plate"],
        values["vin"],
        values["licence"],
    ]


def _every_stored_text() -> str:
    """Every value of every row of every table, as one lower-case text."""
    parts = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            parts.extend(str(value) for value in row if value is not None)
    return "\n".join(parts).lower()


def _overview_codes(client, term: str) -> list[str]:
    page = client.get("/admin/lead/", query_string={"search": term})
    assert page.status_code == 200
    return re.findall(r">(L\d{4}-\d{6})</a>", page.get_data(as_text=True))


def _forget(client, contact_id: int, **form):
    return client.post(f"/admin/privacy/contacts/{contact_id}/forget", data=form)


@pytest.fixture
def person(app, branch):
    return make_person(branch)


def test_after_erasure_nothing_finds_the_person_anywhere(app, client, login_as, branch, person):
    admin = login_as("admin")
    contact_id, values = person.contact.id, person.values
    leads = [person.lead, person.second_lead, person.other_lead]
    lead_ids = [lead.id for lead in leads]
    db.session.commit()
    counts_before = _lead_counts()
    assert _overview_codes(client, "Vandersmissen") and _overview_codes(client, values["plate"])
    listed = client.get("/admin/contact/", query_string={"search": "Vandersmissen"})
    assert "contact-page-link" in listed.get_data(as_text=True)
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert all((folder / name).exists() for name in person.document_names)

    page = client.get(f"/admin/privacy/contacts/{contact_id}/forget")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Forget Annelies Vandersmissen" in text and 'data-count="documents"' in text
    response = _forget(client, contact_id, reason="request", confirm="y")
    assert response.status_code == 302, response.get_data(as_text=True)[:800]

    contact = db.session.get(Contact, contact_id)
    assert contact.display_name == f"Erased contact #{contact_id}"
    assert contact.email is None and contact.phone is None and contact.notes is None
    # Files gone from storage, rows gone.
    assert not any((folder / name).exists() for name in person.document_names)
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0
    assert db.session.scalar(select(func.count()).select_from(TradeInPhoto)) == 0
    # Reports unchanged.
    assert _lead_counts() == counts_before
    # Nothing finds the person: overview search, contact search, contacts list, the index.
    for term in _search_terms(values):
        assert _overview_codes(client, term) == [], term
        found = client.get("/admin/lead/contact-search", query_string={"q": term}).get_json()
        assert found["results"] == [], term
        listed = client.get("/admin/contact/", query_string={"search": term})
        assert listed.status_code == 200 and "contact-page-link" not in listed.get_data(
            as_text=True
        ), term
        prefix = normalize(term)
        assert not db.session.scalars(
            select(LeadSearchTerm.term).where(LeadSearchTerm.term.startswith(prefix))
        ).all(), term
    # The lead pages (timeline, contacts tab) and the e-mails show none of it.
    for lead_id in lead_ids:
        for tab in ("details", "followup", "contacts"):
            html = client.get(f"/admin/leads/{lead_id}?tab={tab}").get_data(as_text=True)
            assert "timeline-event" in html or tab != "details"
            for term in _search_terms(values) + ["Annelies", "annelies.vds"]:
                assert term.lower() not in html.lower(), (lead_id, tab, term)
    erased_lines = client.get(f"/admin/leads/{person.lead.id}").get_data(as_text=True)
    assert "Personal data erased" in erased_lines
    communication = db.session.scalars(select(Communication)).one()
    assert communication.body == "" and communication.recipients == []
    item = client.get(f"/admin/communications/{communication.id}").get_data(as_text=True)
    assert "Annelies" not in item
    # No table holds any of it any more.
    stored = _every_stored_text()
    for term in _search_terms(values) + ["Annelies", values["street"], "BE0123456789"]:
        assert term.lower() not in stored, term
    # The spouse (another person) keeps their contact; only the link is gone.
    assert db.session.get(Contact, person.spouse.id).last_name == "Claes"
    # The audit log: no personal data.
    log = db.session.scalars(select(PrivacyLog)).one()
    assert (log.action, log.reason, log.actor_id, log.contact_id) == (
        "erasure",
        "request",
        admin.id,
        contact_id,
    )
    assert log.counts["documents"] == 1 and log.counts["leads"] == 2
    assert db.session.scalar(select(func.count()).select_from(ConsentRecord)) == 0
    # The contact page says so and offers nothing more.
    contact_page = client.get(f"/admin/contacts/{contact_id}").get_data(as_text=True)
    assert "privacy-erased" in contact_page and "privacy-forget" not in contact_page


def test_the_reason_and_the_confirmation_are_required(client, login_as, person):
    login_as("admin")
    contact_id = person.contact.id
    response = _forget(client, contact_id, confirm="y")
    assert response.status_code == 400
    assert "Choose the reason for the erasure." in response.get_data(as_text=True)
    response = _forget(client, contact_id, reason="request")
    assert response.status_code == 400
    assert "Tick the box to confirm." in response.get_data(as_text=True)
    assert db.session.get(Contact, contact_id).last_name == "Vandersmissen"


def test_only_administrators_may_erase(client, login_as, person):
    login_as("sales_manager")
    assert client.get(f"/admin/privacy/contacts/{person.contact.id}/forget").status_code == 403
    response = _forget(client, person.contact.id, reason="request", confirm="y")
    assert response.status_code == 403
    page = client.get(f"/admin/contacts/{person.contact.id}").get_data(as_text=True)
    assert "privacy-forget" not in page and "privacy-export" in page


def test_a_won_lead_holds_the_contact_until_the_hold_ends(client, login_as, branch):
    login_as("admin")
    owner = make_user(branch=branch)
    contact = make_contact(first_name="Wim", last_name="Holder")
    lead = make_lead(owner=owner, contact=contact)
    lead.status = LeadStatus.won
    lead.closed_at = utcnow() - timedelta(days=365)
    db.session.commit()
    page = client.get(f"/admin/privacy/contacts/{contact.id}/forget")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "legal-hold" in text and "erase-submit" not in text
    until = (lead.closed_at.date().replace(year=lead.closed_at.year + 7)).year
    assert str(until) in text and "one of their leads was won" in text
    response = _forget(client, contact.id, reason="request", confirm="y")
    assert response.status_code == 400
    assert "legal hold until" in response.get_data(as_text=True)
    assert db.session.get(Contact, contact.id).last_name == "Holder"
    # Once the won sale is older than the hold, the erasure is allowed.
    lead.closed_at = utcnow() - timedelta(days=365 * 8)
    db.session.commit()
    assert _forget(client, contact.id, reason="request", confirm="y").status_code == 302
    assert db.session.get(Contact, contact.id).last_name.startswith("Erased contact")


def test_an_accepted_offer_holds_the_contact_for_the_set_years(app, branch):
    owner = make_user(branch=branch)
    contact = make_contact()
    lead = make_lead(owner=owner, contact=contact)
    offer = make_offer(lead, owner)
    offer.status = OfferStatus.accepted
    db.session.flush()
    hold = legal_hold(contact)
    assert hold is not None and "an offer to them was accepted" in hold.message
    with pytest.raises(ServiceError, match="legal hold"):
        erase_contact(owner, contact, reason="request")
    PrivacySettings.get().legal_hold_years = 0
    db.session.flush()
    assert legal_hold(contact) is None
    erase_contact(owner, contact, reason="objection")
    assert contact.last_name == f"Erased contact #{contact.id}"
    with pytest.raises(ServiceError, match="already erased"):
        erase_contact(owner, contact, reason="request")
    with pytest.raises(ServiceError, match="was erased"):
        record_consent(
            None, contact, channel="email", purpose="service", granted=True, source="website"
        )


def test_the_forget_page_runs_a_fixed_number_of_queries(client, login_as, count_queries, branch):
    login_as("admin")
    small = make_lead(owner=make_user(branch=branch)).contact
    person = make_person(branch)
    db.session.commit()

    def queries(contact) -> int:
        with count_queries() as statements:
            assert client.get(f"/admin/privacy/contacts/{contact.id}/forget").status_code == 200
        return len(statements)

    queries(small)  # warm-up
    assert queries(person.contact) == queries(small)


def test_on_another_persons_lead_only_the_erased_persons_values_go(app, branch):
    from carflow.models import Event
    from carflow.services.lead_contacts import link_contact
    from carflow.services.leads import add_note

    owner = make_user(branch=branch)
    jan = make_contact(first_name="Jan", last_name="Peeters", email="jan.p@example.com")
    marie = make_contact(first_name="Marie", last_name="Janssens", email="mj@example.com")
    lead = make_lead(owner=owner, contact=marie)
    link_contact(lead, owner, jan, "spouse")
    add_note(lead, owner, "Marie called in January")
    add_note(lead, owner, "Jan will bring the papers")
    erase_contact(owner, jan, reason="request")
    texts = {
        event.kind + ":" + str((event.data or {}).get("text") or event.data.get("contact"))
        for event in db.session.scalars(select(Event).where(Event.lead_id == lead.id))
    }
    assert "lead_created:Marie Janssens" in texts
    assert "note:Marie called in January" in texts
    assert "note:—" in texts and "contact_linked:—" in texts
    assert not any("Jan will" in text or "Peeters" in text for text in texts)
    assert lead.contact.last_name == "Janssens"
