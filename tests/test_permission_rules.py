"""F32: the branch-scope rules named in `carflow.permissions`, asked directly (issue 14).

The views (task page, task overview filters, new-lead form) only call these; the endpoint
matrix in test_permission_matrix.py checks the answers they lead to.
"""

from __future__ import annotations

from sqlalchemy import select

from carflow.extensions import db
from carflow.models import Branch
from carflow.permissions import can_see_task, scope_branches, users_in_scope
from tests.factories import make_branch, make_lead, make_task, make_user


def test_a_task_without_a_lead_is_seen_by_its_people_and_by_view_all(app, branch):
    other = make_branch()
    assignee, creator = make_user(branch=branch), make_user(branch=branch)
    task = make_task(assignee=assignee, actor=creator)
    colleague, manager = make_user(branch=branch), make_user("sales_manager", branch=other)
    assert task.lead_id is None
    seen = {u.id: can_see_task(u, task) for u in (assignee, creator, colleague, manager)}
    assert seen == {assignee.id: True, creator.id: True, colleague.id: False, manager.id: True}


def test_a_task_on_a_lead_follows_the_lead_scope(app, branch):
    owner = make_user(branch=branch)
    task = make_task(lead=make_lead(owner=owner, branch=branch), assignee=owner)
    colleague = make_user(branch=branch)
    stranger = make_user(branch=make_branch())
    stranger_manager = make_user("sales_manager", branch=make_branch())
    assert can_see_task(colleague, task) and can_see_task(stranger_manager, task)
    assert not can_see_task(stranger, task)


def test_branches_and_users_in_scope(app, branch):
    other = make_branch()
    me, colleague = make_user(branch=branch), make_user(branch=branch)
    stranger, manager = make_user(branch=other), make_user("sales_manager", branch=other)
    everyone = [me, colleague, stranger, manager]

    def branch_ids(user):
        query = scope_branches(select(Branch.id).order_by(Branch.id), user)
        return db.session.scalars(query).all()

    assert branch_ids(me) == [branch.id]
    assert branch_ids(manager) == sorted([branch.id, other.id])
    assert users_in_scope(me, everyone) == [me, colleague]
    assert users_in_scope(stranger, everyone) == [stranger, manager]
    assert users_in_scope(manager, everyone) == everyone
