import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import ModuleCompletion, ProgressStatus, SectionProgress


@pytest.fixture
def anna(client, login, course):
    _root, learner = course
    login(learner)
    return learner


def progress(user, slug):
    return db.session.scalars(
        sa.select(SectionProgress)
        .join(SectionProgress.section)
        .where(SectionProgress.user_id == user.id, sa.text("section_version.slug = :slug"))
        .params(slug=slug)
    ).all()


def test_dashboard_lists_the_catalogue_for_my_position(client, anna):
    page = client.get("/learning/").text
    assert "Grunder grunder" in page
    assert "Grunder nattchef" not in page, "a module for managers is not in an undersköterska's catalogue"
    assert "Grunder nattchef" in client.get("/learning/?all=1").text


def test_module_page_shows_sections_and_start(client, anna):
    page = client.get("/learning/modules/grunder").text
    assert "Start" in page
    assert "Checklista" in page
    assert "valfritt" in page
    assert "/learning/modules/grunder/start" in page


def test_moving_through_sections_completes_the_module(client, anna):
    assert client.get("/learning/modules/grunder/start").status_code == 200
    response = client.post("/learning/modules/grunder/start/complete")
    assert response.headers["Location"].endswith("/learning/modules/grunder/film")
    client.post("/learning/modules/grunder/film/complete", data={"confirm_watched": "y"})
    assert db.session.scalar(sa.select(sa.func.count(ModuleCompletion.id))) == 0
    client.post("/learning/modules/grunder/lista/complete")
    completion = db.session.scalar(sa.select(ModuleCompletion))
    assert completion is not None, "all required sections done (the optional one is not needed)"
    assert completion.module_version.version == "1.0"
    dashboard = client.get("/learning/").text
    assert "Klar" in dashboard


def test_resume_at_the_last_section(client, anna):
    client.get("/learning/modules/grunder/lista")
    page = client.get("/learning/modules/grunder").text
    assert 'href="/learning/modules/grunder/lista">Fortsätt' in page.replace("\n", "").replace("  ", "")


def test_video_is_not_completed_without_watching(client, anna):
    response = client.post("/learning/modules/grunder/film/complete", follow_redirects=True)
    assert "Titta på filmen till slut" in response.text
    assert all(p.status is ProgressStatus.STARTED for p in progress(anna, "film"))


def test_unknown_sections_and_modules_are_not_found(client, anna):
    assert client.get("/learning/modules/finns-inte").status_code == 404
    assert client.get("/learning/modules/grunder/finns-inte").status_code == 404
    assert client.post("/learning/modules/grunder/finns-inte/complete").status_code == 404
    assert (
        client.post("/learning/modules/grunder/finns-inte/watched", json={"intervals": []}).status_code == 404
    )


def test_english_shows_swedish_with_a_note_when_missing(client, anna):
    client.set_cookie("lang", "en")
    client.post("/language", data={"language": "en"})
    page = client.get("/learning/modules/grunder/lista").text
    assert "This text is only available in Swedish." in page
    assert 'lang="sv"' in page


def test_links_written_at_sync_match_the_routes(app):
    from flask import url_for

    from portal.content.sync import media_path, module_path

    with app.test_request_context():
        assert module_path("nycklar") == url_for("learning.module", slug="nycklar")
        assert media_path("nycklar", "bild.png") == url_for(
            "learning.media", slug="nycklar", filename="bild.png"
        )


def test_a_quiz_section_cannot_be_clicked_done(app, client, login, tmp_path, org, make_user):
    from portal.content.loader import load_modules
    from portal.content.sync import sync_modules
    from tests.assessment.conftest import FIXTURE
    from tests.content.builders import write_module

    (tmp_path / "modules").mkdir()
    folder = write_module(
        tmp_path / "modules",
        slug="prov",
        sections={"01-test.md": "---\ntitle: Test\nkind: quiz\n---\nText.\n"},
    )
    (folder / "quiz.yaml").write_text(FIXTURE.read_text(encoding="utf-8"), encoding="utf-8")
    app.config["CONTENT_DIR"] = str(tmp_path)
    sync_modules(load_modules(tmp_path / "modules"))
    db.session.commit()
    login(make_user(org))
    page = client.get("/learning/modules/prov/test").text
    assert "Markera som klar" not in page
    assert client.post("/learning/modules/prov/test/complete").status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(ModuleCompletion.id))) == 0
