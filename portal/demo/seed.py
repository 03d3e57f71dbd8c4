"""Seeding Exempelkommun. Idempotent: running it again changes nothing. Caller commits."""

import random
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from portal.assessment.core import (
    Matching,
    MultipleChoice,
    Numeric,
    Ordering,
    Question,
    SingleChoice,
    TrueFalse,
    model_response,
)
from portal.auth.passwords import hash_password
from portal.certification.core.status import add_months
from portal.certification.services import definition_of
from portal.extensions import db
from portal.models import (
    Assignment,
    Certification,
    CertificationCycle,
    ContentKind,
    LocalContent,
    Membership,
    Module,
    Organisation,
    Position,
    QuizAttempt,
    ReviewVerdict,
    RevisionStatus,
    Role,
    RunMode,
    SectionKind,
    SectionProgress,
    SectionVersion,
    Unit,
    UnitKind,
    User,
)

DEMO_PASSWORD = "Trygghetslarm1"  # nosec B105 – the demo accounts' published password (README); seeded only in demo mode
ORGANISATION = ("Exempelkommun", "exempelkommun")
UNITS = {
    "Hemtjänst Centrum": UnitKind.HOME_CARE,
    "Hemtjänst Norr": UnitKind.HOME_CARE,
    "Nattpatrullen": UnitKind.NIGHT_PATROL,
    "Larmteamet": UnitKind.ALARM_TEAM,
    "Biståndsenheten": UnitKind.NEEDS_ASSESSMENT,
}


@dataclass(frozen=True)
class DemoPerson:
    username: str
    full_name: str
    unit: str
    position: Position
    roles: frozenset[Role] = frozenset({Role.LEARNER})
    manages: tuple[str, ...] = ()
    can_log_in: bool = True


DEMO_ACCOUNTS = (
    DemoPerson("anna", "Anna Lindqvist", "Hemtjänst Centrum", Position.ASSISTANT_NURSE),
    DemoPerson("omar", "Omar Haddad", "Nattpatrullen", Position.ASSISTANT_NURSE),
    DemoPerson("sara", "Sara Nilsson", "Biståndsenheten", Position.NEEDS_ASSESSOR),
    DemoPerson(
        "karin",
        "Karin Berg",
        "Hemtjänst Centrum",
        Position.OPERATIONS_MANAGER,
        frozenset({Role.LEARNER, Role.MANAGER}),
        ("Hemtjänst Centrum", "Nattpatrullen"),
    ),
    DemoPerson(
        "lars",
        "Lars Ek",
        "Hemtjänst Norr",
        Position.OPERATIONS_MANAGER,
        frozenset({Role.LEARNER, Role.MANAGER}),
        ("Hemtjänst Norr",),
    ),
    DemoPerson(
        "larmteam",
        "Maria Svensson",
        "Larmteamet",
        Position.ALARM_COORDINATOR,
        frozenset({Role.LEARNER, Role.AUTHOR}),
    ),
    DemoPerson(  # the second author of the four-eyes review
        "maja",
        "Maja Wikström",
        "Larmteamet",
        Position.OCCUPATIONAL_THERAPIST,
        frozenset({Role.LEARNER, Role.AUTHOR}),
    ),
    DemoPerson("admin", "Administratör Exempelkommun", "Larmteamet", Position.OTHER, frozenset({Role.ADMIN})),
)

