"""Throughput under gunicorn (issue 14 item 8): Carflow's pages beside a hello-world Flask
app, both served by gunicorn with 2 sync workers on loopback, driven by ApacheBench (`ab`,
Debian package apache2-utils) with a few concurrent clients.

    python -m bench.throughput --database-url sqlite:////work/bench-data/bench_100000.sqlite

Prints requests per second per page and each page's share of the hello-world figure.
"""

from __future__ import annotations

import argparse
import http.cookies
import os
import re
import shutil
import socket
import subprocess  # nosec B404
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager

from sqlalchemy import func, select

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "bench-password"  # noqa: S105  the generator's documented bench password


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()  # noqa: S310  loopback only
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer at {url}")


@contextmanager
def served(factory: str, database_url: str, workers: int):
    """gunicorn serving `bench.throughput_apps:<factory>()` on a free loopback port."""
    port = _free_port()
    env = dict(os.environ, BENCH_DATABASE_URL=database_url)
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class",
               "sync", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
               f"bench.throughput_apps:{factory}()"]  # fmt: skip
    # The app logs every request: its output goes to a file, not between the figures.
    log = open(os.path.join(tempfile.gettempdir(), f"carflow-throughput-{factory}.log"), "wb")  # noqa: SIM115
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)  # noqa: S603
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/login" if factory != "hello_app" else
                       f"http://127.0.0.1:{port}/")  # fmt: skip
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def session_cookie(base: str) -> str:
    """Sign in as the generator's admin through the login form; the session cookie."""
    body = urllib.parse.urlencode(
        {"email": "bench-admin@carflow.example", "password": PASSWORD}
    ).encode()

    class Keep(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(Keep)
    try:
        response = opener.open(f"{base}/login", data=body, timeout=30)  # noqa: S310
    except urllib.error.HTTPError as answer:  # the 302 after signing in
        response = answer
    cookie = http.cookies.SimpleCookie(response.headers.get("Set-Cookie", ""))
    if "session" not in cookie:
        raise RuntimeError("could not sign in as bench-admin@carflow.example")
    return f"session={cookie['session'].value}"


def requests_per_second(url: str, requests: int, concurrency: int, cookie: str = "") -> float:
    """ApacheBench's "Requests per second" for `url`; fails on any non-2xx answer."""
    command = ["ab", "-q", "-n", str(requests), "-c", str(concurrency)]
    if cookie:
        command += ["-C", cookie]
    output = subprocess.run(  # noqa: S603  fixed program, loopback URL
        [*command, url], capture_output=True, text=True, check=True
    ).stdout
    failed = re.search(r"Non-2xx responses:\s+(\d+)", output)
    if failed:
        raise RuntimeError(f"{failed.group(1)} non-2xx answers from {url}")
    return float(re.search(r"Requests per second:\s+([\d.]+)", output).group(1))


def _pages(database_url: str) -> list[tuple[str, str]]:
    from bench.app import bench_app
    from bench.generate import big_lead_id
    from carflow.extensions import db
    from carflow.models import Lead

    app = bench_app(database_url)
    with app.app_context():
        leads = db.session.scalar(select(func.max(Lead.id)))
        small = db.session.scalar(select(Lead.id).where(Lead.id != big_lead_id(leads)).limit(1))
        db.engine.dispose()
    return [
        ("overview page 1", "/admin/lead/"),
        ("lead page small", f"/admin/leads/{small}"),
        ("lead page 2,000 events", f"/admin/leads/{big_lead_id(leads)}"),
    ]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    if shutil.which("ab") is None:
        raise SystemExit("needs ApacheBench: apt-get install apache2-utils")
    with served("hello_app", args.database_url, args.workers) as base:
        hello = requests_per_second(f"{base}/", args.requests, args.concurrency)
    print(f"{'hello world':26} {hello:>9.0f} req/s")
    pages = _pages(args.database_url)
    with served("carflow_app", args.database_url, args.workers) as base:
        cookie = session_cookie(base)
        for name, path in pages:
            rate = requests_per_second(f"{base}{path}", args.requests, args.concurrency, cookie)
            print(f"{name:26} {rate:>9.0f} req/s  {rate / hello:>6.1%} of hello world")


if __name__ == "__main__":
    main()
