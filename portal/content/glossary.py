"""The glossary's content: content/ordlista.yaml as checked dataclasses, in reading order.

Pure: a YAML file in, frozen dataclasses out; every error names the file and the field.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any

from portal.content.checked_yaml import ContentFileError, Reader, Source, Text, read_yaml

GLOSSARY_FILE = "ordlista.yaml"
# Swedish alphabetical order puts å, ä and ö after z; other accents sort with their base letter.
_SWEDISH_ORDER = str.maketrans({"å": "{", "ä": "|", "ö": "}", "é": "e", "ü": "y"})
DIGITS = "0–9"


class GlossaryError(ContentFileError):
    """ordlista.yaml is unreadable or malformed; the message names the file and the field."""


@dataclass(frozen=True, slots=True)
class Reference:
    title: str
    source: Source


@dataclass(frozen=True, slots=True)
class Term:
    id: str
    term: Text
    definition: Text
    see_also: tuple[str, ...]
    modules: tuple[str, ...]
    sources: tuple[Reference, ...]


@dataclass(frozen=True, slots=True)
class Glossary:
    terms: tuple[Term, ...]

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(term.id for term in self.terms)

    def by_id(self) -> dict[str, Term]:
        return {term.id: term for term in self.terms}

    def unknown_modules(self, module_slugs: Iterable[str]) -> list[tuple[str, str]]:
        """(term id, slug) for each module a term names that is not among ``module_slugs``."""
        known = set(module_slugs)
        return [(term.id, slug) for term in self.terms for slug in term.modules if slug not in known]


def sort_key(text: str) -> str:
    return text.casefold().translate(_SWEDISH_ORDER)


def initial(text: str) -> str:
    first = text[:1].upper()
    return DIGITS if first.isdigit() else first


def by_initial(terms: Iterable[Term], language: str) -> list[tuple[str, list[Term]]]:
    """The terms in alphabetical order of their headword in ``language``, grouped by first letter."""
    ordered = sorted(terms, key=lambda term: sort_key(term.term.in_language(language)))
    grouped = groupby(ordered, key=lambda term: initial(term.term.in_language(language)))
    return [(letter, list(group)) for letter, group in grouped]


def glossary_from_mapping(data: Any, source: str) -> Glossary:
    """Return the glossary in ``data``; raise GlossaryError naming ``source`` and the field."""
    r = Reader(source, GlossaryError)
    data = r.mapping(data, "", {"terms"})

    def reference(value: Any, where: str) -> Reference:
        d = r.mapping(value, where, {"title", "url"})
        return Reference(r.string(d["title"], f"{where}.title"), r.url(d["url"], f"{where}.url"))

    def term(value: Any, where: str) -> Term:
        d = r.mapping(
            value, where, {"id", "term", "definition"}, frozenset({"see_also", "modules", "sources"})
        )
        return Term(
            id=r.identifier(d["id"], f"{where}.id"),
            term=r.text(d["term"], f"{where}.term"),
            definition=r.text(d["definition"], f"{where}.definition"),
            see_also=r.items(d, "see_also", where, r.identifier),
            modules=r.items(d, "modules", where, r.string),
            sources=r.items(d, "sources", where, reference),
        )

    terms = r.items(data, "terms", "", term)
    if not terms:
        raise r.fail("terms", "must list at least one term")
    ids = [t.id for t in terms]
    r.unique(ids, "terms")
    for index, t in enumerate(terms):
        for other in t.see_also:
            if other not in ids:
                raise r.fail(f"terms[{index}].see_also", f"no term {other!r}")
            if other == t.id:
                raise r.fail(f"terms[{index}].see_also", "names the term itself")
    return Glossary(terms)


def glossary_in(content_dir: Path) -> Glossary:
    """The glossary of a content folder (content/ordlista.yaml); an empty one when it has none.
    Raises GlossaryError."""
    path = content_dir / GLOSSARY_FILE
    return load_glossary(path) if path.exists() else Glossary(terms=())


def load_glossary(path: Path) -> Glossary:
    """Return the glossary in ``path``, read again only when the file changes; raises GlossaryError."""
    try:
        modified = path.stat().st_mtime_ns
    except OSError as exc:
        raise GlossaryError(str(path), "(file)", exc.strerror or str(exc)) from None
    return _load(str(path), modified)


@functools.lru_cache(maxsize=8)
def _load(path: str, modified: int) -> Glossary:  # ``modified`` is part of the cache key only
    return glossary_from_mapping(read_yaml(Path(path), GlossaryError), path)
