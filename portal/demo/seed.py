"""Seeding Exempelkommun. Idempotent: running it again changes nothing. Caller commits."""

import random
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from portal.auth.passwords import hash_password
from portal.extensions import db
from portal.models import (
    Membership,
    Module,
    Organisation,
    Position,
    Role,
    SectionProgress,
    Unit,
    UnitKind,
    User,
)

DEMO_PASSWORD = "Trygghetslarm1"
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
        "maja.wikstrom", "Maja Wikström", "Larmteamet", Position.OCCUPATIONAL_THERAPIST, can_log_in=False
    ),
    DemoPerson(
        "henrik.olsson", "Henrik Olsson", "Biståndsenheten", Position.NEEDS_ASSESSOR, can_log_in=False
    ),
)

STAFF_START = date(2024, 1, 8)


# Who has done what in the demo, so that pages show progress from the start: (person, module,
# how many sections done; None = the whole module). Only applied to people with no progress yet.
DEMO_PROGRESS = (
    ("omar", "trygghetslarm-grunder", None),
    ("eva.holm", "trygghetslarm-grunder", None),
    ("anna", "att-atgarda-ett-larm", 1),
    ("mikael.strom", "att-atgarda-ett-larm", 2),
)


def seed_demo() -> dict[str, int]:
    """Create or complete Exempelkommun; returns how many rows of each kind were added."""
    added = {"organisations": 0, "units": 0, "users": 0, "memberships": 0, "progress": 0}
    organisation = _organisation(added)
    units = {name: _unit(organisation, name, kind, added) for name, kind in UNITS.items()}
    password_hash = hash_password(DEMO_PASSWORD)
    people = {
        p.username: _person(organisation, p, units, password_hash, added) for p in DEMO_ACCOUNTS + STAFF
    }
    added["progress"] = _progress(people)
    return added


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
            complete_section(person, module, section, confirmed=True)
            count += 1
    return count


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
    rng = random.Random(seed)
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
