"""Everyone's status in every certification, for many people at once: the read side of the matrix.

The same records count as in `certification.services.standings` (a person's active assignment; their
latest cycle that a renewal did not archive) and the core's rules give the status, but the records are
read as plain rows instead of ORM objects (for 2,000 people × 10 certifications the ORM objects took most
of a second), and the rules are applied to the rows directly. tests/competence/test_cells.py holds the
two to the same answers.
"""

from datetime import date, timedelta
from typing import NamedTuple

import sqlalchemy as sa

from portal.certification.core import Status
from portal.certification.services import definition_of
from portal.competence.labels import NOT_ASSIGNED
from portal.extensions import db
from portal.models import (
    Assignment,
    Certification,
    CertificationCycle,
    CycleState,
    Module,
    SectionProgress,
    SectionVersion,
)


class Cell(NamedTuple):
    """One person's standing in one certification, as the matrix and the exports show it."""

    status: str  # a Status, or NOT_ASSIGNED
    valid_until: date | None = None
    due_on: date | None = None
    certified_on: date | None = None
    revoked_on: date | None = None
    assigned: bool = False


EMPTY = Cell(NOT_ASSIGNED)
BATCH = 2000  # rows fetched at a time
FEW_PEOPLE = 500  # up to this many, progress is read for a list of people; for more, by the query of ids

Cells = dict[tuple[int, int], Cell]  # (person id, certification id) -> cell, for the pairs assigned or held


class _Day(sa.types.UserDefinedType):
    """A date as the driver gives it: ISO text on SQLite, parsed by the C parser (SQLAlchemy's own
    per-value parsing was a third of the matrix's time), already a date on PostgreSQL."""

    cache_ok = True

    def get_col_spec(self) -> str:  # only read through type_coerce, never in DDL
        return "DATE"

    def result_processor(self, dialect: sa.Dialect, coltype: object):
        if dialect.name != "sqlite":
            return None
        parse = date.fromisoformat
        return lambda value: parse(value) if value.__class__ is str else value


def _day(column) -> sa.ColumnElement:
    return sa.type_coerce(column, _Day).label(column.key)


# A cycle's dates as core.Cycle names them, in this order.
CYCLE_COLUMNS = [
    _day(getattr(CertificationCycle, name))
    for name in ("certified_on", "valid_until", "renew_by", "revoked_on", "renewal_required_on")
]


def load_cells(user_ids: sa.Select | list[int], certifications: list[Certification], today: date) -> Cells:
    """The cells of every (person, certification) pair that is assigned or held, in at most three queries
    whatever the number of people (`user_ids`: a list, or a query of ids).

    Progress in modules is read last, and only for the pairs whose status can depend on it: assigned, never
    certified (no cycle) and not overdue."""
    if not certifications:
        return {}
    cert_ids = [c.id for c in certifications]
    definitions = {c.id: definition_of(c.current_version) for c in certifications}
    windows = {cert_id: timedelta(days=d.window_days) for cert_id, d in definitions.items()}
    modules = {cert_id: d.modules for cert_id, d in definitions.items()}
    run = db.session.connection().execute  # plain rows: the ORM's result machinery is not needed
    due: dict[tuple[int, int], date | None] = {}
    assignments = run(
        sa.select(Assignment.user_id, Assignment.certification_id, _day(Assignment.due_on))
        .where(
            Assignment.user_id.in_(user_ids),
            Assignment.certification_id.in_(cert_ids),
            Assignment.ended_at.is_(None),
        )
        .order_by(Assignment.due_on.desc())  # as services.standings: the last one read wins
    )
    for batch in assignments.partitions(BATCH):
        for user_id, cert_id, due_on in batch:
            due[(user_id, cert_id)] = due_on
    latest: dict[tuple[int, int], sa.Row] = {}
    cycles = run(
        sa.select(CertificationCycle.user_id, CertificationCycle.certification_id, *CYCLE_COLUMNS)
        .where(
            CertificationCycle.user_id.in_(user_ids),
            CertificationCycle.certification_id.in_(cert_ids),
            CertificationCycle.state != CycleState.SUPERSEDED,
        )
        .order_by(CertificationCycle.id)
    )
    for batch in cycles.partitions(BATCH):
        for row in batch:
            latest[(row[0], row[1])] = row  # the pair's latest cycle wins
    cells: Cells = {}
    for key, (_, _, certified_on, *dates) in latest.items():
        status, valid_until = cycle_status(today, windows[key[1]], certified_on, *dates)
        cells[key] = Cell(status, valid_until, None, certified_on, dates[2], key in due)
    started = _started_modules(user_ids, _progress_counts(due, latest, modules, today))
    for key, due_on in due.items():
        if key not in latest:
            begun = started.get(key[0])
            done = bool(begun) and not modules[key[1]].isdisjoint(begun)
            cells[key] = Cell(uncertified_status(today, due_on, done), None, due_on, None, None, True)
    return cells


