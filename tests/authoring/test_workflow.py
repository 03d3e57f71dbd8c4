"""The workflow of local material through its routes: a draft is written, submitted, approved by a
second author and published as an immutable version learners of the same organisation get; stale
saves get the conflict page; a major version shows and applies its renewals; Markdown payloads are
sanitised in the preview and on the published page."""

import hashlib
from datetime import timedelta
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from portal.authoring import files, workflow
from portal.certification.services import local_today
from portal.content.loader import load_modules
from portal.content.sync import sync_modules
from portal.extensions import db
from portal.models import (
    AuditEvent,
    Certification,
    CertificationCycle,
    CertificationVersion,
    ContentKind,
    LocalContent,
    Module,
    Revision,
    RevisionStatus,
    Role,
)
from tests.certification.test_certificate import certify
from tests.conftest import TEST_PASSWORD, sign_in
from tests.content.builders import write_module

SLUG = "nyckelrutin-norr"
XSS_CORPUS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[klicka](javascript:alert(1))",
    '<a href="javascript:alert(1)">länk</a>',
    "<svg onload=alert(1)>",
    '<iframe src="https://example.com"></iframe>',
    "![x](javascript:alert(1))",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<<script>script>alert(1)<</script>/script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
)


@pytest.fixture
def people(org, make_user, make_unit):
    unit = make_unit(org, "Hemtjänst Norr")
    people = {
        "author": make_user(org, username="larmteam", roles={Role.AUTHOR, Role.LEARNER}),
        "reviewer": make_user(org, username="maja", roles={Role.AUTHOR, Role.LEARNER}),
        "learner": make_user(org, username="anna", unit=unit),
        "manager": make_user(org, username="lars", roles={Role.MANAGER, Role.LEARNER}, manages=[unit]),
    }
    for person in people.values():
        person.language = "en"  # the pages are read in English
    db.session.commit()
    return people


@pytest.fixture
def clients(app, people):
    signed_in = {}
    for name, user in people.items():
        client = app.test_client()
        sign_in(client, user)
        signed_in[name] = client
    return signed_in


def lock_of(content_id: int) -> int:
    db.session.expire_all()
    content = db.session.get(LocalContent, content_id)
    return workflow.open_revision(content).lock_version


def create_module(client) -> int:
    response = client.post("/authoring/new/module", data={"title": "Nyckelrutin Norr", "slug": SLUG})
    assert response.status_code == 302
    return db.session.scalar(sa.select(LocalContent.id).where(LocalContent.slug == SLUG))


def write_section(client, content_id: int, body: str, **extra) -> object:
    data = {
        "lock": lock_of(content_id),
        "title_sv": "Inledning",
        "body_sv": body,
        "required": "y",
        "submit": "1",
    }
    return client.post(f"/authoring/items/{content_id}/module/sections/inledning", data={**data, **extra})


def submit(client, content_id: int, kind: str = "minor", note: str = "Första versionen") -> object:
    data = {"lock": lock_of(content_id), "change_note": note, "version_kind": kind}
    return client.post(f"/authoring/items/{content_id}/submit", data=data)


def approve(client, content_id: int, **extra) -> object:
    return client.post(
        f"/authoring/items/{content_id}/review", data={"verdict": "approved", "body": "", **extra}
    )


def publish_first_version(clients) -> int:
    content_id = create_module(clients["author"])
    assert (
        write_section(
            clients["author"], content_id, "## Nycklar\n\nHämta nyckeln i nyckelskåpet."
        ).status_code
        == 302
    )
    assert submit(clients["author"], content_id).status_code == 302
    assert approve(clients["reviewer"], content_id).status_code == 302
    return content_id


def test_a_second_author_approves_and_the_learner_of_the_organisation_gets_the_module(clients, people):
    content_id = publish_first_version(clients)

    module = db.session.scalar(sa.select(Module).where(Module.slug == SLUG))
    assert module.organisation_id == people["author"].organisation_id
    assert module.current_version.version == "1.0"
    revision = db.session.scalar(sa.select(Revision).where(Revision.content_id == content_id))
    assert revision.status is RevisionStatus.PUBLISHED
    assert revision.approved_by_id == people["reviewer"].id
    assert revision.published_ref == module.current_version_id
    assert "Hämta nyckeln" in clients["learner"].get(f"/learning/modules/{SLUG}/inledning").text
    assert "Nyckelrutin Norr" in clients["learner"].get("/learning/").text
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.subject_type == "localcontent")
    )
    assert {"content.created", "content.submitted", "content.review_approved", "content.published"} <= set(
        actions
    )


