"""The database goes away while learners hand in their quizzes, and comes back.

Real gunicorn (2 workers) on a PostgreSQL database of the test's own, with the national content synced
and the demo seeded; learners take the quiz of *Att åtgärda ett larm* over HTTP from several threads, each
one quiz away from the certification *Trygghetslarm för hemtjänst*, so that every hand-in also issues a
certificate. In the middle of it the database goes away (BlockedDatabase, or with FAULTS_PG_CLUSTER a
real stop of a cluster of one's own) at the worst moment: while a hand-in is deep in its transaction
(held there by a lock on the audit trail, so this happens every run, not by chance). Then it comes back,
and the learners carry on; then the pooled connections die once more between two requests (a restart
nobody was there to see).

Needs TEST_DATABASE_URL (skipped without it).
"""

import os
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.app import create_app
from portal.assessment.services import quiz_of
from portal.auth.passwords import hash_password
from portal.certification.core import RequirementKind
from portal.certification.services import definition_of
from portal.extensions import db
from portal.models import (
    AttemptStatus,
    AuditEvent,
    Certification,
    CertificationCycle,
    CycleState,
    Module,
    ModuleCompletion,
    ProgressStatus,
    QuizAnswer,
    QuizAttempt,
    RunMode,
    SectionKind,
    SectionProgress,
    SimulationRun,
    User,
    utcnow,
)
from tests.conftest import TEST_DATABASE_URL, base_config
from tests.faults.live_portal import (
    BlockedDatabase,
    Gunicorn,
    Journal,
    Learner,
    ScenarioDatabase,
    StoppedCluster,
    environment,
    take_quizzes,
)

pytestmark = [pytest.mark.faults, pytest.mark.postgres]

MODULE = "att-atgarda-ett-larm"
CERTIFICATION = "trygghetslarm-for-hemtjanst"
PASSWORD = "Fel-i-databasen-2026"
DESKS = 4  # learners at once
LEARNERS = 12  # through the outage
OUTAGE_AFTER = 4  # hand-ins acknowledged before the database goes away
OUTAGE_503S = 2 * DESKS  # refused requests seen before it comes back
LEARNERS_AFTER_RESTART = DESKS


@pytest.fixture
def scenario_database():
    if not TEST_DATABASE_URL:
        pytest.skip("TEST_DATABASE_URL is not set: no PostgreSQL to take away")
    database = ScenarioDatabase(TEST_DATABASE_URL)
    database.create()
    yield database
    database.drop()


def prepare(url: str, learners: int):
    """The demo on `url` (content synced, Exempelkommun seeded with `learners` more employees), each of
    them with everything of the certification done but the module's quiz; returns the quiz."""
    app = create_app(base_config(url))
    runner = app.test_cli_runner()
    with app.app_context():
        db.create_all()
        for command in (["content", "sync"], ["demo", "seed", "--bulk-staff", str(learners)]):
            result = runner.invoke(args=command)
            assert result.exit_code == 0, result.output
        people = list(db.session.scalars(sa.select(User).where(User.username.like("bulk-%"))))
        db.session.execute(
            sa.update(User).where(User.username.like("bulk-%")).values(password_hash=hash_password(PASSWORD))
        )
        _all_but_the_quiz(people)
        db.session.commit()
        module = db.session.scalar(sa.select(Module).where(Module.slug == MODULE))
        quiz = quiz_of(
            next(s for s in module.current_version.sections if s.kind is SectionKind.QUIZ).quiz_version
        )
        db.session.remove()
        db.engine.dispose()
    return app, quiz


