"""A module as a zip in the content/ format, out and back in: a municipality can hand its module to
another one or to the national material, and the alarm team can adapt a national module locally.

Export is deterministic (the same revision gives the same bytes); import trusts nothing in the zip:
its names, sizes, file types and text are all checked before anything is stored."""

import io
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from portal import audit
from portal.authoring import files, media, workflow
from portal.extensions import db
from portal.models import ContentKind, Revision, User

MAX_ENTRIES = 500
# Deflate shrinks text a few times and media hardly at all; a file squeezed more than this is a bomb.
MAX_RATIO = 200
RATIO_CHECKED_ABOVE = 1024 * 1024
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold: no clock in the bytes
FILE_MODE = (stat.S_IFREG | 0o644) << 16
UNIX = 3
STORED_MEDIA = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".mp4", ".webm"}  # compressed already

SECTION_EN_FILE = re.compile(r"^\d{2}-[a-z0-9][a-z0-9-]*\.en\.md$")
MEDIA_FILE = re.compile(r"^media/[A-Za-z0-9][A-Za-z0-9._-]{0,119}$")
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"}
VIDEO_SUFFIXES = {".mp4", ".webm"}
CAPTIONS_SUFFIX = ".vtt"
TEXT_FILES = {files.MODULE_FILE, files.MODULE_EN_FILE, files.QUIZ_FILE}
# What an operating system adds when it zips a folder; left out rather than refused.
SYSTEM_LITTER = {".DS_Store", "Thumbs.db", "desktop.ini"}
MACOS_FORKS = "__MACOSX/"


class ImportRejected(Exception):
    """The zip is not a module that can be imported; ``message`` says why, for the author."""

    def __init__(self, message: LazyString | str) -> None:
        super().__init__(str(message))
        self.message = message


class SlugTaken(ImportRejected):
    """The module's address name is in use: the author may import it under another one."""


class MediaMissing(Exception):
    """A media file of the revision is in the database but not in MEDIA_DIR."""


@dataclass(frozen=True)
class ImportedModule:
    slug: str  # the zip's top folder, not yet checked as an address name
    files: dict[str, str]  # "module.md" -> text
    media: dict[str, bytes]  # "media/film.mp4" -> bytes
    media_types: dict[str, str] = field(default_factory=dict)  # "media/film.mp4" -> "video/mp4"


# Export


def export_zip(revision: Revision) -> bytes:
    """The revision as ``<slug>/<path>`` files, its media read from the store."""
    stored = {}
    for name, sha256 in revision.media.items():
        path = media.path_of(sha256)
        if not path.is_file():
            raise MediaMissing(name)
        stored[name] = path.read_bytes()
    return module_zip(revision.content.slug, revision.files, stored)


def national_files(folder: Path) -> tuple[dict[str, str], dict[str, bytes]]:
    """The texts and media of a content/modules folder, as a revision would hold them."""
    texts = {
        path.name: path.read_bytes().decode("utf-8")  # as stored: read_text would turn \r\n into \n
        for path in sorted(folder.iterdir())
        if path.is_file() and is_text_file(path.name)
    }
    media_folder = folder / "media"
    stored = {
        f"media/{path.name}": path.read_bytes()
        for path in (sorted(media_folder.iterdir()) if media_folder.is_dir() else [])
        if path.is_file() and not path.is_symlink() and MEDIA_FILE.fullmatch(f"media/{path.name}")
    }
    return texts, stored


def module_zip(slug: str, texts: dict[str, str], stored: dict[str, bytes]) -> bytes:
    """A zip whose bytes depend on nothing but its files: sorted, with fixed times and modes."""
    entries = {path: text.encode("utf-8") for path, text in texts.items()} | stored
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(entries):
            archive.writestr(_entry(f"{slug}/{path}"), entries[path], compresslevel=9)
    return buffer.getvalue()


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.create_system = UNIX
    info.external_attr = FILE_MODE
    info.compress_type = (
        zipfile.ZIP_STORED if Path(name).suffix.lower() in STORED_MEDIA else zipfile.ZIP_DEFLATED
    )
    return info


# Import