STAFF = (
    DemoPerson("eva.holm", "Eva Holm", "Hemtjänst Centrum", Position.ASSISTANT_NURSE, can_log_in=False),
    DemoPerson(
        "johan.sjoberg", "Johan Sjöberg", "Hemtjänst Centrum", Position.CARE_ASSISTANT, can_log_in=False
    ),
    DemoPerson("fatima.ali", "Fatima Ali", "Hemtjänst Centrum", Position.ASSISTANT_NURSE, can_log_in=False),
    DemoPerson("mikael.strom", "Mikael Ström", "Nattpatrullen", Position.ASSISTANT_NURSE, can_log_in=False),
    DemoPerson("linnea.dahl", "Linnéa Dahl", "Nattpatrullen", Position.CARE_ASSISTANT, can_log_in=False),
    DemoPerson("goran.aberg", "Göran Åberg", "Nattpatrullen", Position.ASSISTANT_NURSE, can_log_in=False),
    DemoPerson("sofia.lund", "Sofia Lund", "Hemtjänst Norr", Position.ASSISTANT_NURSE, can_log_in=False),
    DemoPerson("ahmed.yusuf", "Ahmed Yusuf", "Hemtjänst Norr", Position.CARE_ASSISTANT, can_log_in=False),
    DemoPerson(
        "elin.forsberg", "Elin Forsberg", "Hemtjänst Norr", Position.ASSISTANT_NURSE, can_log_in=False
    ),
    DemoPerson("per.nystrom", "Per Nyström", "Hemtjänst Norr", Position.ASSISTANT_NURSE, can_log_in=False),
    DemoPerson(
        "henrik.olsson", "Henrik Olsson", "Biståndsenheten", Position.NEEDS_ASSESSOR, can_log_in=False
    ),
)

STAFF_START = date(2024, 1, 8)


# Who has done what in the demo, so that pages show progress from the start: (person, module,
# how many sections done; None = the whole module). Only applied to people with no progress yet.
DEMO_PROGRESS = (
    ("omar", "trygghetslarm-grunder", None),
    ("anna", "trygghetslarm-grunder", None),
    ("eva.holm", "trygghetslarm-grunder", None),
    ("anna", "att-atgarda-ett-larm", 1),
    ("mikael.strom", "att-atgarda-ett-larm", 2),
    ("anna", "sekretess-dokumentation-och-avvikelser", None),
    ("fatima.ali", "att-atgarda-ett-larm", None),  # half-way through her renewal
    ("larmteam", "installation-och-avslut", 2),
)


def seed_demo() -> dict[str, int]:
    """Create or complete Exempelkommun; returns how many rows of each kind were added."""
    added = {
        "organisations": 0,
        "units": 0,
        "users": 0,
        "memberships": 0,
        "progress": 0,
        "quiz_attempts": 0,
        "certifications": 0,
        "exercises": 0,
        "routines": 0,
    }
    organisation = _organisation(added)
    units = {name: _unit(organisation, name, kind, added) for name, kind in UNITS.items()}
    password_hash = hash_password(DEMO_PASSWORD)
    people = {
        p.username: _person(organisation, p, units, password_hash, added) for p in DEMO_ACCOUNTS + STAFF
    }
    added["progress"] = _progress(people)
    added["quiz_attempts"] = _quiz_history(people)
    added["certifications"] = _certification_history(people)
    added["exercises"] = _exercise_history(people)
    added["routines"] = _local_routine(people)
    return added


DEMO_ROUTINE_SLUG = "exempelkommun-reservrutin-larmmottagning"
DEMO_ROUTINE = """---
title: {sv: Reservrutin när larmmottagningen inte går att nå, en: Back-up routine when the alarm centre cannot be reached}
kind: checklist
positions: [assistant_nurse, care_assistant]
units: [Hemtjänst Centrum, Hemtjänst Norr, Nattpatrullen]
---
Gäller Exempelkommuns hemtjänst och nattpatrull från och med i dag.

- [ ] Ring larmmottagningens reservnummer (se kortet i nyckelskåpet).
- [ ] Meddela nattpatrullens samordnare vilka brukare som berörs.
- [ ] Besök de brukare som larmat men inte fått svar.
- [ ] Skriv en avvikelse samma dag.
"""


