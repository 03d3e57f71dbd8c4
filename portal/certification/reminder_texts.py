"""The words of the reminder emails, in the language in force (reminder_mail.in_language renders them):
kept in Python rather than in the templates, which only lay them out, because babel.cfg extracts messages
from .py and .html files (text in a .txt template would never be translated), and one source keeps the
plain and the HTML part saying the same thing."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import format_date, gettext, ngettext

from portal.certification.core import Status
from portal.certification.reminders import Gap, Kind, Reminder
from portal.links import portal_url


@dataclass(frozen=True)
class Row:
    person: str
    units: str
    certification: str
    day: str


@dataclass(frozen=True)
class Section:
    heading: str
    date_heading: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Texts:
    subject: str
    greeting: str
    paragraphs: tuple[str, ...]
    link_label: str
    link: str
    footer: str
    sections: tuple[Section, ...] = ()
    columns: tuple[str, ...] = ()


def _title(texts: Mapping[str, str] | None, language: str) -> str:
    return (texts or {}).get(language) or (texts or {}).get("sv", "")


def _day(day: date | None) -> str:
    return format_date(day, "long") if day else ""


def _situation(kind: Kind | Status, title: str, day: str) -> str:
    """The sentence about where the person stands (scheduled reminders by kind, "remind now" by status)."""
    values = {"certification": title, "date": day}
    if kind in (Kind.ASSIGNED, Status.NOT_STARTED, Status.IN_PROGRESS):
        if not day:
            return gettext("You have been asked to take the certification %(certification)s.", **values)
        return gettext(
            "You have been asked to take the certification %(certification)s. Complete it by %(date)s.",
            **values,
        )
    if kind is Kind.DUE_SOON:
        return gettext(
            "The certification %(certification)s must be completed by %(date)s, and you have not finished it yet.",
            **values,
        )
    if kind in (Kind.OVERDUE, Status.OVERDUE):
        return gettext(
            "The certification %(certification)s should have been completed by %(date)s. Please complete it as soon as you can, and talk to your manager if you need time or help.",
            **values,
        )
    if kind in (Kind.WINDOW_OPEN, Status.WINDOW_OPEN):
        return gettext(
            "Your certification %(certification)s is valid until %(date)s. You can renew it now by completing the refresher in Trygghetsportalen.",
            **values,
        )
    if kind is Kind.EXPIRING:
        return gettext(
            "Your certification %(certification)s is only valid until %(date)s. Complete the refresher before then to stay certified.",
            **values,
        )
    if kind in (Kind.EXPIRED, Status.EXPIRED):
        return gettext(
            "Your certification %(certification)s was valid until %(date)s and has expired. Complete it again in Trygghetsportalen to be certified.",
            **values,
        )
    if kind is Status.REVOKED:
        return gettext(
            "Your certification %(certification)s has been revoked. Complete it again in Trygghetsportalen to be certified.",
            **values,
        )
    return gettext("Your certification %(certification)s is valid until %(date)s.", **values)


def _subject(reminder: Reminder, title: str, day: str) -> str:
    kind, values = reminder.kind, {"certification": title, "date": day}
    if kind is Kind.MANUAL:
        return gettext("Reminder from %(manager)s: %(certification)s", manager=reminder.sender, **values)
    if kind is Kind.ASSIGNED:
        return gettext("New certification to take: %(certification)s", **values)
    if kind is Kind.DUE_SOON:
        return gettext("Reminder: %(certification)s is due on %(date)s", **values)
    if kind is Kind.OVERDUE:
        return gettext("Overdue: %(certification)s", **values)
    if kind is Kind.WINDOW_OPEN:
        return gettext("Time to renew: %(certification)s", **values)
    if kind is Kind.EXPIRING:
        return gettext("%(certification)s is only valid until %(date)s", **values)
    return gettext("%(certification)s has expired", **values)


def texts_for(reminder: Reminder) -> Texts:
    """Every word of the message, in the language in force (see in_language)."""
    language = reminder.recipient.language
    greeting = gettext("Hello %(name)s,", name=reminder.recipient.name)
    if reminder.kind is Kind.DIGEST:
        return _digest_texts(reminder, greeting, language)
    title, day = _title(reminder.certification, language), _day(reminder.day)
    paragraphs = [_situation(reminder.situation or reminder.kind, title, day)]
    if reminder.kind is Kind.MANUAL:
        paragraphs.insert(
            0,
            gettext("Your manager %(manager)s has sent you this reminder about %(certification)s.",
                    manager=reminder.sender, certification=title),
        )  # fmt: skip
    return Texts(
        subject=_subject(reminder, title, day),
        greeting=greeting,
        paragraphs=tuple(paragraphs),
        link_label=gettext("Your training in Trygghetsportalen"),
        link=portal_url("certification.mine"),
        footer=gettext(
            "This message was sent automatically by Trygghetsportalen. Please do not reply to it."
        ),
    )


def _digest_texts(reminder: Reminder, greeting: str, language: str) -> Texts:
    days = current_app.config["REMINDER_DIGEST_EXPIRING_DAYS"]
    headings = {
        Gap.OVERDUE: (gettext("Overdue: never certified and past the due day"), gettext("Due")),
        Gap.EXPIRED: (gettext("Expired"), gettext("Valid until")),
        Gap.EXPIRING: (gettext("Expiring within %(days)s days", days=days), gettext("Valid until")),
        Gap.WINDOW_OPEN: (gettext("Renewal window open"), gettext("Valid until")),
    }
    sections = []
    for gap in Gap:
        rows = tuple(
            Row(line.person, line.units, _title(line.certification, language), _day(line.day))
            for line in reminder.lines
            if line.gap is gap
        )
        if rows:
            sections.append(Section(*headings[gap], rows))
    count = len(reminder.lines)
    return Texts(
        subject=ngettext(
            "Weekly summary: %(num)d certification needs attention in your units",
            "Weekly summary: %(num)d certifications need attention in your units",
            count,
        ),
        greeting=greeting,
        paragraphs=(
            gettext("These certifications of the employees in your units need attention this week."),
        ),
        link_label=gettext("The competence overview in Trygghetsportalen"),
        link=portal_url("competence.matrix"),
        footer=gettext(
            "You receive this summary once a week, when there is something to act on, because you manage units in Trygghetsportalen."
        ),
        sections=tuple(sections),
        columns=(gettext("Employee"), gettext("Unit"), gettext("Certification")),
    )
