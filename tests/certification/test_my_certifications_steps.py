"""The learner's certification pages load a person's evidence once (services.evidence_of) and one
query for their standings (services.standings_of), instead of asking the database per step and per
kind of record. These tests hold the bulk answers to per-step ones (a reference below, one query per
requirement, as the portal once asked; and standings) on varied histories: renewal windows, completions before and after a window opened, passed and failed
quizzes and exercises, minor and major module versions, a module without a current version."""

import random
from datetime import UTC, date, datetime, time, timedelta
from uuid import uuid4

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.certification.core import Requirement, RequirementKind, Status, renewal_window_opens
from portal.certification.learner import my_certifications, my_standings
from portal.certification.services import (
    active_certifications,
    as_cycle,
    evidence_of,
    local_today,
    standings,
    standings_of,
)
from portal.certification.sync import load_certifications, sync_certifications
from portal.content.loader import load_modules
from portal.content.sync import sync_modules
from portal.extensions import db
from portal.i18n import LOCAL_TIMEZONE
from portal.models import (
    Assignment,
    AssignmentSource,
    AttemptStatus,
    Certification,
    CertificationCycle,
    CycleState,
    Module,
    ModuleCompletion,
    ModuleVersion,
    ProgressStatus,
    QuizAttempt,
    QuizVersion,
    RunMode,
    SectionProgress,
    SimulationRun,
)
from tests.content.builders import write_module, write_quiz_module

CERTIFICATION = """\
title: {sv: Larmbehörighet, en: Alarm authorisation}
version: "1.0"
requirements:
  - module: prov
  - module: grund
  - exercise: ovning-a
renewal:
  - module: prov
  - exercise: ovning-a
window_days: 60
"""
SECOND = """\
title: {sv: Nattbehörighet, en: Night authorisation}
version: "1.0"
requirements:
  - module: grund
"""
TODAY = local_today()
MODULE = RequirementKind.MODULE
EXERCISE = RequirementKind.EXERCISE
# Every kind of reference, with refs nothing names: a missing module or scenario is never done.
REQUIREMENTS = [
    Requirement(MODULE, "prov"), Requirement(MODULE, "grund"), Requirement(MODULE, "saknas"),
    Requirement(EXERCISE, "ovning-a"), Requirement(EXERCISE, "ovning-b"), Requirement(EXERCISE, "saknas"),
]  # fmt: skip
LOCAL_TIMES = [time(0, 0), time(0, 30), time(12, 0), time(23, 30), time(23, 59, 59)]  # around midnight


@pytest.fixture
def world(app, tmp_path, org, make_unit, make_user):
    modules, certifications = tmp_path / "modules", tmp_path / "certifications"
    modules.mkdir()
    certifications.mkdir()
    write_quiz_module(modules)
    write_module(modules, slug="grund")
    (certifications / "larm.yaml").write_text(CERTIFICATION, encoding="utf-8")
    (certifications / "natt.yaml").write_text(SECOND, encoding="utf-8")
    sync_modules(load_modules(modules))
    sync_certifications(load_certifications(certifications, {"prov", "grund"}))
    db.session.commit()
    return modules, make_unit(org)


def publish_prov(modules, version: str) -> None:
    write_quiz_module(modules, version=version)
    (modules / "prov" / "01-start.md").write_text(f"---\ntitle: Start\n---\nVersion {version}.\n")
    sync_modules(load_modules(modules))
    db.session.commit()


def moment(day: date, at: time = time(10, 0)) -> datetime:
    return datetime.combine(day, at, tzinfo=LOCAL_TIMEZONE).astimezone(UTC)


def quiz_section(slug: str = "prov"):
    module = db.session.scalar(sa.select(Module).where(Module.slug == slug))
    return next(s for s in module.current_version.sections if s.quiz_version_id)


def complete(person, version_id: int, at: datetime) -> None:
    db.session.add(ModuleCompletion(user_id=person.id, module_version_id=version_id, completed_at=at))


def attempt(person, at: datetime | None, passed: bool | None, submitted: bool = True) -> None:
    section = quiz_section()
    number = 1 + db.session.scalar(
        sa.select(sa.func.count(QuizAttempt.id)).where(QuizAttempt.user_id == person.id)
    )
    db.session.add(
        QuizAttempt(
            user_id=person.id, quiz_version_id=section.quiz_version_id, section_version_id=section.id,
            number=number, seed=number, question_ids=[],
            status=AttemptStatus.SUBMITTED if submitted else AttemptStatus.IN_PROGRESS,
            started_at=at or moment(TODAY), submitted_at=at if submitted else None,
            percent=100.0 if passed else 10.0, passed=passed,
        )
    )  # fmt: skip


