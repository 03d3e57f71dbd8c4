"""Reading the catalogue and recording progress. Callers commit."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload

from portal.database import insert_if_absent
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


def active_modules(organisation_id: int) -> list[Module]:
    """Every active module the organisation's people see, with its current version and sections
    (three queries in all)."""
    return list(
        db.session.scalars(
            sa.select(Module)
            .where(Module.is_active, Module.current_version_id.is_not(None), visible_to(organisation_id))
            .options(joinedload(Module.current_version).selectinload(ModuleVersion.sections))
            .order_by(Module.position, Module.slug)
        )
    )


def module_or_404(slug: str, organisation_id: int) -> Module:
    """The active module with its current version and that version's sections, in one query; another
    organisation's local module is not found."""
    module = db.session.scalar(
        sa.select(Module)
        .where(Module.slug == slug, Module.is_active, visible_to(organisation_id))
        .options(joinedload(Module.current_version).joinedload(ModuleVersion.sections))
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
    """Each module's progress for ``user``, in a fixed number of queries."""
    all_sections = [s for m in modules for s in m.current_version.sections]
    done_ids = completed_section_ids(user, all_sections)
    completions = _latest_completions(user, [m.id for m in modules])
    return [
        ModuleStatus(
            module=module,
            version=module.current_version,
            done_ids=frozenset(s.id for s in module.current_version.sections if s.id in done_ids),
            completed_version=completions.get(module.id),
        )
        for module in modules
    ]


def _latest_completions(user: User, module_ids: list[int]) -> dict[int, ModuleVersion]:
    rows = db.session.execute(
        sa.select(ModuleVersion)
        .join(ModuleCompletion, ModuleCompletion.module_version_id == ModuleVersion.id)
        .where(ModuleCompletion.user_id == user.id, ModuleVersion.module_id.in_(module_ids))
        .order_by(ModuleVersion.id)
    ).scalars()
    return {version.module_id: version for version in rows}


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
        insert_if_absent(
            SectionProgress, user_id=user.id, section_version_id=section.id, status=ProgressStatus.STARTED
        )
        progress = progress_for(user, section)
    return progress


def visit(user: User, module: Module, section: SectionVersion) -> SectionProgress:
    """Remember where the learner is, to resume there, and start the section's progress; writes
    nothing when the learner only reloads the section they are on."""
    progress = _progress(user, section)
    last = db.session.get(LastVisit, (user.id, module.id))
    if last is None:
        insert_if_absent(LastVisit, user_id=user.id, module_id=module.id, section_slug=section.slug)
    elif last.section_slug != section.slug:
        last.section_slug = section.slug
        last.visited_at = utcnow()
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
        .where(Module.id == module_id, Module.is_active, Module.current_version_id.is_not(None))
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
