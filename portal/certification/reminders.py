"""Who must be reminded of what on a given day: the rules (pure, any `today`) and the plan read from the
database (nothing written). Sending the plan, and "remind now", live in reminder_mail.py.

A learner hears about each certification they must hold (an active assignment) at most once per stage,
and only the stage they are in when the job runs, so a missed day never sends a pile of stale mail:
assigned → due soon → overdue while never certified; renewal window open → expiring soon → expired once
certified. Keys name the subject (the assignment or the cycle), so a new assignment or a renewed cycle
starts over. Certifications held without an assignment (no longer required) get no reminders.
Managers get a weekly digest of the gaps in their units (once per ISO week, only when there are gaps).
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal.certification.core import Standing, Status
from portal.certification.services import Cell, active_certifications, standings
from portal.extensions import db
from portal.models import Assignment, Membership, ReminderSent, Role, Unit, User
from portal.models.user import managed_unit

CHUNK = 1000  # people per standings() call: a bounded IN list, a constant number of queries per chunk


class Kind(StrEnum):
    """The kinds of reminder, as written in the ledger (ReminderSent.kind)."""

    ASSIGNED = "assigned"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    WINDOW_OPEN = "window_open"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    DIGEST = "digest"
    MANUAL = "manual"  # "remind now" by a manager


class Gap(StrEnum):
    """A line of the managers' digest; the sections come in this order."""

    OVERDUE = "overdue"
    EXPIRED = "expired"
    EXPIRING = "expiring"
    WINDOW_OPEN = "window_open"


@dataclass(frozen=True)
class Policy:
    due_days: int = 7
    expiry_days: int = 14
    digest_expiring_days: int = 30

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "Policy":
        return cls(
            due_days=int(config.get("REMINDER_DUE_DAYS", cls.due_days)),
            expiry_days=int(config.get("REMINDER_EXPIRY_DAYS", cls.expiry_days)),
            digest_expiring_days=int(config.get("REMINDER_DIGEST_EXPIRING_DAYS", cls.digest_expiring_days)),
        )


@dataclass(frozen=True)
class Recipient:
    user_id: int
    name: str
    email: str | None
    language: str  # "sv" or "en"


@dataclass(frozen=True)
class DigestLine:
    gap: Gap
    person: str
    units: str
    certification: Mapping[str, str]  # its title per language
    day: date | None  # due on (overdue) or valid until


@dataclass(frozen=True)
class Reminder:
    """One message to send: plain values only, so that it outlives the session it was planned in."""

    kind: Kind
    key: str
    recipient: Recipient
    certification: Mapping[str, str] | None = None  # title per language
    day: date | None = None  # the day the message is about: due on, or valid until
    situation: Status | None = None  # for "remind now": the employee's status
    sender: str | None = None  # for "remind now": the manager's name
    lines: tuple[DigestLine, ...] = ()


# The rules (pure)


def learner_reminder(
    standing: Standing, assignment_id: int, cycle_id: int | None, today: date, policy: Policy
) -> tuple[Kind, str] | None:
    """The reminder that fits an assigned person's standing today, as (kind, ledger key), or None."""
    status = standing.status
    if status is Status.OVERDUE:
        return Kind.OVERDUE, f"assignment:{assignment_id}:overdue"
    if status in (Status.NOT_STARTED, Status.IN_PROGRESS):
        if standing.due_on is not None and standing.due_on - today <= timedelta(days=policy.due_days):
            return Kind.DUE_SOON, f"assignment:{assignment_id}:due-{policy.due_days}"
        return Kind.ASSIGNED, f"assignment:{assignment_id}"
    if cycle_id is None or standing.valid_until is None:
        return None
    if status is Status.EXPIRED:
        return Kind.EXPIRED, f"cycle:{cycle_id}:expired"
    if status in (Status.CERTIFIED, Status.WINDOW_OPEN):
        if standing.valid_until - today <= timedelta(days=policy.expiry_days):
            return Kind.EXPIRING, f"cycle:{cycle_id}:expiry-{policy.expiry_days}"
        if status is Status.WINDOW_OPEN:
            return Kind.WINDOW_OPEN, f"cycle:{cycle_id}:window"
    return None  # certified with time to spare, or revoked (the manager's business)


def digest_gap(standing: Standing, today: date, policy: Policy) -> Gap | None:
    status = standing.status
    if status is Status.OVERDUE:
        return Gap.OVERDUE
    if status is Status.EXPIRED:
        return Gap.EXPIRED
    if status in (Status.CERTIFIED, Status.WINDOW_OPEN) and standing.valid_until is not None:
        if standing.valid_until - today <= timedelta(days=policy.digest_expiring_days):
            return Gap.EXPIRING
        if status is Status.WINDOW_OPEN:
            return Gap.WINDOW_OPEN
    return None


def week_key(today: date) -> str:
    year, week, _ = today.isocalendar()
    return f"digest:{year}-W{week:02d}"


def day_of(kind: Kind, standing: Standing) -> date | None:
    if kind in (Kind.ASSIGNED, Kind.DUE_SOON, Kind.OVERDUE):
        return standing.due_on
    return standing.valid_until


# The plan (reads the database, writes nothing)


