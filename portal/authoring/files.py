"""A revision's files in the content/ format: front matter in and out, and a module's layout.
Pure: text in, text out, so that export writes exactly what the editors saved."""

import re
from dataclasses import dataclass
from typing import Any

import frontmatter
import yaml

MODULE_FILE = "module.md"
MODULE_EN_FILE = "module.en.md"
QUIZ_FILE = "quiz.yaml"
ROUTINE_FILE = "routine.md"
SECTION_FILE = re.compile(r"^(\d{2})-([a-z0-9][a-z0-9-]*)\.md$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")


@dataclass(frozen=True)
class SectionFile:
    number: int
    slug: str
    path: str  # "01-inledning.md"

    @property
    def english_path(self) -> str:
        return self.path.removesuffix(".md") + ".en.md"


def split(text: str) -> tuple[dict[str, Any], str]:
    """(front matter, body) of a Markdown file; a file without front matter has an empty one."""
    post = frontmatter.loads(text)
    return dict(post.metadata), post.content


def join(meta: dict[str, Any], body: str) -> str:
    """The Markdown file for front matter and body, written the same way every time."""
    header = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000).strip()
    return f"---\n{header}\n---\n{body.strip()}\n"


def sections(files: dict[str, str]) -> list[SectionFile]:
    """A module's sections in their order."""
    found = []
    for path in sorted(files):
        match = SECTION_FILE.match(path)
        if match:
            found.append(SectionFile(int(match.group(1)), match.group(2), path))
    return found


def section_by_slug(files: dict[str, str], slug: str) -> SectionFile | None:
    return next((section for section in sections(files) if section.slug == slug), None)


def localised(sv: str, en: str) -> dict[str, str] | str:
    """A text for front matter: {sv, en} when English is given, else the Swedish string."""
    sv, en = sv.strip(), en.strip()
    return {"sv": sv, "en": en} if en else sv


def text_in(meta: dict[str, Any], key: str, language: str) -> str:
    value = meta.get(key)
    if isinstance(value, dict):
        return str(value.get(language) or "")
    return str(value or "") if language == "sv" else ""


def with_version(files: dict[str, str], version: str) -> dict[str, str]:
    """The files with module.md's version set, as publishing numbers it."""
    meta, body = split(files[MODULE_FILE])
    meta["version"] = version
    return {**files, MODULE_FILE: join(meta, body)}


def next_version(published: str | None, is_major: bool) -> str:
    if published is None:
        return "1.0"
    major, minor = (int(part) for part in published.split("."))
    return f"{major + 1}.0" if is_major else f"{major}.{minor + 1}"


def new_module(slug: str, title: str) -> dict[str, str]:
    """The files of a new module: its introduction and one empty section to write in."""
    meta = {
        "title": title,
        "summary": title,
        "audience": [],
        "minutes": 15,
        "version": "0.1",
        "references": [],
    }
    section = {"title": "Inledning", "kind": "text"}
    return {
        MODULE_FILE: join(meta, ""),
        "01-inledning.md": join(section, ""),
    }


def renumbered(texts: dict[str, str], order: list[SectionFile]) -> dict[str, str | None]:
    """The file changes that put the sections in ``order`` (NN- prefixes follow the order)."""
    changes: dict[str, str | None] = {}
    for index, section in enumerate(order, start=1):
        wanted = f"{index:02d}-{section.slug}.md"
        if wanted == section.path:
            continue
        renamed = SectionFile(index, section.slug, wanted)
        for old, new in ((section.path, renamed.path), (section.english_path, renamed.english_path)):
            if old in texts:
                changes.setdefault(old, None)
                changes[new] = texts[old]
    return changes


def english_file(title: str, body: str) -> str | None:
    """A section's English file, or None (no file) when it has neither title nor text."""
    if not title.strip() and not body.strip():
        return None
    return join({"title": title.strip()} if title.strip() else {}, body)
