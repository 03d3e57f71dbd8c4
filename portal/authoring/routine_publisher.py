"""Publishing a routine or checklist. Its revision holds `routine.md` (front matter: title, kind,
positions, units; then the Swedish text) and, optionally, `routine.en.md` (the English text, plain
Markdown like module.en.md). Publishing renders both once, with the renderer and sanitiser learners'
modules go through, into `Revision.rendered`. Routines have no images: they have no media page of
their own, and a routine is read on the job, where words serve better."""

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import yaml
from flask_babel import gettext as _

from portal.authoring import files, workflow
from portal.content.render import MEDIA_PREFIX, render_markdown
from portal.content.sync import module_path
from portal.extensions import db
from portal.models import ContentKind, Position, Revision, Unit

ROUTINE_FILE = files.ROUTINE_FILE
ROUTINE_EN_FILE = "routine.en.md"
KINDS = ("routine", "checklist")
POSITIONS = frozenset(position.value for position in Position)


@dataclass
class RoutineSource:
    """A routine as its files say it, unchecked: `problems_in` says what is wrong."""

    title: dict[str, str] = field(default_factory=dict)
    kind: Any = "routine"
    positions: Any = field(default_factory=list)
    units: Any = field(default_factory=list)
    body: dict[str, str] = field(default_factory=dict)
    unreadable: str | None = None  # why the front matter could not be read


def read(texts: dict[str, str]) -> RoutineSource:
    """The routine in these files; missing or broken parts are left empty and noted, never raised."""
    source = RoutineSource()
    try:
        meta, body = files.split(texts.get(ROUTINE_FILE, ""))
    except (yaml.YAMLError, TypeError, ValueError) as error:
        source.unreadable = str(error).splitlines()[0]
        return source
    title = meta.get("title")
    source.title = (
        {k: str(v) for k, v in title.items() if v} if isinstance(title, dict) else {"sv": str(title or "")}
    )
    source.kind = meta.get("kind", "routine")
    source.positions = meta.get("positions") or []
    source.units = meta.get("units") or []
    source.body = {"sv": body.strip()}
    english = texts.get(ROUTINE_EN_FILE, "").strip()
    if english:
        source.body["en"] = english
    return source


def write(source: RoutineSource) -> dict[str, str | None]:
    """The files for this routine; an empty English text removes routine.en.md."""
    title = {"sv": source.title.get("sv", "").strip()}
    if source.title.get("en", "").strip():
        title["en"] = source.title["en"].strip()
    meta = {
        "title": title,
        "kind": source.kind,
        "positions": list(source.positions),
        "units": list(source.units),
    }
    english = source.body.get("en", "").strip()
    return {
        ROUTINE_FILE: files.join(meta, source.body.get("sv", "")),
        ROUTINE_EN_FILE: f"{english}\n" if english else None,
    }


def render(text: str) -> str:
    """Safe HTML of one language's text (module links go to the learner's module page)."""
    html, _toc = render_markdown(text, module_path, lambda name: MEDIA_PREFIX + name)
    return html


def unit_ids_by_name(organisation_id: int) -> dict[str, int]:
    rows = db.session.execute(sa.select(Unit.name, Unit.id).where(Unit.organisation_id == organisation_id))
    return {name: unit_id for name, unit_id in rows}


def problems_in(texts: dict[str, str], organisation_id: int) -> list[str]:
    """Everything that keeps these files from being published, each naming its file."""
    if ROUTINE_FILE not in texts:
        return [f"{ROUTINE_FILE}: " + _("the file is missing.")]
    source = read(texts)
    if source.unreadable is not None:
        return [
            f"{ROUTINE_FILE}: "
            + _("the front matter is not valid YAML (%(error)s).", error=source.unreadable)
        ]
    found = _meta_problems(source, organisation_id) + _body_problems(source)
    return [f"{ROUTINE_FILE}: {problem}" for problem in found]


def _meta_problems(source: RoutineSource, organisation_id: int) -> list[str]:
    found = []
    if not source.title.get("sv", "").strip():
        found.append(_("write the Swedish title."))
    if source.kind not in KINDS:
        found.append(_("kind must be routine or checklist."))
    if not _is_list_of_text(source.positions):
        found.append(_("positions must be a list of positions."))
    elif unknown := sorted(set(source.positions) - POSITIONS):
        found.append(_("unknown positions: %(names)s.", names=", ".join(unknown)))
    if not _is_list_of_text(source.units):
        found.append(_("units must be a list of unit names."))
    elif unknown := sorted(set(source.units) - unit_ids_by_name(organisation_id).keys()):
        found.append(_("not units of your organisation: %(names)s.", names=", ".join(unknown)))
    return found


def _body_problems(source: RoutineSource) -> list[str]:
    found = []
    if not source.body.get("sv"):
        found.append(_("write the Swedish text."))
    rendered = {language: render(text) for language, text in source.body.items()}
    if any("<img" in html for html in rendered.values()):
        found.append(_("routines cannot have images: describe it in words, or link to a page that shows it."))
    if source.kind == "checklist" and not all("task-list-item" in html for html in rendered.values()):
        found.append(_("a checklist needs its items as a task list, one per line: - [ ] what to do."))
    return found


def _is_list_of_text(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def publishable(source: RoutineSource, organisation_id: int) -> dict[str, Any]:
    """What learners are shown of a checked routine: safe HTML per language and whom it is for."""
    unit_ids = unit_ids_by_name(organisation_id)
    rendered: dict[str, Any] = {language: render(text) for language, text in source.body.items()}
    rendered.update(
        title=dict(source.title),
        kind=source.kind,
        positions=sorted(source.positions),
        unit_ids=sorted(unit_ids[name] for name in source.units),
    )
    return rendered


class RoutinePublisher:
    editor = "authoring.routine_edit"

    def new_files(self, slug: str, title: str) -> dict[str, str]:
        meta = {"title": {"sv": title}, "kind": "routine", "positions": [], "units": []}
        return {ROUTINE_FILE: files.join(meta, "")}

    def problems(self, revision: Revision) -> list[str]:
        return problems_in(revision.files, revision.content.organisation_id)

    def renewals(self, revision: Revision) -> int:
        return 0  # a new major version asks staff to confirm again, but renews no certification

    def publish(self, revision: Revision) -> int | None:
        revision.rendered = publishable(read(revision.files), revision.content.organisation_id)
        return None


workflow.register(ContentKind.ROUTINE, RoutinePublisher())
