"""`flask media prune`: remove uploaded files that no upload in the database names."""

from datetime import timedelta

import click
from flask.cli import AppGroup

from portal.authoring.media import unreferenced_files

media_cli = AppGroup("media", help="The uploaded media files under MEDIA_DIR.")


@media_cli.command("prune")
@click.option(
    "--untouched-hours",
    type=click.FloatRange(min=1),
    default=24,
    show_default=True,
    help="Leave files younger than this: an upload may still be running.",
)
@click.option("--dry-run", is_flag=True, help="Only list what would be removed.")
def prune_command(untouched_hours: float, dry_run: bool) -> None:
    """Remove the files that failed uploads left behind (safe while the portal runs; e.g. nightly)."""
    paths = unreferenced_files(timedelta(hours=untouched_hours))
    size = sum(path.stat().st_size for path in paths)
    for path in paths:
        click.echo(f"{'would remove' if dry_run else 'removing'} {path}")
        if not dry_run:
            path.unlink(missing_ok=True)
    verb = "Would remove" if dry_run else "Removed"
    click.echo(f"{verb} {len(paths)} files ({size:,} bytes) that no upload in the database names.")
