"""Läskvittens through the routes: an author writes a routine for assistant nurses in one unit, a second
author approves it, those staff see it on their page until they confirm, their manager sees who has
confirmed (and nobody outside their units), a minor version keeps the confirmations and a major one
asks everyone again. Bad input in the editor changes nothing; Markdown is sanitised everywhere."""

import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from portal.authoring import routines, workflow
from portal.authoring.routine_publisher import ROUTINE_EN_FILE, ROUTINE_FILE, problems_in
from portal.extensions import db
from portal.models import (
    AuditEvent,
    ContentKind,
    LocalContent,
    Position,
    Revision,
    RevisionStatus,
    Role,
    RoutineAcknowledgement,
    User,
    utcnow,
)
from tests.conftest import sign_in
from tests.statements import recorded_statements

SLUG = "nyckelrutin-centrum"
TITLE = "Nyckelhantering i Hemtjänst Centrum"
BODY = "## Så hämtar du en nyckel\n\n1. Kvittera ut nyckeln.\n2. Lämna tillbaka den samma dag."
SCRIPT = "<script>alert(1)</script>"
ENGLISH = {
    "title_en": "Keys in Hemtjänst Centrum",
    "body_en": "## How to fetch a key\n\n1. Sign the key out.",
}


@pytest.fixture
def units(org, make_unit):
    return {"A": make_unit(org, "Hemtjänst Centrum"), "B": make_unit(org, "Hemtjänst Norr")}


@pytest.fixture
def people(org, units, make_user):
    """Everyone reads the interface in English, the language of the messages asserted on (Swedish
    translations are added later); bo reads Swedish, for the routine's own Swedish text."""
    found = {
        "author": make_user(org, username="larmteam", roles={Role.AUTHOR, Role.LEARNER}),
        "reviewer": make_user(org, username="maja", roles={Role.AUTHOR, Role.LEARNER}),
        "anna": make_user(org, username="anna", unit=units["A"]),
        "bo": make_user(org, username="bo", unit=units["A"]),
        "nora": make_user(org, username="nora", unit=units["A"], position=Position.NURSE),
        "bertil": make_user(org, username="bertil", unit=units["B"]),
        "karin": make_user(org, username="karin", roles={Role.MANAGER, Role.LEARNER}, manages=[units["A"]]),
    }
    for name, person in found.items():
        person.language = "sv" if name == "bo" else "en"
    db.session.commit()
    return found


class SignedInClients(dict):
    """A test client per person, signed in when first used (signing in hashes a password)."""

    def __init__(self, app, people) -> None:
        super().__init__()
        self.app, self.people = app, people

    def __missing__(self, name: str):
        self[name] = signed_in(self.app, self.people[name])
        return self[name]


@pytest.fixture
def clients(app, people):
    return SignedInClients(app, people)


def signed_in(app, user):
    client = app.test_client()
    sign_in(client, user)
    return client


def content_id_of(slug: str = SLUG) -> int:
    return db.session.scalar(sa.select(LocalContent.id).where(LocalContent.slug == slug))


def open_revision(content_id: int) -> Revision:
    db.session.expire_all()
    return workflow.open_revision(db.session.get(LocalContent, content_id))


def editor_form(content_id: int, **fields) -> dict:
    form = {
        "lock": open_revision(content_id).lock_version,
        "title_sv": TITLE,
        "title_en": "",
        "kind": "routine",
        "positions": ["assistant_nurse"],
        "units": ["Hemtjänst Centrum"],
        "body_sv": BODY,
        "body_en": "",
        "submit": "1",
    }
    form.update(fields)
    return form


def create_routine(author_client, slug: str = SLUG) -> int:
    response = author_client.post("/authoring/new/routine", data={"title": TITLE, "slug": slug})
    assert response.status_code == 302, response.text
    content_id = content_id_of(slug)
    assert response.headers["Location"].endswith(f"/authoring/items/{content_id}/routine")
    return content_id


