"""Issue 14 item 8: the lead page renders its modals' shells only; each modal's fields
come from `lead_page.modal_body` when it opens, with the version the page showed."""

from __future__ import annotations

import re

from carflow.extensions import db
from tests.factories import make_branch, make_lead, make_lost_reason, make_user


def _body(client, lead, name, **args):
    return client.get(f"/admin/leads/{lead.id}/modal/{name}", query_string=args)


def test_the_page_has_the_modal_shells_and_where_their_fields_come_from(client, login_as):
    user = login_as("sales_manager")
    lead = make_lead(owner=user)
    db.session.commit()
    html = client.get(f"/admin/leads/{lead.id}").get_data(as_text=True)
    for name in ("note", "assign", "status"):
        url = f"/admin/leads/{lead.id}/modal/{name}?version={lead.version_id}"
        assert f'id="modal-{name}"' in html and f'data-body-url="{url}"' in html
    assert 'id="m-note"' not in html and 'name="assignee"' not in html


def test_each_modal_body_holds_its_fields(client, login_as):
    user = login_as("sales_manager", first_name="Greta", last_name="Peeters")
    make_lost_reason("Too expensive")
    lead = make_lead(owner=user)
    db.session.commit()
    note = _body(client, lead, "note")
    assert note.status_code == 200 and re.search(r'<textarea[^>]*id="m-note"', note.text)
    assign = _body(client, lead, "assign", version=lead.version_id)
    assert assign.status_code == 200 and "Greta Peeters" in assign.text
    assert f'id="m-assign-version" name="version" type="hidden" value="{lead.version_id}"' in (
        assign.text
    )
    status = _body(client, lead, "status")
    assert status.status_code == 200 and "Too expensive" in status.text
    assert 'name="lost_reason_text"' in status.text
    assert "<html" not in status.text  # a fragment, not a page


def test_the_body_keeps_the_version_the_page_showed(client, login_as):
    """A change made after the page was shown is refused on submit, not overwritten."""
    user = login_as("sales_manager")
    lead = make_lead(owner=user)
    db.session.commit()
    shown = lead.version_id
    lead.comment = "changed by someone else"
    db.session.commit()
    assert lead.version_id != shown
    body = _body(client, lead, "assign", version=shown).text
    assert f'value="{shown}"' in body
    answer = client.post(
        f"/admin/lead-actions/{lead.id}/assign",
        data={"version": str(shown), "assignee": f"user:{user.id}"},
    )
    assert answer.status_code == 409


def test_modal_bodies_follow_the_permissions(client, login_as):
    viewer = login_as("read_only")
    lead = make_lead(owner=make_user(branch=viewer.branch), branch=viewer.branch)
    other = make_lead(owner=make_user(branch=make_branch()))
    db.session.commit()
    assert _body(client, lead, "assign").status_code == 403
    assert _body(client, lead, "nonsense").status_code == 404
    login_as("salesperson", branch_=viewer.branch)
    assert _body(client, other, "note").status_code == 404  # another branch's lead
    assert _body(client, lead, "note").status_code == 200
