"""`flask --app app carflow …` commands: demo data, first administrator."""

from __future__ import annotations

import click
from flask import Blueprint
from sqlalchemy import func, select

from carflow.extensions import db

bp = Blueprint("carflow_cli", __name__, cli_group="carflow")


@bp.cli.command("demo")
@click.option("--leads", default=300, show_default=True, help="How many leads to create.")
def demo_command(leads: int) -> None:
    """Load a realistic demo dealership (refuses a database that already has users)."""
    from carflow.demo import DEMO_USERS, load_demo
    from carflow.models import User

    if db.session.scalar(select(func.count()).select_from(User)):
        raise click.ClickException("The database already has users: demo data not loaded.")
    load_demo(lead_count=leads)
    db.session.commit()
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
    if db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower())):
        raise click.ClickException("A user with this email exists already.")
    ensure_reference_data()
    branch = db.session.scalar(select(Branch).where(Branch.name == branch_name))
    if branch is None:
        branch = Branch(name=branch_name)
        db.session.add(branch)
    create_user(email, password, first_name, last_name, role="admin", branch=branch)
    db.session.commit()
    click.echo(f"Administrator {email} created.")


@bp.cli.command("remind")
def remind_command() -> None:
    """Email each active user a digest of their overdue and today's deadlines and tasks."""
    from carflow.services.reminders import send_reminders

    sent, failed = send_reminders()
    db.session.commit()
    click.echo(f"Reminders sent: {sent}, failed: {failed}.")
    if failed:
        raise SystemExit(1)


@bp.cli.command("send-pending")
@click.option(
    "--max-attempts", default=10, show_default=True, help="Leave emails tried this often alone."
)
def send_pending_command(max_attempts: int) -> None:
    """Send every pending or failed customer email once (F15); safe to run in parallel."""
    from carflow.services.communications import send_pending_communications

    counts = send_pending_communications(actor=None, max_attempts=max_attempts)
    click.echo(
        f"{counts['sent']} sent, {counts['failed']} failed, {counts['skipped']} skipped "
        "(sent meanwhile by another sender)."
    )
