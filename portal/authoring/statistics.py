"""Statistics for authors: how far an organisation's people get through each module and each section
(the exercises are in exercise_statistics.py). Counts only: nothing here names a person.

Every figure is one aggregate query over the organisation's people, whatever their number; a module is
the national material plus the organisation's own local modules, never another organisation's.
"""

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, contains_eager, joinedload

from portal.extensions import db
from portal.models import (
    Module,
    ModuleCompletion,
    ModuleVersion,
    ProgressStatus,
    SectionKind,
    SectionProgress,
    SectionVersion,
    User,
    module_version_section,
)

SECONDS_PER_DAY = 86_400


def share(part: int | None, whole: int | None) -> float | None:
    """``part`` as a percentage (0–100) of ``whole``; None when there is no whole to speak of."""
    return None if not whole or part is None else 100 * part / whole


def count_where(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.count(sa.case((condition, 1)))


def is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


# --- modules --------------------------------------------------------------------------------------


def visible_to(organisation_id: int) -> sa.ColumnElement[bool]:
    """National modules and the organisation's own local ones."""
    return sa.or_(Module.organisation_id.is_(None), Module.organisation_id == organisation_id)


@dataclass(frozen=True)
class ModuleFigures:
    """How far the organisation's people got with a module's current version."""

    module: Module
    version: ModuleVersion
    started: int
    completed: int
    median_days: float | None  # from the first section started to completion, for those who completed

    @property
    def is_local(self) -> bool:
        return self.module.organisation_id is not None

    @property
    def completion_rate(self) -> float | None:
        return share(self.completed, self.started)


def visible_modules(organisation_id: int, module_id: int | None = None) -> list[Module]:
    """The active modules the organisation's authors may see (or the one of them with ``module_id``),
    with their current versions, in the learners' order."""
    statement = (
        sa.select(Module)
        .join(ModuleVersion, ModuleVersion.id == Module.current_version_id)
        .where(Module.is_active, visible_to(organisation_id))
        .options(contains_eager(Module.current_version))
        .order_by(Module.position, Module.slug)
    )
    if module_id is not None:
        statement = statement.where(Module.id == module_id)
    return list(db.session.scalars(statement))


def visible_module(slug: str, organisation_id: int) -> Module | None:
    """The active module ``slug`` with its current version and sections, if the organisation may see it."""
    return db.session.scalar(
        sa.select(Module)
        .where(Module.slug == slug, Module.is_open)
        .where(visible_to(organisation_id))
        .options(joinedload(Module.current_version).selectinload(ModuleVersion.sections))
    )


def module_figures(organisation_id: int, module_id: int | None = None) -> list[ModuleFigures]:
    """Started, completed and the median days to complete of every visible module (or of the one with
    ``module_id``), in two queries."""
    counts = {row.module_id: row for row in db.session.execute(_module_counts(organisation_id, module_id))}
    return [
        _module_figures(module, counts.get(module.id))
        for module in visible_modules(organisation_id, module_id)
    ]


def _module_figures(module: Module, counted: sa.Row[Any] | None) -> ModuleFigures:
    if counted is None:  # nobody of the organisation has opened it
        return ModuleFigures(module, module.current_version, 0, 0, None)
    median = None if counted.median_days is None else float(counted.median_days)  # a Decimal on PostgreSQL
    return ModuleFigures(module, module.current_version, counted.started, counted.completed, median)


def _people_per_module(organisation_id: int, module_id: int | None) -> sa.CTE:
    """(module, days to completion or NULL) for each of the organisation's people who started a section
    of a visible module's current version."""
    starts = (
        sa.select(
            Module.id.label("module_id"),
            Module.current_version_id.label("version_id"),
            SectionProgress.user_id,
            sa.func.min(SectionProgress.started_at).label("started_at"),
        )
        .join(module_version_section, module_version_section.c.module_version_id == Module.current_version_id)
        .join(
            SectionProgress, SectionProgress.section_version_id == module_version_section.c.section_version_id
        )
        .join(User, User.id == SectionProgress.user_id)
        .where(Module.is_active, visible_to(organisation_id), User.organisation_id == organisation_id)
        .group_by(Module.id, Module.current_version_id, SectionProgress.user_id)
    )
    if module_id is not None:
        starts = starts.where(Module.id == module_id)
    first_starts = starts.subquery()
    completion = sa.and_(
        ModuleCompletion.user_id == first_starts.c.user_id,
        ModuleCompletion.module_version_id == first_starts.c.version_id,
    )
    return (
        sa.select(
            first_starts.c.module_id,
            _days_between(first_starts.c.started_at, ModuleCompletion.completed_at).label("days"),
        )
        .outerjoin(ModuleCompletion, completion)
        .cte("people")
    )


def _module_counts(organisation_id: int, module_id: int | None) -> sa.Select[Any]:
    people = _people_per_module(organisation_id, module_id)
    counts = (
        sa.select(
            people.c.module_id,
            sa.func.count().label("started"),
            sa.func.count(people.c.days).label("completed"),
        )
        .group_by(people.c.module_id)
        .subquery()
    )
    medians = _medians(people)
    return sa.select(counts, medians.c.median_days).outerjoin(
        medians, medians.c.module_id == counts.c.module_id
    )


def _medians(people: sa.CTE) -> sa.Subquery:
    """The median of ``days`` per module, in SQL that SQLite has too (it has no percentile_cont): the
    middle row, or the mean of the two middle rows, of each module's sorted days."""
    ranked = (
        sa.select(
            people.c.module_id,
            people.c.days,
            sa.func.row_number().over(partition_by=people.c.module_id, order_by=people.c.days).label("rank"),
            sa.func.count().over(partition_by=people.c.module_id).label("total"),
        )
        .where(people.c.days.is_not(None))
        .subquery()
    )
    middle = sa.or_(ranked.c.rank == (ranked.c.total + 1) // 2, ranked.c.rank == (ranked.c.total + 2) // 2)
    return (
        sa.select(ranked.c.module_id, sa.func.avg(ranked.c.days).label("median_days"))
        .where(middle)
        .group_by(ranked.c.module_id)
        .subquery()
    )


def _days_between(start: Any, end: Any) -> sa.ColumnElement[float]:
    if is_postgresql():
        return sa.extract("epoch", end - start) / SECONDS_PER_DAY
    return sa.func.julianday(end) - sa.func.julianday(start)


# --- sections -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionFigures:
    """How many of the organisation's people reached a section, and how many stopped just before it."""

    section: SectionVersion
    number: int  # 1, 2, … in the module's order
    started: int  # started or completed it
    completed: int
    previous_completed: int | None  # None for the first section
    stopped: int | None  # completed the previous section but never started this one

    @property
    def drop_off(self) -> float | None:
        return share(self.stopped, self.previous_completed)


def section_figures(version: ModuleVersion, organisation_id: int) -> list[SectionFigures]:
    """Every section of ``version`` in order, with its counts (two queries)."""
    reached = {row.section_id: row for row in db.session.execute(_section_counts(version, organisation_id))}
    stops = {row.section_id: row for row in db.session.execute(_stops(version.id, organisation_id))}
    return [
        _section_figures(section, number, reached.get(section.id), stops.get(section.id))
        for number, section in enumerate(version.sections, start=1)
    ]


def _section_figures(
    section: SectionVersion, number: int, reached: sa.Row[Any] | None, stops: sa.Row[Any] | None
) -> SectionFigures:
    started, completed = (reached.started, reached.completed) if reached else (0, 0)
    if number == 1:
        return SectionFigures(section, number, started, completed, None, None)
    previous_completed, went_on = (stops.previous_completed, stops.went_on) if stops else (0, 0)
    return SectionFigures(
        section, number, started, completed, previous_completed, previous_completed - went_on
    )


def _section_counts(version: ModuleVersion, organisation_id: int) -> sa.Select[Any]:
    return (
        sa.select(
            SectionProgress.section_version_id.label("section_id"),
            sa.func.count().label("started"),
            count_where(SectionProgress.status == ProgressStatus.COMPLETED).label("completed"),
        )
        .join(User, User.id == SectionProgress.user_id)
        .where(
            SectionProgress.section_version_id.in_([section.id for section in version.sections]),
            User.organisation_id == organisation_id,
        )
        .group_by(SectionProgress.section_version_id)
    )


def _stops(version_id: int, organisation_id: int) -> sa.Select[Any]:
    """Per section: how many completed the section before it, and how many of those started this one.
    Content sync numbers a version's sections 0, 1, 2, …, so the one before is at position − 1."""
    this, before = module_version_section.alias("this"), module_version_section.alias("before")
    done_before, here = aliased(SectionProgress), aliased(SectionProgress)
    return (
        sa.select(
            this.c.section_version_id.label("section_id"),
            sa.func.count().label("previous_completed"),
            sa.func.count(here.id).label("went_on"),
        )
        .select_from(this)
        .join(
            before,
            sa.and_(
                before.c.module_version_id == this.c.module_version_id,
                before.c.position == this.c.position - 1,
            ),
        )
        .join(
            done_before,
            sa.and_(
                done_before.section_version_id == before.c.section_version_id,
                done_before.status == ProgressStatus.COMPLETED,
            ),
        )
        .join(User, sa.and_(User.id == done_before.user_id, User.organisation_id == organisation_id))
        .outerjoin(
            here,
            sa.and_(
                here.section_version_id == this.c.section_version_id, here.user_id == done_before.user_id
            ),
        )
        .where(this.c.module_version_id == version_id)
        .group_by(this.c.section_version_id)
    )


def quiz_version_ids(version: ModuleVersion) -> list[int]:
    """The quiz versions of the version's quiz sections, for links to their item analysis."""
    return [
        section.quiz_version_id
        for section in version.sections
        if section.kind is SectionKind.QUIZ and section.quiz_version_id is not None
    ]