def save(author_client, content_id: int, **fields):
    return author_client.post(
        f"/authoring/items/{content_id}/routine", data=editor_form(content_id, **fields)
    )


def publish(clients, content_id: int, version_kind: str = "minor") -> Revision:
    lock = open_revision(content_id).lock_version
    response = clients["author"].post(
        f"/authoring/items/{content_id}/submit",
        data={"lock": lock, "change_note": "Ny rutin för nycklar.", "version_kind": version_kind},
    )
    assert response.status_code == 302, response.text
    response = clients["reviewer"].post(f"/authoring/items/{content_id}/review", data={"verdict": "approved"})
    assert response.status_code == 302, response.text
    db.session.expire_all()
    return workflow.latest_published(db.session.get(LocalContent, content_id))


def new_version(clients, content_id: int, version_kind: str, body: str) -> Revision:
    assert clients["author"].post(f"/authoring/items/{content_id}/drafts").status_code == 302
    assert save(clients["author"], content_id, body_sv=body).status_code == 302
    return publish(clients, content_id, version_kind)


@pytest.fixture
def routine(clients) -> int:
    """A routine for assistant nurses in Hemtjänst Centrum, written, approved and published."""
    content_id = create_routine(clients["author"])
    assert save(clients["author"], content_id).status_code == 302
    publish(clients, content_id)
    return content_id


def confirm(client, content_id: int):
    return client.post(f"/routines/{content_id}/confirm")


def confirmations_page(clients, query: str = ""):
    response = clients["karin"].get(f"/routines/confirmations{query}")
    assert response.status_code == 200, response.text
    return response.text


def test_acceptance_publish_confirm_and_the_manager_sees_who_remains(clients, people, routine):
    revision = open_published(routine)
    assert revision.version == "1.0"
    assert revision.rendered["positions"] == ["assistant_nurse"]
    assert revision.rendered["title"] == {"sv": TITLE}
    assert "<h2" in revision.rendered["sv"]
    assert "<ol>" in revision.rendered["sv"]

    for name in ("anna", "bo"):
        dashboard = clients[name].get("/learning/").text
        assert "(1)" in dashboard  # "Routines to confirm (1)", in either language
        assert TITLE in dashboard
        assert TITLE in clients[name].get("/routines/").text
        assert clients[name].get(f"/routines/{routine}").status_code == 200
    for name in ("nora", "bertil"):  # a nurse in the unit, an assistant nurse in another unit
        assert TITLE not in clients[name].get("/learning/").text
        assert TITLE not in clients[name].get("/routines/").text
        assert clients[name].get(f"/routines/{routine}").status_code == 404
        assert confirm(clients[name], routine).status_code == 404

    assert confirm(clients["anna"], routine).status_code == 302
    assert TITLE not in clients["anna"].get("/learning/").text
    assert TITLE in clients["bo"].get("/learning/").text

    page = confirmations_page(clients)
    assert "1 of 2 have confirmed; 1 remaining." in page
    assert people["anna"].full_name in page
    assert people["bo"].full_name in page
    assert people["bertil"].full_name not in page  # unit B is not the manager's


def open_published(content_id: int) -> Revision:
    db.session.expire_all()
    return workflow.latest_published(db.session.get(LocalContent, content_id))


def reading_of(user, content_id: int) -> routines.Reading:
    db.session.expire_all()
    (item,) = routines.routines_for(user, content_id)
    return item.reading


def test_manager_page_names_people_in_their_units_only(clients, people, routine):
    confirm(clients["anna"], routine)
    page = confirmations_page(clients)
    assert people["anna"].full_name in page
    assert people["bo"].full_name in page
    assert people["bertil"].full_name not in page
    assert people["nora"].full_name not in page  # a nurse: the routine is not for her
    matrix = routines.confirmations(people["karin"], people["karin"].managed_unit_ids)
    (shown,) = matrix.routines
    assert [p.username for p, _ in matrix.confirmed(shown)] == ["anna"]
    assert [p.username for p, _ in matrix.remaining(shown)] == ["bo"]


