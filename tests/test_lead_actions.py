"""Note, assign, status and comment actions of the lead page (F13, F17, F18, F20, F34)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from carflow.extensions import db
from carflow.models import Event, Lead, LeadStatus
from tests.factories import make_branch, make_lead, make_lost_reason, make_user


def _events(lead, kind):
    return list(
        db.session.scalars(select(Event).where(Event.lead_id == lead.id, Event.kind == kind))
    )


def _event_count(lead) -> int:
    return db.session.scalar(select(func.count()).where(Event.lead_id == lead.id))


@pytest.fixture
def seller(login_as):
    return login_as("salesperson")


@pytest.fixture
def lead(seller):
    lead = make_lead(owner=seller)
    db.session.commit()
    return lead


def _url(lead, action):
    return f"/admin/lead-actions/{lead.id}/{action}"


# --- Note (F13) ---------------------------------------------------------------------------


def test_note_is_added_to_timeline_and_moves_last_activity(client, seller, lead):
    before = lead.last_activity_at
    response = client.post(_url(lead, "note"), data={"note": "  Customer called back  "})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/leads/{lead.id}?tab=details")
    [note] = _events(lead, "note")
    assert note.data == {"text": "Customer called back"} and note.actor_id == seller.id
    assert lead.last_activity_at > before
    page = client.get(f"/admin/leads/{lead.id}").get_data(as_text=True)
    assert "Customer called back" in page and "Note added." in page


@pytest.mark.parametrize("text", ["", "   ", "x" * 5001])
def test_bad_note_is_refused_and_nothing_stored(client, lead, text):
    count = _event_count(lead)
    response = client.post(_url(lead, "note"), data={"note": text})
    assert response.status_code == 400
    assert 'class="invalid-feedback d-block"' in response.get_data(as_text=True)
    assert _event_count(lead) == count


def test_note_form_page_on_get(client, lead):
    page = client.get(_url(lead, "note")).get_data(as_text=True)
    assert "Add a note" in page and lead.code in page


def test_note_is_escaped(client, lead):
    client.post(_url(lead, "note"), data={"note": "<script>alert(1)</script>"})
    page = client.get(f"/admin/leads/{lead.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- Permissions (F19, F32) ----------------------------------------------------------------

ACTIONS = [
    ("note", {"note": "hello"}),
    ("comment", {"comment": "new", "version": "1"}),
    ("status", {"status": "won", "version": "1"}),
    ("assign", {"assignee": "branch:1", "version": "1"}),
]


@pytest.mark.parametrize(("action", "data"), ACTIONS)
def test_read_only_user_gets_403_and_nothing_changes(client, login_as, action, data):
    viewer = login_as("read_only")
    lead = make_lead(owner=make_user(branch=viewer.branch))
    count, version = _event_count(lead), lead.version_id
    assert client.post(_url(lead, action), data=data).status_code == 403
    assert _event_count(lead) == count and lead.version_id == version


@pytest.mark.parametrize(("action", "data"), ACTIONS)
def test_other_branch_salesperson_gets_404(client, login_as, action, data):
    login_as("salesperson")
    lead = make_lead(owner=make_user(branch=make_branch()))
    count = _event_count(lead)
    assert client.post(_url(lead, action), data=data).status_code == 404
    assert client.get(_url(lead, action)).status_code == 404
    assert _event_count(lead) == count


# --- Status (F18) ----------------------------------------------------------------------------


def test_mark_won_sets_closed_at_and_logs(client, seller, lead):
    response = client.post(_url(lead, "status"), data={"status": "won", "version": lead.version_id})
    assert response.status_code == 302
    assert lead.status == LeadStatus.won and lead.closed_at is not None
    [event] = _events(lead, "status_changed")
    assert event.data == {"from": "open", "to": "won", "reason": None, "deadlines_closed": 1}
    page = client.get(f"/admin/leads/{lead.id}").get_data(as_text=True)
    assert "Status changed from In progress to Won" in page
    assert "bg-success" in page


def test_lost_requires_a_reason(client, lead):
    count = _event_count(lead)
    response = client.post(
        _url(lead, "status"), data={"status": "lost", "version": lead.version_id}
    )
    assert response.status_code == 400
    assert "Say why the lead was lost." in response.get_data(as_text=True)
    assert lead.status == LeadStatus.open and _event_count(lead) == count


def test_lost_with_other_needs_the_explanation(client, lead):
    data = {"status": "lost", "lost_reason": "other", "version": lead.version_id}
    response = client.post(_url(lead, "status"), data=data)
    assert response.status_code == 400
    assert "Explain the reason." in response.get_data(as_text=True)
    assert lead.status == LeadStatus.open


def test_lost_with_reason_then_reopen(client, lead):
    reason = make_lost_reason("Bought elsewhere")
    data = {"status": "lost", "lost_reason": str(reason.id), "version": lead.version_id}
    assert client.post(_url(lead, "status"), data=data).status_code == 302
    assert lead.status == LeadStatus.lost and lead.lost_reason_id == reason.id
    assert lead.closed_at is not None
    data = {"status": "open", "version": lead.version_id}
    assert client.post(_url(lead, "status"), data=data).status_code == 302
    assert lead.status == LeadStatus.open and lead.closed_at is None and lead.lost_reason is None
    lost, reopened = sorted(_events(lead, "status_changed"), key=lambda e: e.id)
    assert lost.data == {
        "from": "open",
        "to": "lost",
        "reason": "Bought elsewhere",
        "deadlines_closed": 1,
    }
    assert reopened.data == {"from": "lost", "to": "open", "reason": None}
    page = client.get(f"/admin/leads/{lead.id}").get_data(as_text=True)
    assert "Lead reopened (was Lost)" in page
    assert "reason: Bought elsewhere" in page


def test_lost_with_free_text(client, lead):
    data = {
        "status": "lost",
        "lost_reason": "other",
        "lost_reason_text": "Moved abroad",
        "version": lead.version_id,
    }
    assert client.post(_url(lead, "status"), data=data).status_code == 302
    assert lead.lost_reason_text == "Moved abroad"
    assert _events(lead, "status_changed")[0].data["reason"] == "Moved abroad"


def test_stale_status_change_is_refused(client, lead):
    stale = lead.version_id
    assert (
        client.post(_url(lead, "comment"), data={"comment": "x", "version": stale}).status_code
        == 302
    )
    response = client.post(_url(lead, "status"), data={"status": "won", "version": stale})
    assert response.status_code == 409
    assert "Someone else changed this record" in response.get_data(as_text=True)
    assert lead.status == LeadStatus.open and not _events(lead, "status_changed")


def test_same_status_is_refused(client, lead):
    response = client.post(
        _url(lead, "status"), data={"status": "open", "version": lead.version_id}
    )
    assert response.status_code == 400 and "already" in response.get_data(as_text=True)


# --- Comment (F20) ---------------------------------------------------------------------------


def test_comment_is_saved_and_logged(client, seller, lead):
    data = {"comment": "Wants a blue car", "version": lead.version_id}
    assert client.post(_url(lead, "comment"), data=data).status_code == 302
    assert lead.comment == "Wants a blue car"
    assert _events(lead, "comment_changed")[0].data == {"text": "Wants a blue car"}


def test_comment_without_version_or_stale_is_refused(client, lead):
    for version in ("", str(lead.version_id - 1)):
        response = client.post(_url(lead, "comment"), data={"comment": "x", "version": version})
        assert response.status_code == 409
        assert "Someone else changed this record" in response.get_data(as_text=True)
    assert lead.comment is None and not _events(lead, "comment_changed")


def test_comment_too_long_is_refused(client, lead):
    data = {"comment": "x" * 5001, "version": lead.version_id}
    assert client.post(_url(lead, "comment"), data=data).status_code == 400
    assert lead.comment is None


def test_concurrent_save_caught_at_flush(client, lead, monkeypatch):
    """Both forms passed the version check; the second UPDATE finds a newer row (StaleDataError)."""
    from carflow.admin import lead_actions

    real = lead_actions.leads.update_comment

    def racing(lead_, *args, **kwargs):
        db.session.execute(
            update(Lead)
            .where(Lead.id == lead_.id)
            .values(version_id=Lead.version_id + 1)
            .execution_options(synchronize_session=False)
        )
        return real(lead_, *args, **kwargs)

    monkeypatch.setattr(lead_actions.leads, "update_comment", racing)
    response = client.post(
        _url(lead, "comment"), data={"comment": "mine", "version": lead.version_id}
    )
    assert response.status_code == 409
    assert "Someone else changed this record" in response.get_data(as_text=True)
    assert lead.comment is None and not _events(lead, "comment_changed")


# --- Assign (F17) ----------------------------------------------------------------------------


def test_assign_to_user_of_another_branch_moves_the_lead(client, login_as):
    manager = login_as("sales_manager")
    lead = make_lead(owner=manager)
    other_branch = make_branch("Ghent")
    colleague = make_user(branch=other_branch, first_name="Greta", last_name="Gent")
    data = {"assignee": f"user:{colleague.id}", "version": lead.version_id}
    assert client.post(_url(lead, "assign"), data=data).status_code == 302
    assert lead.owner_id == colleague.id and lead.branch_id == other_branch.id
    [event] = _events(lead, "assigned")
    assert event.data["to_owner"] == "Greta Gent" and event.data["to_branch"] == "Ghent"
    page = client.get(f"/admin/leads/{lead.id}").get_data(as_text=True)
    assert "Assigned to Greta Gent (Ghent)" in page


def test_assign_to_branch_queue_shows_queue_in_overview_and_header(client, login_as):
    manager = login_as("sales_manager")
    lead = make_lead(owner=manager)
    ghent = make_branch("Ghent")
    data = {"assignee": f"branch:{ghent.id}", "version": lead.version_id}
    assert client.post(_url(lead, "assign"), data=data).status_code == 302
    assert lead.owner_id is None and lead.branch_id == ghent.id
    page = client.get(f"/admin/leads/{lead.id}").get_data(as_text=True)
    assert "Branch queue" in page and "Assigned to the Ghent branch queue" in page
    overview = client.get("/admin/lead/").get_data(as_text=True)
    assert "Branch queue" in overview


def test_assign_to_inactive_user_is_refused(client, lead):
    inactive = make_user(active=False)
    data = {"assignee": f"user:{inactive.id}", "version": lead.version_id}
    assert client.post(_url(lead, "assign"), data=data).status_code == 400
    assert lead.owner_id != inactive.id and not _events(lead, "assigned")


def test_assign_to_the_same_owner_is_refused(client, seller, lead):
    data = {"assignee": f"user:{seller.id}", "version": lead.version_id}
    response = client.post(_url(lead, "assign"), data=data)
    assert response.status_code == 400 and "already assigned" in response.get_data(as_text=True)


def test_stale_assign_is_refused(client, lead):
    other = make_user(branch=lead.branch)
    data = {"assignee": f"user:{other.id}", "version": lead.version_id - 1}
    assert client.post(_url(lead, "assign"), data=data).status_code == 409
    assert lead.owner_id != other.id


def test_assigning_out_of_ones_scope_returns_to_the_overview(client, seller, lead):
    ghent = make_branch("Ghent")
    data = {"assignee": f"branch:{ghent.id}", "version": lead.version_id}
    response = client.post(_url(lead, "assign"), data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/lead/")
    assert lead.branch_id == ghent.id and lead.owner_id is None
    assert client.get(f"/admin/leads/{lead.id}").status_code == 404


@pytest.mark.parametrize(
    "action", ["note", "comment", "assign", "status", "contacts/link", "contacts/new"]
)
def test_every_form_page_opens_without_javascript(client, lead, action):
    page = client.get(_url(lead, action)).get_data(as_text=True)
    assert f'action="/admin/lead-actions/{lead.id}/{action}"' in page
    assert lead.code in page and 'name="csrf_token"' in page


def test_page_in_french_with_user_timezone(client, login_as):
    user = login_as("salesperson", language="fr")
    lead = make_lead(owner=user)
    add_lead_note = client.post(_url(lead, "note"), data={"note": "Rappel"})
    assert add_lead_note.status_code == 302
    assert client.get(f"/admin/leads/{lead.id}").status_code == 200
    assert client.get(f"/admin/leads/{lead.id}?tab=contacts").status_code == 200


def test_anonymous_post_goes_to_login_and_stores_nothing(app, client):
    lead = make_lead(owner=make_user())
    count = _event_count(lead)
    response = client.post(_url(lead, "note"), data={"note": "hello"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _event_count(lead) == count
