"""Who must hold which certification, when a person becomes (or stays) certified, and everyone's status.
Every change is written to the audit trail with who, what and why. Callers commit.

Evidence for a requirement `module: <slug>`: a completion of the module's current major version (which
includes passing its quiz). For a renewal the refresher path's modules must be done again after the
renewal window opened: a passed quiz of the module on or after that day counts, as does a completion of
a newer version. Evidence for `exercise: <scenario>`: a passed trygghetskedjan exercise of the scenario
(for a renewal, one passed on or after the day the window opened).
"""

import secrets
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from portal.certification.core import (
    Cycle,
    Definition,
    Requirement,
    RequirementKind,
    Standing,
    derive_status,
    next_valid_until,
    parse_definition,
    renewal_window_opens,
)
from portal.extensions import db
from portal.i18n import LOCAL_TIMEZONE
from portal.models import (
    Assignment,
    AssignmentSource,
    AttemptStatus,
    AuditEvent,
    Certification,
    CertificationCycle,
    CertificationVersion,
    CycleState,
    Membership,
    Module,
    ModuleCompletion,
    ModuleVersion,
    Position,
    QuizAttempt,
    QuizVersion,
    RunMode,
    SectionProgress,
    SectionVersion,
    SimulationRun,
    UnitKind,
    User,
    utcnow,
)
from portal.signals import exercise_passed, module_completed, quiz_passed

POSITIONS = frozenset(p.value for p in Position)
UNIT_KINDS = frozenset(k.value for k in UnitKind)
_DEFINITIONS: dict[tuple[int, str], Definition] = {}


def definition_of(version: CertificationVersion) -> Definition:
    """The parsed rules of a version; versions never change, so each process parses each one once."""
    key = (version.id, version.checksum)
    if key not in _DEFINITIONS:
        slug = db.session.scalar(
            sa.select(Certification.slug).where(Certification.id == version.certification_id)
        )
        _DEFINITIONS[key] = parse_definition(
            version.source, f"certification version {version.id}", slug, POSITIONS, UNIT_KINDS
        )
    return _DEFINITIONS[key]


def active_certifications(organisation_id: int | None = None) -> list[Certification]:
    """The certifications in force: the national ones and, given an organisation, its local ones;
    without one, every organisation's."""
    return list(db.session.scalars(_in_force(organisation_id)))


def _in_force(organisation_id: int | sa.BindParameter | None) -> sa.Select:
    query = sa.select(Certification).where(
        Certification.is_active, Certification.current_version_id.is_not(None)
    )
    if organisation_id is not None:
        query = query.where(
            sa.or_(Certification.organisation_id.is_(None), Certification.organisation_id == organisation_id)
        )
    return query.options(joinedload(Certification.current_version)).order_by(
        Certification.position, Certification.slug
    )


def local_today() -> date:
    return utcnow().astimezone(LOCAL_TIMEZONE).date()


def _audit(user: User | None, organisation_id: int, action: str, subject, details: dict) -> None:
    db.session.add(
        AuditEvent(
            organisation_id=organisation_id,
            actor_id=user.id if user else None,
            action=action,
            subject_type=subject.__tablename__,
            subject_id=subject.id,
            details=details,
        )
    )


# Assignments


@dataclass
class RuleReport:
    added: int = 0
    ended: int = 0


def apply_rules(today: date | None = None, organisation_id: int | None = None) -> RuleReport:
    """Assign every certification to the people its positions and unit kinds name, with a due day
    `new_staff_due_days` after they started (or after today, for someone who started before the rule
    existed); end rule assignments of people it no longer applies to (left, moved). Idempotent."""
    today = today or local_today()
    report = RuleReport()
    certifications = active_certifications()
    people = _people_with_memberships(organisation_id)
    active = _active_rule_assignments({c.id for c in certifications})
    for certification in certifications:
        definition = definition_of(certification.current_version)
        for user in people:
            matches = [
                m
                for m in user.current_memberships
                if definition.applies_to(m.position.value, m.unit.kind.value)
                and certification.organisation_id in (None, user.organisation_id)
            ]
            assignment = active.get((user.id, certification.id))
            if matches and assignment is None:
                started = min(m.started_on for m in matches)
                due = max(started, today) + timedelta(days=definition.new_staff_due_days)
                _add_assignment(user, certification, AssignmentSource.RULE, due, None, "position and unit")
                report.added += 1
            elif not matches and assignment is not None:
                end_assignment(assignment, None, "no longer in a position or unit it applies to")
                report.ended += 1
    db.session.flush()
    return report


