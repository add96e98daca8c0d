"""One unit of work per request or command: the only place that commits and rolls back.

Services change the session and flush; they never commit. A view runs its service call
through `run_action`, a CLI command or a job through `unit_of_work()`; both commit once,
or roll back everything on any error. Work that must wait for the commit (enqueueing a
job, removing a deleted document's file) is registered with `after_commit` and runs only
if the commit succeeds; a rollback drops it. Work that undoes something outside the
database (removing a file just stored) is registered with `on_rollback`.

A stale version (SQLAlchemy's `StaleDataError` at flush, or a service's
`StaleVersionError`) becomes one `StaleVersionError` with the one message below.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from carflow.extensions import db
from carflow.services.errors import STALE_MESSAGE, ServiceError, StaleVersionError

T = TypeVar("T")
logger = logging.getLogger(__name__)

_AFTER_COMMIT = "carflow_after_commit"
_ON_ROLLBACK = "carflow_on_rollback"


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
        rollback()
        return None, StaleVersionError(STALE_MESSAGE)
    except ServiceError as error:
        rollback()
        return None, error
    except BaseException:
        rollback()
        raise
    return result, None


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """Commit what the block did, or roll it all back on any exception (CLI and jobs)."""
    try:
        yield db.session
        db.session.commit()
    except BaseException:
        rollback()
        raise


def rollback() -> None:
    """Roll back the session and run the on-rollback work (also when nothing was begun)."""
    db.session.rollback()
    _rolled_back(db.session)


def after_commit(callback: Callable[[], object]) -> None:
    """Run `callback` once the current transaction commits; dropped if it rolls back."""
    db.session.info.setdefault(_AFTER_COMMIT, []).append(callback)


def on_rollback(callback: Callable[[], object]) -> None:
    """Run `callback` if the current transaction rolls back (e.g. remove a file it stored)."""
    db.session.info.setdefault(_ON_ROLLBACK, []).append(callback)


def _run(callbacks: list[Callable[[], object]], when: str) -> None:
    """Run each callback; a failure is logged and never undoes the transaction's outcome."""
    for callback in callbacks:
        try:
            callback()
        except Exception:
            logger.exception("%s work %r failed", when, callback)


def _after_commit(session: Session) -> None:
    session.info.pop(_ON_ROLLBACK, None)
    _run(session.info.pop(_AFTER_COMMIT, []), "after-commit")


def _rolled_back(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT, None)
    _run(session.info.pop(_ON_ROLLBACK, []), "on-rollback")


def _after_rollback(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:  # a savepoint: the outer transaction decides
        _rolled_back(session)


def install_after_commit_hooks() -> None:
    """Attach the after-commit and on-rollback runners to every session (idempotent)."""
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)
