"""Export and import of a module as a zip in the content/ format: a round trip keeps every byte, the
export is deterministic, and a zip that is unsafe or not a module is refused with a clear message and
nothing stored."""

import functools
import hashlib
import io
import stat
import struct
import warnings
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from portal.app import create_app
from portal.authoring import files, media, transfer, workflow
from portal.authoring.transfer import module_zip, national_files, read_zip
from portal.config import ROOT
from portal.extensions import db
from portal.models import AuditEvent, ContentKind, LocalContent, MediaFile, Module, Organisation, Role, User
from tests.conftest import base_config

NATIONAL = ROOT / "content" / "modules" / "trygghetslarm-grunder"
MODULE_MD = (
    "---\ntitle: {sv: Nyckelrutin, en: Key routine}\nsummary: Om nycklar.\naudience: []\nminutes: 10\n"
    'version: "1.0"\nreferences: []\n---\nSå hanterar vi nycklar i Norr.\n'
)
SECTION_MD = "---\ntitle: Inledning\nkind: text\n---\n## Nycklar\n\n![Nyckelskåpet i Norr](media/skap.png)\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00" + bytes(range(256)) * 4
SCRIPT_SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def png(colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), colour).save(buffer, "PNG")
    return buffer.getvalue()


def small_module() -> dict[str, bytes]:
    return {
        "module.md": MODULE_MD.encode(),
        "01-inledning.md": SECTION_MD.encode(),
        "01-inledning.en.md": b"---\ntitle: Introduction\n---\n## Keys\n",
        "media/skap.png": png(),
    }


def zip_of(entries: dict[str, bytes], folder: str | None = "nyckelrutin") -> bytes:
    """A zip as people make them: directory entries, today's time, any order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if folder:
            archive.writestr(f"{folder}/", b"")
        for name, data in entries.items():
            archive.writestr(f"{folder}/{name}" if folder else name, data)
    return buffer.getvalue()


def folder_zip(folder: Path) -> bytes:
    """A content/modules folder zipped by hand, not by the code under test."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*"), reverse=True):
            archive.write(path, f"{folder.name}/{path.relative_to(folder)}")
    return buffer.getvalue()


def entries_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


