import contextlib
import errno
import hashlib
import io
import os
import time

import pytest
from flask_babel import force_locale
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from werkzeug.datastructures import FileStorage

from portal.app import create_app
from portal.authoring import media
from portal.authoring.media import MediaRejected, check_captions, check_image, check_video
from portal.config import ROOT
from portal.content.media import mp4_duration_of
from portal.extensions import db
from portal.models import (
    ContentKind,
    LocalContent,
    MediaFile,
    Module,
    ModuleVersion,
    Revision,
    RevisionStatus,
    Role,
)
from tests.conftest import base_config

FILM_FOLDER = ROOT / "content" / "modules" / "trygghetslarm-grunder" / "media"
MP4 = (FILM_FOLDER / "trygghetskedjan.mp4").read_bytes()
VTT_SV = (FILM_FOLDER / "trygghetskedjan.sv.vtt").read_bytes()
VTT_EN = (FILM_FOLDER / "trygghetskedjan.en.vtt").read_bytes()
WEBM_HEADER = bytes.fromhex("1a45dfa3 9f 4286 81 01 42f7 81 01 42f2 81 04 42f3 81 08 4282 84") + b"webm"
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00" + bytes(range(256)) * 4
WINDOWS_PE = b"MZ\x90\x00\x03\x00\x00\x00ftypisom" + bytes(48) + b"PE\x00\x00" + bytes(200)
SVG_NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
CLEAN_SVG = f"""<?xml version="1.0" encoding="UTF-8"?>
<svg {SVG_NS} xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" viewBox="0 0 10 10"
     inkscape:export-filename="C:\\Bilder\\knapp.png">
  <defs>
    <linearGradient id="g"><stop offset="0" stop-color="#c00"/></linearGradient>
    <circle id="dot" r="2"/>
  </defs>
  <style>.knapp {{ fill: url(#g); stroke: #000 }}</style>
  <title>Larmknapp</title>
  <rect class="knapp" width="10" height="10" style="fill: url('#g')"/>
  <use href="#dot" x="5" y="5"/>
  <image xlink:href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>
</svg>""".encode()
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&lol3;</text></svg>"""


def svg(body: str, root_attributes: str = "") -> bytes:
    return f"<svg {SVG_NS} {root_attributes}>{body}</svg>".encode()


def image(kind: str = "PNG", colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), colour).save(buffer, kind)
    return buffer.getvalue()


def upload(data: bytes, filename: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=filename)


@pytest.fixture(scope="module")
def config_app():
    """An app for the checks alone, which read only its configuration."""
    app = create_app(base_config())
    with app.app_context():
        yield app


@pytest.fixture(autouse=True)
def in_english(request):
    """The messages are read in English."""
    app = request.getfixturevalue("app" if "app" in request.fixturenames else "config_app")
    with app.app_context(), force_locale("en"):
        yield


@pytest.fixture
def media_dir(app, tmp_path):
    app.config["MEDIA_DIR"] = str(tmp_path / "media")
    return tmp_path / "media"


def stored_files(media_dir) -> list:
    return [path for path in media_dir.rglob("*") if path.is_file()] if media_dir.exists() else []


@pytest.fixture
def author(org, make_user):
    return make_user(org, username="larmteam", roles={Role.LEARNER, Role.AUTHOR})


@pytest.fixture
def draft(org, author):
    content = LocalContent(
        organisation_id=org.id, kind=ContentKind.MODULE, slug="lokal-rutin", created_by_id=author.id
    )
    revision = Revision(content=content, number=1, files={}, media={}, created_by_id=author.id)
    db.session.add(revision)
    db.session.commit()
    return revision


# Images


@pytest.mark.parametrize(
    ("kind", "mimetype"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("GIF", "image/gif"), ("WEBP", "image/webp")],
)
def test_raster_images_are_recognised_by_content(config_app, kind, mimetype):
    assert check_image(image(kind)) == mimetype


def test_a_clean_svg_is_accepted(config_app):
    assert check_image(CLEAN_SVG) == "image/svg+xml"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(svg("<script>alert(1)</script>"), id="script"),
        pytest.param(svg("<rect/>", 'onload="alert(1)"'), id="onload"),
        pytest.param(
            svg('<foreignObject><div xmlns="http://www.w3.org/1999/xhtml"/></foreignObject>'), id="fo"
        ),
        pytest.param(
            svg('<script xmlns="http://www.w3.org/1999/xhtml">alert(1)</script>'), id="xhtml-script"
        ),
        pytest.param(
            svg('<a href="#x"><set attributeName="href" to="javascript:alert(1)"/></a>'), id="set-href"
        ),
    ],
)
def test_an_svg_with_script_is_refused(config_app, data):
    with pytest.raises(MediaRejected) as refused:
        check_image(data)
    assert str(refused.value) == (
        "The image is an SVG with script or event handlers, which cannot be shown safely."
    )


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(svg('<image xlink:href="https://example.com/spy.png"/>'), id="external-xlink"),
        pytest.param(svg('<a href="javascript:alert(1)"><text>x</text></a>'), id="javascript-href"),
        pytest.param(svg('<image href="data:image/svg+xml;base64,PHN2Zy8+"/>'), id="nested-svg"),
        pytest.param(svg("<style>@import 'https://example.com/x.css';</style>"), id="style-import"),
        pytest.param(svg("<style>rect { fill: url(https://example.com/x) }</style>"), id="style-url"),
        pytest.param(svg("<style>rect { fill: \\75 rl(https://example.com/x) }</style>"), id="css-escape"),
        pytest.param(svg('<rect fill="url(https://example.com/x#g)"/>'), id="presentation-url"),
        pytest.param(
            b'<?xml version="1.0"?><?xml-stylesheet type="text/xsl" href="https://example.com/x.xsl"?>'
            + svg("<rect/>"),
            id="xml-stylesheet",
        ),
        pytest.param(BILLION_LAUGHS, id="billion-laughs"),
        pytest.param(
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            + svg("<text>&xxe;</text>"),
            id="external-entity",
        ),
        pytest.param(b"<svg xmlns='http://www.w3.org/2000/svg'><rect></svg>", id="not-well-formed"),
        pytest.param(b"<svg><rect/></svg>", id="no-svg-namespace"),
        pytest.param(b'<?xml version="1.0" encoding="bogus"?>' + svg("<rect/>"), id="unknown-encoding"),
        pytest.param(b'<?xml version="1.0" encoding="utf-32"?>' + svg("<rect/>"), id="multibyte-encoding"),
    ],
)
def test_an_unsafe_or_broken_svg_is_refused(config_app, data):
    with pytest.raises(MediaRejected):
        check_image(data)


@pytest.mark.parametrize("data", [b"Hello", ELF, MP4[:4096], b"<html><script>alert(1)</script></html>"])
def test_what_is_not_an_image_is_refused(config_app, data):
    with pytest.raises(MediaRejected, match="not a PNG, JPEG, GIF, WebP or SVG image"):
        check_image(data)


def test_an_image_over_the_limit_is_refused(config_app, monkeypatch):
    monkeypatch.setitem(config_app.config, "MAX_IMAGE_BYTES", 2 * 2**20)
    with pytest.raises(MediaRejected) as refused:
        check_image(b"\x89PNG\r\n\x1a\n" + bytes(2 * 2**20))
    assert str(refused.value) == "The file is larger than the limit of 2 MB."


# Videos and captions


def test_a_real_mp4_and_a_webm_are_videos(config_app):
    assert check_video(MP4) == "video/mp4"
    assert check_video(WEBM_HEADER + bytes(100)) == "video/webm"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(ELF, id="elf"),
        pytest.param(WINDOWS_PE, id="windows-pe-with-ftyp"),
        pytest.param(b"#!/bin/sh\nrm -rf ~\n", id="script"),
        pytest.param(b"PK\x03\x04" + bytes(100), id="zip"),
        pytest.param(b"\x00\x00\x00\x18ftyp\x00\x01\x02\x03", id="garbled-ftyp"),
        pytest.param(b"\x1a\x45\xdf\xa3" + bytes(60), id="ebml-not-webm"),
        pytest.param(image("PNG"), id="png"),
    ],
)
def test_programs_and_other_files_renamed_mp4_are_refused(config_app, data):
    with pytest.raises(MediaRejected) as refused:
        check_video(data)
    assert str(refused.value) == (
        "The file is not an MP4 or WebM video (it looks like a program or another kind of file)."
    )


def test_a_video_over_the_limit_is_refused(config_app, monkeypatch):
    monkeypatch.setitem(config_app.config, "MAX_VIDEO_BYTES", 2**20)
    with pytest.raises(MediaRejected, match="limit of 1 MB"):
        check_video(MP4)


def test_webvtt_captions_are_accepted_with_or_without_bom(config_app):
    assert check_captions(VTT_SV).startswith("WEBVTT")
    assert check_captions(b"\xef\xbb\xbf" + VTT_EN).startswith("WEBVTT")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"1\n00:00:01,000 --> 00:00:02,000\nHej\n", id="srt"),
        pytest.param(b"WEBVTT\n\nNOTE nothing to show\n", id="no-cue"),
        pytest.param("WEBVTT\n\n00:00.000 --> 00:01.000\nHallå\n".encode("latin-1"), id="latin-1"),
        pytest.param(MP4[:2000], id="video"),
    ],
)
def test_captions_that_are_not_webvtt_are_refused(config_app, data):
    with pytest.raises(MediaRejected, match="Captions must be a WebVTT file"):
        check_captions(data)


def test_captions_over_the_limit_are_refused(config_app, monkeypatch):
    monkeypatch.setitem(config_app.config, "MAX_CAPTION_BYTES", 1000)
    with pytest.raises(MediaRejected, match="larger than the limit"):
        check_captions(VTT_SV)


PREFIXES = [
    b"",
    b"\x89PNG\r\n\x1a\n",
    b"GIF89a",
    b"RIFF\x00\x00\x00\x00WEBP",
    b"<svg ",
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">',
    b"\x00\x00\x00\x18ftypisom",
    b"\x00\x00\x00\x08ftypmp42",
    b"\x1a\x45\xdf\xa3",
    b"WEBVTT\n\n",
    b"\xef\xbb\xbfWEBVTT\n\n00:00.000 --> ",
]


@given(
    st.one_of(
        st.binary(max_size=512),
        st.tuples(st.sampled_from(PREFIXES), st.binary(max_size=512)).map(b"".join),
        st.text(max_size=200).map(lambda text: svg(text).replace(b"&", b"&amp;")),
        st.text(max_size=200).map(lambda text: f"WEBVTT\n\n{text}".encode()),
        st.text(max_size=20).map(lambda name: f'<?xml version="1.0" encoding="{name}"?><svg/>'.encode()),
    )
)
def test_the_checks_refuse_anything_only_with_media_rejected(config_app, data):
    for check in (check_image, check_video, check_captions):
        with contextlib.suppress(MediaRejected):
            check(data)


def box(name: bytes, payload: bytes) -> bytes:
    return (8 + len(payload)).to_bytes(4, "big") + name + payload


def test_the_duration_comes_from_the_movie_header_after_the_media():
    """Without 'faststart' the movie box follows the media, whose bytes may contain 'mvhd' too."""
    movie_header = box(b"mvhd", bytes(4) + bytes(8) + (1000).to_bytes(4, "big") + (5000).to_bytes(4, "big"))
    film = (
        box(b"ftyp", b"isom\x00\x00\x02\x00")
        + box(b"mdat", b"\x01mvhd" + bytes(64))
        + box(b"moov", movie_header)
    )
    assert mp4_duration_of(film) == 5.0
    assert mp4_duration_of(MP4) == 162.7


@given(st.one_of(st.binary(), st.integers(0, 4096).map(lambda cut: MP4[:cut])))
def test_reading_a_duration_never_raises(data):
    duration = mp4_duration_of(data)
    assert duration is None or duration >= 0


# Storing


def test_a_file_is_stored_once_by_its_hash(org, author, media_dir):
    data = image()
    sha256 = hashlib.sha256(data).hexdigest()
    first = media.store(data, "image/png", org.id, author.id)
    again = media.store(data, "image/png", org.id, author.id)
    db.session.commit()
    assert first is again
    assert first.sha256 == sha256
    assert first.size == len(data)
    assert stored_files(media_dir) == [media_dir / sha256[:2] / sha256]
    assert (media_dir / sha256[:2] / sha256).read_bytes() == data
    assert db.session.get(MediaFile, sha256).organisation_id == org.id


@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_a_disk_error_leaves_nothing_behind(org, author, media_dir, monkeypatch, failing):
    def disk_full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(media.os, failing, disk_full)
    data = image()
    with pytest.raises(MediaRejected, match="could not be stored"):
        media.store(data, "image/png", org.id, author.id)
    assert stored_files(media_dir) == []
    assert db.session.get(MediaFile, hashlib.sha256(data).hexdigest()) is None


@pytest.mark.parametrize("sha256", ["../../etc/passwd", "A" * 64, "a" * 63, "g" * 64, ""])
def test_path_of_takes_only_a_sha256(config_app, sha256):
    with pytest.raises(ValueError, match="SHA-256"):
        media.path_of(sha256)


# Files that failed uploads leave behind

THREE_DAYS_AGO = 3 * 24 * 3600


def aged(path, seconds: int = THREE_DAYS_AGO):
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_bytes(b"left behind")
    then = path.stat().st_mtime - seconds
    os.utime(path, (then, then))
    return path


def test_prune_removes_only_old_files_that_no_upload_names(org, author, media_dir, runner):
    uploaded = media.path_of(media.store(image(), "image/png", org.id, author.id).sha256)
    db.session.commit()
    aged(uploaded)
    orphan = aged(media.path_of(hashlib.sha256(b"orphan").hexdigest()))
    young = media.path_of(hashlib.sha256(b"young").hexdigest())
    young.parent.mkdir(parents=True, exist_ok=True)
    young.write_bytes(b"an upload still running")
    half_written = aged(orphan.parent / ".upload-k3j2")
    not_ours = aged(orphan.parent / "LASMIG.txt")

    listed = runner.invoke(args=["media", "prune", "--dry-run"])
    assert listed.exit_code == 0, listed.output
    assert "Would remove 2 files" in listed.output
    assert all(path.exists() for path in (orphan, half_written)), "a dry run removes nothing"

    pruned = runner.invoke(args=["media", "prune"])
    assert pruned.exit_code == 0, pruned.output
    assert "Removed 2 files" in pruned.output
    assert sorted(stored_files(media_dir)) == sorted([uploaded, young, not_ours])


def test_storing_a_left_behind_file_again_makes_it_young(org, author, media_dir):
    data = image("PNG", "blue")
    left_behind = media.path_of(hashlib.sha256(data).hexdigest())
    left_behind.parent.mkdir(parents=True, exist_ok=True)
    left_behind.write_bytes(data)
    aged(left_behind)
    media.store(data, "image/png", org.id, author.id)
    # Until this transaction commits, a prune elsewhere sees no row for the file, only its age.
    assert left_behind.stat().st_mtime > time.time() - 3600


def test_prune_refuses_a_window_shorter_than_an_hour(media_dir, runner):
    orphan = aged(media.path_of(hashlib.sha256(b"orphan").hexdigest()))
    result = runner.invoke(args=["media", "prune", "--untouched-hours", "0.1"])
    assert result.exit_code == 2
    assert "--untouched-hours" in result.output
    assert orphan.exists()


# Attaching to a revision


def test_an_image_is_attached_under_a_safe_name_with_its_markdown(draft, author, media_dir):
    data = image()
    markdown = media.attach_image(draft, upload(data, "../Knapp på larmet.PNG"), "Larmknappen [röd]", author)
    db.session.commit()
    assert markdown == "![Larmknappen \\[röd\\]](media/knapp-pa-larmet.png)"
    assert draft.media == {"media/knapp-pa-larmet.png": hashlib.sha256(data).hexdigest()}


def test_names_are_unique_and_the_same_image_keeps_its_name(draft, author, media_dir):
    first = media.attach_image(draft, upload(image(), "knapp.png"), "Röd knapp", author)
    other = media.attach_image(draft, upload(image(colour="blue"), "knapp.png"), "Blå knapp", author)
    again = media.attach_image(draft, upload(image(), "annat-namn.png"), "Röd knapp igen", author)
    db.session.commit()
    assert first.endswith("(media/knapp.png)")
    assert other.endswith("(media/knapp-2.png)")
    assert again.endswith("(media/knapp.png)")
    assert set(db.session.get(Revision, draft.id).media) == {"media/knapp.png", "media/knapp-2.png"}


def test_the_extension_follows_the_content_not_the_name(draft, author, media_dir):
    assert media.attach_image(draft, upload(image("GIF"), "bild.png"), "En bild", author).endswith(".gif)")


@pytest.mark.parametrize("alt", ["", "   ", "x" * 301])
def test_an_image_needs_an_alt_text(draft, author, media_dir, alt):
    with pytest.raises(MediaRejected, match="Describe the image in the alt text"):
        media.attach_image(draft, upload(image(), "knapp.png"), alt, author)
    assert stored_files(media_dir) == []
    assert draft.media == {}


def test_a_video_is_attached_with_its_captions(draft, author, media_dir):
    section = media.attach_video(
        draft, upload(MP4, "Film om kedjan.mp4"), upload(VTT_SV, "x.vtt"), upload(VTT_EN, "y.vtt"), author
    )
    db.session.commit()
    assert section == {
        "video": "media/film-om-kedjan.mp4",
        "captions": {"sv": "media/film-om-kedjan.sv.vtt", "en": "media/film-om-kedjan.en.vtt"},
        "duration": 162.7,
    }
    assert draft.media["media/film-om-kedjan.sv.vtt"] == hashlib.sha256(VTT_SV).hexdigest()
    assert db.session.get(MediaFile, draft.media["media/film-om-kedjan.en.vtt"]).mimetype == "text/vtt"
    assert len(stored_files(media_dir)) == 3


@pytest.mark.parametrize(
    ("video", "captions_sv", "captions_en", "message"),
    [
        (MP4, None, VTT_EN, "A video needs Swedish captions."),
        (MP4, b"", VTT_EN, "A video needs Swedish captions."),
        (MP4, VTT_SV, b"not captions", "Captions must be a WebVTT file"),
        (ELF, VTT_SV, None, "not an MP4 or WebM video"),
    ],
)
def test_nothing_of_a_video_is_stored_when_a_part_is_wrong(
    draft, author, media_dir, video, captions_sv, captions_en, message
):
    with pytest.raises(MediaRejected, match=message):
        media.attach_video(
            draft,
            upload(video, "film.mp4"),
            None if captions_sv is None else upload(captions_sv, "sv.vtt"),
            None if captions_en is None else upload(captions_en, "en.vtt"),
            author,
        )
    assert stored_files(media_dir) == []
    assert draft.media == {}


# The authors' preview


@pytest.fixture
def stored(org, author, media_dir):
    """The film, its captions and an SVG, uploaded by the organisation's author."""
    files = {
        "film": media.store(MP4, "video/mp4", org.id, author.id),
        "captions": media.store(VTT_SV, "text/vtt", org.id, author.id),
        "svg": media.store(CLEAN_SVG, "image/svg+xml", org.id, author.id),
    }
    db.session.commit()
    return {name: file.sha256 for name, file in files.items()}


