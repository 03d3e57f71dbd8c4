import re

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from portal.extensions import db
from portal.models import Organisation

organisations_cli = AppGroup("organisations", help="Manage organisations (municipalities).")


@organisations_cli.command("create")
@click.argument("name")
@click.option("--code", required=True, help="Short unique code, e.g. exempelkommun.")
def create_command(name: str, code: str) -> None:
    """Create an organisation; then `flask users create --role admin` gives it an administrator."""
    if not re.fullmatch(r"[a-z0-9-]{2,64}", code):
        raise click.ClickException("The code must be 2-64 characters a-z, 0-9 or dash.")
    taken = db.session.scalar(
        sa.select(Organisation.id).where(sa.or_(Organisation.code == code, Organisation.name == name))
    )
    if taken:
        raise click.ClickException("An organisation with that name or code exists.")
    db.session.add(Organisation(name=name, code=code))
    db.session.commit()
    click.echo(f"Created {name} ({code}).")