@functools.cache
def zero_bomb() -> bytes:
    """300 MB of zeros, honestly declared, in a zip of a few hundred kB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("nyckelrutin/module.md", MODULE_MD)
        with archive.open("nyckelrutin/media/film.mp4", "w", force_zip64=True) as stream:
            chunk = bytes(2**20)
            for _ in range(300):
                stream.write(chunk)
    return buffer.getvalue()


def lying_zip() -> bytes:
    """2 MB of zeros whose headers claim 100 bytes: reading must stop at the claim and fail the CRC."""
    data = bytearray(zip_of({"module.md": MODULE_MD.encode(), "quiz.yaml": bytes(2 * 2**20)}))
    name = b"nyckelrutin/quiz.yaml"
    for signature, name_at, size_at in ((b"PK\x03\x04", 30, 22), (b"PK\x01\x02", 46, 24)):
        header = data.find(signature)
        while header != -1:
            if data[header + name_at : header + name_at + len(name)] == name:
                struct.pack_into("<I", data, header + size_at, 100)
            header = data.find(signature, header + 4)
    return bytes(data)


def two_folders() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("nyckelrutin/module.md", MODULE_MD)
        archive.writestr("annan/module.md", MODULE_MD)
    return buffer.getvalue()


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


def media_files() -> set[Path]:
    from flask import current_app

    return {path for path in Path(current_app.config["MEDIA_DIR"]).rglob("*") if path.is_file()}


def stored_state() -> tuple[int, int, set[Path]]:
    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(LocalContent)),
        db.session.scalar(sa.select(sa.func.count()).select_from(MediaFile)),
        media_files(),
    )


def post_zip(client, data: bytes, slug: str = "", filename: str = "modul.zip"):
    """The upload encoded in memory: the test client spools a large one to a file it never closes."""
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename), "slug": slug})
    return client.post(
        "/authoring/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def imported(slug: str) -> LocalContent:
    db.session.expire_all()
    return db.session.scalar(sa.select(LocalContent).where(LocalContent.slug == slug))


# The round trip


def test_a_national_module_survives_import_and_export_byte_for_byte(app, author_client, author):
    response = post_zip(author_client, folder_zip(NATIONAL))
    assert response.status_code == 302, response.text
    content = imported(NATIONAL.name)
    assert response.location.endswith(f"/authoring/items/{content.id}")
    revision = content.revisions[0]
    assert set(revision.media) == {f"media/{path.name}" for path in (NATIONAL / "media").iterdir()}

    exported = author_client.get(f"/authoring/items/{content.id}/export.zip")
    assert exported.status_code == 200
    assert exported.headers["Content-Disposition"] == f"attachment; filename={NATIONAL.name}-draft-1.zip"
    originals = {
        f"{NATIONAL.name}/{path.relative_to(NATIONAL)}": path.read_bytes()
        for path in NATIONAL.rglob("*")
        if path.is_file()
    }
    assert entries_of(exported.data) == originals

    # export(import(export(r))) == export(r): imported on another instance, where the name is free.
    assert export_on_another_instance(exported.data) == exported.data
    assert transfer.module_zip(NATIONAL.name, *national_files(NATIONAL)) == exported.data


def export_on_another_instance(data: bytes) -> bytes:
    other = create_app(base_config("sqlite://"))
    with other.app_context():
        db.create_all()
        organisation = Organisation(name="Annan kommun", code="annan")
        db.session.add(organisation)
        db.session.flush()
        user = User(
            organisation_id=organisation.id, username="larm", full_name="Larm Team", password_hash="x"
        )
        user.set_roles({Role.AUTHOR})
        db.session.add(user)
        db.session.flush()
        revision = transfer.import_module(data, user)
        db.session.commit()
        result = transfer.export_zip(revision)
        db.session.remove()
        db.engine.dispose()
    return result


def test_an_export_is_deterministic(app, author):
    revision = transfer.import_module(zip_of(small_module()), author)
    db.session.commit()
    first, second = transfer.export_zip(revision), transfer.export_zip(revision)
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        infos = archive.infolist()
    assert [info.filename for info in infos] == sorted(info.filename for info in infos)
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {stat.S_IMODE(info.external_attr >> 16) for info in infos} == {0o644}
    assert all(stat.S_ISREG(info.external_attr >> 16) for info in infos)


def test_an_import_makes_a_draft_with_its_media_stored_by_hash(app, author_client, author):
    response = post_zip(author_client, zip_of(small_module()))
    assert response.status_code == 302
    content = imported("nyckelrutin")
    revision = content.revisions[0]
    assert (content.kind, content.organisation_id, revision.number) == (
        ContentKind.MODULE,
        author.organisation_id,
        1,
    )
    assert revision.status.value == "draft"
    assert revision.files == {
        name: data.decode() for name, data in small_module().items() if name.endswith(".md")
    }
    sha256 = hashlib.sha256(png()).hexdigest()
    assert revision.media == {"media/skap.png": sha256}
    assert db.session.get(MediaFile, sha256).mimetype == "image/png"
    assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.action == "content.imported"))


def test_text_is_kept_exactly_through_the_database(app, author):
    exact = {"module.md": "\ufeff" + MODULE_MD.replace("\n", "\r\n") + "  \r\n", "quiz.yaml": "title: Å\rä\n"}
    revision = transfer.import_module(
        zip_of(small_module() | {k: v.encode() for k, v in exact.items()}), author
    )
    db.session.commit()
    db.session.expire_all()
    exported = entries_of(transfer.export_zip(db.session.get(type(revision), revision.id)))
    assert {name: exported[f"nyckelrutin/{name}"].decode() for name in exact} == exact


def test_a_failed_store_leaves_no_item(app, author_client, monkeypatch):
    def disk_full(*_args):
        raise media.MediaRejected("The file could not be stored")

    monkeypatch.setattr(media, "store", disk_full)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(LocalContent))
    response = post_zip(author_client, zip_of(small_module()))
    assert response.status_code == 400
    assert "The file could not be stored" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LocalContent)) == before


def test_problems_do_not_block_an_import_and_are_named(app, author_client):
    module = small_module() | {"02-mer.md": b"---\ntitle: Mer\n---\nSe [nycklar](modul:finns-inte).\n"}
    response = post_zip(author_client, zip_of(module))
    assert response.status_code == 302
    page = author_client.get("/authoring/import").text  # the flashed messages come with the next page
    assert "Imported as a draft of the new module nyckelrutin." in page
    assert "It cannot be published until 1 problem is fixed" in page
    assert "finns-inte" in page


def test_a_taken_name_is_refused_by_name_and_another_can_be_given(app, author_client, author):
    workflow.create(ContentKind.MODULE, "nyckelrutin", files.new_module("nyckelrutin", "Nyckelrutin"), author)
    db.session.commit()
    before = stored_state()
    response = post_zip(author_client, zip_of(small_module()))
    assert response.status_code == 400
    assert "There is already a module with the address name “nyckelrutin”" in response.text
    assert stored_state() == before

    response = post_zip(author_client, zip_of(small_module()), slug="nyckelrutin-norr")
    assert response.status_code == 302
    assert imported("nyckelrutin-norr").revisions[0].files["module.md"] == MODULE_MD


def test_a_national_module_exports_from_its_folder_and_imports_under_a_new_name(app, author_client):
    db.session.add(Module(slug=NATIONAL.name))
    db.session.commit()
    response = author_client.get(f"/authoring/national/{NATIONAL.name}/export.zip")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith(f"attachment; filename={NATIONAL.name}-")
    originals = {
        f"{NATIONAL.name}/{p.relative_to(NATIONAL)}": p.read_bytes()
        for p in NATIONAL.rglob("*")
        if p.is_file()
    }
    assert entries_of(response.data) == originals

    refused = post_zip(author_client, response.data)
    assert refused.status_code == 400
    assert f"“{NATIONAL.name}”" in refused.text
    assert post_zip(author_client, response.data, slug="grunder-norr").status_code == 302
    local = author_client.get(f"/authoring/items/{imported('grunder-norr').id}/export.zip")
    assert entries_of(local.data) == {
        name.replace(NATIONAL.name, "grunder-norr", 1): data for name, data in originals.items()
    }


def test_only_national_modules_with_a_folder_export(app, author_client, org):
    db.session.add_all([Module(slug="lokal-modul", organisation_id=org.id), Module(slug="utan-mapp")])
    db.session.commit()
    for slug in ("lokal-modul", "utan-mapp", "finns-inte"):
        assert author_client.get(f"/authoring/national/{slug}/export.zip").status_code == 404


def test_export_picks_the_version_asked_for(app, author_client, author, org):
    org.review_required = False
    revision = transfer.import_module(zip_of(small_module()), author)
    db.session.commit()
    workflow.submit(revision, author, "Första versionen", is_major=False)
    workflow.start_draft(revision.content, author)
    db.session.commit()
    url = f"/authoring/items/{revision.content_id}/export.zip"
    assert author_client.get(url).headers["Content-Disposition"] == "attachment; filename=nyckelrutin-1.0.zip"
    draft = author_client.get(url, query_string={"version": 2})
    assert draft.headers["Content-Disposition"] == "attachment; filename=nyckelrutin-draft-2.zip"
    assert author_client.get(url, query_string={"version": "två"}).status_code == 400
    assert author_client.get(url, query_string={"version": 9}).status_code == 404


def test_a_module_without_revisions_to_export_or_of_another_kind_is_not_found(app, author_client, author):
    routine = workflow.create(
        ContentKind.ROUTINE, "rutin", {"routine.md": "---\ntitle: R\n---\nText\n"}, author
    )
    db.session.commit()
    assert author_client.get(f"/authoring/items/{routine.content_id}/export.zip").status_code == 404


# Refused zips: a clear 400, nothing stored


def with_entry(name: str, data: bytes, **attributes) -> bytes:
    """The small module and one more entry, written as an attacker would, not as zipfile would."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, content in small_module().items():
            archive.writestr(f"nyckelrutin/{path}", content)
        info = zipfile.ZipInfo(name)
        for key, value in attributes.items():
            setattr(info, key, value)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zipfile warns of a duplicate name, which is the point
            archive.writestr(info, data)
    return buffer.getvalue()


