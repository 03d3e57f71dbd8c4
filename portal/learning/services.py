"""Reading the catalogue and recording progress. Callers commit."""

import weakref
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from portal.database import dialect_insert, insert_if_absent
from portal.extensions import db
from portal.learning import intervals
from portal.models import (
    LastVisit,
    Module,
    ModuleCompletion,
    ModuleVersion,
    ProgressStatus,
    SectionKind,
    SectionProgress,
    SectionVersion,
    User,
    module_version_section,
    utcnow,
)
from portal.signals import module_completed, quiz_passed

VIDEO_DONE_SHARE = 0.9
SELF_COMPLETING = frozenset({SectionKind.QUIZ, SectionKind.EXERCISE})


@dataclass(frozen=True)
class ModuleStatus:
    module: Module
    version: ModuleVersion
    done_ids: frozenset[int]  # sections of the current version this person has completed
    completed_version: ModuleVersion | None  # the latest version this person completed

    @property
    def required(self) -> int:
        return sum(1 for s in self.version.sections if s.required)

    @property
    def done(self) -> int:
        return sum(1 for s in self.version.sections if s.required and s.id in self.done_ids)

    @property
    def is_completed(self) -> bool:
        return self.completed_version is not None and self.completed_version.id == self.version.id

    @property
    def is_started(self) -> bool:
        return self.done > 0 and not self.is_completed

    @property
    def has_newer_version(self) -> bool:
        return self.completed_version is not None and self.completed_version.id != self.version.id


def visible_to(organisation_id: int) -> sa.ColumnElement[bool]:
    """National modules and the organisation's own local ones; never another organisation's."""
    return sa.or_(Module.organisation_id.is_(None), Module.organisation_id == organisation_id)


# What a module's card shows; the rest of a version (intro, references) stays in the database.
_CARD = (ModuleVersion.module_id, ModuleVersion.version, ModuleVersion.checksum, ModuleVersion.title,
         ModuleVersion.summary, ModuleVersion.audience, ModuleVersion.minutes)  # fmt: skip


def active_modules(organisation_id: int) -> list[Module]:
    """Every active module the organisation's people see, with what its card shows of its current
    version and that version's sections, in one query."""
    modules = list(db.session.scalars(_ACTIVE_MODULES, {"organisation_id": organisation_id}))
    _attach_sections([module.current_version for module in modules])
    return modules


_ACTIVE_MODULES = (  # built once (and so its cache key): the parameter is organisation_id
    sa.select(Module)
    .where(Module.is_open, visible_to(sa.bindparam("organisation_id")))
    .options(joinedload(Module.current_version).load_only(*_CARD))
    .order_by(Module.position, Module.slug)
)


# A published version's sections never change, so each process keeps those of the versions it has
# shown, as detached copies. Tests empty the tables and reuse ids, each test with an engine of its own:
# hence one cache per engine, and the version's checksum in the key.
_SECTIONS: weakref.WeakKeyDictionary[sa.Engine, dict[tuple[int, str], list[SectionVersion]]] = (
    weakref.WeakKeyDictionary()
)


def _attach_sections(versions: list[ModuleVersion]) -> None:
    """Give each version its sections from the cache; those of versions not seen yet in one query.
    A version whose sections this session has loaded already keeps them."""
    versions = [v for v in versions if "sections" in sa.inspect(v).unloaded]
    cache = _SECTIONS.setdefault(db.engine, {})
    missing = {v.id: v.checksum for v in versions if (v.id, v.checksum) not in cache}
    if missing:
        cache.update(_detached_sections(missing))
    for version in versions:
        set_committed_value(version, "sections", list(cache[(version.id, version.checksum)]))


def _detached_sections(checksums: dict[int, str]) -> dict[tuple[int, str], list[SectionVersion]]:
    """The sections of these versions (by id, with their checksums) in order, as detached copies: a
    deferred attribute (the text) or a relationship read from them raises instead of loading."""
    columns = [c for c in sa.inspect(SectionVersion).column_attrs if not c.deferred]
    link = module_version_section.c
    rows = db.session.execute(
        sa.select(link.module_version_id, *(c.class_attribute for c in columns))
        .join(SectionVersion, SectionVersion.id == link.section_version_id)
        .where(link.module_version_id.in_(list(checksums)))
        .order_by(link.position)
    )
    found: dict[tuple[int, str], list[SectionVersion]] = {key: [] for key in checksums.items()}
    for version_id, *values in rows:
        section = SectionVersion(**{c.key: value for c, value in zip(columns, values, strict=True)})
        make_transient_to_detached(section)
        found[(version_id, checksums[version_id])].append(section)
    return found


