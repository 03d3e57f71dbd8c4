"""`flask demo seed --size national` at a tiny scale: the counts it promises, the same rows for the same
seed, and data the portal's own code agrees with (rules, grading, the engine, the manager's matrix)."""

import functools
import hashlib
import random
from datetime import date

import pytest
import sqlalchemy as sa

from portal.assessment import services as quizzes
from portal.certification.services import apply_rules
from portal.demo.national import NATIONAL, Profile, moment, seed_national
from portal.extensions import db
from portal.models import (
    Assignment,
    AttemptStatus,
    CertificationCycle,
    Membership,
    Organisation,
    QuizAnswer,
    QuizAttempt,
    SectionVersion,
    SimulationRun,
    Unit,
    User,
)
from portal.simulator import services as simulator
from tests.competence.conftest import table
from tests.conftest import sign_in

TODAY = date(2026, 3, 2)
TINY = 0.001  # 1 municipality, 20 people, 5 exercise runs
CONTENT_TABLES = {
    "module",
    "module_version",
    "section_version",
    "module_version_section",
    "quiz_version",
    "certification",
    "certification_version",
}


@functools.cache
def _content_sources(app_config_root: str):
    from pathlib import Path

    from portal.content.loader import load_modules

    return load_modules(Path(app_config_root))


@pytest.fixture
def synced(app):
    """The national content, as `flask content sync` leaves it."""
    from portal.certification.sync import certifications_root, load_certifications, sync_certifications
    from portal.content.sync import content_root, sync_modules

    sources = _content_sources(str(content_root(app.config)))
    sync_modules(sources)
    sync_certifications(load_certifications(certifications_root(app.config), {s.slug for s in sources}))
    db.session.commit()


@pytest.fixture
def national(synced):
    """Two small municipalities, so that crossing from one into the other would show."""
    seed_national(seed=3, today=TODAY, base=Profile(organisations=2, people=80, simulation_runs=10))
    db.session.commit()


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_every_count_is_multiplied_by_the_scale():
    assert NATIONAL == Profile(organisations=20, people=20_000, simulation_runs=5_000)
    assert NATIONAL.scaled(2.0) == Profile(40, 40_000, 10_000)
    assert NATIONAL.scaled(0.1) == Profile(2, 2_000, 500)
    assert NATIONAL.scaled(TINY) == Profile(1, 20, 5)


def test_without_synced_content_it_says_so_and_writes_nothing(runner):
    result = runner.invoke(args=["demo", "seed", "--size", "national", "--scale", str(TINY)])
    assert result.exit_code == 1
    assert "flask content sync" in result.output
    assert count(User) == 0
    assert count(Organisation) == 0


def test_counts_as_promised_and_a_second_run_is_refused(synced, runner):
    args = [
        "demo",
        "seed",
        "--size",
        "national",
        "--scale",
        str(TINY),
        "--seed",
        "3",
        "--today",
        "2026-03-02",
    ]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert (count(Organisation), count(User), count(SimulationRun)) == (1, 20, 5)
    reported = dict(line.strip().split(": ") for line in result.output.splitlines()[1:-1])
    assert int(reported["people"]) == count(User)
    for label, model in (
        ("memberships", Membership),
        ("assignments", Assignment),
        ("certification cycles", CertificationCycle),
        ("quiz attempts", QuizAttempt),
        ("quiz answers", QuizAnswer),
    ):
        assert int(reported[label]) == count(model) > 0, label
    assert count(CertificationCycle) >= count(User), "a history, not one cycle each"
    assert count(QuizAnswer) >= 20 * count(User), "about 50 answers a person at any scale"

    again = runner.invoke(args=args)
    assert again.exit_code == 1
    assert "already holds the national data set (seed 3, scale 0.001, as of 2026-03-02)" in again.output
    assert count(User) == 20


def checksum() -> str:
    """Every row the seed wrote, in primary-key order (the shared password hash is salted afresh)."""
    digest = hashlib.sha256()
    for table_ in db.metadata.sorted_tables:
        if table_.name in CONTENT_TABLES:
            continue
        columns = [c for c in table_.columns if c.name != "password_hash"]
        rows = db.session.execute(sa.select(*columns).order_by(*table_.primary_key.columns))
        plain = [tuple(sorted(v) if isinstance(v, frozenset) else v for v in row) for row in rows]  # roles
        digest.update(f"{table_.name}:{plain!r}".encode())
    return digest.hexdigest()


def empty_all_but_content() -> None:
    for table_ in reversed(db.metadata.sorted_tables):
        if table_.name not in CONTENT_TABLES:
            db.session.execute(table_.delete())
    db.session.commit()


