"""Reading content/modules into checked, immutable sources. Pure: files in, dataclasses out.

Every problem found is collected and raised together as a ContentError, each with its file, its
line where one can be named, and how to fix it.
"""

import dataclasses
import hashlib
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frontmatter
import yaml

from portal.assessment.core import QuizError, load_quiz
from portal.content.errors import ContentError, Problem
from portal.content.glossary import GLOSSARY_FILE, Glossary, GlossaryError, glossary_in
from portal.content.media import image_type, is_webvtt, mp4_duration, video_type, vtt_cues
from portal.models.learning import SectionKind
from portal.models.organisation import Position

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
VERSION = re.compile(r"^(\d+)\.(\d+)$")
SECTION_FILE = re.compile(r"^(\d{2})-([a-z0-9][a-z0-9-]*)\.md$")
MODULE_KEYS = {"slug", "title", "summary", "audience", "minutes", "version", "references", "order"}
SECTION_KEYS = {"title", "kind", "required", "video", "captions", "poster", "duration"}
EMPTY_ALT = re.compile(r"!\[\s*\]\(")
MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)")
MODULE_LINK = re.compile(r"\]\(modul:([a-z0-9-]+)(?:#[a-z0-9-]+)?\)")
GLOSSARY_LINK = re.compile(r"\]\(ordlista:([^)\s]*)\)")


@dataclass(frozen=True)
class SectionSource:
    slug: str
    position: int
    kind: SectionKind
    required: bool
    title: dict[str, str]
    body: dict[str, str]  # Markdown per language; "sv" always present
    media: dict[str, Any]
    checksum: str
    path: Path


@dataclass(frozen=True)
class ModuleSource:
    slug: str
    position: int
    version: str
    major: int
    minor: int
    title: dict[str, str]
    summary: dict[str, str]
    intro: dict[str, str]
    audience: tuple[str, ...]
    minutes: int
    references: tuple[dict[str, str], ...]
    sections: tuple[SectionSource, ...]
    checksum: str
    path: Path
    media_files: tuple[str, ...] = field(default=())
    quiz_source: str | None = None  # quiz.yaml, checked; stored as a quiz version by sync


def load_modules(root: Path) -> list[ModuleSource]:
    """Every module folder below ``root`` (content/modules), checked with the glossary beside it
    (content/ordlista.yaml) that their ordlista: links point into; raises ContentError."""
    problems: list[Problem] = []
    glossary = glossary_beside(root, problems)
    modules = []
    for position, folder in enumerate(sorted(p for p in root.iterdir() if p.is_dir())):
        module = _load_module(folder, position, problems)
        if module is not None:
            modules.append(module)
    _check_slugs_and_links(modules, problems)
    if glossary is not None:
        _check_glossary_links(modules, glossary.ids, problems)
        _check_glossary_modules(glossary, root.parent / GLOSSARY_FILE, modules, problems)
    if problems:
        raise ContentError(problems)
    return sorted(modules, key=lambda m: (m.position, m.slug))


def load_module(
    folder: Path, known_slugs: frozenset[str], glossary_ids: frozenset[str] = frozenset()
) -> ModuleSource:
    """One module folder, checked, whose links may point at ``known_slugs`` and the glossary terms
    ``glossary_ids``; raises ContentError."""
    problems: list[Problem] = []
    module = _load_module(folder, 0, problems)
    if module is not None:
        _check_slugs_and_links([module], problems, known_slugs)
        _check_glossary_links([module], glossary_ids, problems)
    if problems or module is None:
        raise ContentError(problems)
    return module


