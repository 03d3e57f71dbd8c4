"""The module editor's forms: module details, sections added, moved and removed, and uploads that are
refused by their content (nothing stored, nothing changed) or accepted into the draft."""

import io
import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.authoring import files, workflow
from portal.extensions import db
from portal.models import ContentKind, LocalContent, MediaFile, Role
from tests.content.builders import MINIMAL_MP4, PNG, VTT_SV

SLUG = "nyckelrutin-norr"
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(200)
SVG_WITH_SCRIPT = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.fixture
def author(app, org, make_user, client, login, tmp_path):
    app.config["MEDIA_DIR"] = str(tmp_path / "media")
    user = make_user(org, username="larmteam", roles={Role.AUTHOR})
    user.language = "en"  # the messages are read in English
    db.session.commit()
    login(user)
    return user


@pytest.fixture
def content_id(author):
    revision = workflow.create(ContentKind.MODULE, SLUG, files.new_module(SLUG, "Nyckelrutin"), author)
    db.session.commit()
    return revision.content_id


def draft(content_id: int):
    db.session.expire_all()
    return workflow.open_revision(db.session.get(LocalContent, content_id))


def stored_media(app) -> list[Path]:
    folder = Path(app.config["MEDIA_DIR"])
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def upload(data: bytes, name: str) -> tuple:
    """A small file: the test client spools larger request bodies to a file nobody closes."""
    return (io.BytesIO(data), name)


MODULE_FORM = {
    "title_sv": "Nyckelrutin Norr",
    "summary_sv": "Hur vi hanterar nycklar.",
    "minutes": "20",
    "audience": ["assistant_nurse", "care_assistant"],
    "intro_sv": "Välkommen.",
    "intro_en": "Welcome.",
    "references-0-title": "Socialstyrelsen",
    "references-0-url": "https://www.socialstyrelsen.se/",
}


def test_the_module_details_are_written_to_module_md(client, content_id):
    response = client.post(f"/authoring/items/{content_id}/module", data={**MODULE_FORM, "lock": 1})

    assert response.status_code == 302
    meta, intro = files.split(draft(content_id).files["module.md"])
    assert meta["title"] == "Nyckelrutin Norr"
    assert meta["minutes"] == 20
    assert meta["audience"] == ["assistant_nurse", "care_assistant"]
    assert meta["references"] == [{"title": "Socialstyrelsen", "url": "https://www.socialstyrelsen.se/"}]
    assert intro == "Välkommen."
    assert draft(content_id).files["module.en.md"] == "Welcome.\n"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title_sv", "", "Enter a title."),
        ("minutes", "0", "from 1 to 600"),
        ("minutes", "tjugo", "Not a valid integer value."),
        ("references-0-url", "javascript:alert(1)", "Enter a full address"),
        ("audience", "king", "not a valid choice"),
    ],
)
def test_bad_module_details_are_refused_and_change_nothing(client, content_id, field, value, message):
    before = dict(draft(content_id).files)

    response = client.post(
        f"/authoring/items/{content_id}/module", data={**MODULE_FORM, field: value, "lock": 1}
    )

    assert response.status_code == 400
    assert message in response.text
    assert draft(content_id).files == before


def test_sections_are_added_moved_and_removed_with_their_numbers_following(client, content_id):
    client.post(
        f"/authoring/items/{content_id}/module/sections",
        data={"lock": 1, "title": "Nycklar", "slug": "nycklar", "kind": "checklist"},
    )
    client.post(
        f"/authoring/items/{content_id}/module/sections/inledning",
        data={
            "lock": 2,
            "title_sv": "Inledning",
            "title_en": "Introduction",
            "body_sv": "Text",
            "body_en": "Text",
            "submit": "1",
        },
    )

    moved = client.post(
        f"/authoring/items/{content_id}/module/sections/nycklar/move", data={"lock": 3, "direction": "up"}
    )

    assert moved.status_code == 302
    assert [s.path for s in files.sections(draft(content_id).files)] == ["01-nycklar.md", "02-inledning.md"]
    assert "02-inledning.en.md" in draft(content_id).files
    assert "01-inledning.en.md" not in draft(content_id).files
    removed = client.post(f"/authoring/items/{content_id}/module/sections/nycklar/delete", data={"lock": 4})
    assert removed.status_code == 302
    assert sorted(draft(content_id).files) == ["01-inledning.en.md", "01-inledning.md", "module.md"]