def exercise(person, scenario: str, at: datetime | None, passed: bool | None, mode=RunMode.EXERCISE) -> None:
    db.session.add(
        SimulationRun(
            id=uuid4().hex, scenario_slug=scenario, scenario_version=1, seed=1, mode=mode, role="home_care",
            user_id=person.id, client_key="test", virtual_now=at or moment(TODAY), finished_at=at,
            passed=passed, percent=80 if passed else 20,
        )
    )  # fmt: skip


def random_history(person, rng: random.Random, version_ids: list[int]) -> set[date]:
    """Completions of some of the versions, quiz attempts and exercise runs of every outcome, at times
    around midnight on days around TODAY; returns the days used."""
    days: set[date] = set()

    def some_moment() -> datetime:
        day = TODAY + timedelta(days=rng.randint(-90, 20))
        days.add(day)
        return moment(day, rng.choice(LOCAL_TIMES))

    for version_id in version_ids:
        if rng.random() < 0.6:
            complete(person, version_id, some_moment())
    for _ in range(rng.randint(0, 4)):
        submitted = rng.random() < 0.8
        attempt(person, some_moment(), rng.choice([True, False, None]), submitted)
    for _ in range(rng.randint(0, 5)):
        finished = rng.random() < 0.8
        exercise(person, rng.choice(["ovning-a", "ovning-b"]), some_moment() if finished else None,
                 rng.choice([True, False, None]), rng.choice([RunMode.EXERCISE, RunMode.EXERCISE, RunMode.DEMO]))  # fmt: skip
    db.session.commit()
    return days


# The reference: each requirement asked of the database on its own, written as plainly as the rules read.


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_TIMEZONE)


def module_done_on(user_id: int, slug: str, since: date | None = None) -> date | None:
    """The day the person last completed the module's current major version, or (for a renewal, with
    `since`) passed its quiz on or after `since`; None when there is no such evidence."""
    module = db.session.scalar(
        sa.select(Module).where(Module.slug == slug).options(joinedload(Module.current_version))
    )
    if module is None or module.current_version is None:
        return None
    major = module.current_version.version.split(".")[0]
    completions = db.session.scalars(
        sa.select(ModuleCompletion.completed_at)
        .join(ModuleVersion, ModuleVersion.id == ModuleCompletion.module_version_id)
        .where(
            ModuleCompletion.user_id == user_id,
            ModuleVersion.module_id == module.id,
            ModuleVersion.version.like(f"{major}.%"),
        )
    ).all()
    days = [moment.astimezone(LOCAL_TIMEZONE).date() for moment in completions]
    if since is not None:
        passes = db.session.scalars(
            sa.select(QuizAttempt.submitted_at)
            .join(QuizVersion, QuizVersion.id == QuizAttempt.quiz_version_id)
            .where(
                QuizAttempt.user_id == user_id,
                QuizVersion.module_id == module.id,
                QuizAttempt.status == AttemptStatus.SUBMITTED,
                QuizAttempt.passed.is_(True),
                QuizAttempt.submitted_at >= _start_of(since),
            )
        ).all()
        days = [day for day in days if day >= since] + [m.astimezone(LOCAL_TIMEZONE).date() for m in passes]
    return max(days) if days else None


def exercise_done_on(user_id: int, scenario: str, since: date | None = None) -> date | None:
    """The last day `user_id` passed an exercise of `scenario` (on or after `since`)."""
    query = sa.select(sa.func.max(SimulationRun.finished_at)).where(
        SimulationRun.user_id == user_id,
        SimulationRun.scenario_slug == scenario,
        SimulationRun.mode == RunMode.EXERCISE,
        SimulationRun.passed.is_(True),
    )
    if since is not None:
        query = query.where(SimulationRun.finished_at >= _start_of(since))
    last = db.session.scalar(query)
    return None if last is None else last.astimezone(LOCAL_TIMEZONE).date()


def requirement_done_on(user_id: int, requirement: Requirement, since: date | None = None) -> date | None:
    if requirement.kind is RequirementKind.MODULE:
        return module_done_on(user_id, requirement.ref, since)
    return exercise_done_on(user_id, requirement.ref, since)


def assert_evidence_answers_as_requirement_done_on(person, days: set[date]) -> int:
    sinces = [None, *sorted({day + timedelta(days=shift) for day in days for shift in (-1, 0, 1)})]
    evidence = evidence_of(person.id, REQUIREMENTS)
    done = 0
    for requirement in REQUIREMENTS:
        for since in sinces:
            expected = requirement_done_on(person.id, requirement, since)
            assert evidence.done_on(requirement, since) == expected, (requirement, since)
            done += expected is not None
    return done