def test_the_author_sees_the_organisations_media_with_ranges(client, login, author, stored):
    login(author)
    with client.get(f"/authoring/media/{stored['film']}", headers={"Range": "bytes=0-99"}) as response:
        assert response.status_code == 206
        assert response.headers["Content-Range"] == f"bytes 0-99/{len(MP4)}"
        assert response.data == MP4[:100]
        assert response.headers["Content-Type"] == "video/mp4"
        assert "private" in response.headers["Cache-Control"]
    with client.get(f"/authoring/media/{stored['captions']}") as response:
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/vtt; charset=utf-8"


def test_an_svg_is_served_in_a_sandbox(client, login, author, stored):
    login(author)
    with client.get(f"/authoring/media/{stored['svg']}") as response:
        assert response.status_code == 200
        assert response.data == CLEAN_SVG
        assert response.headers["Content-Security-Policy"] == (
            "default-src 'none'; style-src 'unsafe-inline'; sandbox"
        )
        assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("roles", "own_organisation", "status"), [
    ({Role.LEARNER}, True, 403),
    ({Role.LEARNER, Role.MANAGER, Role.ADMIN}, True, 403),
    ({Role.LEARNER, Role.AUTHOR}, False, 404),
    ({Role.LEARNER, Role.AUTHOR}, True, 200),
])  # fmt: skip
def test_only_the_organisations_authors_see_its_media(
    client, login, org, make_org, make_user, stored, roles, own_organisation, status
):
    login(make_user(org if own_organisation else make_org(), roles=roles))
    with client.get(f"/authoring/media/{stored['film']}") as response:
        assert response.status_code == status