def _read(path: Path, problems: list[Problem]) -> frontmatter.Post | None:
    try:
        return frontmatter.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        problems.append(Problem(path, "is not UTF-8 text", hint="save the file as UTF-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else None  # the YAML text starts on the opening --- line
        problems.append(
            Problem(
                path,
                f"the front matter is not valid YAML ({error.__class__.__name__})",
                line,
                "check indentation and quote values that contain a colon",
            )
        )
    return None


def _localised(value: Any, path: Path, key: str, problems: list[Problem]) -> dict[str, str]:
    """'text' or {sv: text, en: text} -> {'sv': ..., ['en': ...]}; Swedish is required."""
    if isinstance(value, str) and value.strip():
        return {"sv": value.strip()}
    if isinstance(value, dict) and isinstance(value.get("sv"), str) and value["sv"].strip():
        unknown = set(value) - {"sv", "en"}
        if unknown:
            problems.append(
                Problem(path, f"{key} has unknown languages {sorted(unknown)}", hint="use sv and en")
            )
        return {lang: str(text).strip() for lang, text in value.items() if lang in ("sv", "en") and text}
    problems.append(
        Problem(path, f"{key} is missing or has no Swedish text", hint=f"write {key}: {{sv: …, en: …}}")
    )
    return {"sv": ""}


def _unknown_keys(meta: dict[str, Any], allowed: set[str], path: Path, problems: list[Problem]) -> None:
    for key in sorted(set(meta) - allowed):
        problems.append(
            Problem(path, f"unknown front-matter key '{key}'", hint=f"allowed: {', '.join(sorted(allowed))}")
        )


def _load_module(folder: Path, position: int, problems: list[Problem]) -> ModuleSource | None:
    path = folder / "module.md"
    if not path.exists():
        problems.append(Problem(folder, "has no module.md", hint="every module folder starts with module.md"))
        return None
    post = _read(path, problems)
    if post is None:
        return None
    meta = post.metadata
    _unknown_keys(meta, MODULE_KEYS, path, problems)
    slug = str(meta.get("slug", folder.name))
    if not SLUG.match(slug):
        problems.append(Problem(path, f"slug '{slug}' is not valid", hint="lower-case a–z, 0–9 and dashes"))
    version = str(meta.get("version", ""))
    match = VERSION.match(version)
    if not match:
        problems.append(Problem(path, f"version '{version}' is not major.minor", hint='e.g. version: "1.0"'))
    minutes = meta.get("minutes")
    if not isinstance(minutes, int) or minutes <= 0:
        problems.append(Problem(path, "minutes must be a positive whole number", hint="the estimated time"))
    audience = meta.get("audience", [])
    known = {p.value for p in Position}
    if not isinstance(audience, list) or not set(map(str, audience)) <= known:
        problems.append(
            Problem(
                path,
                f"audience has unknown positions {sorted(set(map(str, audience or [])) - known)}",
                hint=f"use: {', '.join(sorted(known))}",
            )
        )
        audience = []
    intro = {"sv": post.content}
    english = folder / "module.en.md"
    if english.exists():
        intro["en"] = english.read_text(encoding="utf-8")
    sections = _load_sections(folder, slug, problems)
    if not sections:
        problems.append(Problem(folder, "has no sections", hint="add 01-name.md"))
    quiz_source = _check_quiz(folder, slug, sections, problems)
    if quiz_source is not None:
        sections = _with_quiz_checksum(sections, quiz_source)
    return ModuleSource(
        slug=slug,
        position=int(meta.get("order", position)),
        version=version,
        major=int(match.group(1)) if match else 0,
        minor=int(match.group(2)) if match else 0,
        title=_localised(meta.get("title"), path, "title", problems),
        summary=_localised(meta.get("summary"), path, "summary", problems),
        intro=intro,
        audience=tuple(sorted(map(str, audience))),
        minutes=minutes if isinstance(minutes, int) else 0,
        references=tuple(_references(meta.get("references", []), path, problems)),
        sections=tuple(sections),
        checksum=_folder_checksum(folder),
        path=folder,
        media_files=tuple(
            sorted(str(p.relative_to(folder)) for p in (folder / "media").glob("*") if p.is_file())
        ),
        quiz_source=quiz_source,
    )


def _with_quiz_checksum(sections: list[SectionSource], quiz_source: str) -> list[SectionSource]:
    """A changed quiz.yaml makes its quiz section a new section version, so a pass of the old quiz is
    not carried over to the new one as an unchanged section's progress would be."""
    quiz_checksum = hashlib.sha256(quiz_source.encode()).hexdigest()
    return [
        dataclasses.replace(s, checksum=hashlib.sha256((s.checksum + quiz_checksum).encode()).hexdigest())
        if s.kind is SectionKind.QUIZ
        else s
        for s in sections
    ]


def _check_quiz(
    folder: Path, slug: str, sections: list["SectionSource"], problems: list[Problem]
) -> str | None:
    """A quiz section needs the module's quiz.yaml, and the file must be a valid quiz; returns its text."""
    path = folder / "quiz.yaml"
    has_quiz_section = any(section.kind is SectionKind.QUIZ for section in sections)
    if has_quiz_section and not path.exists():
        problems.append(
            Problem(folder, "has a quiz section but no quiz.yaml", hint="write the questions in quiz.yaml")
        )
    if not path.exists():
        return None
    try:
        load_quiz(path, slug)
    except QuizError as error:
        problems.extend(
            Problem(path, f"{problem.where}: {problem.message}", problem.line, problem.hint)
            for problem in error.problems
        )
        return None
    return path.read_text(encoding="utf-8")


def _references(value: Any, path: Path, problems: list[Problem]) -> list[dict[str, str]]:
    if not isinstance(value, list) or not all(isinstance(r, dict) and r.get("title") for r in value):
        problems.append(
            Problem(path, "references must be a list of {title, url}", hint="- {title: …, url: https://…}")
        )
        return []
    return [{"title": str(r["title"]), "url": str(r.get("url", ""))} for r in value]


def _load_sections(folder: Path, module_slug: str, problems: list[Problem]) -> list[SectionSource]:
    sections = []
    for path in sorted(folder.glob("*.md")):
        if path.name in ("module.md", "module.en.md") or path.name.endswith(".en.md"):
            continue
        match = SECTION_FILE.match(path.name)
        if not match:
            problems.append(
                Problem(path, "is not named like a section", hint="NN-name.md, e.g. 01-introduktion.md")
            )
            continue
        section = _load_section(path, int(match.group(1)), match.group(2), problems)
        if section is not None:
            sections.append(section)
    return sections


def _load_section(path: Path, position: int, slug: str, problems: list[Problem]) -> SectionSource | None:
    post = _read(path, problems)
    if post is None:
        return None
    meta = post.metadata
    _unknown_keys(meta, SECTION_KEYS, path, problems)
    kind_value = str(meta.get("kind", "text"))
    if kind_value not in {k.value for k in SectionKind}:
        problems.append(
            Problem(
                path,
                f"unknown section kind '{kind_value}'",
                hint=f"one of: {', '.join(k.value for k in SectionKind)}",
            )
        )
        return None
    kind = SectionKind(kind_value)
    body = {"sv": post.content}
    title = _localised(meta.get("title"), path, "title", problems)
    english = path.with_name(path.name.removesuffix(".md") + ".en.md")
    if english.exists():
        english_post = _read(english, problems)
        if english_post is not None:
            body["en"] = english_post.content
            if english_post.metadata.get("title"):
                title["en"] = str(english_post.metadata["title"])
    for lang, text in body.items():
        _check_images(path if lang == "sv" else english, text, problems)
    media = _video(path, meta, problems) if kind is SectionKind.VIDEO else {}
    return SectionSource(
        slug=slug,
        position=position,
        kind=kind,
        required=bool(meta.get("required", True)),
        title=title,
        body=body,
        media=media,
        checksum=_checksum([path, english, *_media_paths(path.parent, media)]),
        path=path,
    )


def _check_images(path: Path, text: str, problems: list[Problem]) -> None:
    for number, line in enumerate(text.splitlines(), start=1):
        if EMPTY_ALT.search(line):
            problems.append(
                Problem(
                    path,
                    "an image has no alt text",
                    _body_line(path, number),
                    "describe the image: ![Larmknappen på handleden](media/knapp.jpg)",
                )
            )
        for target in MARKDOWN_IMAGE.findall(line):
            if target.startswith(("http://", "https://", "//")):
                problems.append(
                    Problem(
                        path,
                        f"image {target} is not in the module",
                        _body_line(path, number),
                        "put the file in media/ (the portal must work offline)",
                    )
                )
            elif not _media_ok(path.parent / target, image_type):
                problems.append(
                    Problem(path, f"image {target} is missing or not an image", _body_line(path, number))
                )


def _body_line(path: Path, body_line: int) -> int:
    """The file line of a body line: the body starts after the closing --- of the front matter."""
    lines = path.read_text(encoding="utf-8").splitlines()
    closing = next((i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---"), 0)
    return closing + 1 + body_line


def _media_ok(path: Path, detect) -> bool:
    return path.is_file() and detect(path.read_bytes()[:64]) is not None


def _video(path: Path, meta: dict[str, Any], problems: list[Problem]) -> dict[str, Any]:
    folder = path.parent
    video = meta.get("video")
    if not isinstance(video, str) or not (folder / video).is_file():
        problems.append(Problem(path, f"video file '{video}' not found", hint="video: media/film.mp4"))
        return {}
    head = (folder / video).read_bytes()[:64]
    mimetype = video_type(head)
    if mimetype is None:
        problems.append(
            Problem(path, f"'{video}' is not an MP4 or WebM video", hint="export H.264/AAC MP4 or WebM")
        )
        return {}
    captions = meta.get("captions")
    if not isinstance(captions, dict) or "sv" not in captions:
        problems.append(
            Problem(path, "a video needs Swedish captions", hint="captions: {sv: media/film.sv.vtt}")
        )
        return {}
    transcript = {}
    for lang, caption in captions.items():
        text = _text_or_none(folder / str(caption))
        if lang not in ("sv", "en") or text is None or not is_webvtt(text):
            problems.append(
                Problem(
                    path,
                    f"captions '{caption}' ({lang}) missing or not WebVTT",
                    hint="a .vtt file starting with WEBVTT",
                )
            )
        else:
            transcript[lang] = [cue for _start, _end, cue in vtt_cues(text)]
    duration = meta.get("duration") or (mp4_duration(folder / video) if mimetype == "video/mp4" else None)
    if not isinstance(duration, int | float) or duration <= 0:
        problems.append(Problem(path, "the video's duration is unknown", hint="add duration: seconds"))
        duration = 0
    poster = meta.get("poster")
    if poster and not _media_ok(folder / str(poster), image_type):
        problems.append(Problem(path, f"poster '{poster}' missing or not an image"))
    return {
        "video": video,
        "type": mimetype,
        "captions": dict(captions),
        "duration": float(duration),
        "poster": poster,
        "transcript": transcript,
    }


def _text_or_none(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _media_paths(folder: Path, media: dict[str, Any]) -> list[Path]:
    names = [media.get("video"), media.get("poster"), *media.get("captions", {}).values()]
    return [folder / name for name in names if name]


def _checksum(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        if path.exists():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _folder_checksum(folder: Path) -> str:
    return _checksum(sorted(p for p in folder.rglob("*") if p.is_file()))


def _check_slugs_and_links(
    modules: list[ModuleSource], problems: list[Problem], known_slugs: frozenset[str] = frozenset()
) -> None:
    seen: dict[str, Path] = {}
    for module in modules:
        if module.slug in seen:
            problems.append(
                Problem(
                    module.path,
                    f"duplicate slug '{module.slug}', also used by {seen[module.slug]}",
                    hint="every module needs its own slug",
                )
            )
        seen.setdefault(module.slug, module.path)
    _check_links(
        modules, MODULE_LINK, seen.keys() | known_slugs, "module", "write [text](modul:slug)", problems
    )


def glossary_beside(modules_root: Path, problems: list[Problem]) -> Glossary | None:
    """The glossary next to the modules folder (empty when there is none); None, with a problem,
    when the file is broken."""
    try:
        return glossary_in(modules_root.parent)
    except GlossaryError as error:
        problems.append(Problem(modules_root.parent / GLOSSARY_FILE, f"{error.where}: {error.problem}"))
        return None


def _check_glossary_links(
    modules: list[ModuleSource], known: frozenset[str], problems: list[Problem]
) -> None:
    hint = f"write [word](ordlista:id) with an id from {GLOSSARY_FILE}"
    _check_links(modules, GLOSSARY_LINK, known, "glossary term", hint, problems)


def _check_links(
    modules: list[ModuleSource], link: re.Pattern[str], known: Collection[str], what: str, hint: str,
    problems: list[Problem],
) -> None:  # fmt: skip
    for module in modules:
        for section in module.sections:
            for text in section.body.values():
                for number, line in enumerate(text.splitlines(), start=1):
                    for target in link.findall(line):
                        if target not in known:
                            problems.append(
                                Problem(
                                    section.path,
                                    f"link to unknown {what} '{target}'",
                                    _body_line(section.path, number),
                                    hint,
                                )
                            )


def _check_glossary_modules(
    glossary: Glossary, path: Path, modules: list[ModuleSource], problems: list[Problem]
) -> None:
    for term_id, slug in glossary.unknown_modules(module.slug for module in modules):
        problems.append(Problem(path, f"the term '{term_id}' names unknown module '{slug}'"))
