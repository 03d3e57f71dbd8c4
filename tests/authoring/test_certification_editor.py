"""The certification editor and publisher: a municipality's own certification written in the browser,
checked by the certification parser, approved by a second author, and assigned in that municipality only."""

from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from portal.authoring import workflow
from portal.authoring.certification_publisher import CertificationPublisher, definition_file, with_version
from portal.certification.core import RequirementKind, parse_definition
from portal.certification.services import POSITIONS, UNIT_KINDS
from portal.content.loader import load_modules
from portal.content.sync import sync_modules
from portal.extensions import db
from portal.models import (
    Assignment,
    Certification,
    ContentKind,
    LocalContent,
    Module,
    Organisation,
    Position,
    Revision,
    RevisionStatus,
    Role,
    UnitKind,
    User,
)
from tests.content.builders import write_module

SLUG = "nyckelhantering"
EXERCISE = "03-ingen-talkontakt"  # a scenario of content/scenarios with scored steps


@dataclass
class World:
    ours: Organisation
    theirs: Organisation
    author: User
    reviewer: User
    anna: User  # assistant nurse in home care: assigned by the rules below
    nils: User  # nurse: not assigned
    bengt: User  # assistant nurse in the other organisation: never assigned ours
    their_author: User


@pytest.fixture
def world(app, tmp_path, make_org, make_unit, make_user) -> World:
    for slug in ("grunder", "var-rutin", "deras-rutin"):
        write_module(tmp_path, slug=slug)
    sync_modules(load_modules(tmp_path))
    ours, theirs = make_org("Vår kommun"), make_org("Deras kommun")
    _make_local("var-rutin", ours)
    _make_local("deras-rutin", theirs)
    home_care = make_unit(ours, "Hemtjänst Syd")
    alarm_team = make_unit(ours, "Larmteamet", kind=UnitKind.ALARM_TEAM)
    their_home_care = make_unit(theirs, "Hemtjänst Väst")

    def author(organisation, name, unit):
        return make_user(organisation, name, {Role.AUTHOR, Role.LEARNER}, unit, Position.ALARM_COORDINATOR)

    world = World(
        ours=ours,
        theirs=theirs,
        author=author(ours, "larmteam", alarm_team),
        reviewer=author(ours, "granskare", alarm_team),
        anna=make_user(ours, "anna", unit=home_care),
        nils=make_user(ours, "nils", unit=home_care, position=Position.NURSE),
        bengt=make_user(theirs, "bengt", unit=their_home_care),
        their_author=author(theirs, "deras-larmteam", their_home_care),
    )
    for user in (world.author, world.reviewer, world.their_author):
        user.language = "en"  # the messages checked below are the English originals
    db.session.commit()
    return world


def _make_local(slug: str, organisation: Organisation) -> None:
    module = db.session.scalar(sa.select(Module).where(Module.slug == slug))
    module.organisation_id = organisation.id


def editor(content_id: int) -> str:
    return f"/authoring/items/{content_id}/certification"


def create_certification(client) -> int:
    response = client.post("/authoring/new/certification", data={"title": "Nyckelhantering", "slug": SLUG})
    assert response.status_code == 302, response.text
    content_id = db.session.scalar(sa.select(LocalContent.id).where(LocalContent.slug == SLUG))
    assert response.location.endswith(editor(content_id))
    return content_id


def draft(content_id: int) -> Revision:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Revision).where(Revision.content_id == content_id).order_by(Revision.number.desc())
    )


def filled_in(lock: int, **changes) -> dict:
    form = {
        "lock": lock,
        "title_sv": "Nyckelhantering",
        "title_en": "Key handling",
        "summary_sv": "För dig som hämtar och lämnar nycklar.",
        "summary_en": "",
        "requirements": ["module:grunder", "module:var-rutin", f"exercise:{EXERCISE}", ""],
        "renewal": ["module:var-rutin", ""],
        "positions": ["assistant_nurse"],
        "unit_kinds": ["home_care"],
        "validity_months": "12",
        "window_days": "30",
        "expiry_base": "completion",
        "new_staff_due_days": "30",
        "major_version_grace_days": "60",
    }
    return {**form, **changes}


