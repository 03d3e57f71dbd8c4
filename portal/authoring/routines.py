"""Läskvittens: which published routines are for whom, who has confirmed reading them, and confirming.

A routine is for a person when one of their current memberships matches both its positions and its
units (an empty list matches all). A confirmation holds until the next major version: confirming any
version since the latest major one (the first version counts as major) is confirming the routine.
Each function runs a fixed number of queries, however many routines and people. Callers commit."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, defer

from portal import audit
from portal.competence.scope import employees_query
from portal.database import dialect_insert
from portal.extensions import db
from portal.models import (
    ContentKind,
    LocalContent,
    Membership,
    Revision,
    RevisionStatus,
    RoutineAcknowledgement,
    User,
    utcnow,
)

LANGUAGES = ("sv", "en")


@dataclass(frozen=True)
class PublishedRoutine:
    """The live version of a routine and which earlier versions' confirmations still count."""

    content_id: int
    latest: Revision
    counting: frozenset[int]  # ids of the published revisions since the latest major one
    published: frozenset[int]  # ids of all its published revisions

    @property
    def rendered(self) -> dict[str, Any]:
        return self.latest.rendered

    @property
    def title(self) -> dict[str, str]:
        return self.rendered.get("title", {})

    @property
    def body(self) -> dict[str, str]:
        """The safe HTML per language, as `pick` takes it."""
        return {language: self.rendered[language] for language in LANGUAGES if language in self.rendered}

    @property
    def is_checklist(self) -> bool:
        return self.rendered.get("kind") == "checklist"

    def is_for(self, memberships: Iterable[Membership]) -> bool:
        positions = set(self.rendered.get("positions", []))
        unit_ids = set(self.rendered.get("unit_ids", []))
        return any(
            (not positions or m.position.value in positions) and (not unit_ids or m.unit_id in unit_ids)
            for m in memberships
        )


@dataclass(frozen=True)
class Reading:
    """One person and one routine: when they confirmed it (this major version), and when they last
    confirmed a version from before its latest major change."""

    confirmed_at: datetime | None = None
    earlier_at: datetime | None = None

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


@dataclass(frozen=True)
class RoutineToConfirm:
    routine: PublishedRoutine
    reading: Reading

    @property
    def is_confirmed(self) -> bool:
        return self.reading.is_confirmed


def published_routines(organisation_id: int, content_id: int | None = None) -> list[PublishedRoutine]:
    """The organisation's live routines (archived ones are not), in one query."""
    query = (
        sa.select(Revision)
        .join(LocalContent)
        .where(
            LocalContent.organisation_id == organisation_id,
            LocalContent.kind == ContentKind.ROUTINE,
            LocalContent.archived_at.is_(None),
            Revision.status == RevisionStatus.PUBLISHED,
        )
        .options(defer(Revision.files), defer(Revision.media))
        .order_by(Revision.content_id, Revision.number)
    )
    if content_id is not None:
        query = query.where(LocalContent.id == content_id)
    versions: dict[int, list[Revision]] = defaultdict(list)
    for revision in db.session.scalars(query):
        versions[revision.content_id].append(revision)
    return [_routine(content_id, revisions) for content_id, revisions in versions.items()]


def _routine(content_id: int, revisions: list[Revision]) -> PublishedRoutine:
    last_major = max(i for i, revision in enumerate(revisions) if revision.is_major or i == 0)
    return PublishedRoutine(
        content_id,
        revisions[-1],
        counting=frozenset(r.id for r in revisions[last_major:]),
        published=frozenset(r.id for r in revisions),
    )


def routines_for(user: User, content_id: int | None = None) -> list[RoutineToConfirm]:
    """The routines for this person, the ones still to confirm first, newest first within each."""
    memberships = user.current_memberships
    if not memberships:
        return []
    routines = [r for r in published_routines(user.organisation_id, content_id) if r.is_for(memberships)]
    readings = _readings(routines, [user.id])
    found = [RoutineToConfirm(r, readings.get((user.id, r.content_id), Reading())) for r in routines]
    found.sort(key=lambda item: item.routine.latest.published_at or utcnow(), reverse=True)
    found.sort(key=lambda item: item.is_confirmed)
    return found


def to_confirm(user: User) -> list[RoutineToConfirm]:
    """The routines for this person that they have not confirmed, newest first (as routines_for has
    them), in one query: each published revision with the person's confirmation of it, if any."""
    memberships = user.current_memberships
    if not memberships:
        return []
    versions: dict[int, list[Revision]] = defaultdict(list)
    confirmed: dict[int, datetime] = {}  # revision id -> when the person confirmed it
    parameters = {"user_id": user.id, "organisation_id": user.organisation_id}
    for revision, confirmed_at in db.session.execute(_PUBLISHED_WITH_CONFIRMATIONS, parameters):
        versions[revision.content_id].append(revision)
        if confirmed_at is not None:
            confirmed[revision.id] = confirmed_at
    routines = [_routine(content_id, revisions) for content_id, revisions in versions.items()]
    found = [RoutineToConfirm(r, _reading(r, confirmed)) for r in routines if r.is_for(memberships)]
    found = [item for item in found if not item.is_confirmed]
    found.sort(key=lambda item: item.routine.latest.published_at or utcnow(), reverse=True)
    return found


