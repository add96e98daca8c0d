"""Export benchmark (issue 17): the leads overview of the bench database as CSV or XLSX.

    python -m bench.export --database-url sqlite:////path/to/copy.sqlite [--format csv]
        [--query "flt0_0=open"] [--out /tmp/leads.csv]

Run it on a COPY of the bench database (the export writes its AuditLog line). In-process
with the Flask test client, signed in as the bench admin; the response is streamed to a
file chunk by chunk (as a WSGI server sends it), then read back with csv / openpyxl
(read-only) to count the rows. Prints the wall time, the process's CPU time and its peak
resident memory (`resource.getrusage`: this process only, measured before and after).
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import tempfile
import time

from sqlalchemy import func, select

from bench.app import bench_app
from carflow.extensions import db
from carflow.models import Lead, User


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_parts_mb() -> dict[str, float]:
    """Resident memory now, split (Linux): RssAnon is the process's own heap; RssFile is
    file pages mapped in, here mostly SQLite's memory-mapped database (mmap_size 1 GB),
    which the kernel drops under pressure."""
    parts = {}
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(("RssAnon:", "RssFile:")):
                name, value, _unit = line.split()
                parts[name.rstrip(":")] = int(value) / 1024
    return parts


def count_rows(path: str, fmt: str) -> int:
    """The data rows of the written file, read back as a spreadsheet tool would."""
    if fmt == "csv":
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return sum(1 for _ in csv.reader(handle)) - 1
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return sum(1 for _ in workbook.active.iter_rows(values_only=True)) - 1
    finally:
        workbook.close()


def run(database_url: str, fmt: str, query: str, out: str) -> dict:
    app = bench_app(database_url)
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == "bench-admin@carflow.example"))
        leads = db.session.scalar(select(func.count(Lead.id)))
        session_id = admin.get_id()
        db.session.remove()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    client.get("/admin/lead/")  # warm up: imports, caches
    rss_before = peak_rss_mb()
    cpu, wall = time.process_time(), time.perf_counter()
    response = client.get(f"/admin/lead/export/{fmt}/?{query}", buffered=False)
    size, chunks, anon_peak, file_peak = 0, 0, 0.0, 0.0
    with open(out, "wb") as target:
        for chunk in response.response:
            size += len(chunk)
            target.write(chunk)
            chunks += 1
            if chunks % 50 == 0:  # sampled while streaming
                parts = rss_parts_mb()
                anon_peak = max(anon_peak, parts.get("RssAnon", 0.0))
                file_peak = max(file_peak, parts.get("RssFile", 0.0))
    response.close()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rss_export = peak_rss_mb()
    started = time.perf_counter()
    rows = count_rows(out, fmt)
    return {
        "database": database_url.split(":")[0],
        "leads": leads,
        "format": fmt,
        "query": query,
        "status": response.status_code,
        "rows": rows,
        "bytes": size,
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        "peak_rss_mb_before": round(rss_before, 1),
        "peak_rss_mb_after_export": round(rss_export, 1),
        "sampled_peak_rss_anon_mb": round(anon_peak, 1),
        "sampled_peak_rss_file_mb": round(file_peak, 1),
        "read_back_s": round(time.perf_counter() - started, 1),
        "peak_rss_mb_after_read_back": round(peak_rss_mb(), 1),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    parser.add_argument("--query", default="")
    parser.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "carflow-export"))
    args = parser.parse_args(argv)
    out = f"{args.out}.{args.format}"
    for key, value in run(args.database_url, args.format, args.query, out).items():
        print(f"{key:30} {value}")


if __name__ == "__main__":
    main()