def _all_but_the_quiz(people: list[User]) -> None:
    """The other four modules completed, both exercises passed, and every section of this module but
    its quiz done: passing the quiz completes the module and issues the certificate."""
    certification = db.session.scalar(sa.select(Certification).where(Certification.slug == CERTIFICATION))
    requirements = definition_of(certification.current_version).requirements
    modules = {m.slug: m for m in db.session.scalars(sa.select(Module))}
    other_modules = [r.ref for r in requirements if r.kind is RequirementKind.MODULE and r.ref != MODULE]
    exercises = [r.ref for r in requirements if r.kind is RequirementKind.EXERCISE]
    now = utcnow() - timedelta(days=1)
    sections = [s for s in modules[MODULE].current_version.sections if s.kind is not SectionKind.QUIZ]
    for person in people:
        db.session.add_all(
            ModuleCompletion(
                user_id=person.id, module_version_id=modules[slug].current_version_id, completed_at=now
            )
            for slug in other_modules
        )
        db.session.add_all(
            SimulationRun(
                id=f"f{person.id}x{n}",
                scenario_slug=slug,
                scenario_version=1,
                seed=n,
                mode=RunMode.EXERCISE,
                role="home_care",
                user_id=person.id,
                client_key="faults",
                virtual_now=now,
                finished_at=now,
                passed=True,
                percent=100,
            )
            for n, slug in enumerate(exercises)
        )
        db.session.add_all(
            SectionProgress(
                user_id=person.id, section_version_id=s.id, status=ProgressStatus.COMPLETED, completed_at=now
            )
            for s in sections
        )


