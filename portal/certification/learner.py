"""What a learner sees of their certifications: status and dates, what remains, what to renew."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from portal.certification.core import Definition, Requirement, RequirementKind, Status, renewal_window_opens
from portal.certification.services import (
    Cell,
    active_certifications,
    as_cycle,
    definition_of,
    requirement_done_on,
    standings,
)
from portal.extensions import db
from portal.models import Certification, CertificationCycle, CycleState, Module, User

RENEWING = frozenset({Status.WINDOW_OPEN, Status.EXPIRED})


@dataclass(frozen=True)
class Step:
    """One requirement with where to do it and whether (and when) it is done."""

    requirement: Requirement
    module: Module | None
    done_on: date | None


@dataclass(frozen=True)
class MyCertification:
    certification: Certification
    definition: Definition
    cell: Cell
    steps: list[Step]  # the requirements, or the refresher path while renewing

    @property
    def is_renewing(self) -> bool:
        return self.cell.standing.status in RENEWING and self.cell.cycle is not None

    @property
    def remaining(self) -> int:
        return sum(1 for step in self.steps if step.done_on is None)


def my_certifications(user: User, today: date) -> list[MyCertification]:
    """Every certification assigned to or held by the person, most urgent first."""
    certifications = active_certifications(user.organisation_id)
    cells = standings([user.id], certifications, today)
    modules = {m.slug: m for m in db.session.scalars(sa.select(Module).where(Module.is_active))}
    mine = []
    for certification in certifications:
        cell = cells.get((user.id, certification.id))
        if cell is None:
            continue
        definition = definition_of(certification.current_version)
        mine.append(MyCertification(certification, definition, cell, _steps(user, definition, cell, modules)))
    return sorted(mine, key=lambda m: (_urgency(m.cell.standing.status), m.certification.position))


def _steps(user: User, definition: Definition, cell: Cell, modules: dict[str, Module]) -> list[Step]:
    renewing = cell.standing.status in RENEWING and cell.cycle is not None
    since = renewal_window_opens(as_cycle(cell.cycle), definition.window_days) if renewing else None
    requirements = definition.renewal if renewing else definition.requirements
    return [
        Step(
            requirement,
            modules.get(requirement.ref) if requirement.kind is RequirementKind.MODULE else None,
            requirement_done_on(user.id, requirement, since),
        )
        for requirement in requirements
    ]


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
