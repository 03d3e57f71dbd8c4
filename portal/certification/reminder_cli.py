"""`flask reminders send`: the daily reminder run, for a scheduler (cron, a systemd timer). Idempotent:
what the ledger shows as sent is never sent again, and what a failed run did not send goes next time."""

from collections import Counter
from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup

from portal.certification.reminder_mail import Mailer, Refused, compose, send_reminders
from portal.certification.reminders import Kind, Policy, Reminder, plan
from portal.certification.services import local_today
from portal.extensions import db

reminders_cli = AppGroup("reminders", help="Reminder emails about certifications.")


@reminders_cli.command("send")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send and record nothing.")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Plan as if it were this day (YYYY-MM-DD); default: today in Sweden.",
)
def send_command(dry_run: bool, today: datetime | None) -> None:
    """Email every reminder that is due and not yet sent, and the managers' weekly digests."""
    day = today.date() if today else local_today()
    reminders = plan(day, Policy.from_config(current_app.config))
    click.echo(f"Reminders due on {day.isoformat()}: {len(reminders)}.")
    if dry_run:
        _show(reminders)
        db.session.rollback()
        return
    with Mailer(current_app.config) as mailer:
        report = send_reminders(reminders, mailer)
    _counts("Sent", report.sent)
    for reminder in report.no_email:
        click.echo(f"Skipped (no email address): {_who(reminder)}, {reminder.kind}.")
    for reminder, why in report.refused:
        click.echo(f"Refused: {_who(reminder)}, {reminder.kind}: {why}", err=True)
    if report.stopped:
        raise click.ClickException(
            f"stopped: {report.stopped}. {report.not_sent} message(s) not sent; "
            "they will be sent by the next run."
        )
    if report.refused:
        raise click.ClickException(f"{len(report.refused)} message(s) refused; see above.")


def _show(reminders: list[Reminder]) -> None:
    for reminder in reminders:
        if not reminder.recipient.email:
            click.echo(f"  would skip (no email address): {_who(reminder)}, {reminder.kind}")
            continue
        try:
            subject = compose(reminder)["Subject"]
        except Refused as error:
            subject = f"(refused: {error})"
        click.echo(f"  would send {reminder.kind} to {_who(reminder)}: {subject}")
    _counts("Would send", Counter(r.kind for r in reminders if r.recipient.email))
    skipped = sum(1 for r in reminders if not r.recipient.email)
    click.echo(f"Nothing was sent or recorded (dry run). {skipped} without an email address.")


def _counts(label: str, counts: Counter) -> None:
    click.echo(f"{label}: {sum(counts.values())} message(s).")
    for kind in Kind:
        if counts[kind]:
            click.echo(f"  {kind.value}: {counts[kind]}")


def _who(reminder: Reminder) -> str:
    recipient = reminder.recipient
    address = f" <{recipient.email}>" if recipient.email else ""
    return f"{recipient.name} (#{recipient.user_id}){address}"