# published_routines' query with the person's confirmation (at most one) of each revision; built once
# (and so its cache key): the parameters are user_id and organisation_id.
_PUBLISHED_WITH_CONFIRMATIONS = (
    sa.select(Revision, RoutineAcknowledgement.confirmed_at)
    .join(LocalContent)
    .outerjoin(
        RoutineAcknowledgement,
        sa.and_(
            RoutineAcknowledgement.revision_id == Revision.id,
            RoutineAcknowledgement.user_id == sa.bindparam("user_id"),
        ),
    )
    .where(
        LocalContent.organisation_id == sa.bindparam("organisation_id"),
        LocalContent.kind == ContentKind.ROUTINE,
        LocalContent.archived_at.is_(None),
        Revision.status == RevisionStatus.PUBLISHED,
    )
    .options(defer(Revision.files), defer(Revision.media))
    .order_by(Revision.content_id, Revision.number)
)


def _reading(routine: PublishedRoutine, confirmed: dict[int, datetime]) -> Reading:
    """As _readings: the latest confirmation of this major version, and of an earlier one."""
    counting = [confirmed[i] for i in routine.counting if i in confirmed]
    earlier = [confirmed[i] for i in routine.published - routine.counting if i in confirmed]
    return Reading(max(counting, default=None), max(earlier, default=None))


def confirm(user: User, content_id: int) -> RoutineToConfirm | None:
    """Confirm reading the routine's live version; None when it is not for this person. Confirming
    twice (or from two tabs at once) leaves one confirmation and one audit entry."""
    found = routines_for(user, content_id)
    if not found:
        return None
    (item,) = found
    if item.is_confirmed:
        return item
    now = utcnow()
    revision = item.routine.latest
    inserted = db.session.execute(
        dialect_insert(RoutineAcknowledgement)
        .values(user_id=user.id, revision_id=revision.id, confirmed_at=now)
        .on_conflict_do_nothing()
        .returning(RoutineAcknowledgement.id)
    ).scalar_one_or_none()
    if inserted is not None:
        audit.record("routine.confirmed", revision.content, user.organisation_id,
                     revision=revision.number, version=revision.version)  # fmt: skip
    return RoutineToConfirm(item.routine, Reading(now, item.reading.earlier_at))


def _readings(routines: list[PublishedRoutine], user_ids: Any) -> dict[tuple[int, int], Reading]:
    """(user id, content id) -> Reading, for the people in ``user_ids`` (a list or a subquery)."""
    content_of = {revision_id: r.content_id for r in routines for revision_id in r.published}
    if not content_of:
        return {}
    counting = set().union(*(r.counting for r in routines))
    confirmed: dict[tuple[int, int], datetime] = {}
    earlier: dict[tuple[int, int], datetime] = {}
    rows = db.session.execute(
        sa.select(
            RoutineAcknowledgement.user_id,
            RoutineAcknowledgement.revision_id,
            RoutineAcknowledgement.confirmed_at,
        ).where(
            RoutineAcknowledgement.revision_id.in_(content_of), RoutineAcknowledgement.user_id.in_(user_ids)
        )
    )
    for user_id, revision_id, confirmed_at in rows:
        latest = confirmed if revision_id in counting else earlier
        key = (user_id, content_of[revision_id])
        latest[key] = max(latest.get(key, confirmed_at), confirmed_at)
    return {key: Reading(confirmed.get(key), earlier.get(key)) for key in confirmed.keys() | earlier.keys()}


@dataclass(frozen=True)
class Confirmations:
    """People in a manager's units × the routines for them: who has confirmed and when."""

    routines: list[PublishedRoutine]
    people: dict[int, list[User]]  # content id -> the people it is for, by name
    readings: dict[tuple[int, int], Reading]

    def reading(self, person: User, routine: PublishedRoutine) -> Reading:
        return self.readings.get((person.id, routine.content_id), Reading())

    def readers(self, routine: PublishedRoutine) -> list[tuple[User, Reading]]:
        return [(person, self.reading(person, routine)) for person in self.people[routine.content_id]]

    def confirmed(self, routine: PublishedRoutine) -> list[tuple[User, Reading]]:
        return [(person, reading) for person, reading in self.readers(routine) if reading.is_confirmed]

    def remaining(self, routine: PublishedRoutine) -> list[tuple[User, Reading]]:
        return [(person, reading) for person, reading in self.readers(routine) if not reading.is_confirmed]


def confirmations(manager: User, unit_ids: Iterable[int]) -> Confirmations:
    """Per routine, the people of these units (only those the manager manages) it is for, and their
    confirmations; a person counts through their memberships in these units only."""
    units = list(set(unit_ids) & manager.managed_unit_ids)
    in_scope = employees_query(manager).with_only_columns(User.id).scalar_subquery()
    memberships = db.session.scalars(
        sa.select(Membership)
        .join(Membership.user)
        .where(Membership.unit_id.in_(units), Membership.ended_on.is_(None), Membership.user_id.in_(in_scope))
        .options(contains_eager(Membership.user))
        .order_by(User.full_name, User.id)
    ).all()
    by_person: dict[User, list[Membership]] = defaultdict(list)
    for membership in memberships:
        by_person[membership.user].append(membership)
    routines = sorted(
        published_routines(manager.organisation_id), key=lambda r: r.title.get("sv", "").lower()
    )
    people = {r.content_id: [p for p, ms in by_person.items() if r.is_for(ms)] for r in routines}
    routines = [r for r in routines if people[r.content_id]]
    return Confirmations(routines, people, _readings(routines, [p.id for p in by_person]))