def wait_for(condition, what: str, seconds: float = 60) -> None:
    """Wait for something the scenario needs before its next step (not a measurement: only a guard
    against waiting for ever)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def run_learners(server: Gunicorn, usernames: list[str], quiz, journal: Journal) -> list:
    learners = [Learner(server.base, name, PASSWORD, quiz, journal) for name in usernames]
    return take_quizzes(learners, DESKS, journal)


def join(threads: list) -> None:
    for thread in threads:
        thread.join(timeout=180)
        assert not thread.is_alive(), "a learner is still waiting for the portal"


def test_the_portal_survives_the_database_going_away_under_load(scenario_database, tmp_path):
    began = time.monotonic()
    app, quiz = prepare(scenario_database.url, LEARNERS + LEARNERS_AFTER_RESTART)
    prepared = time.monotonic()
    cluster = os.environ.get("FAULTS_PG_CLUSTER")
    outage = StoppedCluster(cluster) if cluster else BlockedDatabase(scenario_database)
    server = Gunicorn(environment(scenario_database.url, tmp_path / "instance"), tmp_path / "gunicorn.log")
    try:
        workers = server.worker_pids()
        usernames = [f"bulk-{n:05d}" for n in range(1, LEARNERS + LEARNERS_AFTER_RESTART + 1)]
        during, after = Journal(), Journal()

        threads = run_learners(server, usernames[:LEARNERS], quiz, during)
        wait_for(lambda: len(during.acknowledged) >= OUTAGE_AFTER or during.broken, "the first hand-ins")
        # The database goes away while a hand-in is deep in its transaction: graded, the module completed
        # and the certificate issued, waiting to write the audit trail (held locked until the outage).
        with scenario_database.table_locked("audit_event") as holder:
            wait_for(
                lambda: scenario_database.waiting_to("INSERT INTO audit_event") or during.broken,
                "a hand-in to reach the audit trail",
            )
            outage.begin(spare=holder)
        try:
            wait_for(
                lambda: len(during.unavailable()) >= OUTAGE_503S or during.broken, "requests to be refused"
            )
        finally:
            outage.end()
        join(threads)

        outage.restart()  # between requests: only the connections in the workers' pools are dead now
        join(run_learners(server, usernames[LEARNERS:], quiz, after))

        assert server.process.poll() is None, server.log_tail()
        assert server.worker_pids() == workers, "a gunicorn worker died and was replaced"
    finally:
        server.stop()

    assert during.broken == [], f"{during.broken}\n{server.log_tail()}"
    assert after.broken == [], f"{after.broken}\n{server.log_tail()}"
    refused = during.unavailable()
    assert len(refused) >= OUTAGE_503S
    assert all(e.retry_after and e.retry_after.isdigit() and int(e.retry_after) > 0 for e in refused)
    assert all(e.friendly for e in refused), "a 503 without the friendly page"
    assert any(e.path.startswith("/learning/") for e in refused), "no signed-in page met the outage"
    assert any(e.path.endswith("/submit") for e in refused), "no hand-in was cut off by the outage"
    assert {e.status for e in during.exchanges} <= {200, 302, 503}
    # The restart between requests costs nobody anything: each dead pooled connection is noticed when
    # it is checked out (pool_pre_ping) and replaced, before the request uses it.
    assert {e.status for e in after.exchanges} <= {200, 302}, [e for e in after.exchanges if e.status >= 400]

    acknowledged = during.acknowledged | after.acknowledged
    with app.app_context():
        check_every_attempt_whole()
        check_every_cycle_whole()
        stored = check_acknowledged_stored(acknowledged)
        db.session.remove()
        db.engine.dispose()
    print(  # for the record, not a measurement the test holds the portal to
        f"\n{len(acknowledged)} hand-ins acknowledged, {stored} stored and graded once, "
        f"{len(refused)} requests answered 503 during the outage; prepared in {prepared - began:.0f} s, "
        f"{time.monotonic() - began:.0f} s in all"
    )
    assert len(acknowledged) == stored == LEARNERS + LEARNERS_AFTER_RESTART


def check_every_attempt_whole() -> None:
    """Every attempt is either open and ungraded, or handed in and graded once, with every answer
    scored: never a status without its grade."""
    graded = dict(
        db.session.execute(
            sa.select(AuditEvent.subject_id, sa.func.count())
            .where(AuditEvent.action == "quiz.graded")
            .group_by(AuditEvent.subject_id)
        ).all()
    )
    unscored = set(db.session.scalars(sa.select(QuizAnswer.attempt_id).where(QuizAnswer.score.is_(None))))
    scored = set(db.session.scalars(sa.select(QuizAnswer.attempt_id).where(QuizAnswer.score.is_not(None))))
    for attempt in db.session.scalars(sa.select(QuizAttempt)):
        if attempt.status is AttemptStatus.IN_PROGRESS:
            assert (attempt.submitted_at, attempt.percent, attempt.passed) == (None, None, None), attempt.id
            assert attempt.id not in graded, attempt.id
            assert attempt.id not in scored, attempt.id
        else:
            assert None not in (attempt.submitted_at, attempt.percent, attempt.passed), attempt.id
            assert graded.get(attempt.id) == 1, f"attempt {attempt.id} graded {graded.get(attempt.id)} times"
            assert attempt.id not in unscored, attempt.id


def check_every_cycle_whole() -> None:
    """Every certification cycle has its code, dates and evidence, and its entry in the audit trail."""
    audited = set(
        db.session.scalars(
            sa.select(AuditEvent.subject_id).where(
                AuditEvent.subject_type == "certification_cycle",
                AuditEvent.action.in_(["certification.certified", "certification.renewed"]),
            )
        )
    )
    for cycle in db.session.scalars(sa.select(CertificationCycle)):
        assert cycle.verification_code, cycle.id
        assert cycle.valid_until > cycle.certified_on, cycle.id
        assert cycle.evidence.get("completed_on"), cycle.id
        assert cycle.id in audited, f"cycle {cycle.id} has no audit entry"


def check_acknowledged_stored(acknowledged: dict[str, int]) -> int:
    """Each acknowledged hand-in is stored, passed and graded, and has completed the module and issued
    the one certificate it earned; returns how many were checked."""
    stored = 0
    certification_id = db.session.scalar(
        sa.select(Certification.id).where(Certification.slug == CERTIFICATION)
    )
    module = db.session.scalar(sa.select(Module).where(Module.slug == MODULE))
    for username, attempt_id in acknowledged.items():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert attempt is not None, username
        assert attempt.user_id == user.id, username
        assert attempt.status is AttemptStatus.SUBMITTED, username
        assert attempt.passed, username
        attempts = db.session.scalar(
            sa.select(sa.func.count(QuizAttempt.id)).where(QuizAttempt.user_id == user.id)
        )
        assert attempts == 1, f"{username} has {attempts} attempts"
        completions = db.session.scalar(
            sa.select(sa.func.count(ModuleCompletion.id)).where(
                ModuleCompletion.user_id == user.id,
                ModuleCompletion.module_version_id == module.current_version_id,
            )
        )
        assert completions == 1, f"{username} completed the module {completions} times"
        cycles = list(
            db.session.scalars(
                sa.select(CertificationCycle).where(
                    CertificationCycle.user_id == user.id,
                    CertificationCycle.certification_id == certification_id,
                )
            )
        )
        assert [c.state for c in cycles] == [CycleState.ACTIVE], f"{username}: {cycles}"
        stored += 1
    return stored