def _people_with_memberships(organisation_id: int | None) -> list[User]:
    query = (
        sa.select(User)
        .where(User.active)
        .options(joinedload(User.memberships).joinedload(Membership.unit))
        .order_by(User.id)
    )
    if organisation_id is not None:
        query = query.where(User.organisation_id == organisation_id)
    return list(db.session.scalars(query).unique())


def _active_rule_assignments(certification_ids: set[int]) -> dict[tuple[int, int], Assignment]:
    rows = db.session.scalars(
        sa.select(Assignment).where(
            Assignment.certification_id.in_(certification_ids),
            Assignment.ended_at.is_(None),
            Assignment.source == AssignmentSource.RULE,
        )
    )
    return {(a.user_id, a.certification_id): a for a in rows}


def _add_assignment(
    user: User, certification: Certification, source: AssignmentSource, due_on: date | None,
    by: User | None, why: str,
) -> Assignment:  # fmt: skip
    assignment = Assignment(
        user_id=user.id, certification_id=certification.id, source=source, due_on=due_on,
        assigned_by_id=by.id if by else None,
    )  # fmt: skip
    db.session.add(assignment)
    db.session.flush()
    details = {"user": user.id, "certification": certification.slug, "due_on": due_on and due_on.isoformat()}
    _audit(by, user.organisation_id, "certification.assigned", assignment, {**details, "why": why})
    return assignment


def assign_manually(
    manager: User, user: User, certification: Certification, due_on: date, today: date
) -> Assignment:
    """A manager assigns a certification to an employee of their units; raises ValueError for a due day
    in the past. The caller checks that the employee is in the manager's units."""
    if due_on < today:
        raise ValueError("the due day is in the past")
    return _add_assignment(
        user, certification, AssignmentSource.MANUAL, due_on, manager, "assigned by a manager"
    )


def end_assignment(assignment: Assignment, by: User | None, why: str) -> None:
    assignment.ended_at = utcnow()
    assignment.end_reason = why[:120]
    user = db.session.get(User, assignment.user_id)
    _audit(by, user.organisation_id, "certification.assignment_ended", assignment, {"why": why})


# Evidence and issuing


@dataclass(frozen=True)
class Evidence:
    """One person's dated evidence for a set of requirements, loaded at once, so that many
    requirements are answered without a query each."""

    completions: dict[str, list[date]]  # module slug -> days its current major version was completed
    passes: dict[str, list[date]]  # module slug (with a current version) -> days its quiz was passed
    exercises: dict[str, list[date]]  # scenario slug -> days an exercise of it was passed

    def done_on(self, requirement: Requirement, since: date | None = None) -> date | None:
        """The last day the person met the requirement (on or after `since`, the day a renewal window
        opened, when given), or None. A module counts by a completion of its current major version
        and, within a renewal window, also by a passed quiz."""
        if requirement.kind is RequirementKind.MODULE:
            days = self.completions.get(requirement.ref, [])
            if since is not None:
                days = days + self.passes.get(requirement.ref, [])
        else:
            days = self.exercises.get(requirement.ref, [])
        return max((day for day in days if since is None or day >= since), default=None)


_COMPLETION, _PASS, _EXERCISE = "completion", "pass", "exercise"


def evidence_of(user_id: int, requirements: Collection[Requirement]) -> Evidence:
    """The person's evidence for these requirements (completions, quiz passes, exercise passes), in one
    query whatever their number."""
    modules = [r.ref for r in requirements if r.kind is RequirementKind.MODULE]
    scenarios = [r.ref for r in requirements if r.kind is RequirementKind.EXERCISE]
    found: dict[str, dict[str, list[date]]] = {
        kind: defaultdict(list) for kind in (_COMPLETION, _PASS, _EXERCISE)
    }
    if modules or scenarios:
        rows = db.session.execute(_EVIDENCE, {"user_id": user_id, "modules": modules, "scenarios": scenarios})
        for kind, ref, moment, version, current in rows:
            if moment is not None and (kind != _COMPLETION or _same_major(version, current)):
                found[kind][ref].append(moment.astimezone(LOCAL_TIMEZONE).date())
    return Evidence(found[_COMPLETION], found[_PASS], found[_EXERCISE])


