"""Peak memory of the subject access export (issue 17): a contact with many large documents.

    .venv/bin/python -m bench.privacy_export [--documents 40] [--mb 5]

Builds a throw-away SQLite database and upload folder in a temporary directory, stores
`--documents` files of `--mb` MB of random bytes (they do not compress) on one lead,
then runs the export in a fresh process and prints its peak RSS, the archive's size and
the time. The archive is written to a temporary file and files are copied in chunks, so
the peak should not grow with the documents' total size.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _app(folder: Path):
    from carflow import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite'}",
            "UPLOAD_FOLDER": str(folder / "uploads"),
            "MAX_CONTENT_LENGTH": None,
        }
    )


def setup(folder: Path, documents: int, megabytes: int) -> None:
    """The database, a contact, one lead and its documents."""
    from carflow.extensions import db
    from carflow.services.documents import upload_document
    from carflow.unit_of_work import unit_of_work
    from tests.factories import make_lead, make_user

    app = _app(folder)
    with app.app_context():
        db.create_all()
        with unit_of_work():
            owner = make_user("admin")
            lead = make_lead(owner=owner)
            for n in range(documents):
                body = b"%PDF-1.4\n" + os.urandom(megabytes * 1024 * 1024)
                upload_document(lead, owner, io.BytesIO(body), f"scan-{n}.pdf", f"Scan {n}")
        print(f"contact {lead.contact_id}: {documents} documents of {megabytes} MB")


def export(folder: Path) -> None:
    """Export the contact in this (fresh) process; print peak RSS and time."""
    from carflow.extensions import db
    from carflow.models import Contact, User
    from carflow.services.subject_access import export_personal_data
    from carflow.unit_of_work import unit_of_work

    app = _app(folder)
    with app.app_context(), app.test_request_context():
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        with unit_of_work():
            contact = db.session.scalars(db.select(Contact)).first()
            actor = db.session.scalars(db.select(User)).first()
            archive = export_personal_data(actor, contact)
        size = archive.size
        archive.file.close()
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"archive {size / 1e6:.0f} MB in {elapsed:.1f} s; peak RSS {peak / 1024:.0f} MB "
        f"(after start-up {before / 1024:.0f} MB, +{(peak - before) / 1024:.0f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=40)
    parser.add_argument("--mb", type=int, default=5)
    parser.add_argument("--export-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_only:
        export(args.export_only)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        setup(folder, args.documents, args.mb)
        command = [sys.executable, "-m", "bench.privacy_export", "--export-only", str(folder)]
        subprocess.run(command, check=True)  # noqa: S603  our own module, fixed arguments


if __name__ == "__main__":
    main()
