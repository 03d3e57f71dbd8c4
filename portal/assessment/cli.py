"""`flask quiz …`: the scheduled work of the assessment feature (item statistics, attempts out of time)."""

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from portal.assessment.services import submit_expired
from portal.assessment.statistics import (
    CachedStatistics,
    refresh_statistics,
    versions_with_submitted_attempts,
)
from portal.extensions import db
from portal.models import Module, QuizVersion

quiz_cli = AppGroup("quiz", help="Quizzes: item statistics for authors, attempts whose time ran out.")


@quiz_cli.command("analyse")
@click.option("--module", "module_slug", metavar="SLUG", help="Only this module's quiz versions.")
def analyse_command(module_slug: str | None) -> None:
    """Compute the item statistics of every quiz version with submitted attempts and store them for the
    authors' pages (first attempts only, and all attempts). Safe to run again at any time."""
    module_id = _module_id(module_slug) if module_slug else None
    versions = versions_with_submitted_attempts(module_id)
    if not versions:
        click.echo("No quiz version has a submitted attempt yet: nothing to analyse.")
        return
    slugs = {module_id: slug for module_id, slug in db.session.execute(sa.select(Module.id, Module.slug))}
    for version in versions:
        first, every = refresh_statistics(version)
        db.session.commit()  # one version at a time: a long run keeps what it has done
        click.echo(_summary(version, slugs[version.module_id], first, every))


def _module_id(slug: str) -> int:
    module_id = db.session.scalar(sa.select(Module.id).where(Module.slug == slug))
    if module_id is None:
        raise click.ClickException(f"no module with the slug {slug!r}")
    return module_id


def _summary(version: QuizVersion, slug: str, first: CachedStatistics, every: CachedStatistics) -> str:
    stats = first.stats
    alpha = "n/a" if stats.alpha is None else f"{stats.alpha:.3f}"
    flagged = sum(1 for item in stats.items if item.flags)
    return (
        f"{slug}: quiz version {version.id} of {version.created_at:%Y-%m-%d}: "
        f"{stats.attempts} first attempts ({every.stats.attempts} in all), mean {stats.mean_percent:.1f} %, "
        f"alpha {alpha}, {flagged} flagged question{'s' if flagged != 1 else ''}"
    )


@quiz_cli.command("close-expired")
def close_expired_command() -> None:
    """Hand in and grade every attempt whose time limit (and grace) ran out, with the answers saved in
    time. Opening such an attempt does the same; run this from a scheduler so that results and
    completions do not wait for the learner to come back."""
    count = submit_expired()
    db.session.commit()
    click.echo(f"Handed in {count} attempt{'s' if count != 1 else ''} whose time ran out.")
