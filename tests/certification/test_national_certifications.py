"""Each of the four national certifications can be earned from the real content: someone in the unit
and position it is for is assigned it by its rule, completes its modules (every section, every quiz
passed) and passes its exercises in the alarm chain, and is certified by the signals alone."""

import random

import pytest
import sqlalchemy as sa

from portal.certification.services import apply_rules, local_today
from portal.demo.seed import take_quiz
from portal.extensions import db
from portal.learning.services import complete_section
from portal.models import (
    Assignment,
    Certification,
    CertificationCycle,
    Module,
    Position,
    RunMode,
    SectionKind,
    UnitKind,
)

# slug: (who it is for, the role each exercise is played in)
WHO = {
    "trygghetslarm-for-hemtjanst": (UnitKind.NIGHT_PATROL, Position.ASSISTANT_NURSE, "home_care"),
    "larmteam-installation-och-teknik": (UnitKind.ALARM_TEAM, Position.ALARM_COORDINATOR, "larmteam"),
    "bistandshandlaggare": (UnitKind.NEEDS_ASSESSMENT, Position.NEEDS_ASSESSOR, None),
    "chef-ledning-och-uppfoljning": (UnitKind.HOME_CARE, Position.UNIT_MANAGER, "manager"),
}


@pytest.fixture
def national(app):
    from portal.certification.sync import certifications_root, load_certifications, sync_certifications
    from portal.content.loader import load_modules
    from portal.content.sync import content_root, sync_modules

    sources = load_modules(content_root(app.config))
    sync_modules(sources)
    sync_certifications(load_certifications(certifications_root(app.config), {s.slug for s in sources}))
    db.session.commit()


def complete_module(person, slug: str) -> None:
    module = db.session.scalar(sa.select(Module).where(Module.slug == slug))
    for section in module.current_version.sections:
        if section.kind is SectionKind.QUIZ:
            attempt = take_quiz(person, section, ability=1.0, rng=random.Random(slug))
            assert attempt.passed, f"{slug}: the model answers pass"
        else:
            complete_section(person, module, section, confirmed=True)


def pass_exercise(person, scenario_slug: str, role: str) -> None:
    from portal.simulator import services
    from portal.simulator.catalogue import scenarios

    run = services.create_run(scenarios()[scenario_slug], mode=RunMode.EXERCISE, role=role, user=person,
                              client="test")  # fmt: skip
    services.play_model_answer(run)
    services.finish(run)
    assert run.passed, f"{scenario_slug} as {role}"


def cycles(person, certification: Certification) -> list[CertificationCycle]:
    return list(
        db.session.scalars(
            sa.select(CertificationCycle).where(
                CertificationCycle.user_id == person.id,
                CertificationCycle.certification_id == certification.id,
            )
        )
    )


@pytest.mark.parametrize("slug", WHO)
def test_each_national_certification_is_earned_by_its_modules_and_exercises(
    national, org, make_unit, make_user, slug
):
    from portal.certification.services import definition_of

    unit_kind, position, role = WHO[slug]
    person = make_user(org, unit=make_unit(org, "Enheten", unit_kind), position=position)
    apply_rules(local_today(), org.id)
    certification = db.session.scalar(sa.select(Certification).where(Certification.slug == slug))
    definition = definition_of(certification.current_version)
    assigned = db.session.scalar(
        sa.select(Assignment.id).where(
            Assignment.user_id == person.id, Assignment.certification_id == certification.id
        )
    )
    assert assigned is not None, "assigned by its rule"

    modules = [r.ref for r in definition.requirements if r.kind.value == "module"]
    exercises = [r.ref for r in definition.requirements if r.kind.value == "exercise"]
    for module in modules:
        complete_module(person, module)
    for scenario in exercises[:-1]:
        pass_exercise(person, scenario, role)
    db.session.commit()
    if exercises:
        assert cycles(person, certification) == [], "not before the last exercise"
        pass_exercise(person, exercises[-1], role)
        db.session.commit()
    (cycle,) = cycles(person, certification)
    assert cycle.certified_on == local_today()