def _local_routine(people: dict[str, User]) -> int:
    """A routine the alarm team has written and a second author approved, that staff must confirm:
    the demo's alarm team page and the staff's "routines to confirm" are not empty."""
    from portal.authoring import workflow
    from portal.authoring.files import ROUTINE_FILE

    taken = db.session.scalar(sa.select(LocalContent.id).where(LocalContent.slug == DEMO_ROUTINE_SLUG))
    if taken is not None:
        return 0
    revision = workflow.create(
        ContentKind.ROUTINE, DEMO_ROUTINE_SLUG, {ROUTINE_FILE: DEMO_ROUTINE}, people["larmteam"]
    )
    workflow.submit(revision, people["larmteam"], "Ny reservrutin efter avbrottet i våras.", is_major=False)
    if revision.status is not RevisionStatus.PUBLISHED:
        workflow.comment(revision, people["maja"], ReviewVerdict.APPROVED, "")
    return 1


def _progress(people: dict[str, User]) -> int:
    """Demo progress on the synced national modules (none when content has not been synced)."""
    from portal.learning.services import complete_section

    modules = {m.slug: m for m in db.session.scalars(sa.select(Module).where(Module.is_active))}
    started = set(db.session.scalars(sa.select(SectionProgress.user_id).distinct()))
    count = 0
    for username, slug, sections_done in DEMO_PROGRESS:
        person, module = people[username], modules.get(slug)
        if module is None or module.current_version is None or person.id in started:
            continue
        for section in module.current_version.sections[:sections_done]:
            if section.kind is SectionKind.QUIZ:
                take_quiz(person, section, ability=1.0, rng=random.Random(person.username))  # nosec B311 – reproducible demo data; no secret is drawn
            else:
                complete_section(person, module, section, confirmed=True)
            count += 1
    return count


def _quiz_history(people: dict[str, User]) -> int:
    """A first attempt at every national quiz by the staff, right more or less often, so that the
    authors' question statistics have something to show; only for people with no attempt yet."""
    modules = db.session.scalars(sa.select(Module).where(Module.is_open))
    quiz_sections = [s for m in modules for s in m.current_version.sections if s.quiz_version_id]
    tried = set(db.session.scalars(sa.select(QuizAttempt.user_id).distinct()))
    count = 0
    for person in (people[p.username] for p in STAFF):
        if person.id in tried:
            continue
        rng = random.Random(person.username)  # nosec B311 – reproducible demo data; no secret is drawn
        for section in quiz_sections:
            take_quiz(person, section, ability=rng.uniform(0.45, 0.95), rng=rng)
            count += 1
    return count


# Certification cycles earned before the portal was used, relative to today so that the demo always
# shows every status: (person, certification, months ago certified; None = revoked a week ago).
HOME_CARE = "trygghetslarm-for-hemtjanst"
DEMO_CYCLES = (
    ("omar", HOME_CARE, 26),  # expired two months ago
    ("fatima.ali", HOME_CARE, 23),  # renewal window open
    ("mikael.strom", HOME_CARE, 10),
    ("eva.holm", HOME_CARE, 4),
    ("sofia.lund", HOME_CARE, 30),  # expired
    ("elin.forsberg", HOME_CARE, 14),
    ("per.nystrom", HOME_CARE, None),
    ("larmteam", "larmteam-installation-och-teknik", 10),
    ("sara", "bistandshandlaggare", 5),
    ("henrik.olsson", "bistandshandlaggare", 23),  # renewal window open
    ("karin", "chef-ledning-och-uppfoljning", 6),
)
# Assignments whose due day has passed: (person, certification, days overdue).
DEMO_OVERDUE = (
    ("johan.sjoberg", HOME_CARE, 5),
    ("linnea.dahl", HOME_CARE, 3),
    ("maja", "larmteam-installation-och-teknik", 10),
    ("lars", "chef-ledning-och-uppfoljning", 14),
)


