import click
from flask import current_app
from flask.cli import AppGroup

from portal.demo.seed import seed_bulk_staff, seed_demo
from portal.extensions import db

demo_cli = AppGroup("demo", help="The demo municipality.")


@demo_cli.command("seed")
@click.option("--bulk-staff", type=int, default=0, help="Also add this many synthetic employees.")
def seed_command(bulk_staff: int) -> None:
    """Create Exempelkommun with its units and demo accounts (idempotent)."""
    if not current_app.config["DEMO_MODE"]:
        raise click.ClickException("Demo data is only seeded in demo mode (DEMO_MODE=1).")
    added = seed_demo()
    bulk = seed_bulk_staff(bulk_staff) if bulk_staff else 0
    db.session.commit()
    click.echo(
        "Exempelkommun: added {organisations} organisation, {units} units, {users} people, "
        "{memberships} memberships, {progress} completed sections, {quiz_attempts} quiz attempts, "
        "{certifications} earlier certifications, {exercises} passed exercises, {routines} routines".format(
            **added
        )
        + (f", {bulk} synthetic employees." if bulk else ".")
    )
