"""What a learner sees of their certifications: status and dates, what remains, what to renew."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.certification.core import Definition, Requirement, RequirementKind, Status, renewal_window_opens
from portal.certification.services import (
    Cell,
    Evidence,
    as_cycle,
    definition_of,
    evidence_of,
    standings_of,
)
from portal.extensions import db
from portal.models import Certification, CertificationCycle, CycleState, Module, ModuleVersion, User

RENEWING = frozenset({Status.WINDOW_OPEN, Status.EXPIRED})


@dataclass(frozen=True)
class Step:
    """One requirement with where to do it and whether (and when) it is done."""

    requirement: Requirement
    module: Module | None
    done_on: date | None


@dataclass(frozen=True)
class MyStanding:
    """One certification the person must hold or holds: its rules and their standing in it."""

    certification: Certification
    definition: Definition
    cell: Cell

    @property
    def is_renewing(self) -> bool:
        return self.cell.standing.status in RENEWING and self.cell.cycle is not None


@dataclass(frozen=True)
class MyCertification(MyStanding):
    steps: list[Step]  # the requirements, or the refresher path while renewing

    @property
    def remaining(self) -> int:
        return sum(1 for step in self.steps if step.done_on is None)


def my_standings(user: User, today: date) -> list[MyStanding]:
    """Every certification assigned to or held by the person, most urgent first, without the steps."""
    certifications, cells = standings_of(user, today)
    mine = [
        MyStanding(
            certification, definition_of(certification.current_version), cells[(user.id, certification.id)]
        )
        for certification in certifications
        if (user.id, certification.id) in cells
    ]
    return sorted(mine, key=lambda m: (_urgency(m.cell.standing.status), m.certification.position))


def my_certifications(user: User, today: date) -> list[MyCertification]:
    """my_standings with each one's steps (what remains, or what to renew), in two more queries."""
    mine = my_standings(user, today)
    paths = [_path(item) for item in mine]
    requirements = [requirement for _since, path in paths for requirement in path]
    evidence = evidence_of(user.id, requirements)
    modules = _modules({r.ref for r in requirements if r.kind is RequirementKind.MODULE})
    return [
        MyCertification(
            item.certification, item.definition, item.cell, _steps(since, path, evidence, modules)
        )
        for item, (since, path) in zip(mine, paths, strict=True)
    ]


def _path(item: MyStanding) -> tuple[date | None, tuple[Requirement, ...]]:
    """The day from which evidence counts (None: any day) and the requirements to show."""
    cycle = item.cell.cycle
    if not item.is_renewing or cycle is None:
        return None, item.definition.requirements
    return renewal_window_opens(as_cycle(cycle), item.definition.window_days), item.definition.renewal


def _steps(
    since: date | None, requirements: tuple[Requirement, ...], evidence: Evidence, modules: dict[str, Module]
) -> list[Step]:
    return [
        Step(
            requirement,
            modules.get(requirement.ref) if requirement.kind is RequirementKind.MODULE else None,
            evidence.done_on(requirement, since),
        )
        for requirement in requirements
    ]


def _modules(slugs: set[str]) -> dict[str, Module]:
    """The active modules with these slugs, with the current version the steps link to by its title."""
    if not slugs:
        return {}
    query = (
        sa.select(Module)
        .where(Module.is_active, Module.slug.in_(slugs))
        .options(joinedload(Module.current_version).load_only(ModuleVersion.title))
    )
    return {m.slug: m for m in db.session.scalars(query)}


def _urgency(status: Status) -> int:
    order = [Status.OVERDUE, Status.EXPIRED, Status.WINDOW_OPEN, Status.IN_PROGRESS, Status.NOT_STARTED,
             Status.REVOKED, Status.CERTIFIED]  # fmt: skip
    return order.index(status)


def history(user: User) -> list[CertificationCycle]:
    """Every earlier cycle (renewed or revoked), newest first."""
    return list(
        db.session.scalars(
            sa.select(CertificationCycle)
            .where(CertificationCycle.user_id == user.id, CertificationCycle.state != CycleState.ACTIVE)
            .order_by(CertificationCycle.certified_on.desc())
        )
    )
