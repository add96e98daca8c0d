"""Issue 13 (F27–F29): the task overview's Kind cell is a badge written by the template,
not escaped markup; every cell carries its column label for the phone layout."""

from carflow.extensions import db
from tests.factories import make_appointment, make_lead, make_task


def test_kind_cell_is_a_rendered_badge(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    make_task(lead, title="Call <b>back</b>")
    make_appointment(lead, owner=user)
    db.session.commit()
    response = client.get("/admin/tasks/")
    assert response.status_code == 200
    html = response.text
    assert "&lt;span" not in html and "&lt;i class" not in html
    for color, icon, label in (
        ("warning", "fa-clock-o", "Deadline"),
        ("info", "fa-tasks", "Task"),
        ("secondary", "fa-car", "Test drive"),
    ):
        assert (
            f'<span class="badge badge-{color} kind-badge"><i class="fa {icon}" '
            f'aria-hidden="true"></i> {label}</span>'
        ) in html
    assert "Call &lt;b&gt;back&lt;/b&gt;" in html  # titles stay escaped
    assert 'data-label="Due / start"' in html and 'data-label="What"' in html
    assert "css/task_overview.css" in html


def test_kind_badge_is_translated(client, login_as):
    user = login_as("salesperson")
    user.language = "fr"
    make_task(make_lead(owner=user))
    db.session.commit()
    html = client.get("/admin/tasks/").text
    assert 'aria-hidden="true"></i> Tâche</span>' in html
