import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import AuditEvent, Membership, Role, Unit, User
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def signed_in_admin(client, login, admin):
    login(admin)
    return admin


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_admin_creates_a_unit_and_it_is_audited(client, signed_in_admin):
    response = client.post(
        "/admin/units/new", data={"name": "Hemtjänst Väst", "kind": "home_care", "is_active": "y"}
    )
    assert response.status_code == 302
    unit = db.session.scalar(sa.select(Unit).where(Unit.name == "Hemtjänst Väst"))
    assert unit.organisation_id == signed_in_admin.organisation_id
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "unit.saved"))
    assert event.actor_id == signed_in_admin.id


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "kind": "home_care"}, "enhetens namn"),
        ({"name": "x" * 121, "kind": "home_care"}, "120"),
        ({"name": "Ny", "kind": "spaceship"}, "giltigt val"),
        ({"name": "hemtjänst centrum", "kind": "home_care"}, "finns redan"),
    ],
)
def test_bad_unit_input_is_explained_and_changes_nothing(
    client, signed_in_admin, org, make_unit, data, message
):
    make_unit(org, "Hemtjänst Centrum")
    before = count(Unit)
    response = client.post("/admin/units/new", data=data)
    assert response.status_code == 200
    assert message in response.text.lower() or message in response.text
    assert count(Unit) == before


def test_admin_creates_a_manager_of_a_unit(client, signed_in_admin, org, make_unit):
    unit = make_unit(org, "Nattpatrullen")
    response = client.post(
        "/admin/users/new",
        data={
            "username": "Chef.Ett",
            "full_name": "Chef Ett",
            "email": "",
            "language": "sv",
            "roles": ["learner", "manager"],
            "managed_units": [str(unit.id)],
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.username == "chef.ett"))
    assert user.roles == {Role.LEARNER, Role.MANAGER}
    assert user.managed_unit_ids == {unit.id}
    assert user.password_hash is None, "no password until one is set"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "a", "full_name": "A"}, "2–64 tecken"),
        ({"username": "ok.name", "full_name": ""}, "personens namn"),
        ({"username": "ok.name", "full_name": "X", "email": "not-an-email"}, "giltig e-postadress"),
        ({"username": "admin", "full_name": "X"}, "upptaget"),
        ({"username": "ok.name", "full_name": "X", "roles": ["manager"]}, "minst en enhet"),
    ],
)
def test_bad_user_input_is_explained_and_changes_nothing(client, signed_in_admin, data, message):
    before = count(User)
    response = client.post("/admin/users/new", data={"language": "sv", **data})
    assert response.status_code == 200
    assert message in response.text
    assert count(User) == before


def test_memberships_start_and_end_with_history(client, signed_in_admin, org, make_unit, make_user):
    centrum, norr = make_unit(org, "Hemtjänst Centrum"), make_unit(org, "Hemtjänst Norr")
    person = make_user(org, unit=centrum)
    response = client.post(
        f"/admin/users/{person.id}/memberships",
        data={
            "membership-unit": str(norr.id),
            "membership-position": "care_assistant",
            "membership-started_on": "2026-02-01",
        },
    )
    assert response.status_code == 302
    old = person.memberships[0]
    response = client.post(
        f"/admin/users/{person.id}/memberships/{old.id}/end", data={"ended_on": "2026-01-31"}
    )
    db.session.expire_all()
    current = db.session.get(User, person.id).current_memberships
    assert [(m.unit.name, m.position) for m in current] == [("Hemtjänst Norr", "care_assistant")]
    assert count(Membership) == 2, "the ended membership is kept"
    page = client.get(f"/admin/users/{person.id}").text
    assert "Placering avslutad" in page


def test_end_date_before_start_is_refused(client, signed_in_admin, org, make_unit, make_user):
    person = make_user(org, unit=make_unit(org))
    membership = person.memberships[0]
    response = client.post(
        f"/admin/users/{person.id}/memberships/{membership.id}/end",
        data={"ended_on": "2000-01-01"},
        follow_redirects=True,
    )
    assert "före startdatumet" in response.text
    db.session.refresh(membership)
    assert membership.ended_on is None


def test_bad_membership_date_is_refused(client, signed_in_admin, org, make_unit, make_user):
    unit = make_unit(org)
    person = make_user(org)
    response = client.post(
        f"/admin/users/{person.id}/memberships",
        data={
            "membership-unit": str(unit.id),
            "membership-position": "nurse",
            "membership-started_on": "31/12/2026",
        },
        follow_redirects=True,
    )
    assert "giltigt datum" in response.text
    assert count(Membership) == 0


