"""Issue 17: an import checked and run by a REAL worker process, with progress polled from
the status endpoint; the same file imported again changes nothing."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from carflow.extensions import db
from carflow.models import Contact
from tests.test_import import uploaded
from tests.test_jobs import start_worker, stop  # noqa: F401 - the fixture

ROWS = 1500  # 30 batches of 50: progress is seen moving
BAD_ROWS = ROWS // 500  # every 500th e-mail has no @


def _csv() -> bytes:
    lines = ["First name,Last name,Email,Mobile"]
    for n in range(ROWS):
        email = f"client{n}@example.be" if n % 500 else f"client{n}-at-example.be"
        lines.append(f"Client{n},Name{n % 50},{email},+32470{n:06d}")
    return ("\n".join(lines) + "\n").encode()


def _follow(client, import_id: int, until: str) -> list[dict]:
    seen, deadline = [], time.monotonic() + 180
    while time.monotonic() < deadline:
        status = client.get(f"/admin/import/{import_id}/status").get_json()
        if not seen or status != seen[-1]:
            seen.append(status)
        if status["status"] in (until, "failed"):
            return seen
        time.sleep(0.05)
    raise AssertionError(f"no {until} in time: {seen[-1:]}")


def _run(client, data: bytes) -> tuple[list[dict], list[dict]]:
    record = uploaded(client, data, "clients.csv")
    client.post(f"/admin/import/{record.id}", data={"mapping": record.mapping})
    checked = _follow(client, record.id, "checked")
    client.post(f"/admin/import/{record.id}/run")
    return checked, _follow(client, record.id, "done")


def test_a_real_worker_imports_in_batches_with_progress(client, login_as, start_worker):  # noqa: F811
    login_as("admin")
    worker = start_worker(1, CARFLOW_IMPORT_BATCH="50")
    try:
        checked, done = _run(client, _csv())
        assert checked[-1] | {"errors": BAD_ROWS, "total": ROWS, "status": "checked"} == checked[-1]
        assert done[-1]["status"] == "done" and done[-1]["created"] == ROWS - BAD_ROWS
        progress = [s["processed"] for s in done if s["status"] == "importing"]
        assert progress == sorted(progress) and len(set(progress)) > 1  # seen moving
        assert db.session.scalar(select(func.count(Contact.id))) == ROWS - BAD_ROWS

        _, again = _run(client, _csv())
        assert again[-1] | {"created": 0, "updated": 0, "unchanged": ROWS - BAD_ROWS} == again[-1]
        assert db.session.scalar(select(func.count(Contact.id))) == ROWS - BAD_ROWS
    finally:
        stop(worker)