def test_manager_filters_by_their_own_units_only(clients, units, routine):
    assert clients["karin"].get(f"/routines/confirmations?unit={units['A'].id}").status_code == 200
    assert clients["karin"].get(f"/routines/confirmations?unit={units['B'].id}").status_code == 404
    assert clients["karin"].get("/routines/confirmations?unit=Norr").status_code == 400


def test_a_minor_version_keeps_confirmations_and_a_major_one_resets_them(clients, people, routine):
    confirm(clients["anna"], routine)
    minor = new_version(clients, routine, "minor", BODY + "\n3. Skriv i nyckelboken.")
    assert minor.version == "1.1"
    assert reading_of(people["anna"], routine).is_confirmed
    assert not reading_of(people["bo"], routine).is_confirmed
    assert confirm(clients["bo"], routine).status_code == 302
    assert "2 of 2 have confirmed; 0 remaining." in confirmations_page(clients)

    major = new_version(clients, routine, "major", BODY + "\n3. Nyckeln förvaras i nyckelskåpet.")
    assert major.version == "2.0"
    for name in ("anna", "bo"):
        reading = reading_of(people[name], routine)
        assert not reading.is_confirmed
        assert reading.earlier_at is not None
        assert TITLE in clients[name].get("/learning/").text
    assert "0 of 2 have confirmed; 2 remaining." in confirmations_page(clients)

    assert confirm(clients["anna"], routine).status_code == 302
    assert reading_of(people["anna"], routine).is_confirmed


def test_confirming_twice_records_one_confirmation_and_one_audit_entry(clients, people, routine):
    assert confirm(clients["anna"], routine).status_code == 302
    assert confirm(clients["anna"], routine).status_code == 302
    acknowledgements = db.session.scalars(
        sa.select(RoutineAcknowledgement).where(RoutineAcknowledgement.user_id == people["anna"].id)
    ).all()
    assert len(acknowledgements) == 1
    audits = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "routine.confirmed")).all()
    assert len(audits) == 1
    assert audits[0].actor_id == people["anna"].id


def test_the_routine_is_shown_in_the_readers_language_with_swedish_as_fallback(clients, routine):
    fallback = clients["anna"].get(f"/routines/{routine}").text
    assert "Så hämtar du en nyckel" in fallback
    assert "only available in Swedish" in fallback
    assert clients["author"].post(f"/authoring/items/{routine}/drafts").status_code == 302
    assert save(clients["author"], routine, **ENGLISH).status_code == 302
    assert publish(clients, routine).rendered["title"] == {"sv": TITLE, "en": ENGLISH["title_en"]}
    english = clients["anna"].get(f"/routines/{routine}").text
    assert "How to fetch a key" in english
    assert "Keys in Hemtjänst Centrum" in english
    assert "only available in Swedish" not in english
    assert "I have read and understood" in english
    assert "Så hämtar du en nyckel" in clients["bo"].get(f"/routines/{routine}").text


def test_an_archived_routine_is_not_shown(clients, people, routine):
    db.session.get(LocalContent, routine).archived_at = utcnow()
    db.session.commit()
    assert routines.routines_for(people["anna"]) == []
    assert clients["anna"].get(f"/routines/{routine}").status_code == 404


# The editor


