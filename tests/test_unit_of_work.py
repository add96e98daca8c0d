"""Issue 12: one unit of work — commit once or roll back everything; work that waits for
the commit; a stale version becomes the one StaleVersionError."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from carflow.extensions import db
from carflow.models import Lead
from carflow.services.errors import STALE_MESSAGE, ServiceError, StaleVersionError
from carflow.unit_of_work import after_commit, on_rollback, run_action, unit_of_work
from tests.factories import make_lead


def _comment_in_database(lead_id: int) -> str | None:
    with db.engine.connect() as connection:
        return connection.scalar(select(Lead.comment).where(Lead.id == lead_id))


def test_run_action_commits_once_and_returns_the_result(app):
    lead = make_lead()
    db.session.commit()

    def call():
        lead.comment = "Wants a blue car"
        return "done"

    assert run_action(call) == ("done", None)
    assert _comment_in_database(lead.id) == "Wants a blue car"


def test_a_refusal_rolls_everything_back(app):
    lead = make_lead(comment="before")
    db.session.commit()

    def call():
        lead.comment = "half done"
        db.session.flush()
        raise ServiceError("refused", field="comment")

    result, error = run_action(call)
    assert result is None and error.message == "refused" and error.field == "comment"
    assert _comment_in_database(lead.id) == "before"


def test_a_stale_flush_becomes_the_one_stale_error(app):
    lead = make_lead(comment="before")
    db.session.commit()
    lead_id, version = lead.id, lead.version_id
    with db.engine.begin() as other:  # someone else saves the lead meanwhile
        other.execute(
            update(Lead).where(Lead.id == lead_id).values(comment="theirs", version_id=version + 1)
        )

    def call():
        lead.comment = "mine"
        db.session.flush()

    result, error = run_action(call)
    assert result is None and isinstance(error, StaleVersionError)
    assert str(error.message) == str(STALE_MESSAGE)
    assert _comment_in_database(lead_id) == "theirs"


def test_other_errors_roll_back_and_propagate(app):
    lead = make_lead(comment="before")
    db.session.commit()

    def call():
        lead.comment = "half done"
        db.session.flush()
        raise RuntimeError("bug")

    with pytest.raises(RuntimeError):
        run_action(call)
    assert _comment_in_database(lead.id) == "before"


def test_after_commit_work_runs_only_after_the_commit(app):
    ran: list[str] = []
    lead = make_lead()
    db.session.commit()

    def refused():
        after_commit(lambda: ran.append("enqueued for a refused action"))
        on_rollback(lambda: ran.append("file removed"))
        raise ServiceError("no")

    def accepted():
        lead.comment = "ok"
        after_commit(lambda: ran.append(f"enqueued, comment={_comment_in_database(lead.id)}"))
        on_rollback(lambda: ran.append("file removed for an accepted action"))

    run_action(refused)
    run_action(accepted)
    assert ran == ["file removed", "enqueued, comment=ok"]


def test_failing_after_commit_work_does_not_undo_the_commit(app):
    lead = make_lead()
    db.session.commit()

    def call():
        lead.comment = "kept"
        after_commit(lambda: 1 / 0)

    assert run_action(call) == (None, None)
    assert _comment_in_database(lead.id) == "kept"


def test_unit_of_work_block_commits_or_rolls_back(app):
    with unit_of_work():
        make_lead(comment="from a command")
    with pytest.raises(ValueError), unit_of_work():
        make_lead(comment="never stored")
        raise ValueError("the command failed")
    comments = db.session.scalars(select(Lead.comment)).all()
    assert comments == ["from a command"]
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 1