def test_deactivated_person_is_kept_and_signed_out(app, client, signed_in_admin, org, make_user):
    person = make_user(org, username="leaving")
    their_client = app.test_client()
    their_client.post("/login", data={"username": "leaving", "password": TEST_PASSWORD})
    assert their_client.get("/password").status_code == 200
    client.post(f"/admin/users/{person.id}/active")
    db.session.refresh(person)
    assert person.active is False
    assert their_client.get("/password").status_code == 302
    assert db.session.get(User, person.id) is not None
    client.post(f"/admin/users/{person.id}/active")
    db.session.refresh(person)
    assert person.active is True


def test_admin_cannot_deactivate_themself(client, signed_in_admin):
    client.post(f"/admin/users/{signed_in_admin.id}/active")
    db.session.refresh(signed_in_admin)
    assert signed_in_admin.active


def test_admin_sets_a_password_that_follows_the_policy(client, signed_in_admin, org, make_user):
    person = make_user(org, username="newbie")
    response = client.post(
        f"/admin/users/{person.id}/password", data={"new_password": "kort", "confirm": "kort"}
    )
    assert response.status_code == 200
    assert "minst 12 tecken" in response.text
    response = client.post(
        f"/admin/users/{person.id}/password",
        data={"new_password": "Lingon-och-kaffe-7", "confirm": "Lingon-och-kaffe-7"},
    )
    assert response.status_code == 302
    assert (
        client.application.test_client()
        .post("/login", data={"username": "newbie", "password": "Lingon-och-kaffe-7"})
        .status_code
        == 302
    )


def test_user_list_searches_and_pages(client, signed_in_admin, org, make_user):
    for _ in range(55):
        make_user(org)
    first = client.get("/admin/users").text
    assert "Sida 1 av 2" in first
    found = client.get("/admin/users", query_string={"q": "person7"}).text
    assert "person7" in found
    assert "person8" not in found


class TestAnotherOrganisation:
    """An admin of one organisation never sees or touches another's people or units."""

    @pytest.fixture
    def other(self, make_org, make_unit, make_user):
        other_org = make_org("Grannkommun")
        unit = make_unit(other_org, "Hemtjänst Granne")
        person = make_user(other_org, username="granne", unit=unit)
        return unit, person

    def test_lists_show_only_their_own(self, client, signed_in_admin, other):
        assert "granne" not in client.get("/admin/users").text
        assert "Hemtjänst Granne" not in client.get("/admin/units").text

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("GET", "/admin/users/{person}"),
            ("POST", "/admin/users/{person}"),
            ("GET", "/admin/units/{unit}"),
            ("POST", "/admin/units/{unit}"),
            ("POST", "/admin/users/{person}/active"),
            ("GET", "/admin/users/{person}/password"),
            ("POST", "/admin/users/{person}/memberships"),
            ("POST", "/admin/users/{person}/memberships/{membership}/end"),
        ],
    )
    def test_direct_urls_are_not_found(self, client, signed_in_admin, other, method, path):
        unit, person = other
        url = path.format(person=person.id, unit=unit.id, membership=person.memberships[0].id)
        assert client.open(url, method=method, data={"name": "Kapad"}).status_code == 404
        db.session.refresh(unit)
        db.session.refresh(person)
        assert unit.name == "Hemtjänst Granne"
        assert person.active

    def test_own_membership_form_cannot_pick_their_unit(self, client, signed_in_admin, org, make_user, other):
        unit, _person = other
        mine = make_user(org)
        client.post(
            f"/admin/users/{mine.id}/memberships",
            data={
                "membership-unit": str(unit.id),
                "membership-position": "nurse",
                "membership-started_on": "2026-01-01",
            },
        )
        assert count(Membership) == 1, "only the other organisation's own membership exists"


def test_manager_sees_only_their_own_units(client, login, org, make_unit, make_user):
    centrum, norr = make_unit(org, "Hemtjänst Centrum"), make_unit(org, "Hemtjänst Norr")
    make_user(org, username="anna.c", unit=centrum)
    make_user(org, username="sofia.n", unit=norr)
    karin = make_user(org, username="karin", roles={Role.MANAGER}, manages=[centrum])
    login(karin)
    page = client.get("/my-units").text
    assert "Hemtjänst Centrum" in page
    assert "Hemtjänst Norr" not in page
    assert "Person" in page
    assert page.count("<tr>") == 2, "header row plus anna.c"
