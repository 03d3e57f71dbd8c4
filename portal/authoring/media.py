"""Media that authors upload: checked by their content (never by their names), stored once by hash
under MEDIA_DIR, attached to a revision under a safe name, and served with headers that keep them
harmless."""

import hashlib
import logging
import os
import re
import tempfile
import time
import unicodedata
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Response, abort, current_app, send_file
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage

from portal.authoring import svg
from portal.content.media import image_type, is_webvtt, mp4_duration_of, video_type, vtt_cues
from portal.database import insert_if_absent
from portal.extensions import db
from portal.models import MediaFile, Revision, User, utcnow

log = logging.getLogger(__name__)

MEDIA_CACHE_SECONDS = 24 * 3600
SHA256 = re.compile(r"[0-9a-f]{64}")
ALT_MAX_LENGTH = 300
EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/svg+xml": "svg",
    "video/mp4": "mp4",
    "video/webm": "webm",
}
CAPTIONS_TYPE = "text/vtt"
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
PROGRAM_MAGIC = (b"\x7fELF", b"MZ", b"#!", b"PK")  # ELF, Windows PE, a script, a zip
MP4_BRAND = re.compile(rb"[A-Za-z0-9 ]{4}")

NOT_A_VIDEO = _l("The file is not an MP4 or WebM video (it looks like a program or another kind of file).")
NOT_CAPTIONS = _l("Captions must be a WebVTT file (starting with WEBVTT) with at least one cue.")


class MediaRejected(Exception):
    """An upload refused; ``message`` tells the author why, in their language."""

    def __init__(self, message: LazyString) -> None:
        super().__init__(message)
        self.message = message


def check_image(data: bytes) -> str:
    """The mimetype of a PNG, JPEG, GIF, WebP or safe SVG image; raises MediaRejected otherwise."""
    _check_size(data, "MAX_IMAGE_BYTES")
    mimetype = image_type(data)
    if mimetype is None:
        raise MediaRejected(_l("The file is not a PNG, JPEG, GIF, WebP or SVG image."))
    svg_problem = svg.problem(data) if mimetype == "image/svg+xml" else None
    if svg_problem is not None:
        raise MediaRejected(svg_problem)
    return mimetype


def check_video(data: bytes) -> str:
    """'video/mp4' or 'video/webm'; raises MediaRejected for anything else, programs above all."""
    _check_size(data, "MAX_VIDEO_BYTES")
    mimetype = None if data.startswith(PROGRAM_MAGIC) else video_type(data[:64])
    if mimetype == "video/mp4" and not _plausible_ftyp(data):
        mimetype = None
    if mimetype == "video/webm" and b"webm" not in data[4:64]:  # the EBML DocType; Matroska says "matroska"
        mimetype = None
    if mimetype is None:
        raise MediaRejected(NOT_A_VIDEO)
    return mimetype


def check_captions(data: bytes) -> str:
    """The text of a UTF-8 WebVTT file with at least one cue; raises MediaRejected otherwise."""
    _check_size(data, "MAX_CAPTION_BYTES")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise MediaRejected(NOT_CAPTIONS) from error
    if not is_webvtt(text) or not vtt_cues(text):
        raise MediaRejected(NOT_CAPTIONS)
    return text


def _plausible_ftyp(data: bytes) -> bool:
    """The file starts with a whole 'ftyp' box whose major brand reads as a brand ('isom', 'mp42')."""
    size = int.from_bytes(data[:4], "big")
    return 16 <= size <= len(data) and MP4_BRAND.fullmatch(data[8:12]) is not None


def _check_size(data: bytes, limit_key: str) -> None:
    limit = current_app.config[limit_key]
    if len(data) > limit:
        megabytes = f"{round(limit / 2**20, 1):g}"
        raise MediaRejected(_l("The file is larger than the limit of %(limit)s MB.", limit=megabytes))


def store(data: bytes, mimetype: str, organisation_id: int, user_id: int) -> MediaFile:
    """The MediaFile of ``data``, whose bytes are written once under MEDIA_DIR by their hash (never
    partly: a failed write leaves nothing and raises MediaRejected). The caller commits."""
    sha256 = hashlib.sha256(data).hexdigest()
    path = path_of(sha256)
    if path.is_file():
        os.utime(path)  # in use again: `flask media prune` leaves recently touched files alone
    else:
        _write_atomically(path, data)
    if db.session.get(MediaFile, sha256) is None:  # two uploads of one file at once: one row
        insert_if_absent(
            MediaFile,
            sha256=sha256,
            mimetype=mimetype,
            size=len(data),
            organisation_id=organisation_id,
            uploaded_by_id=user_id,
            uploaded_at=utcnow(),
        )
    media = db.session.get(MediaFile, sha256)
    assert media is not None  # nosec B101 – narrows the type for mypy: the row was stored just above
    return media


def unreferenced_files(untouched_for: timedelta) -> list[Path]:
    """Files under MEDIA_DIR that no MediaFile row names and nothing has touched for `untouched_for`:
    left by an upload whose transaction failed after its file was written, or (``.upload-*``) by a
    process stopped part way through a write. Younger files may belong to an upload still running."""
    root = Path(current_app.config["MEDIA_DIR"])
    if not root.is_dir():
        return []
    known = set(db.session.scalars(sa.select(MediaFile.sha256)))
    cutoff = time.time() - untouched_for.total_seconds()
    return sorted(
        path
        for path in root.glob("??/*")
        if path.is_file()
        and (path.name.startswith(".upload-") or (SHA256.fullmatch(path.name) and path.name not in known))
        and path.stat().st_mtime < cutoff
    )


