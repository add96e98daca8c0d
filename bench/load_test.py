"""Load test (issue 12): 50 users for 2 minutes against Carflow under gunicorn.conf.py.

Run it as its own process, from the repo root, with locust installed in its own venv
(`import locust` monkey-patches sockets: never import this module from pytest):

    python3 -m venv .venv-bench && .venv-bench/bin/pip install -r bench/requirements-load.txt
    .venv-bench/bin/python bench/load_test.py \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

By default it creates a database `carflow_load_<random>` on that server, migrates it and
loads the demo data with the app's venv (.venv), starts `gunicorn -c gunicorn.conf.py` on a
free port of 127.0.0.1, runs the users, prints requests, failures and the 95th percentile,
then stops gunicorn and drops the database. `--host http://127.0.0.1:PORT` runs against a
server you started yourself (demo data loaded). Only loopback hosts are accepted.

Each user signs in as one of the demo users, then browses the leads overview, lead pages
and the task overview, and posts notes (1 in 8 requests). Bounded: `--users` (≤ 200),
`--seconds` (≤ 600) and `--max-requests` (stops the run when reached).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import signal
import socket
import subprocess  # nosec B404
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import gevent
from locust import HttpUser, between, task
from locust.env import Environment

ROOT = Path(__file__).resolve().parent.parent
APP_PYTHON = ROOT / ".venv" / "bin"
PASSWORD = "carflow-demo"  # noqa: S105  (the demo users' documented password)
WRITERS = ["admin", "manager", "sales", "sales.ghent"]
READERS = ["reception", "readonly"]
LEAD_LINK = re.compile(r'href="/admin/leads/(\d+)')
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class CarflowUser(HttpUser):
    """A demo user working through the back office."""

    wait_time = between(0.5, 2.0)

    def on_start(self):
        self.name = random.choice(WRITERS * 3 + READERS)  # noqa: S311
        self.lead_ids: list[int] = []
        page = self.client.get("/login", name="/login")
        token = CSRF.search(page.text)
        with self.client.post(
            "/login",
            data={
                "email": f"{self.name}@carflow.example",
                "password": PASSWORD,
                "csrf_token": token.group(1) if token else "",
            },
            name="/login [POST]",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login {self.name}: {response.status_code}")
        self.overview()

    @task(3)
    def overview(self):
        page = self.client.get("/admin/lead/", name="/admin/lead/")
        found = [int(n) for n in LEAD_LINK.findall(page.text)]
        if found:
            self.lead_ids = found

    @task(3)
    def lead_page(self):
        if self.lead_ids:
            lead = random.choice(self.lead_ids)  # noqa: S311
            self.client.get(f"/admin/leads/{lead}", name="/admin/leads/[id]")

    @task(1)
    def task_overview(self):
        self.client.get("/admin/tasks/", name="/admin/tasks/")

    @task(1)
    def post_note(self):
        if self.name not in WRITERS or not self.lead_ids:
            return
        lead = random.choice(self.lead_ids)  # noqa: S311
        page = self.client.get(f"/admin/leads/{lead}", name="/admin/leads/[id]")
        token = CSRF.search(page.text)
        with self.client.post(
            f"/admin/lead-actions/{lead}/note",
            data={"note": f"Load test note {secrets.token_hex(4)}", "csrf_token": token.group(1)}
            if token
            else {"note": "x"},
            name="/admin/lead-actions/[id]/note",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"note: {response.status_code}")


def _loopback_only(host: str) -> None:
    name = urlsplit(host).hostname
    if name not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"refusing to load-test {host}: loopback only")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _app_python(code: str, env: dict) -> None:
    subprocess.run([str(APP_PYTHON / "python"), "-c", code], env=env, check=True)  # noqa: S603  # nosec B603


def _prepare_database(base_url: str) -> tuple[str, str]:
    """Create carflow_load_<random> next to `base_url`; return (its URL, its name)."""
    name = f"carflow_load_{secrets.token_hex(4)}"
    code = (
        "import sys; from sqlalchemy import create_engine, text; "
        "from sqlalchemy.engine import make_url; "
        f"e = create_engine(make_url({base_url!r}), isolation_level='AUTOCOMMIT'); "
        f"c = e.connect(); c.execute(text('CREATE DATABASE \"{name}\"')); c.close()"
    )
    _app_python(code, dict(os.environ))
    url = base_url.rsplit("/", 1)[0] + "/" + name
    return url, name


def _drop_database(base_url: str, name: str) -> None:
    code = (
        "from sqlalchemy import create_engine, text; from sqlalchemy.engine import make_url; "
        f"e = create_engine(make_url({base_url!r}), isolation_level='AUTOCOMMIT'); "
        f"c = e.connect(); c.execute(text('DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)'))"
    )
    _app_python(code, dict(os.environ))


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310  # nosec B310
            return response.status == 200
    except OSError:
        return False


def _start_server(database_url: str, workdir: Path):
    """Migrate, load the demo data and start gunicorn -c gunicorn.conf.py on 127.0.0.1."""
    port = _free_port()
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_urlsafe(32),
        CARFLOW_INSTANCE_PATH=str(workdir / "instance"),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        FLASK_APP="app",
    )
    flask = str(APP_PYTHON / "flask")
    subprocess.run([flask, "db", "upgrade"], cwd=ROOT, env=env, check=True)  # noqa: S603  # nosec B603
    subprocess.run([flask, "carflow", "demo"], cwd=ROOT, env=env, check=True)  # noqa: S603  # nosec B603
    log = open(workdir / "gunicorn.log", "wb")  # noqa: SIM115
    server = subprocess.Popen(  # noqa: S603  # nosec B603
        [str(APP_PYTHON / "gunicorn"), "-c", "gunicorn.conf.py", "app:app"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    host = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and server.poll() is None:
        if _answers(host + "/login"):  # every worker booted: no cold start in the figures
            for _ in range(20):
                _answers(host + "/login")
            return server, host
        time.sleep(1)
    server.terminate()
    raise SystemExit("gunicorn did not start; see " + str(workdir / "gunicorn.log"))


def run_users(host: str, users: int, seconds: int, max_requests: int) -> dict:
    """Run the users against `host`; return the totals."""
    env = Environment(user_classes=[CarflowUser], host=host)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=min(users, 10))
    stop_at = time.monotonic() + seconds
    while time.monotonic() < stop_at and env.stats.total.num_requests < max_requests:
        gevent.sleep(1)
    runner.quit()
    total = env.stats.total
    return {
        "requests": total.num_requests,
        "failures": total.num_failures,
        "p50_ms": total.get_response_time_percentile(0.50),
        "p95_ms": total.get_response_time_percentile(0.95),
        "rps": round(total.num_requests / max(1, seconds), 1),
        "errors": {
            f"{e.method} {e.name}: {e.error}": e.occurrences for e in env.stats.errors.values()
        },
        "by_name": {
            name: (entry.num_requests, entry.num_failures, entry.get_response_time_percentile(0.95))
            for (name, _method), entry in sorted(env.stats.entries.items())
        },
    }


def _print(result: dict, users: int, seconds: int) -> None:
    print(f"\n{users} users, {seconds} s")
    for name, (count, failed, p95) in result["by_name"].items():
        print(f"  {name:36} {count:7d} requests {failed:5d} failures  p95 {p95:6.0f} ms")
    print(
        f"TOTAL requests={result['requests']} failures={result['failures']} "
        f"p50={result['p50_ms']:.0f} ms p95={result['p95_ms']:.0f} ms ({result['rps']} req/s)"
    )
    for error, count in result["errors"].items():
        print(f"  error x{count}: {error}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", help="a running server on 127.0.0.1 (else one is started)")
    parser.add_argument(
        "--database-url",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help="PostgreSQL server (any database on it) where carflow_load_<random> is created",
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--max-requests", type=int, default=200_000)
    args = parser.parse_args(argv)
    users, seconds = min(args.users, 200), min(args.seconds, 600)
    if args.host:
        _loopback_only(args.host)
        result = run_users(args.host, users, seconds, args.max_requests)
    else:
        _loopback_only(args.database_url.replace("postgresql+psycopg", "http"))
        url, name = _prepare_database(args.database_url)
        workdir = Path(tempfile.mkdtemp(prefix="carflow-load-"))
        server = None
        try:
            server, host = _start_server(url, workdir)
            result = run_users(host, users, seconds, args.max_requests)
        finally:
            if server is not None:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=60)
            _drop_database(args.database_url, name)
        print(f"gunicorn log: {workdir / 'gunicorn.log'}")
    _print(result, users, seconds)
    return 0 if result["failures"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