def test_the_same_seed_gives_the_same_rows(synced):
    def seeded(seed: int) -> str:
        empty_all_but_content()
        seed_national(scale=TINY, seed=seed, today=TODAY)
        db.session.commit()
        return checksum()

    first = seeded(3)
    assert count(QuizAnswer) > 0
    assert seeded(3) == first
    assert seeded(4) != first


def test_the_data_is_coherent(national):
    assert count(Organisation) == 2
    for membership in db.session.scalars(sa.select(Membership)):
        assert db.session.get(Unit, membership.unit_id).organisation_id == membership.user.organisation_id

    assigned = set(db.session.execute(sa.select(Assignment.user_id, Assignment.certification_id)).all())
    cycles = db.session.scalars(sa.select(CertificationCycle)).all()
    assert cycles
    assert all((c.user_id, c.certification_id) in assigned for c in cycles)
    report = apply_rules(TODAY)
    assert (report.added, report.ended) == (0, 0), "the rules would assign exactly what was assigned"
    db.session.rollback()
    for person in db.session.scalars(sa.select(User).where(User.active.is_(False))):
        left = max(m.ended_on for m in person.memberships)
        assert all(m.ended_on for m in person.memberships)
        assert all(a.ended_at for a in db.session.scalars(sa.select(Assignment).filter_by(user_id=person.id)))
        assert all(c.certified_on <= left for c in cycles if c.user_id == person.id), "nothing after leaving"

    attempts = db.session.scalars(
        sa.select(QuizAttempt)
        .where(QuizAttempt.status == AttemptStatus.SUBMITTED)
        .order_by(QuizAttempt.user_id, QuizAttempt.quiz_version_id, QuizAttempt.number)
    ).all()
    failed_in_a_row: dict[tuple[int, int], int] = {}
    for attempt in attempts:
        key = (attempt.user_id, attempt.quiz_version_id)
        failed_in_a_row[key] = 0 if attempt.passed else failed_in_a_row.get(key, 0) + 1
        allowed = quizzes.quiz_of(attempt.quiz_version).attempts_allowed
        assert allowed is None or failed_in_a_row[key] <= allowed, "more attempts than the quiz allows"
        section = db.session.get(SectionVersion, attempt.section_version_id)
        assert section.quiz_version_id == attempt.quiz_version_id
        quiz = quizzes.quiz_of(attempt.quiz_version)
        assert list(quizzes.draw_of(attempt, quiz).question_ids) == attempt.question_ids
        assert set(quizzes.responses_of(attempt)) == set(attempt.question_ids)
        result = quizzes.result_of(attempt, quiz)  # graded again from the stored answers
        assert (result.percent, result.passed) == (attempt.percent, attempt.passed)

    finished = db.session.scalars(
        sa.select(SimulationRun).where(SimulationRun.finished_at.is_not(None))
    ).all()
    assert finished
    for run in finished:
        state = simulator.live(run)  # the stored inputs played through the engine again
        result = simulator.score(state.scenario, state.events, simulator.role_of(run))
        assert (result.percent, simulator.is_pass(result)) == (run.percent, run.passed)


def test_a_generated_managers_matrix_shows_the_people_of_their_units(national, client):
    manager = db.session.scalar(sa.select(User).where(User.username.like("%.vc")))
    units = [u.id for u in manager.managed_units]
    expected = db.session.scalars(
        sa.select(User.full_name)
        .where(User.active, User.id.in_(sa.select(Membership.user_id).where(
            Membership.unit_id.in_(units), Membership.ended_on.is_(None))))
    ).all()  # fmt: skip
    assert len(expected) > 10
    sign_in(client, manager)
    response = client.get("/competence/")
    assert response.status_code == 200
    # Generated people have no language of their own: the page is in Swedish.
    shown = [row[0] for row in table(response.text, "Behörighetsstatus per person")[1:]]
    assert sorted(shown) == sorted(expected)


def test_a_weak_learner_still_passes_within_the_attempts_allowed(synced):
    """Certified people passed their quizzes: the last allowed attempt passes even for someone who
    would get nothing right, so no one in the data set is locked out of a quiz they were certified in."""
    from portal.demo.national import Dates, Learner, Person, Seeder, synced_content
    from portal.models import Role

    content = synced_content()
    module = next(m for m in content.modules.values() if m.quiz.quiz.attempts_allowed)
    seeder = Seeder(content, Dates.of(TODAY), seed=1, method="executemany")
    person = Person(1, 1, "weak", "Weak Learner", frozenset({Role.LEARNER}), TODAY)
    learner = Learner(person, random.Random(1), ability=0.0)
    assert seeder.quiz_round(learner, module, moment(TODAY, 600), must_pass=True) is not None
    written = seeder.writer.buffers[QuizAttempt.__table__]
    assert [a["passed"] for a in written] == [False] * (module.quiz.quiz.attempts_allowed - 1) + [True]
