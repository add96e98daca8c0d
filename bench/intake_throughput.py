"""Leads per second through `POST /api/v1/leads` on PostgreSQL under gunicorn (issue 15).

    python -m bench.intake_throughput --template carflow_bench_100000 [--requests 3000]

1. Copies the bench database (`createdb -T <template>`, never touching the original),
   upgrades the copy with this branch's migration (API keys, intake rows, contact phones
   in E.164, backfilled) and creates an API key.
2. Starts gunicorn (gunicorn.conf.py, 2 workers) on the copy, and sends `--requests` leads
   from `--clients` keep-alive connections: 70 % new customers, 20 % customers of the
   database (matched by e-mail or phone: enquiry again or a new lead of another type),
   10 % retries of an earlier request with the same Idempotency-Key.
3. Checks duplicates: every retry answered 200 with its first answer, no key made two
   intake rows, one lead per "created" answer; then counts SQL statements per lead
   in-process (Flask test client) and prints the figures. The copy is dropped at the end
   unless --keep.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import signal
import socket
import subprocess  # nosec B404  (starts gunicorn and createdb, fixed arguments)
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

ROOT = Path(__file__).resolve().parent.parent
PG = "postgresql+psycopg://postgres@127.0.0.1:5432/"
INTERESTS = ("buy", "buy", "buy", "sell", "trade-in", "lease")


def _run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, text=True)  # noqa: S603  # nosec B603


def copy_database(template: str, name: str) -> str:
    """A fresh copy of `template` (retries while someone else is connected to it)."""
    for _attempt in range(30):
        try:
            _run("createdb", "-h", "127.0.0.1", "-U", "postgres", "-T", template, name)
            return PG + name
        except subprocess.CalledProcessError as error:
            if "being accessed by other users" not in error.stderr:
                raise
            time.sleep(2)
    raise SystemExit(f"{template} stays busy: cannot copy it")


def drop_database(name: str) -> None:
    _run("dropdb", "-h", "127.0.0.1", "-U", "postgres", "--force", "--if-exists", name)


def prepare(url: str) -> tuple[str, list[tuple[str, str]]]:
    """Upgrade the copy with the intake migration, make a key; (key, known customers)."""
    from flask_migrate import stamp, upgrade

    from carflow import create_app
    from carflow.extensions import db
    from carflow.intake.api_keys import create_api_key
    from carflow.models import Branch, Contact, LeadSource
    from carflow.unit_of_work import unit_of_work

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        started = time.perf_counter()
        if inspect(db.engine).has_table("lead_intake"):
            stamp()  # generated with today's models (create_all): nothing to upgrade
        else:  # an older bench database: the intake's migrations, E.164 backfill included
            stamp(revision="c16d7e8f9a01")
            upgrade()
        print(f"migration (tables, E.164 backfill): {time.perf_counter() - started:.1f} s")
        db.session.execute(text("ANALYZE contact"))  # as autovacuum will after the backfill
        db.session.commit()
        with unit_of_work():
            branch = db.session.scalars(db.select(Branch).order_by(Branch.id)).first()
            source = db.session.scalars(
                db.select(LeadSource).where(LeadSource.name == "Website")
            ).one()
            _row, key = create_api_key(None, "Bench", source, branch)
        rows = db.session.execute(
            db.select(Contact.email, Contact.phone).order_by(Contact.id.desc()).limit(2000)
        ).all()
        db.session.remove()
        db.engine.dispose()
    return key, [tuple(row) for row in rows]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(url: str, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(32),
        "GUNICORN_WORKERS": "2",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_ACCESSLOG": "/dev/null",
        "CARFLOW_INTAKE_API_RATE_LIMIT": "1000000 per minute",
    }
    gunicorn = str(ROOT / ".venv" / "bin" / "gunicorn")
    process = subprocess.Popen(  # noqa: S603  # nosec B603
        [gunicorn, "-c", "gunicorn.conf.py", "app:app"], cwd=ROOT, env=env
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start")


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _backend_pids(url: str, database: str) -> list[int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        pids = conn.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = :d AND pid <> pg_backend_pid()"),
            {"d": database},
        ).scalars()
        pids = list(pids)
    engine.dispose()
    return pids


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes (Linux /proc), in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def make_requests(count: int, known: list[tuple[str, str]], seed: int) -> list[dict]:
    """The requests to send, in order: new customers, known ones, and retries."""
    rng = random.Random(seed)
    requests: list[dict] = []
    for n in range(count):
        roll = rng.random()
        if roll < 0.10 and requests:
            requests.append(dict(rng.choice(requests), retry=True))
            continue
        if roll < 0.30 and known:
            email, phone = rng.choice(known)
            contact = {"last_name": "Known", "email": email, "phones": [phone] if phone else []}
        else:
            contact = {
                "first_name": "Bench",
                "last_name": f"Customer{n}",
                "email": f"bench{seed}.{n}@example.com",
                "phones": [f"+3247{rng.randrange(10**7):07d}"],
            }
        body = {
            "contact": contact,
            "vehicles": [{"interest": rng.choice(INTERESTS), "make": "Volvo", "model": "XC40"}],
            "comments": "Bench request",
        }
        requests.append({"key": f"bench-{seed}-{n}", "body": json.dumps(body), "retry": False})
    return requests


def send_all(port: int, api_key: str, requests: list[dict], clients: int) -> list[tuple]:
    """Send the requests from `clients` threads; [(request index, status, answer)]."""
    answers: list[tuple] = []
    lock = threading.Lock()
    indexes = iter(range(len(requests)))

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                index = next(indexes, None)
            if index is None:
                break
            request = requests[index]
            headers = {
                "Authorization": f"Bearer {api_key}",
                "Content-Type": "application/json",
                "Idempotency-Key": request["key"],
            }
            conn.request("POST", "/api/v1/leads", body=request["body"], headers=headers)
            response = conn.getresponse()
            answer = json.loads(response.read() or b"{}")
            with lock:
                answers.append((index, response.status, answer))
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def check_duplicates(url: str, requests: list[dict], answers: list[tuple]) -> dict:
    """Every Idempotency-Key has one intake row; retries answered the first answer."""
    by_key: dict[str, set] = {}
    statuses: dict[int, int] = {}
    for index, status, answer in answers:
        statuses[status] = statuses.get(status, 0) + 1
        by_key.setdefault(requests[index]["key"], set()).add(answer.get("id"))
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT idempotency_key, count(*) FROM lead_intake GROUP BY idempotency_key")
        ).all()
        created = conn.execute(
            text("SELECT count(*) FROM lead_intake WHERE outcome = 'created'")
        ).scalar()
        leads = conn.execute(
            text(
                "SELECT count(*) FROM lead l JOIN lead_intake i ON i.lead_id = l.id "
                "AND i.outcome = 'created'"
            )
        ).scalar()
    engine.dispose()
    assert all(n == 1 for _k, n in rows), "an Idempotency-Key made two intake rows"
    assert all(len(ids) == 1 for ids in by_key.values()), "a retry got another lead"
    assert created == leads
    return {"statuses": statuses, "intake_rows": len(rows), "leads_created": created}


def statements_per_lead(url: str, api_key: str, count: int = 20) -> float:
    """SQL statements per new lead, in-process (Flask test client) on the same copy."""
    from sqlalchemy import event

    from carflow import create_app
    from carflow.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    client = app.test_client()
    statements: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        for n in range(count):
            body = {"contact": {"last_name": f"Counted{n}", "email": f"count{n}@example.com"}}
            client.post("/api/v1/leads", json=body, headers={"X-Api-Key": api_key})
        db.engine.dispose()
    return len(statements) / count


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--template", default="carflow_bench_100000")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--keep", action="store_true", help="Keep the database copy.")
    args = parser.parse_args(argv)
    name = f"intake_bench_{secrets.token_hex(3)}"
    url = copy_database(args.template, name)
    server = None
    try:
        api_key, known = prepare(url)
        requests = make_requests(args.requests, known, seed=15)
        port = _free_port()
        server = start_gunicorn(url, port)
        send_all(port, api_key, make_requests(50, [], seed=99), args.clients)  # warm-up
        app_pids = _children(server.pid)
        db_pids = _backend_pids(url, name)
        cpu_before = (cpu_seconds(app_pids), cpu_seconds(db_pids))
        started = time.perf_counter()
        answers = send_all(port, api_key, requests, args.clients)
        elapsed = time.perf_counter() - started
        app_cpu = cpu_seconds(app_pids) - cpu_before[0]
        db_cpu = cpu_seconds(db_pids) - cpu_before[1]
        load = os.getloadavg()[0]
        server.send_signal(signal.SIGTERM)
        server.wait(30)
        server = None
        checked = check_duplicates(url, requests, answers)
        per_lead = statements_per_lead(url, api_key)
        print(
            f"database: copy of {args.template}; {args.requests} requests, {args.clients} clients"
        )
        print(f"throughput: {len(answers) / elapsed:.0f} requests/s ({elapsed:.1f} s)")
        per_request = (app_cpu + db_cpu) / len(answers) * 1000
        print(
            f"CPU per request: {app_cpu / len(answers) * 1000:.1f} ms in gunicorn, "
            f"{db_cpu / len(answers) * 1000:.1f} ms in PostgreSQL backends "
            f"(load average {load:.1f} on {os.cpu_count()} cores, shared)"
        )
        print(
            f"CPU-bound capacity of {os.cpu_count()} idle cores: "
            f"{os.cpu_count() * 1000 / per_request:.0f} requests/s"
        )
        print(f"answers: {checked['statuses']}; leads created: {checked['leads_created']}")
        print("duplicates: none (one intake row per Idempotency-Key, retries replayed)")
        print(f"SQL statements per new lead (in-process): {per_lead:.1f}")
    finally:
        if server is not None:
            server.kill()
        if not args.keep:
            drop_database(name)


if __name__ == "__main__":
    main()