def module_or_404(slug: str, organisation_id: int) -> Module:
    """The active module with its current version and that version's sections, in one query; another
    organisation's local module is not found."""
    module = db.session.scalar(
        sa.select(Module)
        .where(Module.slug == slug, Module.is_active, visible_to(organisation_id))
        .options(
            joinedload(Module.current_version)
            .joinedload(ModuleVersion.sections)
            .joinedload(SectionVersion.quiz_version)  # a quiz section's page and start need it
        )
    )
    if module is None or module.current_version is None:
        abort(404)
    return module


def section_or_404(module: Module, slug: str) -> SectionVersion:
    """A section of the module's current version: older or other sections are not reachable."""
    for section in module.current_version.sections:
        if section.slug == slug:
            return section
    abort(404)


def completed_section_ids(user: User, sections: list[SectionVersion]) -> set[int]:
    ids = [section.id for section in sections]
    return set(
        db.session.scalars(
            sa.select(SectionProgress.section_version_id).where(
                SectionProgress.user_id == user.id,
                SectionProgress.section_version_id.in_(ids),
                SectionProgress.status == ProgressStatus.COMPLETED,
            )
        )
    )


def statuses(user: User, modules: list[Module]) -> list[ModuleStatus]:
    """Each module's progress for ``user``, in one query (two when the person completed an older
    version of one)."""
    done_ids, completed = _record(user, modules)
    return [
        ModuleStatus(
            module=module,
            version=module.current_version,
            done_ids=frozenset(s.id for s in module.current_version.sections if s.id in done_ids),
            completed_version=completed.get(module.id),
        )
        for module in modules
    ]


def _record(user: User, modules: list[Module]) -> tuple[set[int], dict[int, ModuleVersion]]:
    """The ids of the sections the person completed (of any version), and the latest version of each
    of these modules they completed."""
    module_ids = {m.id for m in modules}
    done: set[int] = set()
    latest: dict[int, int] = {}  # module id -> the id of its latest version the person completed
    for kind, record_id, module_id in db.session.execute(_RECORD, {"user_id": user.id}):
        if kind == "section":
            done.add(record_id)
        elif module_id in module_ids:
            latest[module_id] = max(record_id, latest.get(module_id, record_id))
    return done, _versions(latest, modules)


_RECORD = sa.union_all(  # built once: the parameter is user_id
    sa.select(sa.literal("section"), SectionProgress.section_version_id, sa.null()).where(
        SectionProgress.user_id == sa.bindparam("user_id"), SectionProgress.status == ProgressStatus.COMPLETED
    ),
    sa.select(sa.literal("completion"), ModuleCompletion.module_version_id, ModuleVersion.module_id)
    .join(ModuleVersion, ModuleVersion.id == ModuleCompletion.module_version_id)
    .where(ModuleCompletion.user_id == sa.bindparam("user_id")),
)


def _versions(latest: dict[int, int], modules: list[Module]) -> dict[int, ModuleVersion]:
    """Module id -> its version with the id in ``latest``: the current one, or an older one loaded."""
    versions = {m.current_version.id: m.current_version for m in modules}
    older = set(latest.values()) - versions.keys()
    if older:
        query = sa.select(ModuleVersion).where(ModuleVersion.id.in_(older))
        versions |= {v.id: v for v in db.session.scalars(query)}
    return {module_id: versions[version_id] for module_id, version_id in latest.items()}


def is_for(user: User, version: ModuleVersion) -> bool:
    """True when the module is meant for one of the person's current positions (or for everyone)."""
    positions = {m.position.value for m in user.current_memberships}
    return not version.audience or bool(positions & set(version.audience))


def progress_for(user: User, section: SectionVersion) -> SectionProgress | None:
    return db.session.scalar(
        sa.select(SectionProgress).where(
            SectionProgress.user_id == user.id, SectionProgress.section_version_id == section.id
        )
    )


def _progress(user: User, section: SectionVersion) -> SectionProgress:
    """The person's progress row for the section, created on first use."""
    progress = progress_for(user, section)
    if progress is None:
        created = dialect_insert(SectionProgress).values(
            user_id=user.id, section_version_id=section.id, status=ProgressStatus.STARTED
        )
        # RETURNING gives the new row at once; a request that created it a moment earlier wins.
        progress = db.session.scalar(
            created.on_conflict_do_nothing().returning(SectionProgress)
        ) or progress_for(user, section)
    return progress


