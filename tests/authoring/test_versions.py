"""An item's history: every revision listed, one revision's files read-only and escaped, a readable
and accessible diff between any two, restoring a published version as a new draft; and who may see
any of it."""

import io
import zipfile

import pytest
import sqlalchemy as sa

from portal.authoring import files, workflow
from portal.extensions import db
from portal.models import ContentKind, LocalContent, Revision, RevisionStatus, Role

SLUG = "nyckelrutin-norr"
SECTION = "01-inledning.md"
FIRST_LINE = "Nycklar hämtas i skåpet."
SECOND_LINE = "Nycklar hämtas i kassaskåpet."


def section(body: str) -> str:
    return files.join({"title": "Inledning", "kind": "text"}, body)


@pytest.fixture
def author(org, make_user):
    user = make_user(org, username="larmteam", roles={Role.AUTHOR, Role.LEARNER})
    user.language = "en"
    db.session.commit()
    return user


@pytest.fixture
def author_client(client, login, author):
    login(author)
    return client


@pytest.fixture
def item(org, author) -> LocalContent:
    """A module published twice, without four eyes: version 1.0 and then 1.1 with one line changed."""
    org.review_required = False
    first = workflow.create(ContentKind.MODULE, SLUG, files.new_module(SLUG, "Nyckelrutin Norr"), author)
    workflow.save(first, first.lock_version, author, files={SECTION: section(FIRST_LINE)})
    workflow.submit(first, author, "Första versionen", is_major=False)
    second = workflow.start_draft(first.content, author)
    workflow.save(second, second.lock_version, author, files={SECTION: section(SECOND_LINE)})
    workflow.submit(second, author, "Kassaskåpet <b>nu</b>", is_major=False)
    db.session.commit()
    assert [r.version for r in first.content.revisions] == ["1.0", "1.1"]
    return first.content


def revisions_of(content_id: int) -> list[Revision]:
    db.session.expire_all()
    return db.session.get(LocalContent, content_id).revisions


def test_the_history_lists_every_revision_with_who_and_what(app, author_client, item, author):
    page = author_client.get(f"/authoring/items/{item.id}/versions")
    assert page.status_code == 200
    assert f'href="/authoring/items/{item.id}/versions/1"' in page.text
    assert f'href="/authoring/items/{item.id}/versions/2"' in page.text
    assert "1.0 (minor)" in page.text
    assert "1.1 (minor)" in page.text
    assert "Första versionen" in page.text
    assert "Kassaskåpet &lt;b&gt;nu&lt;/b&gt;" in page.text
    assert f"Written by {author.full_name}" in page.text
    assert "(without review)" in page.text
    assert '<select id="compare-from" name="from">' in page.text
    assert "<caption" in page.text
    assert f'action="/authoring/items/{item.id}/versions/1/restore"' in page.text


def test_a_revision_shows_its_files_read_only_and_escaped(app, author_client, item, author):
    draft = workflow.start_draft(item, author)
    workflow.save(draft, draft.lock_version, author, files={SECTION: section("<script>alert(1)</script>")})
    db.session.commit()
    page = author_client.get(f"/authoring/items/{item.id}/versions/3")
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert(1)" not in page.text
    assert "<textarea" not in page.text
    assert page.text.index("module.md") < page.text.index(SECTION)
    assert "/restore" not in page.text  # a draft is not restored; it is edited
    assert author_client.get(f"/authoring/items/{item.id}/versions/9").status_code == 404


def test_the_diff_marks_the_changed_line_removed_and_added(app, author_client, item):
    page = author_client.get(f"/authoring/items/{item.id}/diff", query_string={"from": 1, "to": 2})
    assert page.status_code == 200
    text = page.text
    assert "Changes from revision 1 to revision 2" in text
    removed = text[text.index("<del") : text.index("</del>")]
    added = text[text.index("<ins") : text.index("</ins>")]
    assert FIRST_LINE in removed
    assert "Removed:" in removed
    assert "−" in removed
    assert SECOND_LINE in added
    assert "Added:" in added
    assert "+" in added
    assert '<code>01-inledning.md</code> <span class="diff-change">(changed)</span>' in text


