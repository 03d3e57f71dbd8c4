"""The competence matrix as a read model: a manager's people × the active certifications, with compliance
per unit and the lists of who is overdue or expiring, in the same five queries whatever the number of
people (the manager's units, their people, and cells.load_cells' three); and the same rows streamed for
the exports.
"""

import functools
import gc
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from math import ceil

import sqlalchemy as sa

from portal.certification.core import Status
from portal.competence.cells import EMPTY, Cell, Cells, cells_of, load_cells
from portal.competence.labels import NOT_ASSIGNED, SEVERITY
from portal.competence.scope import employees_query
from portal.extensions import db
from portal.models import Certification, Membership, Position, Unit, User

PER_PAGE = 100
EXPORT_CHUNK = 100  # people (1,000 rows of 10 certifications) per batch of cell queries in an export
EXPIRY_BANDS = ((0, 30), (31, 60), (61, 90))  # days from today, both ends included
COMPLIANT = frozenset({Status.CERTIFIED, Status.WINDOW_OPEN})
SORTS = ("name", "unit", "status")


@dataclass(slots=True)
class Person:
    id: int
    name: str
    username: str
    unit_ids: list[int] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)
    _key: str = field(default="", repr=False)

    @property
    def key(self) -> str:
        """The name's place in Swedish alphabetical order (worked out when first needed: not by exports)."""
        if not self._key:
            self._key = sort_key(self.name)
        return self._key


@dataclass(frozen=True)
class Filters:
    """What the manager asked to see; the same for the page, the exports and the print view."""

    q: str = ""
    unit_id: int | None = None
    position: Position | None = None
    status: str | None = None
    certification_id: int | None = None
    sort: str = "name"
    page: int = 1

    def args(self, **changes: object) -> dict[str, object]:
        """The query string that asks for these filters (defaults left out), e.g. for url_for."""
        chosen = replace(self, **changes)  # type: ignore[arg-type]
        values = {
            "q": chosen.q or None,
            "unit": chosen.unit_id,
            "position": chosen.position.value if chosen.position else None,
            "status": chosen.status,
            "certification": chosen.certification_id,
            "sort": None if chosen.sort == "name" else chosen.sort,
            "page": None if chosen.page == 1 else chosen.page,
        }
        return {key: value for key, value in values.items() if value is not None}

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.unit_id or self.position or self.status or self.certification_id)


# Queries ------------------------------------------------------------------------------------------


def population(manager: User, filters: Filters) -> sa.Select:
    """The ids of the manager's people in the chosen unit and position (search and status come later)."""
    query = employees_query(manager).with_only_columns(User.id)
    if filters.unit_id is not None or filters.position is not None:
        chosen = sa.select(Membership.user_id).where(
            Membership.ended_on.is_(None), Membership.unit_id.in_(manager.managed_unit_ids)
        )
        if filters.unit_id is not None:
            chosen = chosen.where(Membership.unit_id == filters.unit_id)
        if filters.position is not None:
            chosen = chosen.where(Membership.position == filters.position)
        query = query.where(User.id.in_(chosen))
    return query


def _people_query(manager: User, ids: sa.Select) -> sa.Select:
    """One row per current membership in the manager's units: a person in two of them has two rows."""
    return (
        sa.select(User.id, User.full_name, User.username, Membership.unit_id, Membership.position)
        .join(Membership, Membership.user_id == User.id)
        .where(
            User.id.in_(ids),
            Membership.ended_on.is_(None),
            Membership.unit_id.in_(manager.managed_unit_ids),
        )
    )


def _group(rows: Iterable[sa.Row]) -> Iterator[Person]:
    """People from membership rows that come grouped by person."""
    person: Person | None = None
    for user_id, name, username, unit_id, position in rows:
        if person is None or person.id != user_id:
            if person is not None:
                yield person
            person = Person(user_id, name, username)
        if unit_id not in person.unit_ids:
            person.unit_ids.append(unit_id)
        if position not in person.positions:
            person.positions.append(position)
    if person is not None:
        yield person


def load_people(manager: User, filters: Filters) -> list[Person]:
    query = _people_query(manager, population(manager, filters))
    rows = db.session.connection().execute(query.order_by(User.id, Membership.started_on, Membership.id))
    return list(_group(rows.all()))


