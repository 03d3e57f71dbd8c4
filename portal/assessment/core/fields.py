"""Typed readers for plain YAML data that report located problems instead of raising."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import cast

from .problems import Collector, Path
from .questions import Option, Text

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MISSING = object()


def mapping(c: Collector, value: object, path: Path) -> Mapping[str, object] | None:
    """Return `value` as a mapping, or record a problem and return None."""
    if isinstance(value, dict):
        return cast(Mapping[str, object], value)
    c.add(path, f"expected a mapping (key: value), got {type(value).__name__}", "indent the keys under it")
    return None


def items(c: Collector, value: object, path: Path) -> list[object]:
    """Return `value` as a list, or record a problem and return an empty list."""
    if isinstance(value, list):
        return cast(list[object], value)
    c.add(path, f"expected a list, got {type(value).__name__}", "write one '- item' per line")
    return []


def known_keys(c: Collector, data: Mapping[str, object], allowed: frozenset[str], path: Path) -> None:
    """Record a problem for every key of `data` that is not in `allowed` (typos are errors)."""
    for key in data:
        if key not in allowed:
            c.add((*path, key), f"unknown key '{key}'", f"use one of: {', '.join(sorted(allowed))}")


def required(c: Collector, data: Mapping[str, object], key: str, path: Path) -> object:
    """Return data[key], or record that it is missing and return MISSING."""
    if key not in data or data[key] is None:
        c.add(path, f"'{key}' is missing", f"add '{key}:'")
        return MISSING
    return data[key]


def slug(c: Collector, value: object, path: Path) -> str | None:
    """Return a valid short slug id, or record a problem and return None."""
    if value is MISSING:
        return None
    if isinstance(value, str) and SLUG.match(value):
        return value
    c.add(
        path,
        f"invalid id {value!r}",
        "use 1-40 characters a-z, 0-9, '-' or '_', starting with a letter/digit",
    )
    return None


def text(c: Collector, value: object, path: Path) -> Text | None:
    """Return a Text from a plain string (Swedish) or a {sv, en} mapping, or None on problems."""
    if value is MISSING:
        return None
    if isinstance(value, str) and value.strip():
        return Text(value.strip())
    if isinstance(value, dict):
        sv, en = value.get("sv"), value.get("en")
        known_keys(c, value, frozenset({"sv", "en"}), path)
        if not isinstance(sv, str) or not sv.strip():
            c.add((*path, "sv"), "Swedish text is missing or empty", "add 'sv: <svensk text>'")
            return None
        if en is not None and not isinstance(en, str):
            c.add((*path, "en"), "English text must be a string", "quote the text")
            return None
        return Text(sv.strip(), en.strip() if en else None)
    c.add(path, "expected text", "write a string, or a mapping with 'sv:' and optional 'en:'")
    return None


def optional_text(c: Collector, data: Mapping[str, object], key: str, path: Path) -> Text | None:
    """Return the optional text under `key`, or None if absent or invalid."""
    return text(c, data[key], (*path, key)) if data.get(key) is not None else None


def number(c: Collector, value: object, path: Path, low: float, high: float) -> float | None:
    """Return a real number within [low, high], or record a problem and return None."""
    if value is MISSING:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        c.add(path, f"expected a number, got {value!r}", "write a plain number such as 5 or 0.5")
        return None
    if not low <= value <= high:
        c.add(path, f"{value} is outside {low:g}..{high:g}", f"use a value between {low:g} and {high:g}")
        return None
    return float(value)


def integer(c: Collector, value: object, path: Path, low: int) -> int | None:
    """Return an integer ≥ low, or record a problem and return None."""
    if value is MISSING:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        c.add(path, f"expected a whole number ≥ {low}, got {value!r}", f"write a whole number ≥ {low}")
        return None
    return value


def boolean(c: Collector, value: object, path: Path) -> bool | None:
    """Return a boolean, or record a problem and return None."""
    if isinstance(value, bool):
        return value
    if value is not MISSING:
        c.add(path, f"expected true or false, got {value!r}", "write true or false")
    return None


def options(c: Collector, value: object, path: Path, minimum: int) -> tuple[Option, ...]:
    """Return a list of {id, text, feedback?} options with unique ids, recording any problems."""
    out: list[Option] = []
    raw = items(c, value, path) if value is not MISSING else []
    for i, entry in enumerate(raw):
        data = mapping(c, entry, (*path, i))
        if data is None:
            continue
        known_keys(c, data, frozenset({"id", "text", "feedback"}), (*path, i))
        oid = slug(c, required(c, data, "id", (*path, i)), (*path, i, "id"))
        body = text(c, required(c, data, "text", (*path, i)), (*path, i, "text"))
        if oid is not None and oid in {o.id for o in out}:
            c.add((*path, i, "id"), f"option id '{oid}' is used twice", "give every option its own id")
        elif oid is not None and body is not None:
            out.append(Option(oid, body, optional_text(c, data, "feedback", (*path, i))))
    if value is not MISSING and len(raw) < minimum:
        c.add(path, f"needs at least {minimum} entries, has {len(raw)}", f"add entries up to {minimum}")
    return tuple(out)