def _certification_history(people: dict[str, User]) -> int:
    """Assignments by rule, and earlier cycles for the demo staff (once: only when no cycle exists)."""
    from portal.certification.services import apply_rules, issue, local_today, revoke

    certifications = {
        c.slug: c for c in db.session.scalars(sa.select(Certification).where(Certification.is_active))
    }
    if not certifications:
        return 0
    today = local_today()
    apply_rules(today, people["anna"].organisation_id)
    count = 0
    for username, slug, months_ago in DEMO_CYCLES:
        certification = certifications.get(slug)
        if certification is None or _holds(people[username], certification):
            continue
        definition = definition_of(certification.current_version)
        certified_on = add_months(today, -(months_ago or 8))
        cycle = issue(people[username], certification, definition, certified_on, None, today)
        if months_ago is None:
            revoke(cycle, people["lars"], "Dokumentationen vid ett larm brast; ny utbildning krävs.", today)
        count += 1
    for username, slug, days in DEMO_OVERDUE:
        assignment = db.session.scalar(
            sa.select(Assignment).where(
                Assignment.user_id == people[username].id,
                Assignment.certification_id == certifications[slug].id,
                Assignment.ended_at.is_(None),
            )
        )
        if assignment is not None and (assignment.due_on is None or assignment.due_on > today):
            assignment.due_on = today - timedelta(days=days)
    return count


# Exercises passed in the alarm chain, each in the role the certification asks it in: (person,
# scenario, role).
DEMO_EXERCISES = (
    ("mikael.strom", "03-ingen-talkontakt", "home_care"),
    ("goran.aberg", "03-ingen-talkontakt", "home_care"),
    ("goran.aberg", "01-natt-fall-med-talkontakt", "home_care"),
    ("larmteam", "10-installation-provlarm", "larmteam"),
    ("karin", "09-massavbrott", "manager"),
)


def _exercise_history(people: dict[str, User]) -> int:
    """Passed exercises (once per person and scenario), which certify as they finish."""
    from portal.simulator import services
    from portal.simulator.catalogue import scenarios

    count = 0
    for username, slug, role in DEMO_EXERCISES:
        person, scenario = people[username], scenarios().get(slug)
        if scenario is None or any(
            run.scenario_slug == slug for run in services.exercise_runs(person.id, 10)
        ):
            continue
        run = services.create_run(scenario, mode=RunMode.EXERCISE, role=role, user=person,
                                  client=f"seed:{username}")  # fmt: skip
        services.play_model_answer(run)
        services.finish(run)
        count += 1
    return count


def _holds(person: User, certification: Certification) -> bool:
    return (
        db.session.scalar(
            sa.select(CertificationCycle.id).where(
                CertificationCycle.user_id == person.id,
                CertificationCycle.certification_id == certification.id,
            )
        )
        is not None
    )


def take_quiz(person: User, section: SectionVersion, ability: float, rng: random.Random) -> QuizAttempt:
    """Start, answer and hand in an attempt: each question right with probability `ability`."""
    from portal.assessment import services

    attempt = services.start(person, section)
    quiz = services.quiz_of(attempt.quiz_version)
    for question_id in attempt.question_ids:
        question = quiz.question(question_id)
        right = rng.random() < ability
        services.save_answer(
            attempt, question_id, model_response(question) if right else _wrong(question, rng)
        )
    services.submit(attempt)
    return attempt


def _wrong(question: Question, rng: random.Random) -> object:
    """A response that is (most likely) not fully right, of the kind a hurried learner gives."""
    match question:
        case SingleChoice():
            return rng.choice([o.id for o in question.options if o.id != question.correct])
        case MultipleChoice():
            ids = [o.id for o in question.options]
            return sorted(rng.sample(ids, rng.randint(1, len(ids))))
        case TrueFalse():
            return "false" if question.correct else "true"
        case Ordering():
            return rng.sample([i.id for i in question.items], len(question.items))
        case Matching():
            choices = [c.id for c in question.choices]
            return {p.id: rng.choice(choices) for p in question.premises}
        case Numeric():
            return f"{question.answer + question.tolerance + rng.randint(5, 30):g}"