def iter_people(manager: User, filters: Filters) -> Iterator[Person]:
    """The same people in name order, streamed from the database (a server-side cursor on PostgreSQL)."""
    query = _people_query(manager, population(manager, filters)).order_by(
        User.full_name, User.id, Membership.started_on, Membership.id
    )
    yield from _group(db.session.execute(query.execution_options(yield_per=1000)))


@contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic garbage collection while a matrix is built and shown. Its 20,000 cells and their rows live
    until the page is rendered, which set off a full collection of the whole process (about 80 ms, a third
    of the request) on nearly every request; they hold no reference cycles, and are freed by reference
    counting when the page is done, so the collector has nothing to find in them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# The matrix ---------------------------------------------------------------------------------------


_SWEDISH_ORDER = str.maketrans({"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}"})  # after z, in order


@functools.lru_cache(maxsize=4096)  # the same names, page after page (a bounded cache: ~0.5 MB)
def sort_key(text: str) -> str:
    """Swedish alphabetical order (… x y z å ä ö), other accents ignored (é as e)."""
    folded = unicodedata.normalize("NFD", text.casefold().translate(_SWEDISH_ORDER))
    return "".join(char for char in folded if not unicodedata.combining(char))


def matches(person: Person, cells: list[Cell], filters: Filters) -> bool:
    """The filters that look at a person's name and statuses (unit and position are in the query)."""
    if filters.q and sort_key(filters.q) not in person.key:  # "linnea" finds Linnéa; å, ä, ö stay letters
        return False
    return filters.status is None or any(cell.status == filters.status for cell in cells)


@dataclass(frozen=True)
class Row:
    person: Person
    cells: list[Cell]  # one per column

    @property
    def severity(self) -> int:
        return min((SEVERITY[cell.status] for cell in self.cells), default=SEVERITY[NOT_ASSIGNED])


@dataclass(frozen=True)
class Compliance:
    """Of the people assigned a certification, how many hold it (certified or in the renewal window)."""

    unit: Unit | None  # None: all the units shown
    counts: list[tuple[int, int]]  # (holding, assigned) per column


@dataclass(frozen=True, slots=True)
class Entry:
    """A line in the lists of who needs attention."""

    person: Person
    certification: Certification
    day: date
    days: int  # from today: negative when overdue


@dataclass(frozen=True)
class Matrix:
    columns: list[Certification]
    units: list[Unit]  # the units shown (the manager's, or the one chosen)
    unit_names: dict[int, str]  # every unit of the manager's
    rows: list[Row]  # every row that matches, sorted; the page is a slice
    population: int  # people in the chosen units and position, before search and status
    compliance: list[Compliance]
    overdue: list[Entry]
    expiring: list[tuple[tuple[int, int], list[Entry]]]
    page: int
    pages: int

    @property
    def page_rows(self) -> list[Row]:
        return self.rows[(self.page - 1) * PER_PAGE : self.page * PER_PAGE]

    @property
    def first_shown(self) -> int:
        return (self.page - 1) * PER_PAGE + 1 if self.rows else 0

    @property
    def last_shown(self) -> int:
        return min(self.page * PER_PAGE, len(self.rows))


def columns_for(certifications: list[Certification], filters: Filters) -> list[Certification]:
    if filters.certification_id is None:
        return certifications
    return [c for c in certifications if c.id == filters.certification_id]


def build(
    manager: User, certifications: list[Certification], filters: Filters, today: date, paginate: bool = True
) -> Matrix:
    """The matrix of the manager's people for the filters, with compliance per unit and the lists of who
    is overdue or expiring (those two for everyone in the chosen units and position, whatever the name
    search and status filter); five queries whatever the number of people."""
    columns = columns_for(certifications, filters)
    units = [u for u in manager.managed_units if filters.unit_id in (None, u.id)]
    people = load_people(manager, filters)
    grid = _grid(load_cells(population(manager, filters), columns, today), people, columns)
    everyone = [Row(p, grid[p.id]) for p in people]
    rows = [row for row in everyone if matches(row.person, row.cells, filters)]
    rows.sort(key=_sorter(filters.sort, {u.id: sort_key(u.name) for u in manager.managed_units}))
    pages = max(1, ceil(len(rows) / PER_PAGE)) if paginate else 1
    overdue, expiring = _attention(everyone, columns, today)
    return Matrix(
        columns=columns,
        units=units,
        unit_names={u.id: u.name for u in manager.managed_units},
        rows=rows,
        population=len(everyone),
        compliance=_compliance(everyone, units, len(columns)),
        overdue=overdue,
        expiring=expiring,
        page=min(max(filters.page, 1), pages) if paginate else 1,
        pages=pages,
    )


