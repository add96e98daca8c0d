"""Run what an app put on its job queue, in the test process (the real SqliteHuey file).

Tests of views use this to play the worker's part deterministically; tests/test_jobs*.py
run a real worker process as well.
"""

from __future__ import annotations

from carflow.jobs import jobs_for


def run_queued_jobs(app, limit: int = 100) -> int:
    """Execute queued tasks (and retries queued meanwhile) until the queue is empty."""
    huey = jobs_for(app).huey
    done = 0
    while done < limit and (task := huey.dequeue()) is not None:
        huey.execute(task)
        done += 1
    return done


def queued_count(app) -> int:
    """How many tasks wait in the app's queue."""
    return jobs_for(app).huey.pending_count()
