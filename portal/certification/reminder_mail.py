"""Sending reminders: a plain-text and an HTML part in the recipient's language (the words are in
reminder_texts.py), one SMTP connection per run, and the ledger row kept only for a message the server
accepted; and "remind now" for one employee.
"""

import smtplib
import ssl
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from flask import current_app, g, render_template
from flask_babel import force_locale

from portal.audit import record
from portal.certification.core import Status
from portal.certification.reminder_texts import texts_for
from portal.certification.reminders import Kind, Reminder, recipient
from portal.certification.services import Cell
from portal.database import dialect_insert
from portal.extensions import db
from portal.models import Certification, ReminderSent, User, utcnow


class MailError(RuntimeError):
    """The mail server cannot be reached or stopped taking mail: the run stops, the next one retries."""


class Refused(RuntimeError):
    """The server (or the address itself) refused this one message; the others can still go."""


class Mailer:
    """One SMTP connection for a run, opened at the first message (a run with nothing to send needs no
    server): STARTTLS and login when configured."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config
        self.where = f"{config['MAIL_SERVER']}:{config['MAIL_PORT']}"
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> "Mailer":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def send(self, message: EmailMessage) -> None:
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            if any(code == 421 for code, _ in error.recipients.values()):  # RFC 5321 §3.8: shutting down
                self.close()
                raise MailError(
                    f"the mail server {self.where} is shutting down: {error.recipients}"
                ) from error
            raise Refused(f"the mail server refused {message['To']}: {error.recipients}") from error
        except smtplib.SMTPDataError as error:
            if error.smtp_code >= 500:  # a permanent "no" to this message, not to all mail
                raise Refused(f"the mail server refused the message to {message['To']}: {error}") from error
            self.close()
            raise MailError(f"the mail server {self.where} did not take the message: {error}") from error
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise MailError(f"the mail server {self.where} stopped taking mail: {error}") from error

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        try:
            smtp = smtplib.SMTP(
                config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=config["MAIL_TIMEOUT_SECONDS"]
            )
        except OSError as error:
            raise MailError(f"cannot connect to the mail server {self.where}: {error}") from error
        try:
            if config.get("MAIL_USE_STARTTLS"):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        except (smtplib.SMTPException, OSError) as error:
            smtp.close()
            raise MailError(f"the mail server {self.where} refused STARTTLS or login: {error}") from error
        return smtp

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None


# Composing


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """Flask-Babel's force_locale, plus forgetting the catalogue portal.i18n caches in `g` for the
    templates (force_locale does not know about it), before and after."""
    saved = g.pop("_portal_translations", None)
    try:
        with force_locale(language):
            yield
    finally:
        g.pop("_portal_translations", None)
        if saved is not None:
            g._portal_translations = saved


def compose(reminder: Reminder) -> EmailMessage:
    """The message with a plain-text part and an HTML alternative; raises Refused for an unusable address."""
    config = current_app.config
    language = reminder.recipient.language
    with in_language(language):
        texts = texts_for(reminder)
        template = "digest" if reminder.kind is Kind.DIGEST else "reminder"
        plain = render_template(f"email/{template}.txt", texts=texts, language=language)
        html = render_template(f"email/{template}.html", texts=texts, language=language)
    message = EmailMessage()
    message["Subject"] = texts.subject
    message["From"] = config["MAIL_FROM"]
    try:
        message["To"] = Address(reminder.recipient.name, addr_spec=reminder.recipient.email or "")
    except (ValueError, IndexError, MessageError) as error:
        raise Refused(f"{reminder.recipient.email!r} is not a usable email address") from error
    message["Date"] = format_datetime(utcnow())
    domain = parseaddr(config["MAIL_FROM"])[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid("reminder", domain=domain)  # a domain given: no slow DNS lookup
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to a robot
    message.set_content(plain)
    message.add_alternative(html, subtype="html")
    message["Content-Language"] = language  # after the parts: set_content clears Content-* headers
    return message


# Sending


def deliver(reminder: Reminder, mailer: Mailer, now: datetime | None = None) -> bool:
    """Claim the ledger row, then send; False when the row exists already (another run or click got
    there first). Raises Refused or MailError: the caller then rolls back, so no row is left for a
    message the server did not accept, and commits after True."""
    message = compose(reminder)
    claimed = db.session.execute(
        dialect_insert(ReminderSent)
        .values(user_id=reminder.recipient.user_id, kind=reminder.kind.value, key=reminder.key,
                sent_at=now or utcnow())
        .on_conflict_do_nothing()
        .returning(ReminderSent.id)
    )  # fmt: skip
    if claimed.scalar_one_or_none() is None:  # (rowcount says -1 here on psycopg: ask for the row)
        return False
    mailer.send(message)
    return True


@dataclass
class RunReport:
    sent: Counter[str] = field(default_factory=Counter)
    no_email: list[Reminder] = field(default_factory=list)
    refused: list[tuple[Reminder, str]] = field(default_factory=list)
    stopped: str | None = None  # why the run stopped (the mail server), if it did
    not_sent: int = 0  # messages left for the next run because it stopped


def send_reminders(reminders: list[Reminder], mailer: Mailer) -> RunReport:
    """Send the plan one message at a time, committing each ledger row once the server accepted the
    message; stop at the first MailError (everything not sent stays due for the next run)."""
    report = RunReport(no_email=[r for r in reminders if not r.recipient.email])
    reminders = [r for r in reminders if r.recipient.email]
    for index, reminder in enumerate(reminders):
        try:
            if deliver(reminder, mailer):
                report.sent[reminder.kind] += 1
            db.session.commit()
        except Refused as error:
            db.session.rollback()
            report.refused.append((reminder, str(error)))
        except MailError as error:
            db.session.rollback()
            report.stopped = str(error)
            report.not_sent = len(reminders) - index
            break
    return report


# "Remind now"


_DUE_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.OVERDUE)  # speak of the due day


class Outcome(StrEnum):
    SENT = "sent"
    TOO_SOON = "too_soon"
    NO_EMAIL = "no_email"
    REFUSED = "refused"
    FAILED = "failed"


def remind_now(manager: User, employee: User, certification: Certification, cell: Cell) -> Outcome:
    """Email `employee` about `certification` at once, at most once per REMINDER_MANUAL_MINUTES per
    employee and certification. On SENT the ledger row and the audit entry are added: the caller
    commits; on anything else the caller rolls back."""
    now = utcnow()
    minutes = int(current_app.config["REMINDER_MANUAL_MINUTES"])
    prefix = f"certification:{certification.id}:"
    last = db.session.scalar(
        sa.select(sa.func.max(ReminderSent.sent_at)).where(
            ReminderSent.user_id == employee.id,
            ReminderSent.kind == Kind.MANUAL.value,
            ReminderSent.key.like(f"{prefix}%"),
        )
    )
    if last is not None and now - last < timedelta(minutes=minutes):
        return Outcome.TOO_SOON
    if not employee.email:
        return Outcome.NO_EMAIL
    # The key names the time slot (of the same length) the reminder was sent in: two clicks at the same
    # moment claim the same row, so only one of them sends.
    slot = int(now.timestamp()) // (minutes * 60) * (minutes * 60)
    key = f"{prefix}{datetime.fromtimestamp(slot, UTC):%Y-%m-%dT%H:%MZ}"
    standing = cell.standing
    reminder = Reminder(
        Kind.MANUAL, key, recipient(employee), dict(certification.current_version.title),
        day=standing.due_on if standing.status in _DUE_STATUSES else standing.valid_until,
        situation=standing.status, sender=manager.full_name,
    )  # fmt: skip
    try:
        with Mailer(current_app.config) as mailer:
            if not deliver(reminder, mailer, now):
                return Outcome.TOO_SOON
    except Refused:
        return Outcome.REFUSED
    except MailError:
        return Outcome.FAILED
    record("certification.reminded", employee, employee.organisation_id,
           certification=certification.slug, status=standing.status.value)  # fmt: skip
    return Outcome.SENT