def test_the_editor_shows_the_draft_and_saves_it(clients, units):
    content_id = create_routine(clients["author"])
    page = clients["author"].get(f"/authoring/items/{content_id}/routine")
    assert page.status_code == 200
    assert TITLE in page.text
    assert "Hemtjänst Centrum" in page.text
    assert (
        save(
            clients["author"], content_id, kind="checklist", body_sv="- [ ] Ta nyckeln", **ENGLISH
        ).status_code
        == 302
    )
    files = open_revision(content_id).files
    assert "kind: checklist" in files[ROUTINE_FILE]
    assert "- Hemtjänst Centrum" in files[ROUTINE_FILE]
    assert files[ROUTINE_EN_FILE].startswith("## How to fetch a key")
    page = clients["author"].get(f"/authoring/items/{content_id}/routine").text
    assert re.search(r'<input checked[^>]*value="checklist"', page)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title_sv": ""}, "Enter a title."),
        ({"positions": ["assistant_nurse", "astronaut"]}, "Choose positions from the list."),
        (
            {"units": ["Hemtjänst Centrum", "Annan kommuns enhet"]},
            "Choose units of your organisation from the list.",
        ),
        ({"kind": ""}, "Choose routine or checklist."),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(clients, make_org, make_unit, fields, message):
    make_unit(make_org("Annan kommun"), "Annan kommuns enhet")
    content_id = create_routine(clients["author"])
    before = dict(open_revision(content_id).files)
    response = save(clients["author"], content_id, body_sv="Det jag skrev **här**", **fields)
    assert response.status_code == 400
    assert message in response.text
    assert "Det jag skrev **här**" in response.text  # the typed text is shown again
    assert open_revision(content_id).files == before


def test_preview_renders_sanitised_html_and_saves_nothing(clients):
    content_id = create_routine(clients["author"])
    before = dict(open_revision(content_id).files)
    body = f"**Viktigt** {SCRIPT}\n\n[klicka](javascript:alert(1))\n\n- [ ] Lås dörren"
    response = save(clients["author"], content_id, body_sv=body, submit="", preview="1")
    assert response.status_code == 200
    assert "<strong>Viktigt</strong>" in response.text
    assert 'class="task-list-item"' in response.text
    assert "<script>alert" not in response.text
    assert "javascript:alert" not in response.text.replace("[klicka](javascript:alert(1))", "")
    assert open_revision(content_id).files == before


def test_a_script_in_the_text_never_reaches_learners(clients, people):
    content_id = create_routine(clients["author"])
    save(clients["author"], content_id, body_sv=f"Läs detta.\n\n{SCRIPT}\n\n<img src=x onerror=alert(1)>")
    assert "cannot have images" in clients["author"].get(f"/authoring/items/{content_id}/routine").text
    save(clients["author"], content_id, body_sv=f"Läs detta.\n\n{SCRIPT}")
    revision = publish(clients, content_id)
    assert "<script" not in revision.rendered["sv"]
    assert "Läs detta." in revision.rendered["sv"]
    page = clients["anna"].get(f"/routines/{content_id}").text
    assert "Läs detta." in page
    assert "alert(1)" not in page


def test_a_stale_save_gets_the_conflict_page_and_changes_nothing(clients):
    content_id = create_routine(clients["author"])
    stale_lock = open_revision(content_id).lock_version
    assert save(clients["reviewer"], content_id, body_sv="Majas text").status_code == 302
    saved = dict(open_revision(content_id).files)
    response = save(clients["author"], content_id, lock=stale_lock, body_sv="Min text")
    assert response.status_code == 409
    assert "Min text" in response.text  # the author's own text is kept on the conflict page
    assert open_revision(content_id).files == saved


# What the publisher checks


def test_problems_name_what_keeps_a_routine_from_being_published(app, org, make_org, make_unit):
    make_unit(org, "Hemtjänst Centrum")
    make_unit(make_org("Annan kommun"), "Annan enhet")

    def problems(front_matter: str, body: str = "Text.") -> list[str]:
        with force_locale("en"):  # the messages are read in English
            return problems_in({ROUTINE_FILE: f"---\n{front_matter}\n---\n{body}\n"}, org.id)

    assert problems("title: {sv: Rutin}\nkind: routine\npositions: []\nunits: []") == []
    assert problems("title: {sv: Rutin}\nunits: [Hemtjänst Centrum]\npositions: [nurse]") == []
    assert any("Swedish title" in p for p in problems("title: ''"))
    assert any("routine or checklist" in p for p in problems("title: R\nkind: poem"))
    assert any("astronaut" in p for p in problems("title: R\npositions: [astronaut]"))
    assert any("Annan enhet" in p for p in problems("title: R\nunits: [Annan enhet]"))
    assert any("Swedish text" in p for p in problems("title: R", body=""))
    assert any("images" in p for p in problems("title: R", body="![en bild](media/x.png)"))
    assert any("task list" in p for p in problems("title: R\nkind: checklist", body="Bara text."))
    assert any("YAML" in p for p in problems("title: [unclosed"))
    assert problems_in({}, org.id)
    assert all(p.startswith(ROUTINE_FILE) for p in problems("title: ''"))