# The core's rules (core.derive_status), restated for rows: for 4,000 people the core's Cycle and Standing
# objects took half of a matrix's time. core.derive_status stays the definition; tests/competence/
# test_cells.py holds these two functions to its answers for every kind of input.


def cycle_status(
    today: date,
    window: timedelta,
    certified_on: date,
    valid_until: date,
    renew_by: date | None,
    revoked_on: date | None,
    renewal_required_on: date | None,
) -> tuple[Status, date]:
    """The status of someone whose latest cycle this is, with the day it is valid until (or ended)."""
    if revoked_on is not None and revoked_on <= today:
        return Status.REVOKED, valid_until
    ends_on = min(valid_until, renew_by) if renew_by else valid_until
    opens = ends_on - window
    if renewal_required_on and renewal_required_on < opens:
        opens = renewal_required_on
    if today > ends_on:
        return Status.EXPIRED, ends_on
    if today >= opens:
        return Status.WINDOW_OPEN, ends_on
    return Status.CERTIFIED, ends_on


def uncertified_status(today: date, due_on: date | None, started: bool) -> Status:
    """The status of someone assigned and never certified (no cycle)."""
    if due_on is not None and today > due_on:
        return Status.OVERDUE
    return Status.IN_PROGRESS if started else Status.NOT_STARTED


def _progress_counts(
    due: dict[tuple[int, int], date | None],
    latest: dict[tuple[int, int], sa.Row],
    modules: dict[int, frozenset[str]],
    today: date,
) -> dict[int, set[str]]:
    """Per person, the modules whose progress can change a status: those of the certifications they are
    assigned, never certified in and not yet overdue in (the status looks at progress only then)."""
    wanted: dict[int, set[str]] = {}
    for key, due_on in due.items():
        if key not in latest and (due_on is None or due_on >= today) and modules[key[1]]:
            wanted.setdefault(key[0], set()).update(modules[key[1]])
    return wanted


def _started_modules(user_ids: sa.Select | list[int], wanted: dict[int, set[str]]) -> dict[int, set[str]]:
    """The slugs of the `wanted` modules in which each person has started or done a section."""
    if not wanted:
        return {}
    people = sorted(wanted)
    if isinstance(user_ids, list) or len(people) <= FEW_PEOPLE:
        user_ids = people  # else the query of ids, which costs no parameter per person
    slugs = sorted(set().union(*wanted.values()))
    rows = db.session.connection().execute(
        sa.select(SectionProgress.user_id, Module.slug)
        .join(SectionVersion, SectionVersion.id == SectionProgress.section_version_id)
        .join(Module, Module.id == SectionVersion.module_id)
        .where(SectionProgress.user_id.in_(user_ids), Module.slug.in_(slugs))
        .distinct()
    )
    started: dict[int, set[str]] = {}
    for user_id, slug in rows.all():
        if slug in wanted.get(user_id, ()):
            started.setdefault(user_id, set()).add(slug)
    return started


def cells_of(cells: Cells, user_id: int, certifications: list[Certification]) -> list[Cell]:
    """One person's cells in the order of `certifications`, "not assigned" where there is none."""
    return [cells.get((user_id, c.id), EMPTY) for c in certifications]