def _same_major(version: str, current: str) -> bool:
    """Whether a completed version belongs to the current one's major version."""
    return version.startswith(current.split(".")[0] + ".")


def _evidence_query() -> sa.CompoundSelect:
    """Completions of the modules with the version done and the current one, passed quizzes of the
    modules (with a current version) and passed exercises of the scenarios, for one person. Built once:
    the parameters are user_id, modules (slugs) and scenarios."""
    user_id = sa.bindparam("user_id")
    modules, scenarios = sa.bindparam("modules", expanding=True), sa.bindparam("scenarios", expanding=True)
    done, current = aliased(ModuleVersion), aliased(ModuleVersion)
    completions = (
        sa.select(
            sa.literal(_COMPLETION), Module.slug, ModuleCompletion.completed_at, done.version, current.version
        )
        .join(done, done.id == ModuleCompletion.module_version_id)
        .join(Module, Module.id == done.module_id)
        .join(current, current.id == Module.current_version_id)
        .where(ModuleCompletion.user_id == user_id, Module.slug.in_(modules))
    )
    passes = (
        sa.select(sa.literal(_PASS), Module.slug, QuizAttempt.submitted_at, sa.null(), sa.null())
        .join(QuizVersion, QuizVersion.id == QuizAttempt.quiz_version_id)
        .join(Module, Module.id == QuizVersion.module_id)
        .where(
            QuizAttempt.user_id == user_id,
            Module.slug.in_(modules),
            Module.current_version_id.is_not(None),
            QuizAttempt.status == AttemptStatus.SUBMITTED,
            QuizAttempt.passed.is_(True),
        )
    )
    exercises = sa.select(
        sa.literal(_EXERCISE), SimulationRun.scenario_slug, SimulationRun.finished_at, sa.null(), sa.null()
    ).where(
        SimulationRun.user_id == user_id,
        SimulationRun.scenario_slug.in_(scenarios),
        SimulationRun.mode == RunMode.EXERCISE,
        SimulationRun.passed.is_(True),
    )
    return sa.union_all(completions, passes, exercises)


_EVIDENCE = _evidence_query()


def _cycles(user_id: int, certification_id: int) -> list[CertificationCycle]:
    return list(
        db.session.scalars(
            sa.select(CertificationCycle)
            .where(
                CertificationCycle.user_id == user_id, CertificationCycle.certification_id == certification_id
            )
            .order_by(CertificationCycle.id)
        )
    )


def as_cycle(record: CertificationCycle) -> Cycle:
    return Cycle(
        record.certified_on,
        record.valid_until,
        record.renew_by,
        record.revoked_on,
        record.renewal_required_on,
    )


def evaluate(user_id: int, today: date | None = None) -> list[CertificationCycle]:
    """Issue every certification (or renewal) whose requirements the person has now met; returns the
    cycles issued. Idempotent: evidence already used for the current cycle issues nothing new."""
    today = today or local_today()
    user = db.session.get(User, user_id)
    certifications = [
        (c, definition_of(c.current_version)) for c in active_certifications(user.organisation_id)
    ]
    evidence = evidence_of(user.id, [r for _, d in certifications for r in (*d.requirements, *d.renewal)])
    issued = []
    for certification, definition in certifications:
        cycle = _evaluate_one(user, certification, definition, evidence, today)
        if cycle is not None:
            issued.append(cycle)
    return issued


def _evaluate_one(
    user: User, certification: Certification, definition: Definition, evidence: Evidence, today: date
) -> CertificationCycle | None:
    history = _cycles(user.id, certification.id)
    current = next((c for c in reversed(history) if c.state is not CycleState.SUPERSEDED), None)
    if current is not None and current.state is CycleState.REVOKED:
        current = None  # a revoked certification is earned again from the start
    if current is None:
        days = [evidence.done_on(r) for r in definition.requirements]
        if not days or None in days:
            return None
        return issue(user, certification, definition, max(days), None, today)  # type: ignore[type-var]
    opens = renewal_window_opens(as_cycle(current), definition.window_days)
    if today < opens:
        return None
    days = [evidence.done_on(r, since=opens) for r in definition.renewal]
    if not days or None in days:
        return None
    return issue(user, certification, definition, max(days), current, today)  # type: ignore[type-var]


