"""The disk fills up, or fails, in the middle of an upload through the routes: the author gets a clear
message in their language, the draft is unchanged, no media row is added and no partial file is left in
MEDIA_DIR.

The service-level case (media.store with a failing fsync or rename) is in tests/authoring/test_media.py
(test_a_disk_error_leaves_nothing_behind), and an import whose media.store is refused outright in
tests/authoring/test_transfer.py (test_a_failed_store_leaves_no_item). Here the write itself fails part
way, through the image and film uploads and the module import, and the request body cannot be spooled.

The employee CSV import keeps the file's text in the database (EmployeeImport.content), never in
MEDIA_DIR; its only disk is the request body's spool, tested here with the others.
"""

import errno
import hashlib
import html
import io
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
import werkzeug.wrappers.request
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from portal.authoring import files, media, workflow
from portal.extensions import db
from portal.models import ContentKind, EmployeeImport, LocalContent, MediaFile, Role
from tests.authoring.test_transfer import png, small_module, zip_of
from tests.content.builders import MINIMAL_MP4, PNG, VTT_SV

pytestmark = pytest.mark.faults

SLUG = "nyckelrutin-norr"
NOT_STORED = {
    "en": "The file could not be stored (the server's disk may be full). Nothing was saved: try again later.",
    "sv": "Filen kunde inte sparas (serverns disk kan vara full). Inget sparades: försök igen senare.",
}


