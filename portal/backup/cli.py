from pathlib import Path

import click
from alembic.script import ScriptDirectory
from flask import current_app
from flask.cli import AppGroup

from portal.backup.service import BackupError, RestoreResult, create_backup, restore_backup, some
from portal.extensions import db

backup_cli = AppGroup("backup", help="Back up the database, or restore a backup into an empty one.")
FILE = click.Path(dir_okay=False, path_type=Path)


@backup_cli.command("create")
@click.argument("file", type=FILE)
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
def create_command(file: Path, force: bool) -> None:
    """Write a consistent copy of the whole database to FILE; the portal may keep running."""
    try:
        result = create_backup(db.engine, file, overwrite=force)
    except BackupError as error:
        raise click.ClickException(f"{error}\nNo backup was written.") from error
    click.echo(f"Backed up {result.tables} tables to {result.path} ({result.size_bytes:,} bytes).")


@backup_cli.command("restore")
@click.argument("file", type=FILE)
@click.option("--force", is_flag=True, help="Replace what the database holds, if it is not empty.")
def restore_command(file: Path, force: bool) -> None:
    """Load FILE, made by `flask backup create`, into the database, which must be empty unless --force.
    Stop the portal first."""
    try:
        result = restore_backup(db.engine, file, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    _report(file, result)


def _report(file: Path, result: RestoreResult) -> None:
    if result.replaced:
        click.echo(f"Replaced the rows in {some(result.replaced)}.")
    click.echo(f"Restored {file} into {result.database}: {result.tables} tables, {result.rows:,} rows.")
    if result.kept:
        click.echo(f"Left as they were, not being in the backup: {some(result.kept)}.")
    head = _migration_head()
    if result.schema_revision and result.schema_revision != head:
        click.echo(
            f"The backup's schema is at migration {result.schema_revision}, this portal's at {head}: "
            "run `flask db upgrade` before starting the portal."
        )


def _migration_head() -> str | None:
    return ScriptDirectory(current_app.extensions["migrate"].directory).get_current_head()
