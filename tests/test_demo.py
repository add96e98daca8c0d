"""`flask carflow demo` loads a realistic dealership; every demo user can sign in."""

from sqlalchemy import func, select

from carflow.demo import DEMO_USERS
from carflow.extensions import db
from carflow.models import Branch, Lead, LeadStatus, Offer, TradeIn


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