class _FillsUp:
    """A file on a disk that is full after half of what is written to it."""

    def __init__(self, file, error: int) -> None:
        self.file, self.error = file, error

    def write(self, data: bytes) -> int:
        self.file.write(data[: len(data) // 2])
        self.file.flush()  # the half is on the disk: a partial file, if nothing removes it
        raise OSError(self.error, os.strerror(self.error))

    def __getattr__(self, name: str):
        return getattr(self.file, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.file.close()


class FailingDisk:
    """`os` as portal.authoring.media sees it: `whole_files` more files can be written, then the disk
    fails at `where` ("write": part way through the data; "fsync" or "replace": after all of it)."""

    def __init__(self, where: str = "write", error: int = errno.ENOSPC, whole_files: int = 0) -> None:
        self.where, self.error, self.whole_files = where, error, whole_files

    def __getattr__(self, name: str):
        return getattr(os, name)

    def _full(self) -> bool:
        return self.whole_files <= 0

    def fdopen(self, fd: int, *args, **kwargs):
        file = os.fdopen(fd, *args, **kwargs)
        return _FillsUp(file, self.error) if self.where == "write" and self._full() else file

    def fsync(self, fd: int) -> None:
        if self.where == "fsync" and self._full():
            raise OSError(self.error, os.strerror(self.error))
        os.fsync(fd)

    def replace(self, source, target) -> None:
        if self.where == "replace" and self._full():
            raise OSError(self.error, os.strerror(self.error))
        os.replace(source, target)
        self.whole_files -= 1


@pytest.fixture
def media_dir(app, tmp_path) -> Path:
    app.config["MEDIA_DIR"] = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def author(org, make_user, login, media_dir):
    user = make_user(org, username="larmteam", roles={Role.AUTHOR, Role.LEARNER})
    login(user)
    return user


@pytest.fixture
def draft_id(author) -> int:
    revision = workflow.create(ContentKind.MODULE, SLUG, files.new_module(SLUG, "Nyckelrutin"), author)
    db.session.commit()
    return revision.content_id


def speaking(user, language: str) -> None:
    user.language = language
    db.session.commit()


def files_in(media_dir: Path) -> list[Path]:
    return sorted(p for p in media_dir.rglob("*") if p.is_file()) if media_dir.exists() else []


def assert_no_partial_file(media_dir: Path) -> None:
    """Nothing half-written, and no temporary file: whatever is left is a whole file under its hash."""
    for path in files_in(media_dir):
        assert hashlib.sha256(path.read_bytes()).hexdigest() == path.name, f"a partial file: {path}"


def draft_state(content_id: int) -> tuple[dict, dict]:
    db.session.expire_all()
    revision = workflow.open_revision(db.session.get(LocalContent, content_id))
    return dict(revision.files), dict(revision.media or {})


def media_rows() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(MediaFile))


def post_section_upload(client, content_id: int, kind: str, fields: dict):
    return client.post(
        f"/authoring/items/{content_id}/module/sections/inledning/{kind}",
        data={
            "lock": 1,
            **{k: (io.BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v for k, v in fields.items()},
        },
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("disk", "language"),
    [
        (FailingDisk("write", errno.ENOSPC), "sv"),
        (FailingDisk("write", errno.EIO), "en"),
        (FailingDisk("fsync", errno.EIO), "sv"),
        (FailingDisk("replace", errno.ENOSPC), "en"),
    ],
    ids=["full-while-writing", "io-error-while-writing", "io-error-at-fsync", "full-at-rename"],
)
def test_an_image_upload_on_a_failing_disk(client, author, draft_id, media_dir, monkeypatch, disk, language):
    speaking(author, language)
    before = draft_state(draft_id)
    monkeypatch.setattr(media, "os", disk)

    response = post_section_upload(
        client, draft_id, "image", {"alt": "Nyckelskåpet", "image": (PNG, "skåp.png")}
    )

    assert response.status_code == 400
    assert NOT_STORED[language] in html.unescape(response.text)
    assert draft_state(draft_id) == before
    assert media_rows() == 0
    assert files_in(media_dir) == []


def test_a_film_whose_captions_meet_a_full_disk(client, author, draft_id, media_dir, monkeypatch):
    """The film is stored, then the disk is full for its captions: the upload fails as a whole."""
    speaking(author, "en")
    before = draft_state(draft_id)
    monkeypatch.setattr(media, "os", FailingDisk("write", errno.ENOSPC, whole_files=1))

    response = post_section_upload(
        client,
        draft_id,
        "video",
        {"video": (MINIMAL_MP4, "film.mp4"), "captions_sv": (VTT_SV.encode(), "sv.vtt")},
    )

    assert response.status_code == 400
    assert NOT_STORED["en"] in html.unescape(response.text)
    assert draft_state(draft_id) == before
    assert media_rows() == 0
    assert_no_partial_file(media_dir)
    monkeypatch.undo()  # the disk has room again
    retried = post_section_upload(
        client,
        draft_id,
        "video",
        {"video": (MINIMAL_MP4, "film.mp4"), "captions_sv": (VTT_SV.encode(), "sv.vtt")},
    )
    assert retried.status_code == 302
    assert media_rows() == 2


def test_a_module_import_that_meets_a_full_disk(client, author, media_dir, monkeypatch):
    speaking(author, "en")
    module = small_module() | {"media/blatt.png": png("blue")}
    monkeypatch.setattr(media, "os", FailingDisk("write", errno.ENOSPC, whole_files=1))

    boundary, body = encode_multipart(
        {"file": FileStorage(io.BytesIO(zip_of(module)), "modul.zip"), "slug": ""}
    )
    response = client.post(
        "/authoring/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )

    assert response.status_code == 400
    assert NOT_STORED["en"] in html.unescape(response.text)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LocalContent)) == 0
    assert media_rows() == 0
    assert_no_partial_file(media_dir)


# The request body: werkzeug spools a large upload to a temporary file before the view sees it.


class _FullSpool(io.BytesIO):
    def write(self, data) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def post_unspoolable(client, path: str, field: str, monkeypatch):
    """Post a file to `path` while the disk the request body is spooled to is full."""
    monkeypatch.setattr(werkzeug.wrappers.request, "default_stream_factory", lambda **_: _FullSpool())
    boundary, body = encode_multipart({field: FileStorage(io.BytesIO(b"x" * 1024), "fil.bin"), "lock": "1"})
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


@pytest.mark.parametrize(
    ("path", "field"),
    [("/authoring/items/{draft}/module/sections/inledning/video", "video"), ("/authoring/import", "file")],
    ids=["film", "module-import"],
)
def test_an_authors_upload_whose_body_cannot_be_spooled(
    client, draft_id, media_dir, monkeypatch, path, field
):
    before = draft_state(draft_id)

    response = post_unspoolable(client, path.format(draft=draft_id), field, monkeypatch)

    assert response.status_code == 507
    assert NOT_STORED["sv"] in html.unescape(response.text)
    assert draft_state(draft_id) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LocalContent)) == 1
    assert files_in(media_dir) == []


def test_an_employee_file_whose_body_cannot_be_spooled(client, org, make_user, login, monkeypatch):
    login(make_user(org, username="admin", roles={Role.ADMIN}))

    response = post_unspoolable(client, "/admin/import", "file", monkeypatch)

    assert response.status_code == 507
    assert NOT_STORED["sv"] in html.unescape(response.text)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EmployeeImport)) == 0