def plan(today: date, policy: Policy) -> list[Reminder]:
    """Every reminder due on `today` that the ledger does not show as sent: learners first (by person),
    then the managers' digests. A constant number of queries per thousand people."""
    certifications = active_certifications()
    if not certifications:
        return []
    titles = {c.id: dict(c.current_version.title) for c in certifications}
    people = _assigned_people()
    cells: dict[tuple[int, int], Cell] = {}
    sent: set[tuple[int, str, str]] = set()
    for chunk in _chunks(list(people)):
        cells.update(standings(chunk, certifications, today))
        sent |= _ledger(chunk)
    reminders = []
    for (user_id, certification_id), cell in sorted(cells.items()):
        if cell.assignment is None:
            continue
        cycle_id = cell.cycle.id if cell.cycle else None
        found = learner_reminder(cell.standing, cell.assignment.id, cycle_id, today, policy)
        if found is None or (user_id, *found) in sent:
            continue
        kind, key = found
        reminders.append(
            Reminder(
                kind, key, recipient(people[user_id]), titles[certification_id], day_of(kind, cell.standing)
            )
        )
    return reminders + _digests(people, cells, titles, today, policy)


def recipient(user: User) -> Recipient:
    language = user.language if user.language in ("sv", "en") else "sv"
    return Recipient(user.id, user.full_name, user.email or None, language)


def _assigned_people() -> dict[int, User]:
    """Active people with at least one active assignment: nobody else is reminded of anything."""
    assigned = sa.select(Assignment.user_id).where(Assignment.ended_at.is_(None))
    query = sa.select(User).where(User.active, User.id.in_(assigned)).order_by(User.id)
    return {user.id: user for user in db.session.scalars(query)}


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _ledger(user_ids: Iterable[int]) -> set[tuple[int, str, str]]:
    learner_kinds = [k.value for k in Kind if k not in (Kind.DIGEST, Kind.MANUAL)]
    rows = db.session.execute(
        sa.select(ReminderSent.user_id, ReminderSent.kind, ReminderSent.key).where(
            ReminderSent.user_id.in_(list(user_ids)), ReminderSent.kind.in_(learner_kinds)
        )
    )
    return {(user_id, kind, key) for user_id, kind, key in rows}


def _digests(
    people: dict[int, User],
    cells: dict[tuple[int, int], Cell],
    titles: dict[int, dict[str, str]],
    today: date,
    policy: Policy,
) -> list[Reminder]:
    """A digest for each active manager whose units have gaps, unless this week's went out already.
    Employees as in competence.scope: active, same organisation, a current membership in the unit."""
    key = week_key(today)
    done = set(
        db.session.scalars(
            sa.select(ReminderSent.user_id).where(
                ReminderSent.kind == Kind.DIGEST.value, ReminderSent.key == key
            )
        )
    )
    managers = [
        m
        for m in db.session.scalars(
            sa.select(User)
            .where(User.active, User.id.in_(sa.select(managed_unit.c.user_id)))
            .options(selectinload(User.managed_units))
            .order_by(User.id)
        )
        if m.has_role(Role.MANAGER) and m.id not in done
    ]
    unit_ids = {unit_id for m in managers for unit_id in m.managed_unit_ids}
    members: dict[int, list[tuple[int, str]]] = defaultdict(list)  # unit id -> (person, unit name)
    for user_id, unit_id, unit_name in db.session.execute(
        sa.select(Membership.user_id, Membership.unit_id, Unit.name)
        .join(Unit, Unit.id == Membership.unit_id)
        .where(Membership.unit_id.in_(unit_ids), Membership.ended_on.is_(None))
        .order_by(Unit.name)
    ):
        if user_id in people:  # active and assigned something; otherwise there is no gap to show
            members[unit_id].append((user_id, unit_name))
    by_person: dict[int, list[tuple[int, Cell]]] = defaultdict(list)
    for (user_id, certification_id), cell in cells.items():
        if cell.assignment is not None:
            by_person[user_id].append((certification_id, cell))
    digests = []
    for manager in managers:
        lines = _digest_lines(manager, members, by_person, people, titles, today, policy)
        if lines:
            digests.append(Reminder(Kind.DIGEST, key, recipient(manager), lines=lines))
    return digests


def _digest_lines(manager, members, by_person, people, titles, today, policy) -> tuple[DigestLine, ...]:
    units_of: dict[int, list[str]] = defaultdict(list)
    for unit in manager.managed_units:
        for user_id, unit_name in members.get(unit.id, ()):
            if people[user_id].organisation_id == manager.organisation_id:
                units_of[user_id].append(unit_name)
    lines = []
    for user_id, units in units_of.items():
        for certification_id, cell in by_person.get(user_id, ()):
            gap = digest_gap(cell.standing, today, policy)
            if gap is not None:
                day = cell.standing.due_on if gap is Gap.OVERDUE else cell.standing.valid_until
                lines.append(
                    DigestLine(
                        gap, people[user_id].full_name, ", ".join(units), titles[certification_id], day
                    )
                )
    order = list(Gap)
    return tuple(
        sorted(
            lines, key=lambda x: (order.index(x.gap), x.day or today, x.person, x.certification.get("sv", ""))
        )
    )
