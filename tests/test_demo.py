"""`flask carflow demo` loads a realistic dealership; every demo user can sign in."""

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from carflow.demo import DEMO_USERS
from carflow.extensions import db
from carflow.models import Branch, Lead, LeadStatus, Offer, TradeIn, utcnow
from carflow.models.report import ReportRollup


def test_demo_loads_every_status_and_items_and_refuses_a_second_run(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["carflow", "demo", "--leads", "60"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(Branch)) == 3
    statuses = set(db.session.scalars(select(Lead.status).distinct()))
    assert statuses == set(LeadStatus)
    assert db.session.scalar(select(func.count()).select_from(TradeIn)) > 0
    assert db.session.scalar(select(func.count()).select_from(Offer)) > 0
    again = runner.invoke(args=["carflow", "demo"])
    assert again.exit_code != 0 and "already has users" in again.output

    for email, password, _role in DEMO_USERS:
        response = client.post("/login", data={"email": email, "password": password})
        assert response.status_code == 302, email
        assert client.get("/admin/").status_code in (200, 302)
        client.post("/logout")


def test_the_demo_dashboard_shows_the_demo_figures(app, client):
    """Issue 16: the demo's leads reach the reports' roll-up (kept by the same transaction
    as the leads), so the manager's dashboard counts them at once."""
    runner = app.test_cli_runner()
    assert runner.invoke(args=["carflow", "demo", "--leads", "60"]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(ReportRollup)) > 0
    response = client.post(
        "/login", data={"email": "manager@carflow.example", "password": "carflow-demo"}
    )
    assert response.status_code == 302
    page = client.get("/admin/reports/?period=this_year")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    charts = json.loads(
        re.search(r'<script type="application/json"[^>]*>(.*?)</script>', html, re.S).group(1)
    )
    zone = ZoneInfo("Europe/Brussels")
    start = datetime(utcnow().astimezone(zone).year, 1, 1, tzinfo=zone)
    created = [c for c in db.session.scalars(select(Lead.created_at)) if c >= start]
    assert charts["funnel"]["datasets"][0]["data"][0] == len(created) > 0
