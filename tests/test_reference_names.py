"""Issue 13: lead types, sources and lost reasons have a French and a Dutch name, edited in
Settings, filled in by the demo, and shown in the reader's language (else the English one)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from carflow.demo import ensure_reference_data
from carflow.extensions import db
from carflow.models import LeadSource, LeadType, LostReason
from tests.factories import make_lead, make_lead_type, make_lost_reason, make_source


def test_demo_reference_data_has_a_french_and_dutch_name(app):
    ensure_reference_data()
    rows = [
        row
        for model in (LeadType, LeadSource, LostReason)
        for row in db.session.scalars(select(model))
    ]
    assert len(rows) >= 15
    missing = [row.name for row in rows if not (row.name_fr and row.name_nl)]
    assert missing == []
    names = {row.name: (row.name_fr, row.name_nl) for row in rows}
    assert names["Purchase"] == ("Achat", "Aankoop")
    assert names["Bought elsewhere"] == ("Acheté ailleurs", "Elders gekocht")


@pytest.mark.parametrize(
    ("language", "type_name", "source_name"),
    [("fr", "Achat", "Site web"), ("nl", "Aankoop", "Website"), ("en", "Purchase", "Web")],
)
def test_lead_header_and_overview_show_names_in_the_readers_language(
    client, login_as, language, type_name, source_name
):
    user = login_as("sales_manager", language=language)
    lead_type = make_lead_type("Purchase")
    lead_type.name_fr, lead_type.name_nl = "Achat", "Aankoop"
    source = make_source("Web")
    source.name_fr, source.name_nl = "Site web", "Website"
    lead = make_lead(owner=user, lead_type=lead_type, source=source)
    db.session.commit()
    page = client.get(f"/admin/leads/{lead.id}").get_data(as_text=True)
    assert f'<dd class="lead-type">{type_name}</dd>' in page
    assert f'<dd class="lead-source">{source_name}</dd>' in page
    overview = client.get("/admin/lead/")
    text = overview.get_data(as_text=True)
    assert overview.status_code == 200
    assert f'<td class="col-lead_type">{type_name}</td>' in text
    new_lead = client.get("/admin/lead/new/").get_data(as_text=True)
    assert f">{type_name}</option>" in new_lead and f">{source_name}</option>" in new_lead


def test_untranslated_name_falls_back_to_the_english_one(client, login_as):
    user = login_as("salesperson", language="nl")
    lead = make_lead(owner=user, lead_type=make_lead_type("Fleet"))
    db.session.commit()
    page = client.get(f"/admin/leads/{lead.id}").get_data(as_text=True)
    assert '<dd class="lead-type">Fleet</dd>' in page


def test_lost_reason_choices_and_header_in_french(client, login_as):
    user = login_as("salesperson", language="fr")
    reason = make_lost_reason("Price too high")
    reason.name_fr, reason.name_nl = "Prix trop élevé", "Prijs te hoog"
    lead = make_lead(owner=user)
    db.session.commit()
    fields = client.get(f"/admin/leads/{lead.id}/modal/status").get_data(as_text=True)
    assert ">Prix trop élevé</option>" in fields
    response = client.post(
        f"/admin/lead-actions/{lead.id}/status",
        data={"status": "lost", "lost_reason": str(reason.id), "version": lead.version_id},
    )
    assert response.status_code == 302
    page = client.get(f"/admin/leads/{lead.id}").get_data(as_text=True)
    assert "Prix trop élevé" in page.split('class="lead-type"')[1].split("</dl>")[0]


def test_settings_edit_the_names_per_language(client, login_as):
    login_as("admin", language="fr")
    source = make_source("Event")
    db.session.commit()
    form = client.get(f"/admin/lead_source/edit/?id={source.id}")
    assert form.status_code == 200
    text = form.get_data(as_text=True)
    assert 'name="name_fr"' in text and "Nom en néerlandais" in text
    response = client.post(
        f"/admin/lead_source/edit/?id={source.id}",
        data={"name": "Event", "name_fr": " Événement ", "name_nl": "", "position": "0"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    saved = db.session.get(LeadSource, source.id)
    assert (saved.name_fr, saved.name_nl) == ("Événement", None)
