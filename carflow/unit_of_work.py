"""One unit of work per request or command: the only place that commits and rolls back.

Services change the session and flush; they never commit. A view runs its service call
through `run_action`, a CLI command or a job through `unit_of_work()`; both commit once,
or roll back everything on any error. Work that must wait for the commit (enqueueing a
job, removing a file) is registered with `after_commit` and runs only if the commit
succeeds; a rollback drops it.

A stale version (SQLAlchemy's `StaleDataError` at flush, or a service's
`StaleVersionError`) becomes one `StaleVersionError` with the one message below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from carflow.extensions import db
from carflow.services.errors import ServiceError, StaleVersionError

T = TypeVar("T")

STALE_MESSAGE = _l(
    "Someone else changed this record while you were editing it. "
    "Your changes were not saved: reload the page and try again."
)

_AFTER_COMMIT = "carflow_after_commit"


def run_action(call: Callable[[], T]) -> tuple[T | None, ServiceError | None]:
    """Run one service call and commit once.

    Returns `(result, None)` after a successful commit, or `(None, error)` after a rollback
    when the service refused (`ServiceError`) or the record was saved meanwhile by someone
    else (`StaleVersionError` with `STALE_MESSAGE`). Any other exception rolls back and
    propagates to the request's error handlers.
    """
    try:
        result = call()
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return None, StaleVersionError(STALE_MESSAGE)
    except ServiceError as error:
        db.session.rollback()
        return None, error
    except BaseException:
        db.session.rollback()
        raise
    return result, None


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """Commit what the block did, or roll it all back on any exception (CLI and jobs)."""
    try:
        yield db.session
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def after_commit(callback: Callable[[], object]) -> None:
    """Run `callback` once the current transaction commits; dropped if it rolls back."""
    db.session.info.setdefault(_AFTER_COMMIT, []).append(callback)


def _run_after_commit(session: Session) -> None:
    callbacks = session.info.pop(_AFTER_COMMIT, [])
    for callback in callbacks:
        callback()


def _drop_after_commit(session: Session, *_args) -> None:
    session.info.pop(_AFTER_COMMIT, None)


def install_after_commit_hooks() -> None:
    """Attach the after-commit runner to every session (idempotent)."""
    if not event.contains(Session, "after_commit", _run_after_commit):
        event.listen(Session, "after_commit", _run_after_commit)
        event.listen(Session, "after_soft_rollback", _drop_after_commit)