def path_of(sha256: str) -> Path:
    """Where the file with this SHA-256 (64 lower-case hex digits, else ValueError) is stored."""
    if not SHA256.fullmatch(sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return Path(current_app.config["MEDIA_DIR"]) / sha256[:2] / sha256


def _write_atomically(path: Path, data: bytes) -> None:
    temporary: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError as error:
        log.error("could not store the media file %s: %s", path.name, error)
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise MediaRejected(
            _l(
                "The file could not be stored (the server's disk may be full). Nothing was saved: try again later."
            )
        ) from error


def send_media(media: MediaFile) -> Response:
    """The stored file with range requests (206), private caching, and SVG kept in a sandbox."""
    path = path_of(media.sha256)
    if not path.is_file():
        log.error("the media file %s is in the database but not in MEDIA_DIR", media.sha256)
        abort(404)
    # Werkzeug adds "; charset=utf-8" to text types such as WebVTT's.
    response = send_file(path, mimetype=media.mimetype, conditional=True, max_age=MEDIA_CACHE_SECONDS)
    response.cache_control.private = True
    response.cache_control.public = False
    if media.mimetype == "image/svg+xml":
        response.headers["Content-Security-Policy"] = SVG_POLICY
    return response


def attach_image(revision: Revision, upload: FileStorage, alt: str, user: User) -> str:
    """Store the image in the revision's media and return its Markdown, ``![alt](media/name.png)``.
    The caller commits."""
    alt = " ".join(alt.split())
    if not alt or len(alt) > ALT_MAX_LENGTH:
        raise MediaRejected(
            _l(
                "Describe the image in the alt text (at most %(max)s characters): what does someone who cannot see it need to know?",
                max=ALT_MAX_LENGTH,
            )
        )
    data = _read(upload, "MAX_IMAGE_BYTES")
    media = store(data, check_image(data), user.organisation_id, user.id)
    name = _name_of(revision, media.sha256)
    if name is None:
        extension = EXTENSIONS[media.mimetype]
        name = f"media/{_free_stem(revision, upload.filename, 'bild', [f'.{extension}'])}.{extension}"
        _add_media(revision, {name: media.sha256})
    return f"![{_escape_alt(alt)}]({name})"


def attach_video(
    revision: Revision,
    video: FileStorage,
    captions_sv: FileStorage | None,
    captions_en: FileStorage | None,
    user: User,
) -> dict[str, Any]:
    """Store a film and its captions in the revision's media, everything checked before anything is
    stored; returns a video section's front matter. The caller commits."""
    video_data = _read(video, "MAX_VIDEO_BYTES")
    video_mimetype = check_video(video_data)
    captions = {
        language: _read(upload, "MAX_CAPTION_BYTES")
        for language, upload in (("sv", captions_sv), ("en", captions_en))
        if upload is not None
    }
    captions = {language: data for language, data in captions.items() if data}
    if "sv" not in captions:
        raise MediaRejected(_l("A video needs Swedish captions."))
    for data in captions.values():
        check_captions(data)

    film = store(video_data, video_mimetype, user.organisation_id, user.id)
    caption_files = {
        language: store(data, CAPTIONS_TYPE, user.organisation_id, user.id)
        for language, data in captions.items()
    }
    stem = _video_stem(revision, video.filename, film)
    names = {f"media/{stem}.{EXTENSIONS[film.mimetype]}": film.sha256}
    names |= {f"media/{stem}.{language}.vtt": file.sha256 for language, file in caption_files.items()}
    _add_media(revision, names)
    return {
        "video": next(iter(names)),
        "captions": {language: f"media/{stem}.{language}.vtt" for language in caption_files},
        "duration": mp4_duration_of(video_data) if film.mimetype == "video/mp4" else None,
    }


def _read(upload: FileStorage, limit_key: str) -> bytes:
    """At most one byte more than the limit, so that an oversize file is refused without being read whole."""
    return upload.stream.read(current_app.config[limit_key] + 1)


def _video_stem(revision: Revision, filename: str | None, film: MediaFile) -> str:
    """The film's name without extension: the one it already has in the revision (its captions are
    replaced), or a free one for the film and both its caption files."""
    extension = f".{EXTENSIONS[film.mimetype]}"
    existing = _name_of(revision, film.sha256)
    if existing is not None and existing.endswith(extension):
        return existing.removeprefix("media/").removesuffix(extension)
    return _free_stem(revision, filename, "film", [extension, ".sv.vtt", ".en.vtt"])


def _name_of(revision: Revision, sha256: str) -> str | None:
    return next((name for name, value in (revision.media or {}).items() if value == sha256), None)


def _free_stem(revision: Revision, filename: str | None, fallback: str, suffixes: list[str]) -> str:
    """A slug of the uploaded file's name that no media file of the revision uses with any of ``suffixes``."""
    stem = _slug(Path(filename or "").stem.split(".")[0]) or fallback
    taken = revision.media or {}
    candidates = (stem if number == 1 else f"{stem}-{number}" for number in range(1, len(taken) + 2))
    return next(c for c in candidates if not any(f"media/{c}{suffix}" in taken for suffix in suffixes))


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:60].strip("-")


def _add_media(revision: Revision, names: dict[str, str]) -> None:
    revision.media = {**(revision.media or {}), **names}  # a new dict, so that SQLAlchemy sees the change


def _escape_alt(alt: str) -> str:
    return re.sub(r"([\\\[\]])", r"\\\1", alt)
