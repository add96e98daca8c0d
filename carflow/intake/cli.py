"""`flask --app app carflow api-key …`: API keys for scripts (issue 15 item 1)."""

from __future__ import annotations

import click
from sqlalchemy import select

from carflow.extensions import db
from carflow.intake.api_keys import create_api_key, revoke_api_key
from carflow.models import ApiKey, Branch, LeadSource, LeadType
from carflow.services.errors import ServiceError
from carflow.unit_of_work import unit_of_work


@click.group("api-key")
def api_key_group() -> None:
    """Keys of the senders of leads (the JSON API and the website form)."""


def _by_name(model, name: str | None, what: str):
    if name is None:
        return None
    row = db.session.scalars(select(model).where(model.name == name)).first()
    if row is None:
        raise click.ClickException(f"No {what} named {name!r}.")
    return row


def _only_branch() -> Branch:
    branches = db.session.scalars(select(Branch).where(Branch.active.is_(True))).all()
    if len(branches) != 1:
        raise click.ClickException("Several branches: choose one with --branch NAME.")
    return branches[0]


@api_key_group.command("create")
@click.option("--source", "source_name", required=True, help="Lead source name (Settings).")
@click.option("--branch", "branch_name", help="Branch receiving the leads (default: the only one).")
@click.option("--lead-type", "type_name", help="Lead type when a request names no vehicle.")
@click.option("--name", help="What sends with this key (default: the source's name).")
def create_command(source_name, branch_name, type_name, name) -> None:
    """Create a key and print it once (only its fingerprint is kept)."""
    try:
        with unit_of_work():
            source = _by_name(LeadSource, source_name, "lead source")
            branch = _by_name(Branch, branch_name, "branch") or _only_branch()
            lead_type = _by_name(LeadType, type_name, "lead type")
            row, key = create_api_key(None, name or source.name, source, branch, lead_type)
            form_token = row.form_token
    except ServiceError as error:
        raise click.ClickException(str(error.message)) from None
    click.echo(key)
    click.echo(f"Website form: /intake/website/{form_token}", err=True)
    click.echo("Keep the key now: it is not stored and cannot be shown again.", err=True)


@api_key_group.command("revoke")
@click.argument("prefix")
def revoke_command(prefix: str) -> None:
    """Revoke the active key whose shown prefix is PREFIX (e.g. cfk_AbC123x)."""
    with unit_of_work():
        rows = db.session.scalars(
            select(ApiKey).where(ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None))
        ).all()
        if len(rows) != 1:
            raise click.ClickException(f"{len(rows)} active keys have the prefix {prefix!r}.")
        revoke_api_key(None, rows[0])
    click.echo(f"Revoked {prefix}.")
