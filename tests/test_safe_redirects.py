"""Every `next` / redirect target goes through `carflow.safe_url` (issue 12)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from carflow.extensions import db
from carflow.models import LeadType
from carflow.safe_url import is_safe_path, safe_next
from tests.factories import make_lead, make_task

HOSTILE = [
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\r\n/evil.example",
    "/\n/evil.example",
    "/admin\x00",
    "/admin\x7f",
    " //evil.example",
    "\t//evil.example",
    "https://evil.example/",
    "http:/evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,hi",
    "evil.example",
    "admin/tasks",
    "",
    None,
    "/" + "a" * 5000,
]


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_targets_are_refused(target):
    assert not is_safe_path(target)


@pytest.mark.parametrize(
    "target", ["/admin/tasks/", "/admin/tasks/?after=abc&user=3", "/admin/leads/12#followup"]
)
def test_local_paths_are_kept(app, target):
    assert is_safe_path(target)
    with app.test_request_context():
        assert safe_next(target) == target
        assert safe_next("//evil.example") == "/admin/"
        assert safe_next("//evil.example", "/admin/tasks/") == "/admin/tasks/"


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\r\n/evil.example", "//evil.example"])
def test_task_complete_and_reopen_refuse_a_hostile_next(client, login_as, target):
    user = login_as("salesperson")
    task = make_task(make_lead(owner=user))
    done = client.post(
        f"/admin/task/{task.id}/complete", data={"version": task.version_id, "next": target}
    )
    assert done.status_code == 302
    assert done.headers["Location"] == f"/admin/task/{task.id}"
    assert task.completed_at is not None
    reopened = client.post(
        f"/admin/task/{task.id}/reopen", data={"version": task.version_id, "next": target}
    )
    assert reopened.status_code == 302
    assert reopened.headers["Location"] == f"/admin/task/{task.id}"
    assert task.completed_at is None


def test_task_complete_follows_a_local_next(client, login_as):
    user = login_as("salesperson")
    task = make_task(make_lead(owner=user))
    done = client.post(
        f"/admin/task/{task.id}/complete",
        data={"version": task.version_id, "next": "/admin/tasks/?view=list"},
    )
    assert done.status_code == 302 and done.headers["Location"] == "/admin/tasks/?view=list"


@pytest.mark.parametrize("target", ["javascript:alert(1)", "//evil.example", "/\t/evil.example"])
def test_task_page_back_link_ignores_a_hostile_next(client, login_as, target):
    user = login_as("salesperson")
    task = make_task(make_lead(owner=user))
    page = client.get(f"/admin/task/{task.id}", query_string={"next": target})
    assert page.status_code == 200
    assert "evil.example" not in page.text and "javascript:" not in page.text
    assert 'href="/admin/tasks/"' in page.text


@pytest.mark.parametrize("target", ["/\t/evil.example", "//evil.example", "/\r\n/x"])
def test_login_refuses_a_hostile_next(client, login_as, target):
    login_as("salesperson")
    response = client.get("/login", query_string={"next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"


@pytest.mark.parametrize(
    "target", ["/\t/evil.example", "/\r\n/evil.example", "/\x00/x", "\r", "\n"]
)
def test_flask_admin_url_parameter_with_control_characters_is_refused(client, login_as, target):
    login_as("admin")
    response = client.post(
        "/admin/lead_type/new/", query_string={"url": target}, data={"name": "T", "position": "0"}
    )
    assert response.status_code == 400
    assert "The return address of this page is not a page of this site." in response.text
    assert db.session.scalars(select(LeadType).filter_by(name="T")).all() == []


def test_flask_admin_local_return_url_is_followed(client, login_as):
    login_as("admin")
    response = client.post(
        "/admin/lead_type/new/",
        query_string={"url": "/admin/lead_type/?page=0"},
        data={"name": "T", "position": "0"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/lead_type/?page=0"
    assert db.session.scalars(select(LeadType).filter_by(name="T")).one().name == "T"