def issue(
    user: User, certification: Certification, definition: Definition, completed_on: date,
    previous: CertificationCycle | None, today: date,
) -> CertificationCycle:  # fmt: skip
    """Record a new cycle completed on `completed_on`, archiving the one it renews."""
    valid_until = next_valid_until(
        definition.expiry_base,
        completed_on,
        definition.validity_months,
        as_cycle(previous) if previous else None,
    )
    if previous is not None:
        previous.state = CycleState.SUPERSEDED
        previous.superseded_at = utcnow()
    cycle = CertificationCycle(
        user_id=user.id,
        certification_id=certification.id,
        certification_version_id=certification.current_version_id,
        organisation_id=user.organisation_id,
        certified_on=completed_on,
        valid_until=valid_until,
        verification_code=new_verification_code(),
        evidence={"completed_on": completed_on.isoformat(), "renews": previous.id if previous else None},
    )
    db.session.add(cycle)
    db.session.flush()
    action = "certification.renewed" if previous else "certification.certified"
    details = {
        "certification": certification.slug,
        "version": definition.version,
        "certified_on": completed_on.isoformat(),
        "valid_until": valid_until.isoformat(),
        "why": "the refresher path was completed" if previous else "every requirement was met",
    }
    _audit(None, user.organisation_id, action, cycle, details)
    return cycle


def new_verification_code() -> str:
    """About 128 bits, in letters and digits that are easy to read aloud and type from paper."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(26))


def revoke(cycle: CertificationCycle, by: User, reason: str, today: date | None = None) -> None:
    today = today or local_today()
    cycle.state = CycleState.REVOKED
    cycle.revoked_on = today
    cycle.revoked_reason = reason[:500]
    _audit(by, cycle.organisation_id, "certification.revoked", cycle, {"why": reason})


def require_renewal_after_major_version(
    module: Module, version: ModuleVersion, today: date | None = None
) -> int:
    """A major version of a module asks every holder of a certification that requires it to renew within
    the certification's grace period; returns how many cycles it touched (each one audited)."""
    today = today or local_today()
    published_on = version.created_at.astimezone(LOCAL_TIMEZONE).date()
    touched = 0
    for certification, cycle, renew_by in _holders_to_renew(module.slug, published_on, today):
        cycle.renew_by = renew_by
        cycle.renewal_required_on = today
        why = f"major version {version.version} of the module {module.slug}"
        _audit(None, cycle.organisation_id, "certification.renewal_required", cycle,
               {"why": why, "renew_by": cycle.renew_by.isoformat(), "certification": certification.slug})  # fmt: skip
        touched += 1
    return touched


def renewals_after_major_version(module_slug: str, today: date | None = None) -> int:
    """How many holders a major version of the module published today would send into renewal."""
    today = today or local_today()
    return sum(1 for _ in _holders_to_renew(module_slug, today, today))


def _holders_to_renew(module_slug: str, certified_before: date, today: date):
    """(certification, cycle, new renew-by day) for each active cycle a major module version shortens."""
    for certification in active_certifications():
        definition = definition_of(certification.current_version)
        if module_slug not in definition.modules:
            continue
        renew_by = today + timedelta(days=definition.major_version_grace_days)
        holders = db.session.scalars(
            sa.select(CertificationCycle).where(
                CertificationCycle.certification_id == certification.id,
                CertificationCycle.state == CycleState.ACTIVE,
                CertificationCycle.certified_on < certified_before,
            )
        )
        for cycle in holders:
            if cycle.renew_by is None or cycle.renew_by > renew_by:
                yield certification, cycle, min(renew_by, cycle.valid_until)


@module_completed.connect
def _on_module_completed(_module: object, user_id: int) -> None:
    evaluate(user_id)


@quiz_passed.connect
def _on_quiz_passed(_attempt: object, user_id: int, section: object) -> None:
    evaluate(user_id)  # a renewal may need nothing but a new pass


@exercise_passed.connect
def _on_exercise_passed(_run: object, user_id: int, scenario: str) -> None:
    evaluate(user_id)


# Status


@dataclass(frozen=True)
class Cell:
    """One person's standing in one certification, with the records it was derived from."""

    standing: Standing
    cycle: CertificationCycle | None
    assignment: Assignment | None


