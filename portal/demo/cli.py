import time

import click
from flask import current_app
from flask.cli import AppGroup

from portal.demo.national import (
    SUMMARY_TABLES,
    AlreadySeeded,
    ContentMissing,
    Summary,
    analyse_tables,
    seed_national,
)
from portal.demo.seed import DEMO_PASSWORD, seed_bulk_staff, seed_demo
from portal.extensions import db

demo_cli = AppGroup("demo", help="The demo municipality.")


@demo_cli.command("seed")
@click.option("--bulk-staff", type=int, default=0, help="Also add this many synthetic employees.")
@click.option(
    "--size",
    type=click.Choice(["demo", "national"]),
    default="demo",
    show_default=True,
    help="demo: Exempelkommun. national: 20 municipalities, 20,000 people and their history "
    "(needs `flask content sync` first; refused on a database that already has it).",
)
@click.option(
    "--scale",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="With --size national: multiply every count by this.  [default: 1.0]",
)
@click.option(
    "--seed",
    type=int,
    default=None,
    help="With --size national: the same seed gives the same data.  [default: 1]",
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="With --size national: the day the history leads up to.  [default: today]",
)
def seed_command(bulk_staff: int, size: str, scale: float | None, seed: int | None, today) -> None:
    """Create Exempelkommun with its units and demo accounts (idempotent), or the national data set."""
    if not current_app.config["DEMO_MODE"]:
        raise click.ClickException("Demo data is only seeded in demo mode (DEMO_MODE=1).")
    if size == "national":
        if bulk_staff:
            raise click.UsageError("--bulk-staff is for the demo municipality, not with --size national.")
        _seed_national(1.0 if scale is None else scale, 1 if seed is None else seed, today and today.date())
        return
    if scale is not None or seed is not None or today is not None:
        raise click.UsageError("--scale, --seed and --today go with --size national.")
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


def _seed_national(scale: float, seed: int, today) -> None:
    began = time.perf_counter()
    try:
        summary = seed_national(scale=scale, seed=seed, today=today)
    except (AlreadySeeded, ContentMissing) as error:
        db.session.rollback()
        raise click.ClickException(f"Nothing was written: {error}.") from error
    db.session.commit()
    analyse_tables()
    db.session.commit()
    click.echo(_report(summary, time.perf_counter() - began))


def _report(summary: Summary, seconds: float) -> str:
    """The counts, one per line as `  <what>: <rows>`, then the time (committed and analysed) and the
    accounts to sign in with."""
    lines = [f"National data set (seed {summary.seed}, scale {summary.scale:g}, as of {summary.today}):"]
    lines += [f"  {label}: {summary.counts.get(table, 0)}" for label, table in SUMMARY_TABLES]
    lines.append(f"  seconds: {seconds:.1f}")
    accounts = ", ".join(f"{username} ({what})" for what, username in summary.accounts.items())
    lines.append(f"Sign in as e.g. {accounts}; password {DEMO_PASSWORD}.")
    return "\n".join(lines)
