"""Tasks (F16, F28): the lead page's Task button, the task page (edit, complete, reopen).

A task is loaded through its lead's scope: a user of another branch typing its id gets 404.
`register_task_views(admin)` adds every view of this feature (tasks, overview, deadlines,
deadline settings).
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from carflow.admin.actions import form_status, press_button, submit_form
from carflow.admin.base import HiddenView
from carflow.admin.lead_page import get_visible_lead
from carflow.admin.task_forms import TaskForm, VersionForm
from carflow.extensions import db
from carflow.lead_page_parts import register_lead_action
from carflow.models import Task, User, utcnow
from carflow.permissions import can, can_see_task
from carflow.safe_url import safe_next
from carflow.services.opening_hours import local_to_utc, utc_to_local
from carflow.services.tasks import (
    complete_task,
    eligible_assignees,
    is_task_overdue,
    reopen_task,
    schedule_task,
    task_end,
    update_task,
)

register_lead_action(
    "task", _l("Task"), "fa-tasks", action="task.manage", endpoint="task_page.create", order=70
)


def get_visible_task(task_id: int, action: str = "task.view") -> Task:
    """The task if the user may see it (404) and do `action` (403)."""
    task = db.session.get(Task, task_id)
    if task is None:
        abort(404)
    if task.lead_id is not None:
        get_visible_lead(task.lead_id, action)
        return task
    if not can_see_task(current_user, task):
        abort(404)
    if not can(current_user, action):
        abort(403)
    return task


def _fill_assignees(form: TaskForm, lead) -> None:
    form.assignee_id.choices = [(u.id, u.full_name) for u in eligible_assignees(lead)]


def _save_task(form: TaskForm, lead, task: Task | None):
    """Run the service for the form in one unit of work (refusals go on the form)."""
    assignee = db.session.get(User, form.assignee_id.data)
    start = local_to_utc(form.starts_at.data, current_user.timezone)
    fields = dict(
        title=form.title.data,
        assignee=assignee,
        starts_at=start,
        duration_minutes=form.duration.data,
        description=form.description.data or "",
    )

    def call():
        if task is None:
            return schedule_task(lead, current_user, **fields)
        update_task(task, current_user, form.version.data, **fields)
        return task

    return submit_form(form, call)


class TaskPageView(HiddenView):
    """The task page of its own (F28) and the lead page's Task form (F16)."""

    required_action = "task.view"

    @expose("/")
    def index(self):
        return redirect(url_for("tasks.index"))

    @expose("/new/<int:lead_id>", methods=("GET", "POST"))
    def create(self, lead_id: int):
        """F16: schedule a task for this lead."""
        lead = get_visible_lead(lead_id, "task.manage")
        form, outcome = TaskForm(), None
        _fill_assignees(form, lead)
        if form.validate_on_submit():
            outcome = _save_task(form, lead, None)
            if outcome.ok:
                flash(_("Task “%(title)s” scheduled.", title=outcome.result.title), "success")
                return redirect(url_for("lead_page.page", lead_id=lead.id, tab="details"))
        elif request.method == "GET":
            form.assignee_id.data = lead.owner_id or current_user.id
            form.starts_at.data = utc_to_local(utcnow(), current_user.timezone).replace(
                second=0, microsecond=0
            )
        page = self.render(
            "admin/tasks/task_form.html", lead=lead, form=form, action_title=_("New task")
        )
        return page, form_status(form, outcome)

    @expose("/<int:id>", methods=("GET", "POST"))
    def page(self, id: int):
        """The task: its details, the edit form, complete / reopen."""
        task = get_visible_task(id)
        form, outcome = TaskForm(), None
        _fill_assignees(form, task.lead)
        if request.method == "POST":
            get_visible_task(id, "task.manage")
            if form.validate_on_submit():
                outcome = _save_task(form, task.lead, task)
                if outcome.ok:
                    flash(_("Task saved."), "success")
                    return redirect(url_for(".page", id=task.id))
        else:
            form.process(
                data=dict(
                    title=task.title,
                    assignee_id=task.assignee_id,
                    starts_at=utc_to_local(task.starts_at, current_user.timezone),
                    duration=task.duration_minutes,
                    description=task.description,
                    version=task.version_id,
                )
            )
        return self._render_page(task, form), form_status(form, outcome)

    def _render_page(self, task: Task, form):
        now = utcnow()
        return self.render(
            "admin/tasks/task_page.html",
            task=task,
            lead=task.lead,
            form=form,
            end=task_end(task),
            overdue=is_task_overdue(task, now),
            may_manage=can(current_user, "task.manage", task.lead),
            back=safe_next(request.args.get("next"), url_for("tasks.index")),
        )

    @expose("/<int:id>/complete", methods=("POST",))
    def complete(self, id: int):
        """Mark the task done (F16: message on the lead's timeline)."""
        return self._change(id, complete_task, _("Task completed."))

    @expose("/<int:id>/reopen", methods=("POST",))
    def reopen(self, id: int):
        """Open a completed task again."""
        return self._change(id, reopen_task, _("Task reopened."))

    def _change(self, id: int, service, message: str):
        task = get_visible_task(id, "task.manage")
        form = VersionForm()
        target = safe_next(request.form.get("next"), url_for(".page", id=task.id))
        if not form.validate_on_submit():
            abort(400)
        press_button(lambda: service(task, current_user, form.version.data or None), message)
        return redirect(target)


def register_task_views(admin) -> None:
    """Tasks menu, task pages, follow-up endpoints, deadline settings."""
    from carflow.admin.deadline_settings import DeadlineSettingsView
    from carflow.admin.deadlines import DeadlineView
    from carflow.admin.task_overview import TaskOverviewView

    admin.add_view(TaskOverviewView(name=_l("Tasks"), endpoint="tasks", url="/admin/tasks"))
    admin.add_view(TaskPageView(name=_l("Task"), endpoint="task_page", url="/admin/task"))
    admin.add_view(DeadlineView(name=_l("Deadline"), endpoint="deadline", url="/admin/deadline"))
    admin.add_view(
        DeadlineSettingsView(
            name=_l("Purchase – Opportunity deadlines"),
            endpoint="deadline_settings",
            url="/admin/settings/deadlines",
            category=_l("Settings"),
        )
    )