# Who may do what


def test_only_authors_of_the_organisation_edit(app, clients, make_org, make_user):
    content_id = create_routine(clients["author"])
    url = f"/authoring/items/{content_id}/routine"
    assert clients["anna"].get(url).status_code == 403
    assert clients["karin"].get(url).status_code == 403
    outsider = make_user(make_org("Annan kommun"), username="annan", roles={Role.AUTHOR})
    assert signed_in(app, outsider).get(url).status_code == 404
    assert app.test_client().get(url).status_code == 302


def test_another_organisations_people_do_not_find_the_routine(app, routine, make_org, make_unit, make_user):
    other = make_org("Annan kommun")
    unit = make_unit(other, "Hemtjänst Centrum")
    stranger = make_user(other, username="stranger", unit=unit, roles={Role.LEARNER, Role.MANAGER})
    client = signed_in(app, stranger)
    assert client.get(f"/routines/{routine}").status_code == 404
    assert client.post(f"/routines/{routine}/confirm").status_code == 404
    assert TITLE not in client.get("/routines/").text


def test_the_manager_page_is_for_managers_and_pages_need_a_login(app, clients):
    assert clients["anna"].get("/routines/confirmations").status_code == 403
    anonymous = app.test_client()
    for url in ("/routines/", "/routines/confirmations", "/routines/1"):
        response = anonymous.get(url)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
    assert anonymous.post("/routines/1/confirm").status_code == 302


def test_a_manager_may_read_a_routine_for_their_units_without_confirming_it(clients, routine):
    page = clients["karin"].get(f"/routines/{routine}")
    assert page.status_code == 200
    assert TITLE in page.text
    assert "I have read and understood" not in page.text
    assert confirm(clients["karin"], routine).status_code == 404
    assert "Read confirmations of routines" in clients["karin"].get("/competence/").text


# Cost


def statements_during(action) -> int:
    with recorded_statements() as seen:
        action()
    return len(seen)


def add_published_routines(org, author, count: int, first: int = 0) -> None:
    """Routines for everyone, each with two published versions."""
    for number in range(first, first + count):
        content = LocalContent(
            organisation_id=org.id, kind=ContentKind.ROUTINE, slug=f"rutin-{number}", created_by_id=author.id
        )
        rendered = {"sv": "<p>x</p>", "title": {"sv": f"Rutin {number}"}, "positions": [], "unit_ids": []}
        for revision_number in (1, 2):
            db.session.add(
                Revision(
                    content=content,
                    number=revision_number,
                    status=RevisionStatus.PUBLISHED,
                    version=f"1.{revision_number - 1}",
                    created_by_id=author.id,
                    published_at=utcnow(),
                    rendered=rendered,
                )
            )
    db.session.commit()


def test_the_statements_do_not_grow_with_routines_and_people(org, units, people, make_user):
    def cost() -> tuple[int, int]:
        db.session.expire_all()
        learner, manager = db.session.get(User, people["anna"].id), db.session.get(User, people["karin"].id)
        return (
            statements_during(lambda: routines.routines_for(learner)),
            statements_during(lambda: routines.confirmations(manager, manager.managed_unit_ids)),
        )

    add_published_routines(org, people["author"], 2)
    few = cost()
    add_published_routines(org, people["author"], 25, first=2)
    for number in range(30):
        make_user(org, username=f"extra{number}", unit=units["A"])
    assert cost() == few
