"""Checked reading of the content's YAML files: typed accessors whose errors name the file and the field.

Pure: no Flask, no database. An author who breaks a file learns from the message alone where.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import yaml

LANGUAGES = ("sv", "en")
IDENTIFIER = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")  # used in URLs and HTML ids
_KIND_NAMES = {"dict": "a mapping", "list": "a list", "str": "a string"}
_T = TypeVar("_T")


class ContentFileError(Exception):
    """The content file is unreadable or malformed; the message names the file and the field."""

    def __init__(self, source: str, where: str, problem: str) -> None:
        super().__init__(f"{source}: {where}: {problem}")
        self.source = source
        self.where = where
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Text:
    """A text in Swedish and English; `pick` in the templates chooses the reader's language."""

    sv: str
    en: str

    def in_language(self, language: str) -> str:
        return self.en if language == "en" else self.sv


@dataclass(frozen=True, slots=True)
class Source:
    url: str

    @property
    def host(self) -> str:
        """The site's name for link texts: "solna.se" for https://www.solna.se/trygghetslarm."""
        return (urlsplit(self.url).hostname or self.url).removeprefix("www.")


class Reader:
    """Typed accessors that raise ``error`` naming the file and the field path."""

    def __init__(self, source: str, error: type[ContentFileError] = ContentFileError) -> None:
        self.source = source
        self.error = error

    def fail(self, where: str, problem: str) -> ContentFileError:
        return self.error(self.source, where, problem)

    def typed(self, value: Any, where: str, kind: type[_T]) -> _T:
        if not isinstance(value, kind):
            found = "nothing" if value is None else type(value).__name__
            raise self.fail(where, f"must be {_KIND_NAMES.get(kind.__name__, kind.__name__)}, got {found}")
        return value

    def mapping(
        self, value: Any, where: str, required: set[str], optional: frozenset[str] = frozenset()
    ) -> dict[str, Any]:
        data = self.typed(value, where or "(top)", dict)
        unknown = sorted(str(key) for key in set(data) - required - optional)
        if unknown:
            raise self.fail(join(where, unknown[0]), "unknown field")
        missing = sorted(required - set(data))
        if missing:
            raise self.fail(join(where, missing[0]), "is required")
        return data

    def string(self, value: Any, where: str) -> str:
        text = self.typed(value, where, str).strip()
        if not text:
            raise self.fail(where, "must not be empty")
        return text

    def identifier(self, value: Any, where: str, pattern: re.Pattern[str] = IDENTIFIER) -> str:
        text = self.string(value if not isinstance(value, int) else str(value), where)
        if not pattern.fullmatch(text):
            raise self.fail(where, f"{text!r} must be lower-case letters, digits and '-'")
        return text

    def text(self, value: Any, where: str) -> Text:
        data = self.mapping(value, where, set(LANGUAGES))
        return Text(*(self.string(data[language], f"{where}.{language}") for language in LANGUAGES))

    def url(self, value: Any, where: str) -> Source:
        url = self.string(value, where)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise self.fail(where, f"{url!r} must be an http(s) address")
        return Source(url)

    def items(
        self, data: Mapping[str, Any], key: str, where: str, parse: Callable[[Any, str], _T]
    ) -> tuple[_T, ...]:
        values = self.typed(data.get(key, []), join(where, key), list)
        return tuple(parse(value, f"{join(where, key)}[{i}]") for i, value in enumerate(values))

    def unique(self, ids: list[str], where: str) -> None:
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise self.fail(where, f"the id {duplicates[0]!r} is used twice")


def join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def read_yaml(path: Path, error: type[ContentFileError] = ContentFileError) -> Any:
    """The parsed YAML of ``path``; a syntax error names its line."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(yaml)"
        raise error(str(path), where, f"invalid YAML: {getattr(exc, 'problem', None) or exc}") from None
    except (OSError, UnicodeError) as exc:
        raise error(str(path), "(file)", str(exc)) from None
