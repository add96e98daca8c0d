"""Benchmark runner: `python -m bench.run [--database-url URL] [--runs 20]`.

Times pages in-process with the Flask test client, after a warm-up, logged in as the
generator's view-all user; prints median / p90 / SQL query count per scenario and writes
bench/results/<db>-<leads>.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import event, func, select

from bench.floor import floor_ms
from carflow.extensions import db
from carflow.models import Contact, Lead, LeadStatus, TradeIn, User
from carflow.services.overview import encode_cursor

RESULTS = Path(__file__).parent / "results"


def _scenarios(app) -> list[tuple[str, str]]:
    """(name, URL) pairs, chosen from the data so that each one finds rows."""
    from bench.generate import big_lead_id

    s = db.session
    leads = s.scalar(select(func.max(Lead.id)))
    middle = s.get(Lead, leads // 2)
    deep = encode_cursor(0, [middle.created_at, middle.id])
    owner = s.scalar(select(func.min(Lead.owner_id)))  # the same owner on every database
    contact = s.get(Contact, s.scalar(select(Lead.contact_id).where(Lead.id == leads - 10)))
    plate = s.scalar(select(TradeIn.plate).order_by(TradeIn.id.desc()).limit(1)) or "1-ABC"
    with app.test_request_context():
        flt = _filter_indexes(app)
    small = s.scalar(select(Lead.id).where(Lead.id != big_lead_id(leads)).limit(1))
    scenarios = [
        ("overview page 1", "/admin/lead/"),
        ("overview deep page", f"/admin/lead/?after={deep}"),
        (
            "filter status+owner",
            f"/admin/lead/?flt0_{flt['Status']}=open&flt1_{flt['Owner']}={owner}",
        ),
        ("filter overdue", f"/admin/lead/?flt0_{flt['Deadline']}=overdue"),
        ("search last name", "/admin/lead/?search=" + quote(contact.last_name.split()[0])),
        ("search phone", "/admin/lead/?search=" + quote((contact.mobile or contact.phone)[:9])),
        ("search plate", "/admin/lead/?search=" + quote(plate.replace("-", ""))),
        ("lead page 2,000 events", f"/admin/leads/{big_lead_id(leads)}"),
        ("lead page small", f"/admin/leads/{small}"),
        ("contacts list page 1", "/admin/contact/"),  # Flask-Admin's stock list
    ]
    tasks = _task_overview_url(app, owner)
    if tasks:
        scenarios.append(("task overview (one user)", tasks))
    return scenarios


def _filter_indexes(app) -> dict[str, int]:
    view = app.view_functions["lead.index_view"].__self__  # the LeadView instance
    return {str(f.name): i for i, f in enumerate(view.get_filters())}


def _task_overview_url(app, user_id) -> str | None:
    """The task overview, when the tasks feature is there (built in parallel)."""
    for endpoint in ("tasks.index", "task.index_view", "tasks.index_view", "task_overview.index"):
        if endpoint in app.view_functions:
            with app.test_request_context():
                from flask import url_for

                return url_for(endpoint, user_id=user_id)
    return None


def _measure(client, engine, url: str, runs: int) -> dict:
    """Wall-clock and CPU time of `runs` requests, the SQL time inside them, the query count."""
    statements: list[tuple[str, object]] = []
    sql_time = [0.0]

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        sql_time[0] += time.perf_counter() - conn.info["bench_started"]

    for _ in range(3):  # warm-up: caches, compiled statements, database pages
        response = client.get(url, buffered=True)  # streamed bodies too
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    wall, cpu, sql = [], [], []
    try:
        for _ in range(runs):
            statements.clear()
            sql_time[0] = 0.0
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url, buffered=True)  # streamed bodies too
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            sql.append(sql_time[0] * 1000)
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    wall.sort()
    floor = floor_ms(engine, statements, runs)
    return {
        "url": url,
        "status": response.status_code,
        "median_ms": round(statistics.median(wall), 2),
        "p90_ms": round(wall[max(0, int(len(wall) * 0.9) - 1)], 2),
        "cpu_median_ms": round(statistics.median(cpu), 2),
        "sql_median_ms": round(statistics.median(sql), 2),
        "queries": len(statements),
        "floor_ms": round(floor, 2),
        "ratio": round(statistics.median(wall) / floor, 1),
    }


def run(app, runs: int = 20) -> dict:
    """Time every scenario; returns the results document."""
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == "bench-admin@carflow.example"))
        scenarios = _scenarios(app)
        leads = db.session.scalar(select(func.count(Lead.id)))
        open_leads = db.session.scalar(select(func.count()).where(Lead.status == LeadStatus.open))
        session_id = admin.get_id()
        engine, dialect = db.engine, db.engine.dialect.name
        db.session.remove()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    results = {name: _measure(client, engine, url, runs) for name, url in scenarios}
    return {"database": dialect, "leads": leads, "open_leads": open_leads, "runs": runs,
            "scenarios": results}  # fmt: skip


def print_table(doc: dict) -> None:
    print(f"{doc['database']} · {doc['leads']:,} leads · {doc['runs']} runs")
    print(
        f"{'scenario':26} {'median ms':>9} {'p90 ms':>8} {'CPU ms':>7} {'SQL ms':>7} "
        f"{'queries':>7} {'HTTP':>4} {'floor ms':>8} {'ratio':>5}"
    )
    for name, r in doc["scenarios"].items():
        print(
            f"{name:26} {r['median_ms']:>9} {r['p90_ms']:>8} {r['cpu_median_ms']:>7} "
            f"{r['sql_median_ms']:>7} {r['queries']:>7} {r['status']:>4} "
            f"{r['floor_ms']:>8} {r['ratio']:>5}"
        )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--output", help="JSON file (default bench/results/<db>-<leads>.json)")
    args = parser.parse_args(argv)
    from bench.app import bench_app

    app = bench_app(args.database_url)
    doc = run(app, args.runs)
    with app.app_context():
        db.engine.dispose()
    print_table(doc)
    path = Path(args.output) if args.output else RESULTS / f"{doc['database']}-{doc['leads']}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2))
    print(f"written {path}")


if __name__ == "__main__":
    main()
