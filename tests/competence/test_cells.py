"""The matrix's fast reading of statuses gives the same answers as certification.services.standings, and its
rules restated for rows the same as the core's."""

from dataclasses import fields
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from portal.certification.core import Cycle, Status, derive_status
from portal.certification.services import active_certifications, local_today, standings
from portal.competence import cells as cells_module
from portal.competence.cells import EMPTY, cells_of, cycle_status, load_cells, uncertified_status
from portal.competence.labels import NOT_ASSIGNED
from portal.extensions import db
from portal.models import User
from tests.competence.builders import add_progress, add_staff
from tests.competence.conftest import assign
from tests.statements import recorded_statements


def assert_same(user_ids: list[int], today) -> int:
    certifications = active_certifications()
    fast = load_cells(user_ids, certifications, today)
    reference = standings(user_ids, certifications, today)
    assert fast.keys() == reference.keys()
    for key, cell in fast.items():
        expected = reference[key]
        assert (cell.status, cell.valid_until, cell.due_on) == (
            expected.standing.status,
            expected.standing.valid_until,
            expected.standing.due_on,
        ), key
        assert cell.assigned == (expected.assignment is not None), key
        assert cell.certified_on == (expected.cycle.certified_on if expected.cycle else None), key
        assert cell.revoked_on == (expected.cycle.revoked_on if expected.cycle else None), key
    return len(fast)


def test_same_as_the_service_for_the_team(team):
    ids = [u.id for u in team.people.values()]
    assert assert_same(ids, team.today) == 14  # the pairs assigned or held


@pytest.mark.parametrize("days_later", [0, 30, 400, 800])
def test_same_as_the_service_for_many_people_on_any_day(team, days_later):
    ids = add_staff(team.karin.organisation, [team.centrum], 150, team.certifications, team.today, seed=7)
    assert assert_same(ids, team.today + timedelta(days=days_later)) > 300


def test_same_as_the_service_for_the_demo(demo):
    ids = list(db.session.scalars(sa.select(User.id)))
    assert assert_same(ids, local_today()) > 10


def test_a_query_of_ids_gives_the_same_as_a_list(team):
    certifications = active_certifications()
    query = sa.select(User.id).where(User.id.in_([u.id for u in team.people.values()]))
    as_list = load_cells([u.id for u in team.people.values()], certifications, team.today)
    assert load_cells(query, certifications, team.today) == as_list


def test_a_pair_neither_assigned_nor_held_is_not_assigned(team):
    linnea = team.people["linnea"]
    cells = load_cells([linnea.id], team.certifications, team.today)
    assert cells == {}
    assert cells_of(cells, linnea.id, team.certifications) == [EMPTY] * 3
    assert EMPTY.status == NOT_ASSIGNED


# The core's rules restated for rows (cells.cycle_status, cells.uncertified_status) --------------------

some_day = st.dates(date(2024, 1, 1), date(2029, 12, 31))


def test_the_restated_rules_know_every_field_of_the_cores_cycle():
    names = [field.name for field in fields(Cycle)]
    assert names == ["certified_on", "valid_until", "renew_by", "revoked_on", "renewal_required_on"], (
        "the core's Cycle changed: restate its rules in competence/cells.py (cycle_status) and read the new "
        "column there"
    )


@given(
    today=some_day,
    certified_on=some_day,
    length=st.integers(0, 1100),
    renew_by=st.none() | some_day,
    revoked_on=st.none() | some_day,
    renewal_required_on=st.none() | some_day,
    window_days=st.integers(0, 400),
    due_on=st.none() | some_day,
    done=st.integers(0, 3),
)
def test_a_cycles_status_is_the_cores(
    today, certified_on, length, renew_by, revoked_on, renewal_required_on, window_days, due_on, done
):
    dates = (certified_on, certified_on + timedelta(days=length), renew_by, revoked_on, renewal_required_on)
    standing = derive_status(today, Cycle(*dates), window_days, due_on, done)
    assert cycle_status(today, timedelta(days=window_days), *dates) == (standing.status, standing.valid_until)
    assert standing.due_on is None  # what the cell of a held certification says


@given(today=some_day, due_on=st.none() | some_day, done=st.integers(0, 3))
def test_the_status_of_the_never_certified_is_the_cores(today, due_on, done):
    standing = derive_status(today, None, 60, due_on, done)
    assert uncertified_status(today, due_on, bool(done)) == standing.status
    assert (standing.valid_until, standing.due_on) == (None, due_on)


# Progress in modules, read only where it can change a status ------------------------------------------


def test_progress_makes_in_progress_only_where_the_core_says_so(team):
    """c1 needs modul-01, c2 modul-02. Progress in modul-01 makes Cecilia's c1 (due in 10 days) and Linnéa's
    (due today) in progress;
    Anna's overdue c2 stays overdue with progress in modul-02, her c1 stays certified; Östen's c2 (not
    started) stays so with progress in another certification's module only."""
    people = team.people
    assign(people["linnea"], team.c1, team.today)  # due today: not overdue yet
    db.session.commit()
    add_progress(
        [people["cecilia"].id, people["anna"].id, people["osten"].id, people["linnea"].id], "modul-01"
    )
    add_progress([people["anna"].id], "modul-02")
    ids = [u.id for u in people.values()]
    assert_same(ids, team.today)
    cells = load_cells(ids, team.certifications, team.today)
    assert cells[(people["cecilia"].id, team.c1.id)].status == Status.IN_PROGRESS
    assert cells[(people["linnea"].id, team.c1.id)].status == Status.IN_PROGRESS
    assert cells[(people["anna"].id, team.c1.id)].status == Status.CERTIFIED
    assert cells[(people["anna"].id, team.c2.id)].status == Status.OVERDUE
    assert cells[(people["osten"].id, team.c2.id)].status == Status.NOT_STARTED


def count_statements(action) -> int:
    with recorded_statements() as seen:
        action()
    return len(seen)


def test_progress_is_read_only_when_a_status_can_depend_on_it(team):
    anna, cecilia = team.people["anna"], team.people["cecilia"]
    load_cells([anna.id], team.certifications, team.today)  # the certifications' rules, parsed once
    assert count_statements(lambda: load_cells([anna.id], [team.c1], team.today)) == 2, (
        "certified: no progress"
    )
    assert count_statements(lambda: load_cells([anna.id], [team.c2], team.today)) == 2, "overdue: no progress"
    assert count_statements(lambda: load_cells([cecilia.id], [team.c1], team.today)) == 3


@pytest.mark.parametrize("few", [0, 10_000])
def test_many_people_with_progress_read_by_list_or_by_query(team, monkeypatch, few):
    """Above cells.FEW_PEOPLE the progress of those who need it is read through the query of ids; below,
    by a list of them: the same answers either way, and the service's."""
    monkeypatch.setattr(cells_module, "FEW_PEOPLE", few)
    ids = add_staff(team.karin.organisation, [team.centrum], 150, team.certifications, team.today, seed=3)
    add_progress(ids[::2], "modul-01")
    add_progress(ids[::3], "modul-02")
    add_progress(ids[1::4], "modul-09")  # a module no certification asks for
    query = sa.select(User.id).where(User.id.in_(ids))
    by_query = load_cells(query, team.certifications, team.today)
    assert by_query == load_cells(ids, team.certifications, team.today)
    assert sum(cell.status == Status.IN_PROGRESS for cell in by_query.values()) > 10
    assert assert_same(ids, team.today) == len(by_query)
