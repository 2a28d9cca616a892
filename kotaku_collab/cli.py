"""`flask kotaku ...` commands."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from kotaku_collab.extensions import db, passwords
from kotaku_collab.models import Role
from kotaku_collab.services import DomainError


@click.group()
def kotaku():
    """KOTAKU Collab administration commands."""


@kotaku.command("create-user")
@click.option("--email", required=True)
@click.option("--name", default=None, help="Display name (defaults to the e-mail's name part).")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--organisation", "organisation_id", type=int, default=None,
              help="Organisation id (required for stakeholders).")
@click.option("--region", "region_codes", multiple=True,
              help="Kemendagri region code in scope (repeatable), e.g. 51.05.")
@click.option("--national", is_flag=True, help="Organiser or reviewer for every region.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create_user_command(email, name, role, organisation_id, region_codes, national, password):
    """Create an account (the first admin is made this way)."""
    from kotaku_collab.services.accounts import create_user

    try:
        user = create_user(db.session, passwords, email=email, name=name or email.split("@")[0],
                           role=Role(role), password=password, organisation_id=organisation_id,
                           region_codes=list(region_codes), is_national=national)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email} (id {user.id}).")
