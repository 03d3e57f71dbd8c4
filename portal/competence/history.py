"""One employee's certification history for their manager: every cycle (renewed and revoked ones too), every
assignment (ended ones too) and the audit trail about them, with who did what, when and why."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import (
    Assignment,
    AuditEvent,
    Certification,
    CertificationCycle,
    CycleState,
    User,
)


@dataclass(frozen=True)
class History:
    cycles: list[CertificationCycle]  # newest first
    assignments: list[Assignment]  # newest first
    events: list[AuditEvent]  # newest first
    current: dict[int, CertificationCycle]  # per certification: the cycle its status is derived from
    subjects: dict[tuple[str, int], Certification]  # what an event is about
    assigners: dict[int, str]  # the names of the managers who assigned something

    def certification_of(self, event: AuditEvent) -> Certification | None:
        return self.subjects.get((event.subject_type, event.subject_id or 0))


def history_of(person: User) -> History:
    """Four queries, whatever the length of the history."""
    cycles = list(
        db.session.scalars(
            sa.select(CertificationCycle)
            .where(CertificationCycle.user_id == person.id)
            .options(
                joinedload(CertificationCycle.version),
                joinedload(CertificationCycle.certification).joinedload(Certification.current_version),
            )
            .order_by(CertificationCycle.id.desc())
        )
    )
    assignments = list(
        db.session.scalars(
            sa.select(Assignment)
            .where(Assignment.user_id == person.id)
            .options(joinedload(Assignment.certification).joinedload(Certification.current_version))
            .order_by(Assignment.assigned_at.desc(), Assignment.id.desc())
        )
    )
    current: dict[int, CertificationCycle] = {}
    for cycle in reversed(cycles):  # oldest first: the latest that was not renewed wins
        if cycle.state is not CycleState.SUPERSEDED:
            current[cycle.certification_id] = cycle
    subjects = {(CertificationCycle.__tablename__, c.id): c.certification for c in cycles}
    subjects.update({(Assignment.__tablename__, a.id): a.certification for a in assignments})
    assigner_ids = {a.assigned_by_id for a in assignments if a.assigned_by_id}
    assigners = dict(
        db.session.execute(sa.select(User.id, User.full_name).where(User.id.in_(assigner_ids))).tuples().all()
        if assigner_ids
        else []
    )
    events = _events(person, cycles, assignments)
    return History(cycles, assignments, events, current, subjects, assigners)


def _events(
    person: User, cycles: list[CertificationCycle], assignments: list[Assignment]
) -> list[AuditEvent]:
    about = [
        sa.and_(AuditEvent.subject_type == "user", AuditEvent.subject_id == person.id,
                AuditEvent.action.startswith("certification."))
    ]  # fmt: skip
    if cycles:
        about.append(
            sa.and_(
                AuditEvent.subject_type == CertificationCycle.__tablename__,
                AuditEvent.subject_id.in_([c.id for c in cycles]),
            )
        )
    if assignments:
        about.append(
            sa.and_(
                AuditEvent.subject_type == Assignment.__tablename__,
                AuditEvent.subject_id.in_([a.id for a in assignments]),
            )
        )
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.organisation_id == person.organisation_id, sa.or_(*about))
            .options(joinedload(AuditEvent.actor))
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        )
    )
