"""content/certifications/<slug>.yaml into a checked Definition, or one error naming every problem with
its file and line (the same located-problem reader as quiz.yaml)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path as FsPath

import yaml

from portal.assessment.core import fields as f
from portal.assessment.core.problems import Collector, Problem, index_lines

from .definition import Definition, ExpiryBase, Requirement, RequirementKind

VERSION = re.compile(r"^\d+\.\d+$")
KEYS = frozenset(
    {
        "title", "summary", "version", "requirements", "renewal", "positions", "unit_kinds",
        "validity_months", "window_days", "expiry_base", "new_staff_due_days", "major_version_grace_days",
    }
)  # fmt: skip


class CertificationError(ValueError):
    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems
        super().__init__("\n".join(f"  - {p}" for p in problems))


def load_definition(path: str | FsPath, positions: frozenset[str], unit_kinds: frozenset[str]) -> Definition:
    """The definition in `path` (its slug is the file name), checked against the known positions and
    unit kinds; raises CertificationError."""
    fs_path = FsPath(path)
    return parse_definition(
        fs_path.read_text(encoding="utf-8"), str(fs_path), fs_path.stem, positions, unit_kinds
    )


def parse_definition(
    source: str, filename: str, slug: str, positions: frozenset[str], unit_kinds: frozenset[str]
) -> Definition:
    c = Collector(filename)
    try:
        node = yaml.compose(source, Loader=yaml.SafeLoader)
        data: object = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = Problem(filename, mark.line + 1 if mark else None, "(yaml syntax)", "not valid YAML",
                          "check indentation, colons and quoting")  # fmt: skip
        raise CertificationError((problem,)) from exc
    if node is not None:
        index_lines(node, c)
    top = f.mapping(c, data, ()) if data is not None else None
    if top is None:
        c.add((), "the file is empty", "start with 'title:' and 'requirements:'")
    definition = _build(c, top or {}, slug, positions, unit_kinds)
    if c.problems:
        raise CertificationError(tuple(sorted(c.problems, key=lambda p: p.line or 0)))
    assert definition is not None  # nosec B101 – narrows the type for mypy: a None definition has raised with its problems above
    return definition


def _build(
    c: Collector, top: Mapping[str, object], slug: str, positions: frozenset[str], unit_kinds: frozenset[str]
) -> Definition | None:
    f.known_keys(c, top, KEYS, ())
    title = _texts(c, f.required(c, top, "title", ()), ("title",))
    summary = _texts(c, top.get("summary", title), ("summary",))
    version = str(f.required(c, top, "version", ()))
    if not VERSION.match(version):
        c.add(("version",), f"version {version!r} is not major.minor", 'write e.g. version: "1.0"')
    requirements = _requirements(c, f.required(c, top, "requirements", ()), ("requirements",))
    if "requirements" in top and not requirements:
        c.add(("requirements",), "a certification needs at least one requirement", "add '- module: <slug>'")
    renewal = _requirements(c, top["renewal"], ("renewal",)) if top.get("renewal") else requirements
    expiry = str(top.get("expiry_base", ExpiryBase.PREVIOUS_EXPIRY.value))
    if expiry not in {e.value for e in ExpiryBase}:
        c.add(("expiry_base",), f"unknown expiry_base {expiry!r}", "use completion or previous_expiry")
    numbers = {
        key: f.integer(c, top.get(key, default), (key,), low)
        for key, default, low in (
            ("validity_months", 24, 1), ("window_days", 60, 0), ("new_staff_due_days", 30, 1),
            ("major_version_grace_days", 90, 0),
        )
    }  # fmt: skip
    window, months = numbers["window_days"], numbers["validity_months"]
    if window is not None and months is not None and window >= 28 * months:
        c.add(("window_days",), "the renewal window is as long as the validity", "shorten window_days")
    if title is None or None in numbers.values() or not VERSION.match(version):
        return None
    return Definition(
        slug=slug,
        version=version,
        title=title,
        summary=summary or title,
        requirements=tuple(requirements),
        renewal=tuple(renewal),
        positions=_known(c, top.get("positions", []), ("positions",), positions, "position"),
        unit_kinds=_known(c, top.get("unit_kinds", []), ("unit_kinds",), unit_kinds, "unit kind"),
        expiry_base=ExpiryBase(expiry) if expiry in {e.value for e in ExpiryBase} else ExpiryBase.COMPLETION,
        **{key: value for key, value in numbers.items() if value is not None},
    )


def _texts(c: Collector, value: object, path: tuple[str | int, ...]) -> dict[str, str] | None:
    text = f.text(c, value, path)
    if text is None:
        return None
    return {"sv": text.sv, **({"en": text.en} if text.en else {})}


def _requirements(c: Collector, raw: object, path: tuple[str | int, ...]) -> list[Requirement]:
    if raw is f.MISSING:
        return []
    out = []
    for i, entry in enumerate(f.items(c, raw, path)):
        d = f.mapping(c, entry, (*path, i))
        if d is None:
            continue
        if len(d) != 1 or next(iter(d)) not in {k.value for k in RequirementKind}:
            kinds = ", ".join(k.value for k in RequirementKind)
            c.add(
                (*path, i),
                f"a requirement is one of: {kinds}",
                "write e.g. '- module: trygghetslarm-grunder'",
            )
            continue
        kind, ref = next(iter(d.items()))
        if not isinstance(ref, str) or not ref:
            c.add((*path, i, kind), "name the module or scenario by its slug", "e.g. '- module: grunder'")
            continue
        out.append(Requirement(RequirementKind(kind), ref))
    return out


def _known(
    c: Collector, raw: object, path: tuple[str | int, ...], known: frozenset[str], what: str
) -> tuple[str, ...]:
    values = [str(v) for v in f.items(c, raw, path)]
    for i, value in enumerate(values):
        if value not in known:
            c.add((*path, i), f"unknown {what} {value!r}", f"use one of: {', '.join(sorted(known))}")
    return tuple(v for v in values if v in known)
