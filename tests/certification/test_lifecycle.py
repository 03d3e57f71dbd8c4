"""A whole certification cycle with a controllable clock, for both expiry bases: assign → certify →
window opens → renew early → expire → renew; and a major module version that asks holders to renew."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from portal.certification.core import Status
from portal.certification.services import apply_rules, evaluate, standings
from portal.certification.sync import load_certifications, require_renewals, sync_certifications
from portal.content.loader import load_modules
from portal.content.sync import sync_modules
from portal.extensions import db
from portal.i18n import LOCAL_TIMEZONE
from portal.models import (
    Assignment,
    AttemptStatus,
    AuditEvent,
    Certification,
    CertificationCycle,
    CycleState,
    Module,
    ModuleCompletion,
    QuizAttempt,
    utcnow,
)
from tests.content.builders import write_quiz_module

DEFINITION = """\
title: {{sv: Larmbehörighet, en: Alarm authorisation}}
version: "1.0"
requirements:
  - module: prov
positions: [assistant_nurse]
unit_kinds: [home_care]
validity_months: 24
window_days: 60
expiry_base: {base}
new_staff_due_days: 30
major_version_grace_days: 90
"""
START = date(2026, 1, 12)


def moment(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=LOCAL_TIMEZONE).astimezone(UTC)


@pytest.fixture
def world(app, tmp_path, org, make_unit, make_user, request):
    base = getattr(request, "param", "previous_expiry")
    modules, certifications = tmp_path / "modules", tmp_path / "certifications"
    modules.mkdir()
    certifications.mkdir()
    write_quiz_module(modules)
    (certifications / "larm.yaml").write_text(DEFINITION.format(base=base), encoding="utf-8")
    sync_modules(load_modules(modules))
    sync_certifications(load_certifications(certifications, {"prov"}))
    db.session.commit()
    person = make_user(org, username="anna", unit=make_unit(org))
    return tmp_path, person


def complete_module(person, day: date) -> None:
    module = db.session.scalar(sa.select(Module).where(Module.slug == "prov"))
    db.session.add(ModuleCompletion(user_id=person.id, module_version_id=module.current_version_id,
                                    completed_at=moment(day)))  # fmt: skip
    db.session.commit()


def pass_quiz(person, day: date) -> None:
    module = db.session.scalar(sa.select(Module).where(Module.slug == "prov"))
    section = next(s for s in module.current_version.sections if s.quiz_version_id)
    number = 1 + db.session.scalar(
        sa.select(sa.func.count(QuizAttempt.id)).where(QuizAttempt.user_id == person.id)
    )
    db.session.add(
        QuizAttempt(
            user_id=person.id, quiz_version_id=section.quiz_version_id, section_version_id=section.id,
            number=number, seed=number, question_ids=[], status=AttemptStatus.SUBMITTED,
            started_at=moment(day), submitted_at=moment(day), percent=100.0, passed=True,
        )
    )  # fmt: skip
    db.session.commit()


def status(person, day: date) -> Status:
    certification = db.session.scalar(sa.select(Certification))
    return standings([person.id], [certification], day)[(person.id, certification.id)].standing


def cycles(person) -> list[CertificationCycle]:
    return list(db.session.scalars(sa.select(CertificationCycle).order_by(CertificationCycle.id)))


@pytest.mark.parametrize(
    ("world", "renewed_until", "late_until"),
    [
        ("previous_expiry", date(2030, 1, 20), date(2032, 3, 1)),  # early renewal costs nothing
        ("completion", date(2029, 12, 1), date(2032, 3, 1)),
    ],
    indirect=["world"],
)
def test_a_whole_cycle(world, renewed_until, late_until):
    _root, anna = world
    assert apply_rules(START).added == 1
    assignment = db.session.scalar(sa.select(Assignment))
    assert assignment.due_on == START + timedelta(days=30)
    assert status(anna, START).status is Status.NOT_STARTED
    assert status(anna, START + timedelta(days=31)).status is Status.OVERDUE

    complete_module(anna, date(2026, 1, 20))
    assert [c.valid_until for c in evaluate(anna.id, date(2026, 1, 20))] == [date(2028, 1, 20)]
    db.session.commit()
    assert evaluate(anna.id, date(2026, 1, 21)) == [], "the same evidence issues nothing twice"
    assert status(anna, date(2027, 6, 1)).status is Status.CERTIFIED
    assert status(anna, date(2027, 11, 21)).status is Status.WINDOW_OPEN

    pass_quiz(anna, date(2026, 6, 1))  # a pass before the window opened is no renewal
    assert evaluate(anna.id, date(2027, 11, 25)) == []
    pass_quiz(anna, date(2027, 12, 1))
    renewal = evaluate(anna.id, date(2027, 12, 1))
    db.session.commit()
    assert [c.valid_until for c in renewal] == [renewed_until]
    first, second = cycles(anna)
    assert first.state is CycleState.SUPERSEDED
    assert second.state is CycleState.ACTIVE
    assert second.verification_code != first.verification_code

    expired_on = renewed_until + timedelta(days=1)
    assert status(anna, expired_on).status is Status.EXPIRED
    pass_quiz(anna, date(2030, 3, 1))
    late = evaluate(anna.id, date(2030, 3, 1))
    db.session.commit()
    assert [c.valid_until for c in late] == [late_until], "after expiry: from the completion day"
    assert status(anna, date(2030, 3, 2)).status is Status.CERTIFIED
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == [
        "certification.assigned", "certification.certified", "certification.renewed", "certification.renewed",
    ]  # fmt: skip


def test_leaving_the_unit_ends_the_assignment_and_keeps_it(world):
    _root, anna = world
    apply_rules(START)
    anna.memberships[0].ended_on = START + timedelta(days=3)
    db.session.commit()
    assert apply_rules(START + timedelta(days=4)).ended == 1
    assignment = db.session.scalar(sa.select(Assignment))
    assert assignment.ended_at is not None
    assert "no longer" in assignment.end_reason


def test_a_major_module_version_moves_holders_into_renewal_and_says_why(world):
    root, anna = world
    complete_module(anna, date(2025, 3, 3))
    evaluate(anna.id, date(2025, 3, 3))
    db.session.commit()
    write_quiz_module(root / "modules", version="2.0")
    (root / "modules" / "prov" / "01-start.md").write_text(
        "---\ntitle: Start\n---\nNy rutin.\n", encoding="utf-8"
    )
    report = sync_modules(load_modules(root / "modules"))
    assert require_renewals(report.new_versions) == 1
    db.session.commit()
    cycle = db.session.scalar(sa.select(CertificationCycle))
    today = utcnow().astimezone(LOCAL_TIMEZONE).date()
    assert cycle.renew_by == today + timedelta(days=90)
    assert status(anna, today).status is Status.WINDOW_OPEN
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "certification.renewal_required")
    )
    assert event.details["why"] == "major version 2.0 of the module prov"
    assert event.subject_id == cycle.id
    assert status(anna, cycle.renew_by + timedelta(days=1)).status is Status.EXPIRED
