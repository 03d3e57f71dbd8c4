"""The competence matrix as a read model: a manager's people × the active certifications, with compliance
per unit and the lists of who is overdue or expiring, in the same five queries whatever the number of
people (the manager's units, their people, and cells.load_cells' three at most); and the same rows for
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
from typing import NamedTuple

import sqlalchemy as sa

from portal.certification.core import Status
from portal.competence.cells import EMPTY, Cell, Cells, cells_of, load_cells
from portal.competence.labels import NOT_ASSIGNED, SEVERITY
from portal.competence.scope import employees_query, managed_units_query
from portal.extensions import db
from portal.models import Certification, Membership, Position, Unit, User

PER_PAGE = 100
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
            Membership.ended_on.is_(None), Membership.unit_id.in_(managed_units_query(manager))
        )
        if filters.unit_id is not None:
            chosen = chosen.where(Membership.unit_id == filters.unit_id)
        if filters.position is not None:
            chosen = chosen.where(Membership.position == filters.position)
        query = query.where(User.id.in_(chosen))
    return query


# The position as stored (its value), made a Position by _group: the column's enum type, row by row, was a
# tenth of reading 4,000 people.
_POSITION_TEXT = sa.type_coerce(Membership.position, sa.String).label("position")
_POSITIONS = {position.value: position for position in Position}


def _people_query(manager: User, ids: sa.Select) -> sa.Select:
    """One row per current membership in the manager's units: a person in two of them has two rows."""
    return (
        sa.select(User.id, User.full_name, User.username, Membership.unit_id, _POSITION_TEXT)
        .join(Membership, Membership.user_id == User.id)
        .where(
            User.id.in_(ids),
            Membership.ended_on.is_(None),
            Membership.unit_id.in_(managed_units_query(manager)),
        )
    )


ID_ORDER = (User.id, Membership.started_on, Membership.id)
NAME_ORDER = (User.full_name, User.id, Membership.started_on, Membership.id)  # the database's collation


def _group(rows: Iterable[sa.Row]) -> Iterator[Person]:
    """People from membership rows that come grouped by person."""
    person: Person | None = None
    for user_id, name, username, unit_id, stored_position in rows:
        position = _POSITIONS[stored_position]
        if person is None or person.id != user_id:
            if person is not None:
                yield person
            person = Person(user_id, name, username, [unit_id], [position])
            continue
        if unit_id not in person.unit_ids:
            person.unit_ids.append(unit_id)
        if position not in person.positions:
            person.positions.append(position)
    if person is not None:
        yield person


def load_people(manager: User, filters: Filters, order: tuple = ID_ORDER) -> list[Person]:
    query = _people_query(manager, population(manager, filters)).order_by(*order)
    return list(_group(db.session.connection().execute(query).all()))


@contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic garbage collection while a matrix is built and shown. Its 20,000 cells and their rows live
    until the page is rendered, which set off a full collection of the whole process (about 80 ms, a third
    of the request) on nearly every request; they hold no reference cycles of their own, and are freed by
    reference counting when the page is done (see Matrix.let_go), so the collector has nothing to find in
    them."""
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


class Row(NamedTuple):  # a tuple: a matrix makes one per person, and a frozen dataclass is slow to make
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

    def let_go(self) -> None:
        """Drop the rows and lists once the page is rendered. The template's context, which holds the matrix,
        lives on in a reference cycle (Jinja's macros refer to it) until the garbage collector comes by; so
        the thousands of rows are freed now, by reference counting, and that collection has little to do."""
        self.rows.clear()
        self.overdue.clear()
        self.expiring.clear()
        self.compliance.clear()

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
    cells = load_cells(population(manager, filters), columns, today)
    grid = _grid(cells, people, columns)
    everyone = [Row(p, grid[p.id]) for p in people]
    if filters.q or filters.status:
        rows = [row for row in everyone if matches(row.person, row.cells, filters)]
    else:
        rows = everyone[:]
    rows = _sorted(rows, filters.sort, manager.managed_units)
    pages = max(1, ceil(len(rows) / PER_PAGE)) if paginate else 1
    by_id = {p.id: p for p in people}
    overdue, expiring = _attention(cells, by_id, columns, today)
    return Matrix(
        columns=columns,
        units=units,
        unit_names={u.id: u.name for u in manager.managed_units},
        rows=rows,
        population=len(everyone),
        compliance=_compliance(cells, by_id, units, columns),
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


def _sorted(rows: list[Row], sort: str, units: list[Unit]) -> list[Row]:
    """The rows in the order asked for, then by name in Swedish order. The rows come in the order of the
    people's ids, which a stable sort keeps among equals (the same name, unit or status)."""
    keys: list = list(map(sort_key, [row.person.name for row in rows]))
    if sort == "unit":
        unit_keys = {u.id: sort_key(u.name) for u in units}
        first_units = [min((unit_keys.get(u, "") for u in row.person.unit_ids), default="") for row in rows]
        keys = list(zip(first_units, keys, strict=True))
    elif sort == "status":
        keys = list(zip([row.severity for row in rows], keys, strict=True))
    return [rows[index] for index in sorted(range(len(rows)), key=keys.__getitem__)]


def _compliance(
    cells: Cells, people: dict[int, Person], units: list[Unit], columns: list[Certification]
) -> list[Compliance]:
    """Counts per unit (a person in two units counts in both) and for all of them (each person once), from
    the cells of the pairs assigned or held (the rest count nowhere)."""
    index = {c.id: i for i, c in enumerate(columns)}
    holding = {u.id: [0] * len(columns) for u in units}
    assigned = {u.id: [0] * len(columns) for u in units}
    holding_all, assigned_all = [0] * len(columns), [0] * len(columns)
    for (user_id, cert_id), cell in cells.items():
        person = people.get(user_id)
        if person is None or not cell.assigned:
            continue
        column, holds = index[cert_id], cell.status in COMPLIANT
        holding_all[column] += holds
        assigned_all[column] += 1
        for unit_id in person.unit_ids:
            if unit_id in holding:
                holding[unit_id][column] += holds
                assigned[unit_id][column] += 1
    lines = [Compliance(u, list(zip(holding[u.id], assigned[u.id], strict=True))) for u in units]
    if len(units) > 1:
        lines.append(Compliance(None, list(zip(holding_all, assigned_all, strict=True))))
    return lines


def _attention(cells: Cells, people: dict[int, Person], columns: list[Certification], today: date):
    """Who is overdue, and whose certification expires in each band, soonest first (then by name, and as
    the people and columns come)."""
    index = {c.id: i for i, c in enumerate(columns)}
    overdue: list[tuple] = []
    bands: list[list[tuple]] = [[] for _ in EXPIRY_BANDS]
    last_day = today + timedelta(days=EXPIRY_BANDS[-1][1])
    for (user_id, cert_id), cell in cells.items():
        status = cell.status
        if status == Status.OVERDUE and cell.due_on is not None:
            entries, day = overdue, cell.due_on
        elif status in COMPLIANT and cell.valid_until and cell.valid_until <= last_day:
            day = cell.valid_until
            days = (day - today).days
            entries = bands[next(i for i, (low, high) in enumerate(EXPIRY_BANDS) if low <= days <= high)]
        else:
            continue
        person = people.get(user_id)
        if person is not None:
            entries.append((day, person.key, user_id, index[cert_id], person))
    return _entries(overdue, columns, today), [
        (band, _entries(entries, columns, today)) for band, entries in zip(EXPIRY_BANDS, bands, strict=True)
    ]


def _entries(found: list[tuple], columns: list[Certification], today: date) -> list[Entry]:
    """(day, name key, person id, column, person) as entries, by day, then name, person and column."""
    found.sort(key=lambda entry: entry[:4])
    return [Entry(person, columns[column], day, (day - today).days) for day, _, _, column, person in found]


def export_rows(
    manager: User, certifications: list[Certification], filters: Filters, today: date
) -> list[Row]:
    """The matrix's rows in the database's name order, for the exports, read in the matrix's five queries
    whatever the number of people, before the file is written: what the matrix page holds, an export holds,
    and nothing is left to fail in the database once a response has begun."""
    columns = columns_for(certifications, filters)
    cells = load_cells(population(manager, filters), columns, today)
    rows = [
        Row(person, cells_of(cells, person.id, columns))
        for person in load_people(manager, filters, NAME_ORDER)
    ]
    if filters.q or filters.status:
        return [row for row in rows if matches(row.person, row.cells, filters)]
    return rows