def test_a_second_section_with_the_same_name_is_refused(client, content_id):
    response = client.post(
        f"/authoring/items/{content_id}/module/sections",
        data={"lock": 1, "title": "Igen", "slug": "inledning", "kind": "text"},
    )

    assert response.status_code == 400
    assert "already has a section" in response.text
    assert len(files.sections(draft(content_id).files)) == 1


def test_an_image_with_alt_text_is_stored_and_added_to_the_text(client, content_id, app):
    response = client.post(
        f"/authoring/items/{content_id}/module/sections/inledning/image",
        data={"lock": 1, "alt": "Nyckelskåpet", "image": upload(PNG, "skåp.png")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 302
    revision = draft(content_id)
    assert "![Nyckelskåpet](media/skap.png)" in revision.files["01-inledning.md"]
    assert list(revision.media) == ["media/skap.png"]
    assert len(stored_media(app)) == 1
    assert workflow.PUBLISHERS[ContentKind.MODULE].problems(revision) == []


def refused_upload(client, content_id: int, route: str, data: dict) -> object:
    return client.post(
        f"/authoring/items/{content_id}/module/sections/inledning/{route}",
        data={"lock": 1, **data},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("route", "data", "message"),
    [
        ("image", {"alt": "Bild", "image": (SVG_WITH_SCRIPT, "bild.svg")}, "script"),
        ("image", {"alt": "Bild", "image": (ELF, "bild.png")}, "not"),
        ("image", {"alt": "", "image": (PNG, "bild.png")}, "Describe the image"),
        ("image", {"alt": "Stor", "image": (PNG + bytes(4096), "stor.png")}, "larger than"),
        (
            "video",
            {
                "video": (ELF, "film.mp4"),
                "captions_sv": (VTT_SV.encode(), "sv.vtt"),
            },
            "not an MP4 or WebM",
        ),
        ("video", {"video": (MINIMAL_MP4, "film.mp4")}, "Swedish captions"),
        (
            "video",
            {
                "video": (MINIMAL_MP4, "film.mp4"),
                "captions_sv": (b"hej", "sv.vtt"),
            },
            "WebVTT",
        ),
    ],
    ids=[
        "svg-with-script",
        "program-as-png",
        "no-alt-text",
        "oversized",
        "program-as-mp4",
        "no-swedish-captions",
        "captions-not-webvtt",
    ],
)
def test_refused_uploads_store_nothing_and_change_nothing(client, content_id, app, route, data, message):
    app.config["MAX_IMAGE_BYTES"] = 1024
    before = dict(draft(content_id).files)
    form = {key: upload(*value) if isinstance(value, tuple) else value for key, value in data.items()}

    response = refused_upload(client, content_id, route, form)

    assert response.status_code == 400
    assert message in response.text
    assert draft(content_id).files == before
    assert draft(content_id).media == {}
    assert stored_media(app) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MediaFile)) == 0


def test_a_film_with_captions_makes_the_section_a_video(client, content_id, app):
    response = refused_upload(
        client,
        content_id,
        "video",
        {
            "video": upload(MINIMAL_MP4, "film.mp4"),
            "captions_sv": upload(VTT_SV.encode(), "film.sv.vtt"),
        },
    )

    assert response.status_code == 302
    meta, _body = files.split(draft(content_id).files["01-inledning.md"])
    assert meta["kind"] == "video"
    assert meta["captions"]["sv"].endswith(".vtt")
    assert workflow.PUBLISHERS[ContentKind.MODULE].problems(draft(content_id)) == []
    assert len(stored_media(app)) == 2
    assert os.path.getsize(stored_media(app)[0]) > 0