def _organisation(added: dict[str, int]) -> Organisation:
    name, code = ORGANISATION
    organisation = db.session.scalar(sa.select(Organisation).where(Organisation.code == code))
    if organisation is None:
        organisation = Organisation(name=name, code=code)
        db.session.add(organisation)
        db.session.flush()
        added["organisations"] += 1
    return organisation


def _unit(organisation: Organisation, name: str, kind: UnitKind, added: dict[str, int]) -> Unit:
    unit = db.session.scalar(
        sa.select(Unit).where(Unit.organisation_id == organisation.id, Unit.name == name)
    )
    if unit is None:
        unit = Unit(organisation_id=organisation.id, name=name, kind=kind)
        db.session.add(unit)
        db.session.flush()
        added["units"] += 1
    return unit


def _person(organisation, person: DemoPerson, units, password_hash, added) -> User:
    user = db.session.scalar(sa.select(User).where(User.username == person.username))
    if user is None:
        user = User(
            organisation_id=organisation.id,
            username=person.username,
            full_name=person.full_name,
            email=f"{person.username}@exempelkommun.example.com",
            password_hash=password_hash if person.can_log_in else None,
        )
        user.set_roles(set(person.roles))
        user.managed_units = [units[name] for name in person.manages]
        db.session.add(user)
        added["users"] += 1
    unit = units[person.unit]
    if not any(m.unit_id == unit.id for m in user.memberships):
        user.memberships.append(Membership(unit=unit, position=person.position, started_on=STAFF_START))
        added["memberships"] += 1
    db.session.flush()
    return user


FIRST_NAMES = (
    "Alva",
    "Ebba",
    "Olle",
    "Nils",
    "Leila",
    "Hassan",
    "Ingrid",
    "Tove",
    "Kent",
    "Amira",
    "Sven",
    "Lina",
    "Yusuf",
    "Britt",
    "Ronja",
    "Arvid",
    "Mona",
    "Tariq",
    "Stina",
    "Ulf",
)
LAST_NAMES = (
    "Andersson",
    "Johansson",
    "Karlsson",
    "Persson",
    "Mohammed",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Hussein",
    "Larsson",
    "Olofsson",
    "Lindberg",
    "Axelsson",
    "Engström",
    "Hassan",
)


def seed_bulk_staff(count: int, seed: int = 1) -> int:
    """Add synthetic staff ``bulk-00001``… spread over the demo's care units (for benchmarks)."""
    organisation = _organisation({"organisations": 0})
    care_units = [u for u in organisation.units if u.kind in (UnitKind.HOME_CARE, UnitKind.NIGHT_PATROL)]
    existing = set(db.session.scalars(sa.select(User.username).where(User.username.like("bulk-%"))))
    rng = random.Random(seed)  # nosec B311 – reproducible demo data; no secret is drawn
    new_users = []
    for number in range(1, count + 1):
        username = f"bulk-{number:05d}"
        if username in existing:
            continue
        new_users.append(
            {
                "organisation_id": organisation.id,
                "username": username,
                "full_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                "active": True,
                "session_token": f"bulk{number}",
            }
        )
    if not new_users:
        return 0
    db.session.execute(sa.insert(User), new_users)
    ids = dict(
        db.session.execute(
            sa.select(User.username, User.id).where(User.username.in_([u["username"] for u in new_users]))
        ).all()
    )
    db.session.execute(
        sa.insert(Membership),
        [
            {
                "user_id": ids[u["username"]],
                "unit_id": rng.choice(care_units).id,
                "position": rng.choice((Position.ASSISTANT_NURSE, Position.CARE_ASSISTANT)),
                "started_on": STAFF_START,
            }
            for u in new_users
        ],
    )
    return len(new_users)
