"""`flask certifications …`: the daily work of certification (assignment rules, issuing)."""

import click
from flask.cli import AppGroup

from portal.certification.services import apply_rules, evaluate
from portal.extensions import db
from portal.models import User

certifications_cli = AppGroup("certifications", help="Certifications: assignment rules and issuing.")


@certifications_cli.command("apply-rules")
def apply_rules_command() -> None:
    """Assign certifications by position and unit; end assignments that no longer apply (idempotent)."""
    report = apply_rules()
    db.session.commit()
    click.echo(f"{report.added} assignment(s) added, {report.ended} ended.")


@certifications_cli.command("evaluate")
def evaluate_command() -> None:
    """Issue every certification or renewal whose requirements are met (also done as people finish)."""
    issued = sum(
        len(evaluate(user_id)) for user_id in db.session.scalars(db.select(User.id).where(User.active))
    )
    db.session.commit()
    click.echo(f"{issued} certification(s) issued.")
