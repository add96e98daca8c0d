"""`flask --app app carflow …` commands: demo data, first administrator, the worker.

Every command that writes runs in `unit_of_work()`: one commit, or nothing on error.
"""

from __future__ import annotations

import logging

import click
from flask import Blueprint, current_app
from sqlalchemy import func, select

from carflow.extensions import db
from carflow.unit_of_work import unit_of_work

bp = Blueprint("carflow_cli", __name__, cli_group="carflow")


@bp.cli.command("demo")
@click.option("--leads", default=300, show_default=True, help="How many leads to create.")
def demo_command(leads: int) -> None:
    """Load a realistic demo dealership (refuses a database that already has users)."""
    from carflow.demo import DEMO_USERS, load_demo
    from carflow.models import User

    with unit_of_work():
        if db.session.scalar(select(func.count()).select_from(User)):
            raise click.ClickException("The database already has users: demo data not loaded.")
        load_demo(lead_count=leads)
    click.echo("Demo data loaded. Sign in at http://127.0.0.1:5000 with:")
    for email, password, role in DEMO_USERS:
        click.echo(f"  {email} / {password} ({role})")


@bp.cli.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--first-name", prompt=True)
@click.option("--last-name", prompt=True)
@click.option("--branch", "branch_name", prompt=True, help="Name of the (new) branch.")
@click.password_option()
def create_admin_command(email, first_name, last_name, branch_name, password) -> None:
    """Create the account administrator of a real installation."""
    from carflow.demo import ensure_reference_data
    from carflow.models import Branch, User
    from carflow.services.users import create_user

    if len(password) < 10:
        raise click.ClickException("Use a password of at least 10 characters.")
    with unit_of_work():
        if db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower())):
            raise click.ClickException("A user with this email exists already.")
        ensure_reference_data()
        branch = db.session.scalar(select(Branch).where(Branch.name == branch_name))
        if branch is None:
            branch = Branch(name=branch_name)
            db.session.add(branch)
        create_user(email, password, first_name, last_name, role="admin", branch=branch)
    click.echo(f"Administrator {email} created.")


@bp.cli.command("remind")
def remind_command() -> None:
    """Email each active user a digest of their overdue and today's deadlines and tasks.

    The worker also sends it on weekdays at CARFLOW_REMINDER_TIME; this runs it now.
    """
    from carflow.jobs import send_reminders_task

    sent, failed = send_reminders_task()
    click.echo(f"Reminders sent: {sent}, failed: {failed}.")
    if failed:
        raise SystemExit(1)


@bp.cli.command("send-pending")
@click.option("--max-attempts", type=int, default=None, help="Leave emails tried this often alone.")
def send_pending_command(max_attempts: int | None) -> None:
    """Send every pending or failed customer email once, now (F15); parallel-safe."""
    from carflow.jobs import sweep_pending

    counts = sweep_pending(max_attempts, min_age=0)
    click.echo(
        f"{counts['sent']} sent, {counts['failed']} failed, {counts['skipped']} skipped "
        "(sent meanwhile by another sender)."
    )


@bp.cli.command("ingest-email")
@click.option("--branch", "branch_name", default=None, help="Branch name (default: the mailbox's).")
@click.option("--source", "source_name", default=None, help="Lead source (default: the mailbox's).")
def ingest_email_command(branch_name: str | None, source_name: str | None) -> None:
    """Receive the ADF leads of one e-mail read on stdin (an MTA pipe; issue 15).

    Exit codes: 0 accepted, 65 refused (reason on stderr), 75 temporary failure (retry).
    """
    import sys

    from carflow.intake.email_intake import MAX_EMAIL_BYTES
    from carflow.intake.email_pipe import run_pipe

    raw = sys.stdin.buffer.read(MAX_EMAIL_BYTES + 1)  # get_binary_stream: deprecated in Click 8.5
    raise SystemExit(run_pipe(raw, branch_name, source_name, sys.stderr))


@bp.cli.command("worker")
@click.option("--workers", default=2, show_default=True, help="Worker threads.")
@click.option(
    "--poll", default=5.0, show_default=True, help="Longest wait between polls when idle (s)."
)
@click.option(
    "--periodic/--no-periodic",
    default=True,
    show_default=True,
    help="Run the schedule (reminders, sweeps): in exactly one worker process.",
)
def worker_command(workers: int, poll: float, periodic: bool) -> None:
    """Run the job queue's worker: emails, reminders, sweeps (stop with Ctrl-C or SIGTERM).

    At start it queues the sweep once (failed emails, and pending ones older than
    CARFLOW_SWEEP_AFTER), as it does every 5 minutes after that.
    """
    from carflow.jobs import jobs_for

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    jobs = jobs_for(current_app)
    if periodic:
        jobs.sweep_pending()  # queue one sweep now; the periodic one runs every 5 minutes
    jobs.consumer(workers=workers, max_delay=poll, periodic=periodic).run()


def _add_intake_commands() -> None:
    """`carflow api-key create|revoke` (issue 15)."""
    from carflow.intake.cli import api_key_group

    bp.cli.add_command(api_key_group)


_add_intake_commands()


@bp.cli.command("rebuild-reports")
def rebuild_reports_command() -> None:
    """Recompute the reports' roll-up from every lead (after an upgrade or a bulk import).

    Commits every 20,000 leads; the figures are complete when it ends."""
    from carflow.reports.rollup import rebuild_all

    done = rebuild_all(progress=lambda n: click.echo(f"  {n} leads…"))
    click.echo(f"Reports rebuilt from {done} leads.")
