"""Managers see their own units' people only, through every competence page and file; nobody else gets
in at all. A refused request changes nothing."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import Assignment, AuditEvent, Role


def counts() -> tuple[int, int]:
    return (
        db.session.scalar(sa.select(sa.func.count(Assignment.id))),
        db.session.scalar(sa.select(sa.func.count(AuditEvent.id))),
    )


def karins_people(team) -> list:
    return [team.people[name] for name in ("anna", "osten", "asa", "cecilia", "linnea")] + [team.karin]


def test_lars_cannot_reach_karins_people_anywhere(as_lars, team):
    before = counts()
    due = (team.today + timedelta(days=9)).isoformat()
    for person in karins_people(team):
        assert as_lars.get(f"/competence/employees/{person.id}").status_code == 404
        response = as_lars.post(
            f"/competence/employees/{person.id}/assignments",
            data={"certification": str(team.c3.id), "due_on": due},
        )
        assert response.status_code == 404
    for unit in (team.centrum, team.natt):
        for url in ("/competence/", "/competence/print", "/competence/export.csv", "/competence/export.xlsx"):
            with as_lars.get(f"{url}?unit={unit.id}") as response:
                assert response.status_code == 404, url
    assert counts() == before


@pytest.mark.parametrize("url", ["/competence/", "/competence/print", "/competence/export.csv"])
def test_lars_pages_and_files_name_none_of_karins_people(as_lars, team, url):
    body = as_lars.get(url).get_data(as_text=True)
    assert "Sofia Lund" in body
    for person in karins_people(team):
        assert person.full_name not in body


def test_a_manager_who_is_also_an_employee_elsewhere_sees_only_managed_units(client, login, team):
    """karin as an employee of Hemtjänst Norr too: still not lars's people."""
    from portal.models import Membership, Position

    team.karin.memberships.append(
        Membership(unit=team.norr, position=Position.ASSISTANT_NURSE, started_on=team.today)
    )
    db.session.commit()
    login(team.karin)
    assert client.get(f"/competence/employees/{team.people['sofia'].id}").status_code == 404
    assert "Sofia Lund" not in client.get("/competence/").text


@pytest.mark.parametrize("roles", [{Role.LEARNER}, {Role.AUTHOR}, {Role.ADMIN}, {Role.LEARNER, Role.AUTHOR}])
def test_only_managers_get_in(client, login, make_user, org, team, roles):
    user = make_user(org, username="other", roles=roles, unit=team.centrum)
    login(user)
    anna = team.people["anna"]
    before = counts()
    for url in (
        "/competence/", "/competence/print", "/competence/export.csv", "/competence/export.xlsx",
        f"/competence/employees/{anna.id}",
    ):  # fmt: skip
        assert client.get(url).status_code == 403, url
    response = client.post(
        f"/competence/employees/{anna.id}/assignments",
        data={"certification": str(team.c3.id), "due_on": (team.today + timedelta(days=9)).isoformat()},
    )
    assert response.status_code == 403
    assert counts() == before


def test_visitors_are_sent_to_log_in(client, team):
    for url in ("/competence/", "/competence/print", "/competence/export.csv", "/competence/export.xlsx"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_a_manager_of_no_unit_sees_nobody(client, login, make_user, org, team):
    client.set_cookie("lang", "en")
    login(make_user(org, username="tom", roles={Role.MANAGER}))
    page = client.get("/competence/").text
    assert "You do not manage any unit yet." in page
    assert client.get(f"/competence/employees/{team.people['anna'].id}").status_code == 404