def test_the_author_cannot_approve_their_own_revision(clients):
    content_id = create_module(clients["author"])
    write_section(clients["author"], content_id, "Text.")
    submit(clients["author"], content_id)

    response = approve(clients["author"], content_id)

    assert response.status_code == 400
    assert "second author" in response.text
    assert db.session.scalar(sa.select(Module).where(Module.slug == SLUG)) is None


def test_without_four_eyes_submitting_publishes_at_once(clients, org):
    org.review_required = False
    db.session.commit()
    content_id = create_module(clients["author"])
    write_section(clients["author"], content_id, "Text.")

    assert submit(clients["author"], content_id).status_code == 302

    assert db.session.scalar(sa.select(Module).where(Module.slug == SLUG)).current_version.version == "1.0"


def test_asking_for_changes_sends_the_revision_back_with_the_comment(clients):
    content_id = create_module(clients["author"])
    write_section(clients["author"], content_id, "Text.")
    submit(clients["author"], content_id)

    response = clients["reviewer"].post(
        f"/authoring/items/{content_id}/review",
        data={"verdict": "changes_requested", "body": "Nämn nyckelkvittensen."},
    )

    assert response.status_code == 302
    assert db.session.get(LocalContent, content_id).revisions[0].status is RevisionStatus.DRAFT
    assert "Nämn nyckelkvittensen." in clients["author"].get(f"/authoring/items/{content_id}").text


def test_asking_for_changes_without_a_comment_is_refused(clients):
    content_id = create_module(clients["author"])
    write_section(clients["author"], content_id, "Text.")
    submit(clients["author"], content_id)

    response = clients["reviewer"].post(
        f"/authoring/items/{content_id}/review", data={"verdict": "changes_requested"}
    )

    assert response.status_code == 400
    assert db.session.get(LocalContent, content_id).revisions[0].status is RevisionStatus.IN_REVIEW


def test_a_stale_save_gets_the_conflict_page_and_changes_nothing(clients):
    content_id = create_module(clients["author"])
    stale_lock = lock_of(content_id)
    write_section(clients["reviewer"], content_id, "Maja skrev först.")

    response = clients["author"].post(
        f"/authoring/items/{content_id}/module/sections/inledning",
        data={
            "lock": stale_lock,
            "title_sv": "Inledning",
            "body_sv": "Larmteamet skrev sedan.",
            "submit": "1",
        },
    )

    assert response.status_code == 409
    assert "Maja skrev först." in response.text
    assert "Larmteamet skrev sedan." in response.text
    assert (
        "Maja skrev först." in db.session.get(LocalContent, content_id).revisions[0].files["01-inledning.md"]
    )


def test_keeping_my_version_after_a_conflict_saves_it_with_the_fresh_lock(clients):
    content_id = create_module(clients["author"])
    write_section(clients["reviewer"], content_id, "Maja skrev först.")
    mine = files.join({"title": "Inledning", "kind": "text", "required": True}, "Min text.")

    response = clients["author"].post(
        f"/authoring/items/{content_id}/files",
        data={"lock": lock_of(content_id), "path": "01-inledning.md", "text": mine},
    )

    assert response.status_code == 302
    assert db.session.get(LocalContent, content_id).revisions[0].files["01-inledning.md"] == mine


def test_a_published_version_is_immutable_and_a_new_draft_starts_from_it(clients):
    content_id = publish_first_version(clients)

    edit = clients["author"].post(
        f"/authoring/items/{content_id}/module/sections/inledning",
        data={"lock": 2, "title_sv": "Inledning", "body_sv": "Ändrad.", "submit": "1"},
    )
    assert edit.status_code == 404
    assert clients["author"].post(f"/authoring/items/{content_id}/drafts").status_code == 302
    revisions = db.session.get(LocalContent, content_id).revisions
    assert [r.status for r in revisions] == [RevisionStatus.PUBLISHED, RevisionStatus.DRAFT]
    assert revisions[1].files == revisions[0].files


