"""Everyone's status in every certification, for many people at once: the read side of the matrix.

The same records count as in `certification.services.standings` (a person's active assignment; their
latest cycle that a renewal did not archive) and the same core derives the status, but the records are
read as plain rows instead of ORM objects: for 2,000 people × 10 certifications the ORM objects took most
of a second. tests/competence/test_cells.py holds the two to the same answers.
"""

from dataclasses import fields
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa

from portal.certification.core import Cycle, derive_status
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


# The core's Cycle field by field from the cycle's same-named columns, as services.as_cycle makes it: a
# field added to the core is read here too, or fails at import when the model has no such column.
CYCLE_COLUMNS = [_day(getattr(CertificationCycle, f.name)) for f in fields(Cycle)]


def load_cells(user_ids: sa.Select | list[int], certifications: list[Certification], today: date) -> Cells:
    """The cells of every (person, certification) pair that is assigned or held, in three queries whatever
    the number of people (`user_ids`: a list, or a query of ids).

    Rows are fetched a batch at a time and the cycles in order, each pair's status derived as soon as its
    latest cycle is known, so that few objects are kept along the way (see matrix.collection_paused)."""
    cert_ids = [c.id for c in certifications]
    definitions = {c.id: definition_of(c.current_version) for c in certifications}
    window = {cert_id: d.window_days for cert_id, d in definitions.items()}
    modules = {cert_id: d.modules for cert_id, d in definitions.items()}
    started = _started_modules(user_ids)

    def cell(key: tuple[int, int], cycle: Cycle | None) -> Cell:
        due_on = due.get(key)
        begun = started.get(key[0])
        done = len(modules[key[1]] & begun) if begun else 0
        standing = derive_status(today, cycle, window[key[1]], due_on, done)
        return Cell(
            standing.status, standing.valid_until, standing.due_on,
            cycle.certified_on if cycle else None, cycle.revoked_on if cycle else None, key in due,
        )  # fmt: skip

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
    cells: Cells = {}
    cycles = run(
        sa.select(CertificationCycle.user_id, CertificationCycle.certification_id, *CYCLE_COLUMNS)
        .where(
            CertificationCycle.user_id.in_(user_ids),
            CertificationCycle.certification_id.in_(cert_ids),
            CertificationCycle.state != CycleState.SUPERSEDED,
        )
        .order_by(CertificationCycle.user_id, CertificationCycle.certification_id, CertificationCycle.id)
    )
    key, days = None, None
    for batch in cycles.partitions(BATCH):
        for user_id, cert_id, *row_days in batch:
            if key is not None and key != (user_id, cert_id):
                cells[key] = cell(key, Cycle(*days))  # the pair's latest cycle
            key, days = (user_id, cert_id), row_days
    if key is not None:
        cells[key] = cell(key, Cycle(*days))
    for key in due.keys() - cells.keys():  # assigned, never certified
        cells[key] = cell(key, None)
    return cells


def _started_modules(user_ids: sa.Select | list[int]) -> dict[int, set[str]]:
    """The slugs of the modules in which each person has started or done a section."""
    started: dict[int, set[str]] = {}
    rows = db.session.connection().execute(
        sa.select(SectionProgress.user_id, Module.slug)
        .join(SectionVersion, SectionVersion.id == SectionProgress.section_version_id)
        .join(Module, Module.id == SectionVersion.module_id)
        .where(SectionProgress.user_id.in_(user_ids))
        .distinct()
    )
    for user_id, slug in rows:
        started.setdefault(user_id, set()).add(slug)
    return started


def cells_of(cells: Cells, user_id: int, certifications: list[Certification]) -> list[Cell]:
    """One person's cells in the order of `certifications`, "not assigned" where there is none."""
    return [cells.get((user_id, c.id), EMPTY) for c in certifications]