def test_the_diff_escapes_what_it_shows(app, author_client, item, author):
    draft = workflow.start_draft(item, author)
    workflow.save(
        draft, draft.lock_version, author, files={SECTION: section('<img src=x onerror="alert(1)">')}
    )
    db.session.commit()
    page = author_client.get(f"/authoring/items/{item.id}/diff", query_string={"from": 2, "to": 3})
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page.text
    assert "<img src=x" not in page.text


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        ({}, 400, "from must be a revision number"),
        ({"from": 1}, 400, "to must be a revision number"),
        ({"from": "ett", "to": 2}, 400, "from must be a revision number"),
        ({"from": 1, "to": 7}, 404, None),
    ],
)
def test_a_diff_needs_two_known_revision_numbers(app, author_client, item, query, status, words):
    page = author_client.get(f"/authoring/items/{item.id}/diff", query_string=query)
    assert page.status_code == status
    if words:
        assert words in page.text


def test_restoring_a_published_version_opens_a_draft_with_its_files(app, author_client, item):
    response = author_client.post(f"/authoring/items/{item.id}/versions/1/restore")
    assert response.status_code == 302
    assert response.location.endswith(f"/authoring/items/{item.id}")
    first, _second, restored = revisions_of(item.id)
    assert restored.number == 3
    assert restored.status is RevisionStatus.DRAFT
    assert restored.files == first.files
    assert restored.based_on_id == first.id


def test_restoring_while_a_draft_is_open_is_refused(app, author_client, item, author):
    workflow.start_draft(item, author)
    db.session.commit()
    response = author_client.post(f"/authoring/items/{item.id}/versions/1/restore", follow_redirects=True)
    assert "There is already a draft of this; continue that one." in response.text
    assert len(revisions_of(item.id)) == 3


def test_only_a_published_version_is_restored(app, author_client, item, author):
    workflow.start_draft(item, author)
    workflow.discard(revisions_of(item.id)[-1], author)
    db.session.commit()
    response = author_client.post(f"/authoring/items/{item.id}/versions/3/restore", follow_redirects=True)
    assert "Only a published version can be restored." in response.text
    assert len(revisions_of(item.id)) == 3


def test_restore_needs_the_form_token(app, author_client, item):
    app.config["WTF_CSRF_ENABLED"] = True
    assert author_client.post(f"/authoring/items/{item.id}/versions/1/restore").status_code == 400
    assert len(revisions_of(item.id)) == 2


def routes(content_id: int) -> list[tuple[str, str]]:
    base = f"/authoring/items/{content_id}"
    return [
        ("GET", f"{base}/versions"),
        ("GET", f"{base}/versions/1"),
        ("GET", f"{base}/diff?from=1&to=2"),
        ("POST", f"{base}/versions/1/restore"),
        ("GET", f"{base}/export.zip"),
    ]


@pytest.mark.parametrize("role", [Role.LEARNER, Role.MANAGER])
def test_learners_and_managers_are_forbidden(app, client, login, make_user, org, item, role):
    login(make_user(org, roles={role}))
    for method, url in [*routes(item.id), ("GET", "/authoring/import"), ("POST", "/authoring/import")]:
        assert client.open(url, method=method).status_code == 403, url
    assert client.get("/authoring/national/trygghetslarm-grunder/export.zip").status_code == 403


def test_another_organisations_author_finds_nothing(app, client, login, make_org, make_user, item):
    login(make_user(make_org("Annan kommun"), roles={Role.AUTHOR}))
    for method, url in routes(item.id):
        assert client.open(url, method=method).status_code == 404, url
    assert len(revisions_of(item.id)) == 2


def test_the_history_of_a_published_module_exports_each_version(app, author_client, item):
    response = author_client.get(f"/authoring/items/{item.id}/export.zip", query_string={"version": 1})
    assert response.headers["Content-Disposition"] == f"attachment; filename={SLUG}-1.0.zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert FIRST_LINE in archive.read(f"{SLUG}/{SECTION}").decode()


def test_a_revision_number_is_unique_even_when_restored_twice(app, author_client, item, author):
    author_client.post(f"/authoring/items/{item.id}/versions/1/restore")
    workflow.discard(revisions_of(item.id)[-1], author)
    db.session.commit()
    author_client.post(f"/authoring/items/{item.id}/versions/2/restore")
    numbers = db.session.scalars(sa.select(Revision.number).where(Revision.content_id == item.id)).all()
    assert sorted(numbers) == [1, 2, 3, 4]
    assert revisions_of(item.id)[-1].files == revisions_of(item.id)[1].files
