"""Turning checked employee rows into a plan against the database, and applying it whole."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from portal import audit
from portal.admin.employee_file import EmployeeFile, EmployeeRow, RowError, fold
from portal.admin.services import add_membership, end_membership
from portal.extensions import db
from portal.models import EmployeeImport, Membership, Position, Role, Unit, User


@dataclass
class PersonPlan:
    line: int
    username: str
    full_name: str
    email: str | None
    user: User | None
    field_changes: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    starts: list[tuple[Unit, Position, date]] = field(default_factory=list)
    ends: list[Membership] = field(default_factory=list)

    @property
    def is_new(self) -> bool:
        return self.user is None

    @property
    def has_changes(self) -> bool:
        return self.is_new or bool(self.field_changes or self.starts or self.ends)


@dataclass
class ImportPlan:
    people: list[PersonPlan]
    errors: list[RowError]

    @property
    def changes(self) -> list[PersonPlan]:
        return [person for person in self.people if person.has_changes]

    @property
    def can_apply(self) -> bool:
        return not self.errors and bool(self.changes)


def plan(organisation_id: int, parsed: EmployeeFile, today: date) -> ImportPlan:
    """What importing ``parsed`` would change; errors found against the database are added."""
    errors = list(parsed.errors)
    units = {
        fold(unit.name): unit
        for unit in db.session.scalars(
            sa.select(Unit).where(Unit.organisation_id == organisation_id, Unit.is_active)
        )
    }
    rows_by_user: dict[str, list[EmployeeRow]] = defaultdict(list)
    for row in parsed.rows:
        if fold(row.unit_name) not in units:
            errors.append(
                RowError(row.line, _("There is no active unit called “%(unit)s”.", unit=row.unit_name))
            )
        else:
            rows_by_user[row.username].append(row)
    users = _existing_users(rows_by_user.keys())
    people = []
    for username, rows in rows_by_user.items():
        person, problems = _plan_person(organisation_id, rows, users.get(username), units, today)
        errors.extend(RowError(rows[0].line, problem) for problem in problems)
        people.append(person)
    errors.sort(key=lambda error: error.line)
    return ImportPlan(people=people, errors=errors)


def _existing_users(usernames) -> dict[str, User]:
    if not usernames:
        return {}
    found = db.session.scalars(sa.select(User).where(User.username.in_(list(usernames))))
    return {user.username: user for user in found}


def _plan_person(organisation_id, rows, user, units, today) -> tuple[PersonPlan, list[str]]:
    first = rows[0]
    person = PersonPlan(first.line, first.username, first.full_name, first.email, user)
    problems = []
    if user is not None and user.organisation_id != organisation_id:
        return person, [_("The username %(username)s is taken.", username=first.username)]
    if first.email and _email_owner(first.email) not in (None, first.username):
        problems.append(_("Another person already has the email address %(email)s.", email=first.email))
    wanted = {(units[fold(row.unit_name)].id, row.position): row for row in rows}
    current = {(m.unit_id, m.position): m for m in user.current_memberships} if user else {}
    person.starts = [
        (units[fold(row.unit_name)], row.position, row.start_date or today)
        for key, row in wanted.items()
        if key not in current
    ]
    person.ends = [membership for key, membership in current.items() if key not in wanted]
    if user is not None:
        for name in ("full_name", "email"):
            old, new = getattr(user, name), getattr(first, name)
            if (old or None) != (new or None):
                person.field_changes[name] = (old, new)
    return person, problems


def _email_owner(email: str) -> str | None:
    return db.session.scalar(sa.select(User.username).where(sa.func.lower(User.email) == email.lower()))


def apply(employee_import: EmployeeImport, import_plan: ImportPlan, today: date) -> dict[str, int]:
    """Carry out the whole plan (the caller commits, so it lands entirely or not at all)."""
    summary = {"created": 0, "updated": 0, "started": 0, "ended": 0}
    for person in import_plan.changes:
        user = person.user or _create_user(employee_import.organisation_id, person)
        summary["created" if person.is_new else "updated"] += 1
        for name, (_old, new) in person.field_changes.items():
            setattr(user, name, new)
        for membership in person.ends:
            end_membership(membership, max(today, membership.started_on))
        for unit, position, started_on in person.starts:
            add_membership(user, unit, position, started_on)
        summary["started"] += len(person.starts)
        summary["ended"] += len(person.ends)
    employee_import.summary = summary
    audit.record(
        "import.applied",
        employee_import,
        employee_import.organisation_id,
        filename=employee_import.filename,
        **summary,
    )
    return summary


def _create_user(organisation_id: int, person: PersonPlan) -> User:
    user = User(
        organisation_id=organisation_id,
        username=person.username,
        full_name=person.full_name,
        email=person.email,
    )
    user.set_roles({Role.LEARNER})
    db.session.add(user)
    db.session.flush()
    audit.record("user.imported", user, organisation_id, username=user.username)
    return user
