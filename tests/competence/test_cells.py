"""The matrix's fast reading of statuses gives the same answers as certification.services.standings."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.certification.services import active_certifications, local_today, standings
from portal.competence.cells import EMPTY, cells_of, load_cells
from portal.competence.labels import NOT_ASSIGNED
from portal.extensions import db
from portal.models import User
from tests.competence.builders import add_staff


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