def _grid(cells: Cells, people: list[Person], columns: list[Certification]) -> dict[int, list[Cell]]:
    """Each person's cells in column order ("not assigned" where there is none)."""
    grid = {p.id: [EMPTY] * len(columns) for p in people}
    index = {c.id: i for i, c in enumerate(columns)}
    for (user_id, cert_id), cell in cells.items():
        row = grid.get(user_id)
        if row is not None:
            row[index[cert_id]] = cell
    return grid


def _sorter(sort: str, unit_keys: dict[int, str]):
    if sort == "unit":
        return lambda row: (
            min((unit_keys.get(u, "") for u in row.person.unit_ids), default=""),
            row.person.key,
            row.person.id,
        )
    if sort == "status":
        return lambda row: (row.severity, row.person.key, row.person.id)
    return lambda row: (row.person.key, row.person.id)


def _compliance(rows: list[Row], units: list[Unit], width: int) -> list[Compliance]:
    """Counts per unit (a person in two units counts in both) and for all of them (each person once)."""
    holding = {u.id: [0] * width for u in units} | {None: [0] * width}
    assigned = {u.id: [0] * width for u in units} | {None: [0] * width}
    for row in rows:
        keys = [None, *(u for u in row.person.unit_ids if u in holding)]
        for index, cell in enumerate(row.cells):
            if cell.assigned:
                holds = cell.status in COMPLIANT
                for key in keys:
                    holding[key][index] += holds
                    assigned[key][index] += 1
    lines = [Compliance(u, list(zip(holding[u.id], assigned[u.id], strict=True))) for u in units]
    if len(units) > 1:
        lines.append(Compliance(None, list(zip(holding[None], assigned[None], strict=True))))
    return lines


def _attention(rows: list[Row], columns: list[Certification], today: date):
    overdue: list[Entry] = []
    bands: list[list[Entry]] = [[] for _ in EXPIRY_BANDS]
    last_day = today + timedelta(days=EXPIRY_BANDS[-1][1])
    for row in rows:
        for certification, cell in zip(columns, row.cells, strict=True):
            if cell.status == Status.OVERDUE and cell.due_on is not None:
                overdue.append(Entry(row.person, certification, cell.due_on, (cell.due_on - today).days))
            elif cell.status in COMPLIANT and cell.valid_until and cell.valid_until <= last_day:
                days = (cell.valid_until - today).days
                band = next(i for i, (low, high) in enumerate(EXPIRY_BANDS) if low <= days <= high)
                bands[band].append(Entry(row.person, certification, cell.valid_until, days))
    order = lambda entry: (entry.day, entry.person.key)  # noqa: E731
    return sorted(overdue, key=order), [
        (band, sorted(entries, key=order)) for band, entries in zip(EXPIRY_BANDS, bands, strict=True)
    ]


def iter_rows(
    manager: User, certifications: list[Certification], filters: Filters, today: date
) -> Iterator[Row]:
    """The matrix's rows in the database's name order, streamed for the exports: people read with a
    server-side cursor, their cells a batch at a time, so that memory stays flat whatever the size."""
    columns = columns_for(certifications, filters)
    batch: list[Person] = []

    def rows_of(people: list[Person]) -> Iterator[Row]:
        cells = load_cells([p.id for p in people], columns, today)
        for person in people:
            row = Row(person, cells_of(cells, person.id, columns))
            if matches(person, row.cells, filters):
                yield row

    for person in iter_people(manager, filters):
        batch.append(person)
        if len(batch) == EXPORT_CHUNK:
            yield from rows_of(batch)
            batch = []
    if batch:
        yield from rows_of(batch)