class _Dangers(HTMLParser):
    """Every element or attribute in a fragment that could run script or load something foreign."""

    FORBIDDEN_TAGS = {"script", "iframe", "svg", "math", "style", "object", "embed", "form", "input"}

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.FORBIDDEN_TAGS:
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.found.append(f"{tag}[{name}]")
            if name in ("href", "src") and (value or "").strip().lower().startswith(("javascript:", "data:")):
                self.found.append(f"{tag}[{name}={value}]")


def dangers_in_main(page: str, marker: str = "Före", end: str = "</main>") -> list[str]:
    """What is dangerous between the marker and the end of the page's main part (or ``end``)."""
    start = page.index(marker)
    parser = _Dangers()
    parser.feed(page[start : page.index(end, start)])
    return parser.found


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_script_payloads_are_sanitised_in_the_preview_and_the_published_page(clients, payload):
    content_id = create_module(clients["author"])
    body = f"## Rubrik\n\nFöre {payload} efter"

    preview = write_section(clients["author"], content_id, body, submit="", preview="1")
    write_section(clients["author"], content_id, body)
    submit(clients["author"], content_id)
    approve(clients["reviewer"], content_id)
    published = clients["learner"].get(f"/learning/modules/{SLUG}/inledning")

    assert preview.status_code == 200
    assert dangers_in_main(preview.text, marker='id="preview-heading"', end="</section>") == []
    if published.status_code == 404:  # the loader refused it (e.g. an image that is not in the module)
        assert db.session.get(LocalContent, content_id).revisions[0].status is RevisionStatus.DRAFT
    else:
        assert dangers_in_main(published.text, end="section-done") == []


def test_the_danger_detector_finds_what_the_sanitiser_removes():
    assert dangers_in_main('Före <img src=x onerror="alert(1)"><a href="javascript:x">l</a></main>') == [
        "img[onerror]",
        "a[href=javascript:x]",
    ]


def test_a_module_with_problems_cannot_be_submitted_and_stays_a_draft(clients):
    content_id = create_module(clients["author"])
    write_section(clients["author"], content_id, "![](media/saknas.png)")

    response = submit(clients["author"], content_id)

    assert response.status_code == 400
    assert "alt text" in response.text
    assert db.session.get(LocalContent, content_id).revisions[0].status is RevisionStatus.DRAFT


def test_a_taken_address_name_is_refused(clients, app, tmp_path):
    write_module(tmp_path, slug="grunder")
    sync_modules(load_modules(tmp_path))
    db.session.commit()

    response = clients["author"].post("/authoring/new/module", data={"title": "Grunder", "slug": "grunder"})

    assert response.status_code == 400
    assert "taken" in response.text
    assert db.session.scalar(sa.select(sa.func.count(LocalContent.id))) == 0


@pytest.mark.parametrize("slug", ["", "Stora-Bokstäver", "a", "../etc", "x" * 81])
def test_a_bad_address_name_is_refused(clients, slug):
    response = clients["author"].post("/authoring/new/module", data={"title": "Titel", "slug": slug})

    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(LocalContent.id))) == 0


def test_national_sync_leaves_local_modules_alone(clients, app, tmp_path):
    publish_first_version(clients)
    write_module(tmp_path, slug="grunder")

    sync_modules(load_modules(tmp_path))
    db.session.commit()

    assert db.session.scalar(sa.select(Module).where(Module.slug == SLUG)).is_active


def test_another_organisations_people_never_see_the_local_module(
    clients, make_org, make_user, make_unit, app
):
    publish_first_version(clients)
    elsewhere = make_org("Annanstans kommun")
    stranger = make_user(elsewhere, username="stranger", unit=make_unit(elsewhere))
    author = make_user(elsewhere, username="other-author", roles={Role.AUTHOR})
    content_id = db.session.scalar(sa.select(LocalContent.id))
    client = app.test_client()
    client.post("/login", data={"username": stranger.username, "password": TEST_PASSWORD})
    other_author = app.test_client()
    other_author.post("/login", data={"username": author.username, "password": TEST_PASSWORD})

    assert client.get(f"/learning/modules/{SLUG}").status_code == 404
    assert "Nyckelrutin Norr" not in client.get("/learning/").text
    assert other_author.get(f"/authoring/items/{content_id}").status_code == 404
    assert SLUG not in other_author.get("/authoring/").text