def import_module(data: bytes, author: User, slug: str | None = None) -> Revision:
    """A new local module from a zip, as a draft of the author's organisation, under ``slug`` or the
    zip's folder name. Raises ImportRejected, with nothing stored. The caller commits."""
    imported = read_zip(data)
    slug = _free_slug(slug or imported.slug)
    _check_declared_slug(imported.files, slug)
    try:
        revision = workflow.create(ContentKind.MODULE, slug, imported.files, author)
    except sa.exc.IntegrityError as error:  # another import of the same name was a moment quicker
        db.session.rollback()
        raise SlugTaken(_taken(slug)) from error
    try:
        revision.media = {
            name: media.store(content, imported.media_types[name], author.organisation_id, author.id).sha256
            for name, content in sorted(imported.media.items())
        }
    except media.MediaRejected as rejected:  # the disk is full: the caller rolls back
        raise ImportRejected(rejected.message) from rejected
    audit.record("content.imported", revision.content, author.organisation_id, slug=slug,
                 files=len(imported.files), media=len(imported.media))  # fmt: skip
    return revision


def _free_slug(slug: str) -> str:
    if not files.SLUG.fullmatch(slug):
        raise SlugTaken(
            _l(
                "The folder in the zip is called “%(slug)s”, which cannot be an address name (2–80 "
                "characters: a–z, 0–9 and dashes). Give the module an address name below.",
                slug=slug,
            )
        )
    if workflow.slug_taken(ContentKind.MODULE, slug):
        raise SlugTaken(_taken(slug))
    return slug


def _taken(slug: str) -> LazyString:
    return _l(
        "There is already a module with the address name “%(slug)s”. Give the imported one another "
        "address name below.",
        slug=slug,
    )


def _check_declared_slug(texts: dict[str, str], slug: str) -> None:
    """module.md may name its slug; the module would then be published under that name instead."""
    try:
        meta, _body = files.split(texts[files.MODULE_FILE])
    except Exception:  # a broken module.md is one of the problems shown after the import
        return
    declared = meta.get("slug")
    if declared is not None and str(declared) != slug:
        raise ImportRejected(
            _l(
                "module.md says “slug: %(declared)s”, which differs from the address name “%(slug)s”. "
                "Remove the slug line from module.md, or import the module under the name %(declared)s.",
                declared=declared,
                slug=slug,
            )
        )


def read_zip(data: bytes) -> ImportedModule:
    """The module in a zip, every name, size and file checked; raises ImportRejected."""
    with _open(data) as archive:
        infos = _wanted_entries(archive)
        slug = _top_folder(infos)
        contents = _read_files(archive, [info for info in infos if not info.is_dir()], slug)
    texts = {
        path: _text(path, content) for path, content in contents.items() if not path.startswith("media/")
    }
    if files.MODULE_FILE not in texts:
        raise ImportRejected(_l("The zip has no module.md: every module folder starts with module.md."))
    stored = {path: content for path, content in contents.items() if path.startswith("media/")}
    return ImportedModule(
        slug, texts, stored, {path: _check_media(path, content) for path, content in stored.items()}
    )


def _read_files(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], slug: str) -> dict[str, bytes]:
    """Path in the module -> bytes, stopping as soon as MAX_IMPORT_BYTES is passed."""
    budget = current_app.config["MAX_IMPORT_BYTES"]
    contents = {}
    for info in infos:
        content = _read_entry(archive, info, budget)
        budget -= len(content)
        contents[info.filename.removeprefix(f"{slug}/")] = content
    return contents


def is_text_file(name: str) -> bool:
    return name in TEXT_FILES or bool(files.SECTION_FILE.fullmatch(name) or SECTION_EN_FILE.fullmatch(name))


def _open(data: bytes) -> zipfile.ZipFile:
    try:
        _check_entry_count(data)
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise ImportRejected(_l("The file is not a zip file, or it is damaged.")) from error


def _check_entry_count(data: bytes) -> None:
    """Count the entries from the zip's end record before ZipFile lists them all: a zip of millions of
    empty entries would fill the memory while being listed."""
    end = zipfile._EndRecData(io.BytesIO(data))  # private, but the standard library's only reader of it
    if end is None:
        raise zipfile.BadZipFile("no end of central directory")
    if end[zipfile._ECD_ENTRIES_TOTAL] > MAX_ENTRIES:
        raise ImportRejected(_too_many_entries())


def _too_many_entries() -> LazyString:
    return _l("The zip has more than %(max)d files; a module has far fewer.", max=MAX_ENTRIES)