def visit(user: User, module: Module, section: SectionVersion) -> SectionProgress:
    """Remember where the learner is, to resume there, and start the section's progress; writes
    nothing when the learner only reloads the section they are on."""
    progress = _progress(user, section)
    now = utcnow()
    remembered = dialect_insert(LastVisit).values(
        user_id=user.id, module_id=module.id, section_slug=section.slug, visited_at=now
    )
    db.session.execute(
        remembered.on_conflict_do_update(
            index_elements=["user_id", "module_id"],
            set_={"section_slug": section.slug, "visited_at": now},
            where=LastVisit.__table__.c.section_slug != section.slug,
        )
    )
    return progress


def last_visited(user: User, module: Module) -> str | None:
    """The slug of the section the learner last opened in this module's current version."""
    last = db.session.get(LastVisit, (user.id, module.id))
    if last is not None and any(s.slug == last.section_slug for s in module.current_version.sections):
        return last.section_slug
    return None


def resume_slug(status: ModuleStatus, last_visited_slug: str | None) -> str:
    """The section to continue with: the last one visited, else the first not completed."""
    if last_visited_slug is not None:
        return last_visited_slug
    sections = status.version.sections
    return next((s.slug for s in sections if s.id not in status.done_ids), sections[0].slug)


def complete_section(user: User, module: Module, section: SectionVersion, confirmed: bool = False) -> bool:
    """Mark the section done; for a video only after 90 % was watched, or when the learner
    confirms without JavaScript. Returns whether it is now completed."""
    if section.kind in SELF_COMPLETING:
        return False  # done by passing its quiz or exercise, never by a click
    progress = _progress(user, section)
    if progress.status is ProgressStatus.COMPLETED:
        return True
    if section.kind is SectionKind.VIDEO and not confirmed and not _watched_enough(progress, section):
        return False
    progress.status = ProgressStatus.COMPLETED
    progress.completed_at = utcnow()
    db.session.flush()
    _complete_module_if_done(user, module)
    return True


def _watched_enough(progress: SectionProgress, section: SectionVersion) -> bool:
    duration = section.media.get("duration") or 0
    watched = [tuple(pair) for pair in progress.watched or []]
    return duration > 0 and intervals.covered(watched) >= VIDEO_DONE_SHARE * duration


def record_watching(
    user: User, module: Module, section: SectionVersion, report: dict
) -> SectionProgress | None:
    """Merge the player's report into the stored intervals; None when the report is nonsense."""
    duration = float(section.media.get("duration") or 0)
    reported = intervals.valid_report(report.get("intervals"), duration)
    position = report.get("position", 0)
    if reported is None or not isinstance(position, int | float) or not 0 <= position <= duration + 1:
        return None
    progress = _progress(user, section)
    now = utcnow()
    since = (now - (progress.updated_at or now)).total_seconds() if progress.id else 0.0
    known = [tuple(pair) for pair in progress.watched or []]
    progress.watched = [list(pair) for pair in intervals.accept(known, reported, since)]
    progress.position_seconds = float(position)
    progress.updated_at = now
    if _watched_enough(progress, section):
        complete_section(user, module, section)
    return progress


@quiz_passed.connect
def complete_by_passing(_sender: object, user_id: int, section: SectionVersion) -> None:
    """A passed quiz (or exercise) completes its section, and the module when that was the last one."""
    user = db.session.get(User, user_id)
    progress = _progress(user, section)
    if progress.status is not ProgressStatus.COMPLETED:
        progress.status = ProgressStatus.COMPLETED
        progress.completed_at = utcnow()
        db.session.flush()
    module = module_or_none(section.module_id)
    if module is not None and section in module.current_version.sections:
        _complete_module_if_done(user, module)


def module_or_none(module_id: int) -> Module | None:
    return db.session.scalar(
        sa.select(Module)
        .where(Module.id == module_id, Module.is_open)
        .options(joinedload(Module.current_version).selectinload(ModuleVersion.sections))
    )


def _complete_module_if_done(user: User, module: Module) -> None:
    version = module.current_version
    required = [s for s in version.sections if s.required]
    if completed_section_ids(user, required) >= {s.id for s in required}:
        exists = db.session.scalar(
            sa.select(ModuleCompletion.id).where(
                ModuleCompletion.user_id == user.id, ModuleCompletion.module_version_id == version.id
            )
        )
        if exists is None:
            insert_if_absent(ModuleCompletion, user_id=user.id, module_version_id=version.id)
            module_completed.send(module, user_id=user.id)


def completion_time(user: User, version: ModuleVersion) -> datetime | None:
    return db.session.scalar(
        sa.select(ModuleCompletion.completed_at).where(
            ModuleCompletion.user_id == user.id, ModuleCompletion.module_version_id == version.id
        )
    )
