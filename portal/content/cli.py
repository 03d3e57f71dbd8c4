import sys

import click
from flask import current_app
from flask.cli import AppGroup

from portal.certification.sync import (
    certifications_root,
    load_certifications,
    require_renewals,
    sync_certifications,
)
from portal.content.errors import ContentError
from portal.content.loader import load_modules
from portal.content.sync import content_root, sync_modules
from portal.extensions import db
from portal.simulator.catalogue import scenarios

content_cli = AppGroup("content", help="The national training content in content/.")


@content_cli.command("sync")
@click.option("--dry-run", is_flag=True, help="Check and show what would change; write nothing.")
def sync_command(dry_run: bool) -> None:
    """Load content/modules and bring the database in line, in one transaction."""
    try:
        sources = load_modules(content_root(current_app.config))
        certifications = load_certifications(
            certifications_root(current_app.config),
            {source.slug for source in sources},
            set(scenarios()),
        )
        with click.progressbar(sources, label="Modules", show_pos=True, file=sys.stderr) as bar:
            report = sync_modules(sources, on_progress=lambda _source: bar.update(1))
        certification_report = sync_certifications(certifications)
        renewals = require_renewals(report.new_versions)
    except ContentError as error:
        db.session.rollback()
        raise click.ClickException(f"nothing was written:\n{error}") from error
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    for label, items in (
        ("created", report.created),
        ("new version", report.new_versions),
        ("deactivated", report.deactivated),
        ("reactivated", report.reactivated),
    ):
        for item in items:
            click.echo(f"  {label}: {item}")
    for label, items in (
        ("certification created", certification_report.created),
        ("certification new version", certification_report.new_versions),
        ("certification deactivated", certification_report.deactivated),
    ):
        for item in items:
            click.echo(f"  {label}: {item}")
    if renewals:
        click.echo(f"  {renewals} certificate holder(s) must renew after a major module version")
    click.echo(("would change: " if dry_run else "") + report.summary())