SYMLINK = (stat.S_IFLNK | 0o777) << 16
MANY = {f"{n:02d}-del.md": b"x" for n in range(10)} | {f"media/b{n}.png": b"" for n in range(495)}
LATIN_1 = {"module.md": MODULE_MD.encode("latin-1")}
DECLARED_SLUG = {"module.md": MODULE_MD.replace("minutes", "slug: annan\nminutes").encode()}
REFUSED = {  # case: (the zip, words of the message)
    "zip slip": (
        lambda: with_entry("nyckelrutin/../../etc/cron.d/x", b"* * * * * root sh"),
        "leaves its folder",
    ),
    "absolute path": (lambda: with_entry("/etc/passwd", b"root:x:0:0"), "absolute path"),
    "windows path": (lambda: with_entry("nyckelrutin\\..\\x.md", b"x"), "Windows path"),
    "symlink": (
        lambda: with_entry("nyckelrutin/media/l.png", b"/etc/passwd", external_attr=SYMLINK),
        "a link",
    ),
    "executable as film": (
        lambda: zip_of(small_module() | {"media/film.mp4": ELF}),
        "media/film.mp4: The file is not an MP4",
    ),
    "svg with script": (
        lambda: zip_of(small_module() | {"media/bild.svg": SCRIPT_SVG}),
        "media/bild.svg: The image is an SVG with script",
    ),
    "not a zip": (lambda: b"MZ\x90\x00 this is a program", "not a zip file"),
    "empty file": (lambda: b"", "not a zip file"),
    "unknown names": (
        lambda: zip_of(small_module() | {"install.sh": b"#!/bin/sh", "media/sub/x.png": png()}),
        "files a module cannot have: install.sh, media/sub/x.png",
    ),
    "unknown media type": (
        lambda: zip_of(small_module() | {"media/notes.txt": b"hej"}),
        "media/notes.txt is not an image",
    ),
    "two folders": (two_folders, "exactly one folder"),
    "loose files": (lambda: zip_of(small_module(), folder=None), "exactly one folder"),
    "no module.md": (lambda: zip_of({"01-inledning.md": SECTION_MD.encode()}), "no module.md"),
    "not utf-8": (lambda: zip_of(small_module() | LATIN_1), "module.md is not UTF-8 text"),
    "nul in text": (
        lambda: zip_of(small_module() | {"quiz.yaml": b"title: x\x00"}),
        "quiz.yaml is not a text file",
    ),
    "duplicate": (lambda: with_entry("nyckelrutin/module.md", b"igen"), "more than once"),
    "too many entries": (lambda: zip_of(small_module() | MANY), "more than 500 files"),
    "lying sizes": (lying_zip, "damaged"),
    "ratio": (lambda: zip_of(small_module() | {"media/film.mp4": bytes(5 * 2**20)}), "zip bomb"),
    "declared slug": (lambda: zip_of(small_module() | DECLARED_SLUG), "Remove the slug line"),
    "bad folder name": (lambda: zip_of(small_module(), folder="Min modul"), "cannot be an address name"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_an_unsafe_or_foreign_zip_is_refused_and_nothing_stored(app, author_client, case):
    build, message = REFUSED[case]
    before = stored_state()
    response = post_zip(author_client, build())
    assert response.status_code == 400
    assert message in response.text
    assert stored_state() == before


def test_a_zip_bomb_is_refused_by_its_declared_size(app, author_client):
    app.config["MAX_IMPORT_BYTES"] = 10 * 2**20
    before = stored_state()
    response = post_zip(author_client, zero_bomb())
    assert response.status_code == 400
    assert "more than 10 MB unpacked" in response.text
    assert stored_state() == before


def test_the_upload_must_be_a_zip_file(app, author_client):
    response = post_zip(author_client, zip_of(small_module()), filename="modul.tar")
    assert response.status_code == 400
    assert "must be a zip file" in response.text


def test_the_import_page_is_a_form_with_a_file_field(app, author_client):
    page = author_client.get("/authoring/import")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    assert 'type="file"' in page.text


# The property: whatever a module's files say, read_zip(export) gives them back


SWEDISH_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from("åäöÅÄÖé–—“”…\r\n\t -:#*[]{}!"),
        st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
    ),
    max_size=200,
)
SECTION_NAMES = st.from_regex(r"[0-9]{2}-[a-z0-9][a-z0-9-]{0,12}", fullmatch=True)


