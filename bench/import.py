"""Import benchmark (issue 17): 100,000 contacts from a CSV, in the background.

    python -m bench.import --workdir /path/to/empty/dir [--rows 100000]

Builds a fresh SQLite database in `workdir` (or `--database-url`), writes a CSV of
`rows` contacts (semicolons, French headers, one bad e-mail per 1,000 rows and one bad
phone per 1,500), uploads it as an administrator through the test client, then lets a
REAL worker process (`flask --app app carflow worker`) check and import it while the
status endpoint is polled (the progress bar's numbers are printed). Then the same file is
imported again: nothing may change. Prints times and the peak RSS of the web process
(`resource.getrusage`) and of the worker (its VmHWM, read just before it is stopped).
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from bench.app import bench_app
from carflow.extensions import db
from carflow.models import Branch, Contact, DataImport, User
from carflow.passwords import hash_password

ROOT = Path(__file__).resolve().parent.parent


def write_csv(path: Path, rows: int) -> int:
    """The test file; returns how many rows are bad."""
    bad = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Prénom", "Nom", "E-mail", "GSM", "Ville"])
        for n in range(rows):
            email = f"client{n}@example.be"
            mobile = f"0470 {n // 10000:02d} {n // 100 % 100:02d} {n % 100:02d}"
            if n % 1000 == 999:
                email, bad = f"client{n}-at-example.be", bad + 1
            elif n % 1500 == 1499:
                mobile, bad = "12", bad + 1
            writer.writerow([f"Prénom{n}", f"Nom{n % 5000}", email, mobile, "Namur"])
    return bad


def rss_mb(who) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def vm_hwm_mb(pid: int) -> float:
    """A live process's peak resident memory (Linux: VmHWM; getrusage's RUSAGE_CHILDREN
    would count the fork of this process before the exec)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _setup(app) -> str:
    with app.app_context():
        db.create_all()
        branch = Branch(name="Namur", country="BE", timezone="Europe/Brussels")
        admin = User(
            email="import-admin@carflow.example",
            first_name="Import",
            last_name="Admin",
            role="admin",
            branch=branch,
            password_hash=hash_password("import-bench-password"),
        )
        db.session.add_all([branch, admin])
        db.session.commit()
        return admin.get_id()


def _worker(database_url: str, workdir: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CARFLOW_QUEUE_PATH": str(workdir / "queue.sqlite3"),
        "CARFLOW_UPLOAD_FOLDER": str(workdir / "uploads"),
        "CARFLOW_INSTANCE_PATH": str(workdir / "instance"),
        "SECRET_KEY": "import-bench",
    }
    log = (workdir / "worker.log").open("wb")
    return subprocess.Popen(  # noqa: S603 - fixed argv
        [sys.executable, "-m", "flask", "--app", "app", "carflow", "worker", "--workers", "1",
         "--poll", "0.5"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def _wait(client, import_id: int, until: str) -> dict:
    last = None
    while True:
        status = client.get(f"/admin/import/{import_id}/status").get_json()
        line = (status["status"], status["processed"], status["total"], status["percent"])
        if line != last:
            print(f"  {time.strftime('%H:%M:%S')} {line[0]:10} {line[1]:>7}/{line[2]} {line[3]}%")
            last = line
        if status["status"] in (until, "failed"):
            return status
        time.sleep(2)


def _one_import(client, app, path: Path) -> tuple[dict, float]:
    started = time.perf_counter()
    with path.open("rb") as handle:
        response = client.post(
            "/admin/import/",
            data={"kind": "contacts", "branch_id": "1", "file": (handle, path.name)},
            content_type="multipart/form-data",
        )
    assert response.status_code == 302, response.status_code
    with app.app_context():
        record = db.session.scalars(select(DataImport).order_by(DataImport.id.desc())).first()
        import_id, mapping = record.id, record.mapping
    client.post(f"/admin/import/{import_id}", data={"mapping": mapping})
    checked = _wait(client, import_id, "checked")
    client.post(f"/admin/import/{import_id}/run")
    done = _wait(client, import_id, "done")
    done["check_errors"] = checked["errors"]
    return done, time.perf_counter() - started


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url")
    args = parser.parse_args(argv)
    workdir = Path(args.workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{workdir / 'import-bench.sqlite'}"
    path = workdir / "contacts.csv"
    bad = write_csv(path, args.rows)
    print(f"CSV: {args.rows} rows ({path.stat().st_size / 1e6:.1f} MB), {bad} bad")
    app = bench_app(url)
    app.config.update(
        CARFLOW_QUEUE_PATH=str(workdir / "queue.sqlite3"), UPLOAD_FOLDER=str(workdir / "uploads")
    )
    client = app.test_client()
    user_id = _setup(app)
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = user_id, True
    worker = _worker(url, workdir)
    try:
        first, first_s = _one_import(client, app, path)
        second, second_s = _one_import(client, app, path)
        worker_peak = vm_hwm_mb(worker.pid)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=120)
    with app.app_context():
        contacts = db.session.scalar(select(func.count(Contact.id)))
    print(f"first run : {first_s:6.1f} s  {first}")
    print(f"second run: {second_s:6.1f} s  {second}")
    print(f"contacts in the database: {contacts}")
    print(f"peak RSS web process: {rss_mb(resource.RUSAGE_SELF):.1f} MB")
    print(f"peak RSS worker process (VmHWM): {worker_peak:.1f} MB")


if __name__ == "__main__":
    main()
