"""Reports dashboard benchmark (issue 16).

    python -m bench.reports prepare --database-url URL   # add the report tables, backfill
    python -m bench.reports run --database-url URL [--runs 20]

`prepare` works on a COPY of the bench data (never the shared files): it creates the
missing tables and the open-pipeline index, then runs the same rebuild as
`flask carflow rebuild-reports`, timed. `run` times the dashboard like bench/run.py
(in-process test client, 3 warm-ups, median of `--runs`), as the bench administrator
(all branches) and as one salesperson (owner forced), and prints a table.
"""

from __future__ import annotations

import argparse
import json
import time

from sqlalchemy import func, select

from bench.app import bench_app
from bench.run import RESULTS, _measure
from carflow.extensions import db
from carflow.models import Lead, User
from carflow.models.report import ReportRollup

SCENARIOS = (
    ("dashboard last 12 months", "/admin/reports/?period=last_12_months"),
    ("dashboard this year", "/admin/reports/?period=this_year"),
    ("dashboard this month", "/admin/reports/?period=this_month"),
    ("dashboard 1 year, 1 branch", "/admin/reports/?period=last_12_months&branch_id={branch}"),
    ("dashboard 1 year, 1 source", "/admin/reports/?period=last_12_months&source_id={source}"),
    ("export funnel CSV (1 year)", "/admin/reports/export/funnel.csv?period=last_12_months"),
)


def prepare(app) -> None:
    """Create the report tables and index if missing, then rebuild the roll-up."""
    from carflow.models.report import ReportLead  # noqa: F401  (registered with the metadata)
    from carflow.reports.rollup import rebuild_all

    with app.app_context():
        db.create_all()  # missing tables only
        for index in Lead.__table__.indexes:
            if index.name == "ix_lead_open_pipeline":
                index.create(db.engine, checkfirst=True)
        started, cpu = time.perf_counter(), time.process_time()
        done = rebuild_all(
            commit_every=20_000, progress=lambda n: print(f"  {n:,} leads", flush=True)
        )
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE report_rollup")
                conn.exec_driver_sql("VACUUM ANALYZE report_lost_reason")
                conn.exec_driver_sql("VACUUM ANALYZE lead")
        else:
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        rows = db.session.scalar(select(func.count()).select_from(ReportRollup))
        print(
            f"rebuilt {done:,} leads → {rows:,} roll-up rows in "
            f"{time.perf_counter() - started:.0f} s wall, {time.process_time() - cpu:.0f} s CPU"
        )


def _sign_in(client, user_id: str) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True


def run(app, runs: int) -> dict:
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == "bench-admin@carflow.example"))
        seller = db.session.scalar(
            select(User).where(User.role == "salesperson", User.active).order_by(User.id).limit(1)
        )
        branch = db.session.scalar(select(Lead.branch_id).limit(1))
        source = db.session.scalar(select(Lead.source_id).limit(1))
        leads = db.session.scalar(select(func.count(Lead.id)))
        rows = db.session.scalar(select(func.count()).select_from(ReportRollup))
        ids = admin.get_id(), seller.get_id() if seller else None
        engine, dialect = db.engine, db.engine.dialect.name
        db.session.remove()
    client = app.test_client()
    _sign_in(client, ids[0])
    results = {}
    for name, url in SCENARIOS:
        results[name] = _measure(client, engine, url.format(branch=branch, source=source), runs)
    if ids[1]:
        _sign_in(client, ids[1])
        results["salesperson 1 year (own)"] = _measure(client, engine, SCENARIOS[0][1], runs)
    return {"database": dialect, "leads": leads, "rollup_rows": rows, "runs": runs,
            "scenarios": results}  # fmt: skip


def print_table(doc: dict) -> None:
    print(f"{doc['database']} · {doc['leads']:,} leads · {doc['rollup_rows']:,} roll-up rows")
    print(
        f"{'scenario':28} {'median ms':>9} {'p90 ms':>8} {'SQL ms':>7} {'queries':>7} {'HTTP':>4}"
    )
    for name, r in doc["scenarios"].items():
        print(
            f"{name:28} {r['median_ms']:>9} {r['p90_ms']:>8} {r['cpu_median_ms']:>7} "
            f"{r['sql_median_ms']:>7} "
            f"{r['queries']:>7} {r['status']:>4}"
        )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("prepare", "run"))
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    app = bench_app(args.database_url)
    if args.command == "prepare":
        prepare(app)
        return
    doc = run(app, args.runs)
    print_table(doc)
    RESULTS.mkdir(exist_ok=True)
    target = RESULTS / f"reports-{doc['database']}-{doc['leads']}.json"
    target.write_text(json.dumps(doc, indent=2))


if __name__ == "__main__":
    main()