@pytest.mark.parametrize("sha256", ["0" * 64, "nope", "../../secret_key"])
def test_unknown_media_is_not_found(client, login, author, stored, sha256):
    login(author)
    assert client.get(f"/authoring/media/{sha256}").status_code == 404


def test_media_needs_a_login(client, stored):
    assert client.get(f"/authoring/media/{stored['film']}").status_code == 302


def test_an_organisation_sees_the_same_bytes_it_uploaded_after_another(
    client, login, make_org, make_user, stored
):
    """Stored once by hash: the row names the organisation that uploaded the bytes first."""
    other_org = make_org()
    other_author = make_user(other_org, roles={Role.LEARNER, Role.AUTHOR})
    content = LocalContent(
        organisation_id=other_org.id, kind=ContentKind.MODULE, slug="deras", created_by_id=other_author.id
    )
    db.session.add(
        Revision(
            content=content, number=1, media={"media/film.mp4": stored["film"]}, created_by_id=other_author.id
        )
    )
    db.session.commit()
    login(other_author)
    with client.get(f"/authoring/media/{stored['film']}") as response:
        assert response.status_code == 200


# Learners and a local module's media


@pytest.fixture
def local_module(org, author, stored):
    """A published local module whose current version has the film and its captions."""
    module = Module(slug="lokal-film", organisation_id=org.id)
    version = ModuleVersion(
        module=module,
        version="1.0",
        checksum="0" * 64,
        title={"sv": "Lokal film"},
        summary={"sv": "Om vår film"},
        intro_html={"sv": ""},
        audience=[],
        minutes=5,
        references=[],
    )
    db.session.add(version)
    db.session.flush()
    module.current_version_id = version.id
    content = LocalContent(
        organisation_id=org.id, kind=ContentKind.MODULE, slug="lokal-film", created_by_id=author.id
    )
    published = {"media/film.mp4": stored["film"], "media/film.sv.vtt": stored["captions"]}
    db.session.add_all(
        [
            Revision(
                content=content,
                number=1,
                status=RevisionStatus.PUBLISHED,
                media=published,
                published_ref=version.id,
                created_by_id=author.id,
            ),
            Revision(
                content=content,
                number=2,
                media={**published, "media/utkast.svg": stored["svg"]},
                created_by_id=author.id,
            ),
        ]
    )
    db.session.commit()
    return module


def test_a_learner_gets_the_local_modules_media(client, login, org, make_user, local_module):
    login(make_user(org))
    with client.get("/learning/media/lokal-film/film.mp4") as response:
        assert response.status_code == 200
        assert response.data == MP4
    with client.get("/learning/media/lokal-film/film.mp4", headers={"Range": "bytes=100-199"}) as response:
        assert response.status_code == 206
        assert response.data == MP4[100:200]
    with client.get("/learning/media/lokal-film/film.sv.vtt") as response:
        assert response.headers["Content-Type"] == "text/vtt; charset=utf-8"
        assert response.data == VTT_SV


@pytest.mark.parametrize("filename", ["utkast.svg", "nope.mp4", "../film.mp4"])
def test_only_the_published_revisions_media_is_served(client, login, org, make_user, local_module, filename):
    login(make_user(org))
    assert client.get(f"/learning/media/lokal-film/{filename}").status_code == 404


def test_another_organisations_learner_does_not_get_the_media(
    client, login, make_org, make_user, local_module
):
    login(make_user(make_org()))
    assert client.get("/learning/media/lokal-film/film.mp4").status_code == 404