def _wanted_entries(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise ImportRejected(_too_many_entries())
    wanted = [info for info in infos if not _is_litter(info.filename)]
    for info in wanted:
        _check_entry(info)
    names = [info.filename.rstrip("/") for info in wanted]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ImportRejected(_l("The zip holds %(names)s more than once.", names=", ".join(duplicates)))
    _check_sizes(wanted)
    return wanted


def _is_litter(name: str) -> bool:
    return name.startswith(MACOS_FORKS) or name.rstrip("/").rpartition("/")[2] in SYSTEM_LITTER


def _check_entry(info: zipfile.ZipInfo) -> None:
    name = info.filename
    parts = name.rstrip("/").split("/")
    if name.startswith(("/", "\\")) or "\\" in name or re.match(r"^[A-Za-z]:", name):
        raise ImportRejected(
            _l("The zip has a file with an absolute path or a Windows path (%(name)s).", name=name)
        )
    if any(part in ("", ".", "..") for part in parts):
        raise ImportRejected(
            _l("The zip has a file whose path leaves its folder or is empty (%(name)s).", name=name)
        )
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode) or (stat.S_IFMT(mode) and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))):
        raise ImportRejected(
            _l(
                "The zip has a link or a special file (%(name)s); only ordinary files can be imported.",
                name=name,
            )
        )
    if info.flag_bits & 0x1:
        raise ImportRejected(_l("The zip is encrypted (%(name)s); export it without a password.", name=name))


def _check_sizes(infos: list[zipfile.ZipInfo]) -> None:
    limit = current_app.config["MAX_IMPORT_BYTES"]
    if sum(info.file_size for info in infos) > limit:
        raise ImportRejected(_too_large(limit))
    for info in infos:
        if info.file_size > RATIO_CHECKED_ABOVE and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ImportRejected(
                _l(
                    "%(name)s unpacks to far more than a real file would: the zip looks like a zip bomb.",
                    name=info.filename,
                )  # fmt: skip
            )


def _too_large(limit: int) -> LazyString:
    return _l(
        "The module's files come to more than %(limit)s MB unpacked.", limit=f"{round(limit / 2**20, 1):g}"
    )


def _top_folder(infos: list[zipfile.ZipInfo]) -> str:
    """The one folder every entry lies in, and every file's name in it checked."""
    tops = {info.filename.split("/", 1)[0] for info in infos}
    loose = [info.filename for info in infos if "/" not in info.filename]
    if len(tops) != 1 or loose:
        raise ImportRejected(
            _l("The zip must hold exactly one folder, named after the module, with the module's files in it.")
        )
    slug = tops.pop()
    unknown = sorted(
        path
        for path in (info.filename.removeprefix(f"{slug}/").rstrip("/") for info in infos)
        if path not in ("", "media") and not (is_text_file(path) or MEDIA_FILE.fullmatch(path))
    )
    if unknown:
        raise ImportRejected(
            _l(
                "The zip has files a module cannot have: %(names)s. A module holds module.md, module.en.md, "
                "sections named like 01-name.md and 01-name.en.md, quiz.yaml, and images, films and "
                "captions in media/.",
                names=", ".join(unknown),
            )
        )
    return slug


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """The entry's bytes, reading no more than ``budget`` + 1 whatever its header claims."""
    try:
        with archive.open(info) as stream:
            content = stream.read(budget + 1)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError, ValueError) as error:
        raise ImportRejected(
            _l("%(name)s in the zip is damaged or packed in a way that cannot be read.", name=info.filename)
        ) from error
    if len(content) > budget:
        raise ImportRejected(_too_large(current_app.config["MAX_IMPORT_BYTES"]))
    return content


def _text(path: str, content: bytes) -> str:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ImportRejected(_l("%(name)s is not UTF-8 text: save it as UTF-8.", name=path)) from error
    if "\x00" in text:
        raise ImportRejected(_l("%(name)s is not a text file.", name=path))
    return text


def _check_media(name: str, content: bytes) -> str:
    """The mimetype of a media file, judged by its content; its name only says what it should be."""
    suffix = Path(name).suffix.lower()
    try:
        if suffix in IMAGE_SUFFIXES:
            return media.check_image(content)
        if suffix in VIDEO_SUFFIXES:
            return media.check_video(content)
        if suffix == CAPTIONS_SUFFIX:
            media.check_captions(content)
            return media.CAPTIONS_TYPE
    except media.MediaRejected as rejected:
        raise ImportRejected(_l("%(name)s: %(problem)s", name=name, problem=rejected.message)) from rejected
    raise ImportRejected(
        _l(
            "%(name)s is not an image (PNG, JPEG, GIF, WebP, SVG), a film (MP4, WebM) or captions (VTT).",
            name=name,
        )
    )
