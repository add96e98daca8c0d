"""Issue 15 item 3: automatic assignment of new leads (rules, round robin, absences,
open-lead limits, the branch queue), each a timeline event naming the rule."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from sqlalchemy import select

from carflow.extensions import db
from carflow.models import AssignmentRule, BranchAssignment, Deadline, Event, LeadStatus, utcnow
from carflow.services.assignment import assign_new_lead
from carflow.timeline import describe_event
from carflow.unit_of_work import unit_of_work
from tests.factories import make_branch, make_lead, make_lead_type, make_source, make_user


def _round_robin(branch, **values) -> BranchAssignment:
    setting = BranchAssignment(branch_id=branch.id, mode="round_robin", **values)
    db.session.add(setting)
    db.session.flush()
    return setting


def _new_lead(branch, channel="api", **overrides):
    lead = make_lead(branch=branch, **overrides)
    assign_new_lead(lead, channel=channel)
    return lead


def _assigned_event(lead) -> Event:
    return db.session.scalar(
        select(Event).where(Event.lead_id == lead.id, Event.kind == "auto_assigned")
    )


def _sentence(event) -> str:
    with force_locale("en"):
        return describe_event(event)


def test_round_robin_takes_turns_and_names_the_rule(app):
    ghent = make_branch("Ghent")
    _round_robin(ghent)
    anna = make_user(branch=ghent, first_name="Anna", last_name="A")
    bart = make_user(branch=ghent, first_name="Bart", last_name="B")
    make_user("read_only", branch=ghent)
    make_user("receptionist", branch=ghent)
    make_user(branch=ghent, active=False)
    owners = [_new_lead(ghent).owner for _ in range(5)]
    assert owners == [anna, bart, anna, bart, anna]
    lead = _new_lead(ghent)
    assert lead.owner == bart
    event = _assigned_event(lead)
    assert _sentence(event) == "Assigned to Bart B by rule 'Ghent, round robin'"
    deadline = db.session.scalar(select(Deadline).where(Deadline.lead_id == lead.id))
    assert deadline.owner_id == bart.id  # the task overview follows the owner


def test_a_rule_moves_the_lead_to_its_branch(app):
    brussels, ghent = make_branch("Brussels"), make_branch("Ghent")
    website = make_source("Website")
    _round_robin(ghent)
    carla = make_user(branch=ghent, first_name="Carla", last_name="C")
    db.session.add(
        AssignmentRule(
            name="Website → Ghent, round robin", channel="website", source=website, branch=ghent
        )
    )
    lead = _new_lead(brussels, channel="website", source=website)
    assert lead.branch == ghent and lead.owner == carla
    assert _sentence(_assigned_event(lead)) == (
        "Assigned to Carla C by rule 'Website → Ghent, round robin'"
    )
    other = _new_lead(brussels, channel="api", source=website)  # channel does not match
    assert other.branch == brussels and other.owner is None


def test_rules_match_on_lead_type_in_position_order(app):
    home, sales, lease = make_branch(), make_branch("Sales"), make_branch("Lease")
    lease_type = make_lead_type("Lease")
    db.session.add_all(
        [
            AssignmentRule(name="any", position=2, branch=sales),
            AssignmentRule(name="lease", position=1, lead_type=lease_type, branch=lease),
            AssignmentRule(name="off", position=0, branch=home, active=False),
        ]
    )
    assert _new_lead(home, lead_type=lease_type).branch == lease
    assert _new_lead(home).branch == sales


def test_absent_users_and_full_users_are_skipped(app):
    ghent = make_branch("Ghent")
    _round_robin(ghent, max_open_leads=2)
    today = utcnow().astimezone(ZoneInfo("Europe/Brussels")).date()
    away = make_user(branch=ghent, absent_from=today - timedelta(days=1), absent_until=today)
    back = make_user(branch=ghent, absent_until=today - timedelta(days=1))
    busy = make_user(branch=ghent, max_open_leads=0)
    leads = [_new_lead(ghent) for _ in range(2)]
    owners = [lead.owner for lead in leads]
    assert owners == [back, back]
    lead = _new_lead(ghent)  # back has 2 open leads: nobody is available
    assert lead.owner is None
    assert _sentence(_assigned_event(lead)) == (
        "Left in the Ghent branch queue by rule 'Ghent, round robin' — nobody available"
    )
    leads[0].status = LeadStatus.won  # a closed lead no longer counts
    db.session.flush()
    assert _new_lead(ghent).owner == back
    assert away not in owners and busy not in owners


def test_queue_mode_leaves_the_lead_in_the_branch_queue(app):
    ghent = make_branch("Ghent")
    db.session.add(BranchAssignment(branch_id=ghent.id, mode="queue"))
    make_user(branch=ghent)
    lead = _new_lead(ghent)
    assert lead.owner is None
    assert (
        _sentence(_assigned_event(lead)) == "Left in the Ghent branch queue by rule 'Ghent, queue'"
    )
    without_setting = _new_lead(make_branch("Liège"))
    assert without_setting.owner is None


def test_the_event_reads_in_the_readers_language(app):
    ghent = make_branch("Ghent")
    _round_robin(ghent)
    make_user(branch=ghent, first_name="Dirk", last_name="D")
    event = _assigned_event(_new_lead(ghent))
    with force_locale("fr"):
        assert "Dirk D" in describe_event(event)


def test_assignment_commits_with_the_lead(app):
    ghent = make_branch("Ghent")
    _round_robin(ghent)
    user = make_user(branch=ghent)
    db.session.commit()
    with unit_of_work():
        lead = _new_lead(ghent, now=utcnow())
    db.session.expire_all()
    assert lead.owner_id == user.id
    assert db.session.get(BranchAssignment, ghent.id).last_user_id == user.id


def test_the_lead_page_shows_the_assignment_event(app, client, login_as):
    ghent = make_branch("Ghent")
    _round_robin(ghent)
    make_user(branch=ghent, first_name="Eva", last_name="E")
    lead = _new_lead(ghent)
    login_as("admin", language="fr")
    page = client.get(f"/admin/leads/{lead.id}")
    assert page.status_code == 200
    assert "Attribué à Eva E par la règle « Ghent, rotation »" in page.text.replace("\xa0", " ")


def test_a_lead_moved_by_a_rule_counts_its_deadline_in_the_new_branchs_hours(app):
    from datetime import UTC, datetime

    from carflow.models import AccountSettings

    AccountSettings.get().count_deadlines_in_opening_hours = True
    always_open = make_branch("Online")
    mornings = make_branch("Ghent", opening_hours_sales={"mon": [["09:00", "12:00"]]})
    db.session.add(AssignmentRule(name="all to Ghent", branch=mornings))
    sunday = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    lead = make_lead(branch=always_open, lead_type=make_lead_type(delay_minutes=60), now=sunday)
    assert lead.next_deadline_at == datetime(2026, 11, 29, 13, 0, tzinfo=UTC)
    assign_new_lead(lead, channel="api")
    monday_10 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Monday 09:00 + 60 min, Brussels
    deadline = db.session.scalar(select(Deadline).where(Deadline.lead_id == lead.id))
    assert deadline.due_at == monday_10 and lead.next_deadline_at == monday_10