def standings(
    user_ids: Iterable[int], certifications: list[Certification], today: date | None = None
) -> dict[tuple[int, int], Cell]:
    """Every (person, certification) pair that is assigned or held, in three queries whatever the size."""
    ids = list(user_ids)
    cert_ids = [c.id for c in certifications]
    assignments = {
        (a.user_id, a.certification_id): a
        for a in db.session.scalars(
            sa.select(Assignment)
            .where(
                Assignment.user_id.in_(ids),
                Assignment.certification_id.in_(cert_ids),
                Assignment.ended_at.is_(None),
            )
            .order_by(Assignment.due_on.desc())
        )
    }
    cycles: dict[tuple[int, int], CertificationCycle] = {}
    for cycle in db.session.scalars(
        sa.select(CertificationCycle)
        .where(
            CertificationCycle.user_id.in_(ids),
            CertificationCycle.certification_id.in_(cert_ids),
            CertificationCycle.state != CycleState.SUPERSEDED,
        )
        .order_by(CertificationCycle.id)
    ):
        cycles[(cycle.user_id, cycle.certification_id)] = cycle  # the latest wins
    return _cells(certifications, assignments, cycles, _started_modules(ids), today or local_today())


def standings_of(
    user: User, today: date | None = None
) -> tuple[list[Certification], dict[tuple[int, int], Cell]]:
    """active_certifications(the person's organisation) and standings([the person], them), in one query,
    and one more only when some certification is not held."""
    certifications: dict[int, Certification] = {}
    assignments: dict[tuple[int, int], Assignment] = {}
    cycles: dict[tuple[int, int], CertificationCycle] = {}
    rows = db.session.execute(_STANDINGS_OF, {"user_id": user.id, "organisation_id": user.organisation_id})
    for certification, assignment, cycle in rows:
        certifications[certification.id] = certification
        if assignment is not None:
            assignments[(user.id, certification.id)] = assignment
        if cycle is not None:
            cycles[(user.id, certification.id)] = cycle
    keys = assignments.keys() | cycles.keys()
    started = _started_modules([user.id]) if keys - cycles.keys() else {}  # only the uncertified need it
    in_force = list(certifications.values())
    return in_force, _cells(in_force, assignments, cycles, started, today or local_today())


def _standings_of_query() -> sa.Select:
    """The certifications in force in an organisation, each with the person's open assignments and
    cycles (not archived ones), ordered so that the same ones win as in standings. Built once: the
    parameters are user_id and organisation_id."""
    user_id = sa.bindparam("user_id")
    return (
        _in_force(sa.bindparam("organisation_id"))
        .add_columns(Assignment, CertificationCycle)
        .outerjoin(
            Assignment,
            sa.and_(
                Assignment.certification_id == Certification.id,
                Assignment.user_id == user_id,
                Assignment.ended_at.is_(None),
            ),
        )
        .outerjoin(
            CertificationCycle,
            sa.and_(
                CertificationCycle.certification_id == Certification.id,
                CertificationCycle.user_id == user_id,
                CertificationCycle.state != CycleState.SUPERSEDED,
            ),
        )
        .order_by(Assignment.due_on.desc(), CertificationCycle.id)
    )


_STANDINGS_OF = _standings_of_query()


def _cells(
    certifications: list[Certification],
    assignments: dict[tuple[int, int], Assignment],
    cycles: dict[tuple[int, int], CertificationCycle],
    started: dict[int, set[str]],
    today: date,
) -> dict[tuple[int, int], Cell]:
    definitions = {c.id: definition_of(c.current_version) for c in certifications}
    cells = {}
    for key in assignments.keys() | cycles.keys():
        user_id, cert_id = key
        cycle, assignment = cycles.get(key), assignments.get(key)
        definition = definitions[cert_id]
        done = len(definition.modules & started.get(user_id, set()))
        standing = derive_status(
            today, as_cycle(cycle) if cycle else None, definition.window_days,
            assignment.due_on if assignment else None, done,
        )  # fmt: skip
        cells[key] = Cell(standing, cycle, assignment)
    return cells


def _started_modules(user_ids: list[int]) -> dict[int, set[str]]:
    """The slugs of the modules in which each person has started or done a section."""
    started: dict[int, set[str]] = defaultdict(set)
    rows = db.session.execute(
        sa.select(SectionProgress.user_id, Module.slug)
        .join(SectionVersion, SectionVersion.id == SectionProgress.section_version_id)
        .join(Module, Module.id == SectionVersion.module_id)
        .where(SectionProgress.user_id.in_(user_ids))
        .distinct()
    )
    for user_id, slug in rows:
        started[user_id].add(slug)
    return started
