"""The dashboard's "routines to confirm" (routines.to_confirm) reads the published revisions and the
person's confirmations in one query; it must list what routines_for lists as not confirmed, in the same
order with the same readings, whatever the versions, confirmations, audiences and archiving."""

import random
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from portal.authoring import routines
from portal.extensions import db
from portal.models import (
    ContentKind,
    LocalContent,
    Position,
    Revision,
    RevisionStatus,
    Role,
    RoutineAcknowledgement,
    User,
)
from tests.statements import recorded_statements

START = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def add_routine(org, author, number: int, rng: random.Random, unit_ids: list[int]) -> list[Revision]:
    """A routine with a few revisions (drafts among them), some major, for some positions and units."""
    content = LocalContent(organisation_id=org.id, kind=ContentKind.ROUTINE, slug=f"rutin-{number}",
                           created_by_id=author.id)  # fmt: skip
    rendered = {
        "sv": "<p>x</p>",
        "title": {"sv": f"Rutin {number}"},
        "positions": rng.choice([[], ["assistant_nurse"], ["nurse"]]),
        "unit_ids": rng.choice([[], unit_ids[:1], unit_ids]),
    }
    revisions = []
    for revision_number in range(1, rng.randint(2, 4)):
        published = rng.random() < 0.8
        revisions.append(
            Revision(
                content=content, number=revision_number, created_by_id=author.id, rendered=rendered,
                status=RevisionStatus.PUBLISHED if published else RevisionStatus.DRAFT,
                is_major=rng.random() < 0.4, version=f"1.{revision_number}" if published else None,
                published_at=START + timedelta(days=rng.choice([1, 2, 2, 3])) if published else None,
            )
        )  # fmt: skip
    db.session.add_all(revisions)
    if rng.random() < 0.15:
        content.archived_at = START
    return revisions


def readable(items) -> list[tuple[int, routines.Reading]]:
    return [(item.routine.content_id, item.reading) for item in items]


def test_to_confirm_is_what_routines_for_leaves_unconfirmed(org, make_org, make_unit, make_user):
    units = [make_unit(org, "Hemtjänst Centrum"), make_unit(org, "Hemtjänst Norr")]
    author = make_user(org, username="larmteam", roles={Role.AUTHOR, Role.LEARNER})
    people = [
        make_user(
            org, unit=units[number % 2], position=[Position.ASSISTANT_NURSE, Position.NURSE][number % 3 % 2]
        )
        for number in range(6)
    ] + [make_user(org)]  # the last one has no unit: no routine is for them
    other = make_org()
    rng = random.Random(10)
    revisions = [r for n in range(12) for r in add_routine(org, author, n, rng, [u.id for u in units])]
    revisions += add_routine(other, make_user(other), 99, rng, [])  # another organisation's
    db.session.flush()
    for person in people:
        for revision in rng.sample(revisions, 8):
            if revision.status is RevisionStatus.PUBLISHED:
                confirmed_at = START + timedelta(days=rng.randint(1, 9), minutes=rng.randint(0, 60))
                db.session.add(RoutineAcknowledgement(user_id=person.id, revision_id=revision.id,
                                                      confirmed_at=confirmed_at))  # fmt: skip
    db.session.commit()

    listed = set()
    for person in people:
        expected = [item for item in routines.routines_for(person) if not item.is_confirmed]
        assert readable(routines.to_confirm(person)) == readable(expected)
        listed |= {content_id for content_id, _ in readable(expected)}
        assert all(item.routine.title["sv"].startswith("Rutin") for item in routines.to_confirm(person))
    assert len(listed) > 3, "some routines remain to be confirmed"
    readings = {item.reading for person in people for item in routines.routines_for(person)}
    assert any(r.earlier_at and not r.confirmed_at for r in readings), "a major version asked again"
    assert any(r.confirmed_at for r in readings)


def test_to_confirm_is_one_statement(org, make_unit, make_user):
    unit = make_unit(org)
    author = make_user(org, username="larmteam", roles={Role.AUTHOR, Role.LEARNER})
    anna = make_user(org, unit=unit)
    rng = random.Random(3)
    for number in range(5):
        add_routine(org, author, number, rng, [unit.id])
    db.session.commit()
    db.session.expire_all()
    anna = db.session.get(User, anna.id)
    anna.current_memberships  # noqa: B018 – the signed-in user's memberships, loaded by every page
    with recorded_statements() as seen:
        found = routines.to_confirm(anna)
    assert found
    assert len(seen) == 1
    assert db.session.scalar(sa.select(sa.func.count(RoutineAcknowledgement.id))) == 0
