"""ADF intake throughput (issue 15): leads per second through `POST /api/v1/leads/adf`
under gunicorn (gunicorn.conf.py) on PostgreSQL, with duplicates checked, and the SQL
statements one ADF lead costs.

    .venv/bin/python -m bench.intake_adf \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres [--leads 1000]

Creates its own database `carflow_adf_bench_<random>` on that server (schema by
`create_all`, a branch, the demo's lead types, a source and an API key), starts gunicorn
on a free loopback port, warms up, then posts `--leads` ADF documents from `--clients`
threads (keep-alive connections). One request in five repeats the contact of an earlier
one (same e-mail): the intake finds the contact and adds an "enquiry again" event instead
of a new lead. Prints leads/s, the answers' statuses, latency percentiles and the SQL
statements of one lead (counted in-process); drops the database at the end.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import socket
import statistics
import subprocess  # nosec B404
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
ADF = """<?xml version="1.0"?><?adf version="1.0"?>
<adf><prospect><id source="bench">{n}</id><requestdate>2026-11-29T10:15:00+01:00</requestdate>
<vehicle interest="buy" status="used"><year>2021</year><make>Skoda</make><model>Octavia</model>
<stock>ST-{stock}</stock></vehicle><customer><contact><name part="first">Ann</name>
<name part="last">Bench{person}</name><email>bench{person}@example.com</email>
<phone type="mobile">+32470{phone:06d}</phone></contact>
<comments>Is it still available?</comments></customer>
<provider><name part="full">Bench portal</name></provider></prospect></adf>"""


def adf_document(n: int) -> bytes:
    person = n - 1 if n % 5 == 4 else n  # one in five: the contact of the previous lead
    return ADF.format(n=n, stock=n % 50, person=person, phone=person % 1_000_000).encode()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _create_database(server_url: str) -> tuple[str, callable]:
    base = make_url(server_url)
    name = f"carflow_adf_bench_{secrets.token_hex(4)}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


def _prepare(url: str) -> str:
    """Schema and reference data; returns the API key."""
    from carflow import create_app
    from carflow.extensions import db
    from carflow.intake.api_keys import create_api_key
    from carflow.models import Branch, LeadSource, LeadType, Vehicle

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        db.create_all()
        branch = Branch(name="Gent", country="BE", timezone="Europe/Brussels")
        source = LeadSource(name="Bench portal")
        db.session.add_all([branch, source])
        db.session.add_all(LeadType(name=n) for n in ("Purchase", "Sale", "Trade-in", "Lease"))
        db.session.add_all(
            Vehicle(
                make="Skoda", model="Octavia", stock_number=f"ST-{n}", price=15000, branch=branch
            )
            for n in range(50)
        )
        db.session.flush()
        _key, plain = create_api_key(None, "Bench", source, branch)
        db.session.commit()
        db.engine.dispose()
    return plain


def _statements_per_lead(url: str, key: str) -> int:
    """The SQL statements of one ADF lead, through the Flask test client."""
    from carflow import create_app
    from carflow.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/xml"}
    with app.app_context():
        engine = db.engine
    statements: list[str] = []
    client.post("/api/v1/leads/adf", data=adf_document(10_000_001), headers=headers)
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    response = client.post("/api/v1/leads/adf", data=adf_document(10_000_002), headers=headers)
    event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 201, response.get_data(as_text=True)  # noqa: S101
    engine.dispose()
    return len(statements)


def _start_gunicorn(url: str, port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_ACCESSLOG": "/dev/null",
        "CARFLOW_INTAKE_API_RATE_LIMIT": "1000000 per minute",
        "CARFLOW_CONFIG": "production",
    }
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    process = subprocess.Popen(  # noqa: S603  # nosec B603
        [gunicorn, "-c", "gunicorn.conf.py", "app:app"], cwd=ROOT, env=env
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def _post_all(base: str, key: str, numbers: list[int], clients: int) -> tuple[list, float]:
    parts = urlsplit(base)
    results: list[tuple[int, float]] = []
    lock = threading.Lock()
    chunks = [numbers[i::clients] for i in range(clients)]

    def run(chunk: list[int]) -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/xml"}
        for n in chunk:
            started = time.perf_counter()
            connection.request("POST", "/api/v1/leads/adf", adf_document(n), headers)
            answer = connection.getresponse()
            answer.read()
            with lock:
                results.append((answer.status, time.perf_counter() - started))
        connection.close()

    threads = [threading.Thread(target=run, args=(chunk,)) for chunk in chunks]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL server URL")
    parser.add_argument("--leads", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    args = parser.parse_args()
    url, drop = _create_database(args.database_url)
    try:
        key = _prepare(url)
        statements = _statements_per_lead(url, key)
        port = _free_port()
        server = _start_gunicorn(url, port, args.workers)
        try:
            base = f"http://127.0.0.1:{port}"
            _post_all(base, key, list(range(1, 41)), 4)  # warm-up (not counted)
            numbers = list(range(1000, 1000 + min(args.leads, 100_000)))
            results, elapsed = _post_all(base, key, numbers, args.clients)
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        drop()
    statuses: dict[int, int] = {}
    for status, _seconds in results:
        statuses[status] = statuses.get(status, 0) + 1
    latencies = sorted(seconds for _status, seconds in results)
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    print(f"ADF leads posted: {len(results)} in {elapsed:.1f} s = {len(results) / elapsed:.0f}/s")
    print(f"answers: {dict(sorted(statuses.items()))} (201: lead created or enquiry again)")
    print(f"latency: median {statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")
    print(f"gunicorn workers: {args.workers}, clients: {args.clients}")
    print(f"SQL statements per ADF lead (in-process): {statements}")


if __name__ == "__main__":
    main()