def test_the_evidence_loaded_at_once_answers_as_requirement_done_on(world, make_user):
    modules, unit = world
    versions = [db.session.scalar(sa.select(Module.current_version_id).where(Module.slug == "prov"))]
    publish_prov(modules, "1.1")  # a minor version: completions of 1.0 still count
    versions += [db.session.scalar(sa.select(Module.current_version_id).where(Module.slug == "prov"))]
    versions += [db.session.scalar(sa.select(Module.current_version_id).where(Module.slug == "grund"))]
    people = [(make_user(unit.organisation, unit=unit), random.Random(seed)) for seed in range(8)]
    days = {person.id: random_history(person, rng, versions) for person, rng in people}
    found = sum(assert_evidence_answers_as_requirement_done_on(p, days[p.id]) for p, _ in people)

    publish_prov(modules, "2.0")  # a major version: only its own completions count, passes still do
    newest = db.session.scalar(sa.select(Module.current_version_id).where(Module.slug == "prov"))
    for person, rng in people:
        days[person.id] |= random_history(person, rng, [newest])
        found += assert_evidence_answers_as_requirement_done_on(person, days[person.id])

    prov, grund = (
        db.session.scalar(sa.select(Module).where(Module.slug == slug)) for slug in ("prov", "grund")
    )
    prov.current_version_id = None  # nothing counts for it any more, neither completions nor passes
    grund.is_active = False  # a retired module's evidence still counts
    db.session.commit()
    for person, _rng in people:
        found += assert_evidence_answers_as_requirement_done_on(person, days[person.id])
    assert found > 100, "the histories left evidence to compare, not only None"


def certify(person, slug: str, certified_on: date, valid_until: date, **fields) -> CertificationCycle:
    certification = db.session.scalar(sa.select(Certification).where(Certification.slug == slug))
    cycle = CertificationCycle(
        user_id=person.id, certification_id=certification.id, organisation_id=person.organisation_id,
        certification_version_id=certification.current_version_id, certified_on=certified_on,
        valid_until=valid_until, verification_code=uuid4().hex[:26], **fields,
    )  # fmt: skip
    db.session.add(cycle)
    db.session.commit()
    return cycle


def assign(person, slug: str, due_on: date | None, **fields) -> Assignment:
    certification = db.session.scalar(sa.select(Certification).where(Certification.slug == slug))
    assignment = Assignment(user_id=person.id, certification_id=certification.id, source=AssignmentSource.MANUAL,
                            due_on=due_on, **fields)  # fmt: skip
    db.session.add(assignment)
    db.session.commit()
    return assignment


def test_a_renewing_learner_sees_only_what_they_did_since_the_window_opened(world, make_user, client, login):
    _modules, unit = world
    anna = make_user(unit.organisation, unit=unit)
    cycle = certify(anna, "larm", TODAY - timedelta(days=700), TODAY + timedelta(days=30))
    opens = renewal_window_opens(as_cycle(cycle), 60)
    assert opens == TODAY - timedelta(days=30)
    prov = db.session.scalar(sa.select(Module.current_version_id).where(Module.slug == "prov"))
    complete(anna, prov, moment(opens - timedelta(days=5)))  # before the window: not a renewal
    attempt(anna, moment(opens + timedelta(days=2), time(0, 0)), passed=True)  # a pass in it: renews
    attempt(anna, moment(opens + timedelta(days=6)), passed=False)
    exercise(anna, "ovning-a", moment(opens - timedelta(days=1), time(23, 59, 59)), passed=True)  # too early
    exercise(anna, "ovning-a", moment(opens + timedelta(days=3)), passed=False)
    exercise(anna, "ovning-a", moment(opens + timedelta(days=4)), passed=True, mode=RunMode.DEMO)
    db.session.commit()

    (mine,) = my_certifications(anna, TODAY)
    assert mine.cell.standing.status is Status.WINDOW_OPEN
    assert mine.is_renewing
    assert [(s.requirement.ref, s.done_on) for s in mine.steps] == [
        ("prov", opens + timedelta(days=2)),
        ("ovning-a", None),
    ]
    assert [s.done_on for s in mine.steps] == [
        requirement_done_on(anna.id, s.requirement, opens) for s in mine.steps
    ]
    assert mine.remaining == 1
    assert mine.steps[0].module.current_version.title["sv"] == "Grunder prov"
    login(anna)
    page = client.get("/learning/certifications").text
    assert "Att förnya" in page

    exercise(anna, "ovning-a", moment(opens), passed=True)  # on the day the window opened: counts
    db.session.commit()
    (mine,) = my_certifications(anna, TODAY)
    assert [s.done_on for s in mine.steps] == [opens + timedelta(days=2), opens]
    assert mine.remaining == 0