@st.composite
def modules(draw):
    slug = draw(st.from_regex(files.SLUG.pattern.strip("^$"), fullmatch=True))
    texts = {"module.md": draw(SWEDISH_TEXT)}
    for name in draw(st.lists(SECTION_NAMES, max_size=5, unique=True)):
        texts[f"{name}.md"] = draw(SWEDISH_TEXT)
        if draw(st.booleans()):
            texts[f"{name}.en.md"] = draw(SWEDISH_TEXT)
    for name in draw(st.sets(st.sampled_from(["module.en.md", "quiz.yaml"]))):
        texts[name] = draw(SWEDISH_TEXT)
    media = {
        f"media/{name}.png": png() for name in draw(st.sets(st.sampled_from(["knapp", "skap-1", "A_b.c"])))
    }
    return slug, texts, media


@pytest.fixture(scope="module")
def config_app():
    """An app for read_zip alone, which reads only its configuration."""
    app = create_app(base_config())
    with app.app_context():
        yield app


@settings(max_examples=300)  # a round trip of text: more examples find nothing new, slowly
@given(module=modules())
def test_read_zip_gives_back_what_was_exported(config_app, module):
    slug, texts, media = module
    result = read_zip(module_zip(slug, texts, media))
    assert (result.slug, result.files, result.media) == (slug, texts, media)
    assert set(result.media_types.values()) <= {"image/png"}