def switch_to(client, login, user: User) -> None:
    client.post("/logout")
    login(user)


def test_a_local_certification_is_edited_approved_and_assigned_in_its_own_organisation(client, login, world):
    login(world.author)
    content_id = create_certification(client)
    page = client.get(editor(content_id))
    assert page.status_code == 200
    assert 'value="Nyckelhantering"' in page.text
    assert f'value="exercise:{EXERCISE}"' in page.text
    assert 'value="module:deras-rutin"' not in page.text  # another organisation's module is no choice

    response = client.post(editor(content_id), data=filled_in(draft(content_id).lock_version))
    assert response.status_code == 302, response.text
    text = draft(content_id).files[definition_file(SLUG)]
    definition = parse_definition(text, "saved", SLUG, POSITIONS, UNIT_KINDS)
    assert [r.ref for r in definition.requirements] == ["grunder", "var-rutin", EXERCISE]
    assert definition.requirements[2].kind is RequirementKind.EXERCISE
    assert [r.ref for r in definition.renewal] == ["var-rutin"]
    assert definition.positions == ("assistant_nurse",)
    assert definition.title == {"sv": "Nyckelhantering", "en": "Key handling"}
    assert definition.validity_months == 12

    submit = {
        "lock": draft(content_id).lock_version,
        "change_note": "Första versionen.",
        "version_kind": "minor",
    }
    assert client.post(f"/authoring/items/{content_id}/submit", data=submit).status_code == 302
    assert draft(content_id).status is RevisionStatus.IN_REVIEW
    switch_to(client, login, world.reviewer)
    review = client.post(f"/authoring/items/{content_id}/review", data={"verdict": "approved", "body": ""})
    assert review.status_code == 302, review.text

    published = draft(content_id)
    assert published.status is RevisionStatus.PUBLISHED
    certification = db.session.scalar(sa.select(Certification).where(Certification.slug == SLUG))
    assert certification.organisation_id == world.ours.id
    assert certification.is_active
    assert certification.current_version.version == "1.0"
    assert certification.current_version_id == published.published_ref
    assert "version: '1.0'" in published.files[definition_file(SLUG)]
    assigned = set(
        db.session.scalars(
            sa.select(Assignment.user_id).where(Assignment.certification_id == certification.id)
        )
    )
    assert assigned == {world.anna.id}

    switch_to(client, login, world.anna)
    assert "Nyckelhantering" in client.get("/learning/certifications").text
    switch_to(client, login, world.bengt)
    assert "Nyckelhantering" not in client.get("/learning/certifications").text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"requirements": ["module:finns-inte"]}, "finns-inte cannot be required"),
        ({"requirements": ["module:deras-rutin"]}, "deras-rutin cannot be required"),
        ({"renewal": ["exercise:finns-inte"]}, "finns-inte cannot be required"),
        ({"validity_months": "-1"}, "Enter a whole number from 1 to 120 (months)."),
        ({"window_days": "400"}, "Enter a whole number from 0 to 365 (days)."),
        (
            {"validity_months": "1", "window_days": "60"},
            "The renewal window must be shorter than the validity.",
        ),
        ({"requirements": ["", ""]}, "Add at least one requirement."),
        ({"title_sv": " "}, "Enter a title in Swedish."),
        ({"expiry_base": "sometime"}, "Not a valid choice"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_saves_nothing(client, login, world, changes, message):
    login(world.author)
    content_id = create_certification(client)
    before = draft(content_id)
    files, lock = dict(before.files), before.lock_version
    response = client.post(editor(content_id), data=filled_in(lock, **{"title_sv": "Nytt namn", **changes}))
    assert response.status_code == 400
    assert message in response.text
    assert 'class="error-summary"' in response.text
    if "title_sv" not in changes:
        assert 'value="Nytt namn"' in response.text  # what was typed is shown again
    after = draft(content_id)
    assert after.files == files
    assert after.lock_version == lock


def test_a_stale_save_gets_the_conflict_page_and_changes_nothing(client, login, world):
    login(world.author)
    content_id = create_certification(client)
    opened_at = draft(content_id).lock_version
    assert client.post(editor(content_id), data=filled_in(opened_at)).status_code == 302
    saved = draft(content_id)
    response = client.post(editor(content_id), data=filled_in(opened_at, title_sv="Sent namn"))
    assert response.status_code == 409
    assert "Sent namn" in response.text  # the author's own version is offered, not lost
    after = draft(content_id)
    assert after.files == saved.files
    assert after.lock_version == saved.lock_version


def test_a_requirement_no_longer_available_stays_visible_until_changed(client, login, world):
    login(world.author)
    content_id = create_certification(client)
    revision = draft(content_id)
    path = definition_file(SLUG)
    revision.files = {
        path: revision.files[path].replace("requirements: []", "requirements:\n- module: borttagen")
    }
    db.session.commit()
    page = client.get(editor(content_id)).text
    assert 'value="module:borttagen" selected' in page
    assert "Not available: choose another" in page


@pytest.mark.parametrize("roles", [{Role.LEARNER}, {Role.MANAGER, Role.LEARNER}])
def test_learners_and_managers_may_not_edit(client, login, world, make_user, roles):
    content_id = _created_by(world.author)
    login(make_user(world.ours, roles=roles))
    assert client.get(editor(content_id)).status_code == 403
    assert client.post(editor(content_id), data=filled_in(1)).status_code == 403


def test_another_organisations_author_does_not_find_it(client, login, world):
    content_id = _created_by(world.author)
    login(world.their_author)
    assert client.get(editor(content_id)).status_code == 404
    assert client.post(editor(content_id), data=filled_in(1)).status_code == 404
    assert draft(content_id).lock_version == 1


def _created_by(author: User) -> int:
    publisher = workflow.PUBLISHERS[ContentKind.CERTIFICATION]
    revision = workflow.create(
        ContentKind.CERTIFICATION, SLUG, publisher.new_files(SLUG, "Nyckelhantering"), author
    )
    db.session.commit()
    return revision.content_id


def test_the_starter_file_is_valid_yaml_that_waits_for_a_requirement(app, world):
    files = CertificationPublisher().new_files(SLUG, "Nyckelhantering")
    assert list(files) == [f"{SLUG}.yaml"]
    revision = workflow.create(ContentKind.CERTIFICATION, SLUG, files, world.author)
    problems = CertificationPublisher().problems(revision)
    assert len(problems) == 1
    line = files[f"{SLUG}.yaml"].splitlines().index("requirements: []") + 1
    assert f"{SLUG}.yaml:{line}: requirements: a certification needs at least one requirement" in problems[0]
    assert CertificationPublisher().renewals(revision) == 0


def test_problems_name_the_line_and_what_the_organisation_cannot_require(app, world):
    files = {
        f"{SLUG}.yaml": "title: Nyckelhantering\nversion: '0.1'\nrequirements:\n  - module: deras-rutin\n  - exercise: inget\n"
    }
    revision = workflow.create(ContentKind.CERTIFICATION, SLUG, files, world.author)
    with force_locale("en"):  # the messages are read in English
        problems = CertificationPublisher().problems(revision)
    assert any("'deras-rutin'" in problem for problem in problems)
    assert any("no exercise 'inget'" in problem for problem in problems)
    revision.files = {f"{SLUG}.yaml": "title: [oavslutad\n"}
    assert CertificationPublisher().problems(revision)[0].startswith(f"{SLUG}.yaml:2: (yaml syntax)")


def test_with_version_changes_the_version_and_nothing_else(app):
    text = "title: {sv: Namn, en: Name}\nversion: '0.1'\nrequirements:\n- module: grunder\n"
    numbered = with_version(text, "2.3")
    definition = parse_definition(numbered, "x", "x", POSITIONS, UNIT_KINDS)
    assert definition.version == "2.3"
    assert definition.title == {"sv": "Namn", "en": "Name"}
    assert numbered.index("title") < numbered.index("version") < numbered.index("requirements")