def test_a_first_certification_counts_evidence_of_any_day(world, make_user):
    _modules, unit = world
    anna = make_user(unit.organisation, unit=unit)
    assign(anna, "larm", TODAY + timedelta(days=20))
    grund = db.session.scalar(sa.select(Module.current_version_id).where(Module.slug == "grund"))
    complete(anna, grund, moment(TODAY - timedelta(days=400)))
    exercise(anna, "ovning-a", moment(TODAY - timedelta(days=3)), passed=True)
    attempt(anna, moment(TODAY - timedelta(days=1)), passed=True)  # a pass alone is no completion
    db.session.commit()
    (mine,) = my_certifications(anna, TODAY)
    assert not mine.is_renewing
    assert [(s.requirement.ref, s.done_on) for s in mine.steps] == [
        ("prov", None),
        ("grund", TODAY - timedelta(days=400)),
        ("ovning-a", TODAY - timedelta(days=3)),
    ]
    assert [s.done_on for s in mine.steps] == [
        requirement_done_on(anna.id, s.requirement) for s in mine.steps
    ]


def cells_summary(cells) -> dict:
    return {
        key: (cell.standing, cell.cycle and cell.cycle.id, cell.assignment and cell.assignment.id)
        for key, cell in cells.items()
    }


def test_one_persons_standings_in_one_query_are_standings(world, make_user, make_org):
    _modules, unit = world
    organisation = unit.organisation
    local = db.session.scalar(sa.select(Certification).where(Certification.slug == "natt"))
    person = lambda: make_user(organisation, unit=unit)  # noqa: E731
    nobody, assigned, started, overdue, twice, certified, renewing, expired, revoked, moved = (
        person() for _ in range(10)
    )
    assign(assigned, "larm", TODAY + timedelta(days=10))
    assign(started, "larm", TODAY + timedelta(days=10))
    section = quiz_section()
    db.session.add(
        SectionProgress(user_id=started.id, section_version_id=section.id, status=ProgressStatus.STARTED)
    )
    assign(overdue, "larm", TODAY - timedelta(days=1))
    assign(overdue, "natt", None)
    assign(twice, "larm", TODAY + timedelta(days=5))  # the first one due wins, whatever the rows' order
    assign(twice, "larm", TODAY + timedelta(days=40))
    certify(certified, "larm", TODAY - timedelta(days=170), TODAY + timedelta(days=500))
    # An archived cycle is never the standing, even as the latest row.
    certify(
        certified,
        "larm",
        TODAY - timedelta(days=900),
        TODAY - timedelta(days=170),
        state=CycleState.SUPERSEDED,
    )
    assign(certified, "natt", TODAY + timedelta(days=3), ended_at=moment(TODAY))  # ended: not shown
    certify(renewing, "larm", TODAY - timedelta(days=600), TODAY + timedelta(days=100),
            renew_by=TODAY + timedelta(days=20), renewal_required_on=TODAY - timedelta(days=2))  # fmt: skip
    certify(renewing, "natt", TODAY - timedelta(days=700), TODAY + timedelta(days=10))
    certify(expired, "larm", TODAY - timedelta(days=800), TODAY - timedelta(days=1))
    certify(revoked, "larm", TODAY - timedelta(days=100), TODAY + timedelta(days=600),
            state=CycleState.REVOKED, revoked_on=TODAY - timedelta(days=4))  # fmt: skip
    certify(moved, "natt", TODAY - timedelta(days=10), TODAY + timedelta(days=700))
    local.organisation_id = organisation.id  # a local certification: for this organisation's people only
    outsider = make_user(make_org())
    db.session.commit()

    statuses = set()
    for someone in (nobody, assigned, started, overdue, twice, certified, renewing, expired, revoked, moved):
        certifications, cells = standings_of(someone, TODAY)
        expected = active_certifications(someone.organisation_id)
        assert [c.id for c in certifications] == [c.id for c in expected]
        assert cells_summary(cells) == cells_summary(standings([someone.id], expected, TODAY))
        mine, full = my_standings(someone, TODAY), my_certifications(someone, TODAY)
        assert [(m.certification.id, m.cell) for m in mine] == [(m.certification.id, m.cell) for m in full]
        statuses |= {cell.standing.status for cell in cells.values()}
    assert statuses == set(Status), "every status was compared"
    assert standings_of(nobody, TODAY)[1] == {}
    assert [c.slug for c in standings_of(outsider, TODAY)[0]] == ["larm"]