def local_certification(organisation_id: int) -> Certification:
    definition = f'title: {{sv: Nyckelbehörighet}}\nversion: "1.0"\nrequirements:\n  - module: {SLUG}\nmajor_version_grace_days: 30\n'
    certification = Certification(slug="nyckelbehorighet", organisation_id=organisation_id)
    db.session.add(certification)
    db.session.flush()
    version = CertificationVersion(
        certification_id=certification.id,
        version="1.0",
        checksum=hashlib.sha256(definition.encode()).hexdigest(),
        source=definition,
        title={"sv": "Nyckelbehörighet"},
    )
    db.session.add(version)
    db.session.flush()
    certification.current_version_id = version.id
    db.session.commit()
    return certification


def test_a_major_version_shows_the_affected_count_then_moves_holders_into_renewal(clients, people):
    content_id = publish_first_version(clients)
    certification = local_certification(people["author"].organisation_id)
    holder = certify(people["learner"], certification, on=local_today() - timedelta(days=100))
    clients["author"].post(f"/authoring/items/{content_id}/drafts")
    write_section(clients["author"], content_id, "## Nycklar\n\nNy rutin: två nycklar per brukare.")
    submit(clients["author"], content_id, kind="major", note="Ny nyckelrutin")

    page = clients["reviewer"].get(f"/authoring/items/{content_id}/review")
    unconfirmed = approve(clients["reviewer"], content_id)
    db.session.expire_all()
    unchanged = db.session.get(CertificationCycle, holder.id).renew_by
    confirmed = approve(clients["reviewer"], content_id, confirm_renewals="1")

    assert "1 person" in page.text
    assert unconfirmed.status_code == 400
    assert unchanged is None
    assert confirmed.status_code == 302
    db.session.expire_all()
    cycle = db.session.get(CertificationCycle, holder.id)
    assert cycle.renew_by == local_today() + timedelta(days=30)
    assert db.session.scalar(sa.select(Module).where(Module.slug == SLUG)).current_version.version == "2.0"
    audit = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "certification.renewal_required")
    ).all()
    assert [event.subject_id for event in audit] == [holder.id]


def test_a_minor_version_moves_nobody_into_renewal(clients, people):
    content_id = publish_first_version(clients)
    certification = local_certification(people["author"].organisation_id)
    holder = certify(people["learner"], certification, on=local_today() - timedelta(days=100))
    clients["author"].post(f"/authoring/items/{content_id}/drafts")
    write_section(clients["author"], content_id, "Rättat stavfel.")
    submit(clients["author"], content_id, kind="minor", note="Stavfel")

    assert approve(clients["reviewer"], content_id).status_code == 302

    db.session.expire_all()
    assert db.session.get(CertificationCycle, holder.id).renew_by is None
    assert db.session.scalar(sa.select(Module).where(Module.slug == SLUG)).current_version.version == "1.1"


def test_archiving_hides_the_module_from_learners_and_keeps_its_versions(clients):
    content_id = publish_first_version(clients)

    assert clients["author"].post(f"/authoring/items/{content_id}/archive").status_code == 302

    assert clients["learner"].get(f"/learning/modules/{SLUG}").status_code == 404
    assert db.session.get(LocalContent, content_id).revisions[0].status is RevisionStatus.PUBLISHED


def test_the_create_service_makes_a_loadable_starter_module(app, people):
    revision = workflow.create(ContentKind.MODULE, SLUG, files.new_module(SLUG, "Titel"), people["author"])

    assert workflow.PUBLISHERS[ContentKind.MODULE].problems(revision) == []


def test_without_four_eyes_the_author_confirms_the_renewals_of_a_major_version(clients, people, org):
    content_id = publish_first_version(clients)
    certification = local_certification(people["author"].organisation_id)
    holder = certify(people["learner"], certification, on=local_today() - timedelta(days=100))
    org.review_required = False
    db.session.commit()
    clients["author"].post(f"/authoring/items/{content_id}/drafts")
    write_section(clients["author"], content_id, "Ny rutin.")

    unconfirmed = submit(clients["author"], content_id, kind="major", note="Ny rutin")
    confirmed = clients["author"].post(
        f"/authoring/items/{content_id}/submit",
        data={
            "lock": lock_of(content_id),
            "change_note": "Ny rutin",
            "version_kind": "major",
            "confirm_renewals": "1",
        },
    )

    assert unconfirmed.status_code == 400
    assert "1 person" in unconfirmed.text
    assert confirmed.status_code == 302
    db.session.expire_all()
    assert db.session.get(CertificationCycle, holder.id).renew_by is not None
