"""The employee page (units, statuses, the whole history) and assigning training from it."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.certification.services import assign_manually, end_assignment, revoke
from portal.extensions import db
from portal.models import Assignment, AssignmentSource, AuditEvent, CertificationCycle
from tests.competence.conftest import day, table


def employee_page(client, person) -> str:
    response = client.get(f"/competence/employees/{person.id}")
    assert response.status_code == 200
    return response.text


def counts() -> tuple[int, int]:
    return (
        db.session.scalar(sa.select(sa.func.count(Assignment.id))),
        db.session.scalar(sa.select(sa.func.count(AuditEvent.id))),
    )


def test_units_positions_and_every_certifications_status(as_karin, team):
    cecilia = team.people["cecilia"]
    page = employee_page(as_karin, cecilia)
    assert "<h1>Cecilia Dahl</h1>" in page
    assert "Hemtjänst Centrum: Assistant nurse" in page
    assert "Nattpatrullen: Care assistant" in page
    rows = table(page, "Status of every certification for Cecilia Dahl")
    assert rows[0] == ["Certification", "Status", "Assignment", "Certificate"]
    assert rows[1] == [
        "Certification 01",
        f"○ Not started due {day(team.today + timedelta(days=10))}",
        f"By rule (position and unit)due {day(team.today + timedelta(days=10))}",
        "–",
    ]
    assert rows[2][1:3] == ["– Not assigned", "Not assigned"]
    assert rows[3][1] == f"✓ Certified valid until {day(team.today + timedelta(days=500))}"


def test_the_whole_history_with_who_what_when_and_why(as_karin, team):
    asa = team.people["asa"]
    cycle = db.session.scalar(
        sa.select(CertificationCycle).where(
            CertificationCycle.user_id == asa.id, CertificationCycle.certification_id == team.c2.id,
            CertificationCycle.state == "active",
        )
    )  # fmt: skip
    revoke(cycle, team.karin, "Rutinen följdes inte", team.today)
    manual = assign_manually(team.karin, asa, team.c3, team.today + timedelta(days=14), team.today)
    end_assignment(manual, team.karin, "Byter enhet")
    db.session.commit()
    page = employee_page(as_karin, asa)
    assert "Certification periods" in page
    assert "Renewed (archived)" in page
    assert page.count(">Revoked<") >= 1
    assert "Rutinen följdes inte" in page
    assert "Brister i dokumentationen" in page
    assert "By a manager" in page
    assert "Karin Berg" in page
    assert "Byter enhet" in page
    events = page.split('id="events-heading"', 1)[1]
    assert "Revoked: Certification 02" in events
    assert "Assigned: Certification 03" in events
    assert "assigned by a manager" in events
    assert "Assignment ended: Certification 03" in events
    assert events.index("Assignment ended") < events.index("Assigned: Certification 03"), "newest first"


def test_certificate_links_only_for_certificates_that_can_be_downloaded(as_karin, team, app):
    page = employee_page(as_karin, team.people["asa"])
    links = page.count('href="/certificates/')
    revoked = db.session.scalar(
        sa.select(CertificationCycle.id).where(
            CertificationCycle.user_id == team.people["asa"].id, CertificationCycle.state == "revoked"
        )
    )
    assert links >= 2  # the current certificate (status table and history) and the renewed one
    assert f'href="/certificates/{revoked}.pdf"' not in page


def test_somebody_outside_the_managers_units_is_not_found(as_karin, as_lars, team):
    for username in ("sofia", "inge", "slutat", "stranger"):
        assert as_karin.get(f"/competence/employees/{team.people[username].id}").status_code == 404
    assert as_karin.get("/competence/employees/999999").status_code == 404


def test_the_form_proposes_a_due_date_a_month_ahead(as_karin, team):
    page = employee_page(as_karin, team.people["linnea"])
    assert f'value="{(team.today + timedelta(days=30)).isoformat()}"' in page
    assert 'type="date"' in page
    assert "Certification 03" in page


def test_assigning_training(as_karin, team):
    linnea = team.people["linnea"]
    due = team.today + timedelta(days=21)
    response = as_karin.post(
        f"/competence/employees/{linnea.id}/assignments",
        data={"certification": str(team.c2.id), "due_on": due.isoformat()},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/competence/employees/{linnea.id}"
    assignment = db.session.scalar(sa.select(Assignment).where(Assignment.user_id == linnea.id))
    assert (assignment.certification_id, assignment.due_on, assignment.source) == (
        team.c2.id, due, AssignmentSource.MANUAL,
    )  # fmt: skip
    assert assignment.assigned_by_id == team.karin.id
    event = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.subject_type == "assignment", AuditEvent.subject_id == assignment.id
        )
    )
    assert (event.action, event.actor_id) == ("certification.assigned", team.karin.id)
    page = as_karin.get(f"/competence/employees/{linnea.id}").text
    assert "Certification 02 has been assigned to Linnéa Holm." in page
    assert table(page, "Status of every certification")[2][1] == f"○ Not started due {day(due)}"
    matrix = table(as_karin.get("/competence/").text, "Certification status per person")
    assert [f"○ Not started due {day(due)}"] == [row[3] for row in matrix if row[0] == "Linnéa Holm"]


def test_a_due_date_of_today_is_allowed(as_karin, team):
    response = as_karin.post(
        f"/competence/employees/{team.people['linnea'].id}/assignments",
        data={"certification": str(team.c1.id), "due_on": team.today.isoformat()},
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"certification": "{c1}", "due_on": "{yesterday}"}, "The due date cannot be in the past."),
        ({"certification": "{c1}", "due_on": "31/12/2030"}, "Enter a valid date (YYYY-MM-DD)."),
        ({"certification": "{c1}", "due_on": ""}, "Enter a valid date (YYYY-MM-DD)."),
        ({"certification": "", "due_on": "{later}"}, "Choose a certification."),
        ({"certification": "999999", "due_on": "{later}"}, "Choose one of the certifications in the list."),
        ({"certification": "abc", "due_on": "{later}"}, "Choose one of the certifications in the list."),
        (
            {"certification": "{inactive}", "due_on": "{later}"},
            "Choose one of the certifications in the list.",
        ),
        (
            {"certification": "{c3}", "due_on": "{later}"},
            "Cecilia Dahl is already assigned this certification.",
        ),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(as_karin, team, data, message):
    inactive = team.c2
    inactive.is_active = False
    db.session.commit()
    values = {
        "c1": team.c1.id, "c3": team.c3.id, "inactive": inactive.id,
        "yesterday": (team.today - timedelta(days=1)).isoformat(),
        "later": (team.today + timedelta(days=9)).isoformat(),
    }  # fmt: skip
    before = counts()
    response = as_karin.post(
        f"/competence/employees/{team.people['cecilia'].id}/assignments",
        data={key: value.format(**values) for key, value in data.items()},
    )
    assert response.status_code == 400
    assert "Check the form" in response.text
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert counts() == before


def test_assigning_to_somebody_outside_the_units_is_not_found_and_changes_nothing(as_karin, team):
    before = counts()
    for username in ("sofia", "inge", "slutat", "stranger"):
        response = as_karin.post(
            f"/competence/employees/{team.people[username].id}/assignments",
            data={"certification": str(team.c3.id), "due_on": (team.today + timedelta(days=9)).isoformat()},
        )
        assert response.status_code == 404
    assert counts() == before


def test_assigning_needs_the_csrf_token(app, client, login, team):
    login(team.karin)
    app.config["WTF_CSRF_ENABLED"] = True
    before = counts()
    response = client.post(
        f"/competence/employees/{team.people['linnea'].id}/assignments",
        data={"certification": str(team.c3.id), "due_on": (team.today + timedelta(days=9)).isoformat()},
    )
    assert response.status_code == 400
    assert counts() == before
