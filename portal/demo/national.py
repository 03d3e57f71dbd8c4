"""`flask demo seed --size national`: a national instance's worth of people and history, for benchmarks
and load tests.

Twenty fictional municipalities, a few large and many small, with 20,000 people in home care, night
patrols, alarm teams and needs assessment (some moved between units, some left), their managers, and up to
sixteen years of history: every certification assignment the rules give, every cycle (renewed in the
window, lapsed and renewed late, revoked), and since the portal went live four years ago the learning
behind them: section progress, module completions, quiz attempts with their answers (drawn, answered and
graded by the real quiz code against the synced quizzes) and the audit trail the services write. The
trygghetskedjan exercises behind the latest certifications, and a month of practice, are runs whose inputs
replay through the engine to the stored result. Cycles from before the portal are records only (the
earlier system's), and so are exercises older than the run budget reaches.

Everything comes from `random.Random` seeded with `seed` and is dated from `today` (never the clock), so
the same seed and day give the same rows; only the shared password hash is salted afresh.

Rows go in with bulk inserts in one transaction: COPY on PostgreSQL, SQLAlchemy Core executemany
elsewhere. Primary keys are given explicitly, so rows refer to each other without reading anything back,
and PostgreSQL's sequences are moved past them afterwards.

Accounts (password: the demo password): `<code>.vc` is the verksamhetschef of all the municipality's home
care and night patrol units, `<code>.ec01`… are enhetschefer of two units each (the last one of needs
assessment and the alarm team), `<code>.admin` the administrator and `<code>.00001`… everyone else; the
first two of the alarm team are authors.
"""

import base64
import math
import random
import time as clock
from collections import Counter
from collections.abc import Iterator
from dataclasses import astuple, dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from portal.alarmchain import Intervention, Player, Scenario, event_to_json, run_scenario, score
from portal.assessment.core import Quiz, draw, grade_attempt, model_response
from portal.assessment.services import quiz_of
from portal.auth.passwords import hash_password
from portal.certification.core import Definition, RequirementKind, next_valid_until
from portal.certification.core.status import Cycle, add_months
from portal.certification.services import active_certifications, definition_of, local_today
from portal.demo.seed import DEMO_PASSWORD, _wrong
from portal.extensions import db
from portal.i18n import LOCAL_TIMEZONE
from portal.models import (
    Assignment,
    AssignmentSource,
    AttemptStatus,
    AuditEvent,
    CertificationCycle,
    CycleState,
    InputKind,
    Membership,
    Module,
    ModuleCompletion,
    Organisation,
    Position,
    ProgressStatus,
    QuizAnswer,
    QuizAttempt,
    QuizVersion,
    Role,
    RunMode,
    SectionKind,
    SectionProgress,
    SimulationInput,
    SimulationRun,
    Unit,
    UnitKind,
    User,
    managed_unit,
)
from portal.simulator.catalogue import ROLES, roles_of, scenarios
from portal.simulator.services import _result_document, is_pass

MARKER = "demo.national_seeded"  # the audit action that records a national seed (and refuses a second)
HISTORY_YEARS = 16  # certification records reach this far back (imported from the earlier system)
PORTAL_YEARS = 4  # learning in the portal (progress, attempts, completions) since it went live
MIN_MUNICIPALITY = 12
PRACTICE_DAYS = 30  # unfinished exercises older than this are pruned by the simulator


@dataclass(frozen=True)
class Profile:
    """The counts `--scale` multiplies; cycles, attempts and answers follow from people's histories."""

    organisations: int = 20
    people: int = 20_000
    simulation_runs: int = 5_000

    def scaled(self, scale: float) -> "Profile":
        organisations, people, runs = (max(1, round(count * scale)) for count in astuple(self))
        # A municipality needs a dozen people to have managers, an administrator and staff in each unit.
        return Profile(max(1, min(organisations, people // MIN_MUNICIPALITY)), people, runs)


NATIONAL = Profile()


class ContentMissing(Exception):
    """The national content has not been synced, so there is nothing to be certified in."""


class AlreadySeeded(Exception):
    """The database already holds a national data set."""


# The synced content, read once --------------------------------------------------------------------


@dataclass(frozen=True)
class SectionInfo:
    id: int
    kind: SectionKind
    required: bool
    duration: float


@dataclass(frozen=True)
class QuizInfo:
    version_id: int
    section_id: int
    quiz: Quiz
    right: dict[str, object]  # question id -> a fully right response


@dataclass(frozen=True)
class ModuleInfo:
    slug: str
    id: int
    version_id: int
    sections: tuple[SectionInfo, ...]
    quiz: QuizInfo


@dataclass(frozen=True)
class CertificationInfo:
    id: int
    slug: str
    version_id: int
    definition: Definition


@dataclass(frozen=True)
class Content:
    modules: dict[str, ModuleInfo]
    certifications: tuple[CertificationInfo, ...]

    def certification(self, slug: str) -> CertificationInfo | None:
        return next((c for c in self.certifications if c.slug == slug), None)


def synced_content() -> Content:
    """The national certifications and the modules they need, each with its quiz; raises ContentMissing."""
    certifications = tuple(
        CertificationInfo(c.id, c.slug, c.current_version_id, definition_of(c.current_version))
        for c in active_certifications()
        if c.organisation_id is None
    )
    modules = {m.slug: m for m in db.session.scalars(sa.select(Module).where(Module.is_active))}
    needed = {slug for c in certifications for slug in c.definition.modules}
    if not certifications or not needed <= set(modules):
        raise ContentMissing("run `flask content sync` first: the national data set needs the synced content")
    return Content({slug: _module_info(modules[slug]) for slug in sorted(needed)}, certifications)


def _module_info(module: Module) -> ModuleInfo:
    version = module.current_version
    sections = tuple(
        SectionInfo(s.id, s.kind, s.required, float(s.media.get("duration") or 0)) for s in version.sections
    )
    quiz_section = next((s for s in version.sections if s.quiz_version_id), None)
    if quiz_section is None:
        raise ContentMissing(f"the module {module.slug} has no quiz: run `flask content sync` again")
    quiz_version = db.session.get(QuizVersion, quiz_section.quiz_version_id)
    quiz = quiz_of(quiz_version)
    right = {q.id: model_response(q) for q in quiz.questions}
    return ModuleInfo(
        module.slug, module.id, version.id, sections, QuizInfo(quiz_version.id, quiz_section.id, quiz, right)
    )


# Writing ------------------------------------------------------------------------------------------


class BulkWriter:
    """Rows buffered per table and written in batches, parents before children."""

    def __init__(self, method: str, batch: int = 50_000) -> None:
        self.method, self.batch = method, batch
        self.buffers: dict[sa.Table, list[dict]] = {}
        self.counts: Counter[str] = Counter()
        self.pending = 0

    def add(self, table: sa.Table, row: dict) -> None:
        self.buffers.setdefault(table, []).append(row)
        self.counts[table.name] += 1
        self.pending += 1
        if self.pending >= self.batch:
            self.flush()

    def flush(self) -> None:
        for table in db.metadata.sorted_tables:
            rows = self.buffers.pop(table, None)
            if rows:
                self._write(table, rows)
        self.pending = 0

    def _write(self, table: sa.Table, rows: list[dict]) -> None:
        if self.method != "copy":
            db.session.execute(sa.insert(table), rows)
            return
        # COPY, with each value bound as SQLAlchemy would bind it (JSON, enums, UTC times).
        connection = db.session.connection()
        dialect = connection.dialect
        columns = list(rows[0])
        processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns]
        quote = dialect.identifier_preparer.quote
        statement = f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        with connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([p(row[c]) if p else row[c] for p, c in zip(processors, columns, strict=True)])


class Ids:
    """The next free primary key of each table with an integer id."""

    def __init__(self) -> None:
        self.next: dict[str, int] = {}

    def take(self, table: sa.Table) -> int:
        if table.name not in self.next:
            self.next[table.name] = (db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1
        taken = self.next[table.name]
        self.next[table.name] += 1
        return taken


def _move_sequences_past_ids(ids: Ids) -> None:
    if db.session.get_bind().dialect.name != "postgresql":
        return  # SQLite takes max(id) + 1 by itself
    for name in ids.next:
        db.session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), (SELECT max(id) FROM \"{name}\"))"  # nosec B608 – table names from the model metadata, not input
            )
        )


# Time ---------------------------------------------------------------------------------------------


def moment(day: date, minutes: float) -> datetime:
    """`minutes` after local midnight of `day`, in UTC."""
    local = datetime.combine(day, time.min) + timedelta(minutes=minutes)
    return local.replace(tzinfo=LOCAL_TIMEZONE).astimezone(UTC)


def _days(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(days=int(rng.uniform(low, high)))


# Names --------------------------------------------------------------------------------------------

TOWN_STEMS = (
    "Björk", "Ek", "Sjö", "Lind", "Gran", "Berg", "Al", "Asp", "Sten", "Hög", "Löv", "Furu", "Rönn", "Mal",
    "Hag", "Kvarn", "Sand", "Ström", "Väster", "Öster", "Norr", "Söder", "Myr", "Tall", "Hassel", "Lo",
)  # fmt: skip
TOWN_ENDINGS = (
    "vik", "hamn", "fors", "köping", "by", "torp", "dal", "sund", "berga", "holm", "näs", "ryd", "lunda",
    "tuna", "stad", "hult", "mora", "fall",
)  # fmt: skip
DISTRICTS = (
    "Centrum", "Norr", "Söder", "Väster", "Öster", "Ekbacken", "Tallåsen", "Sjöstaden", "Hagaberg",
    "Lövgärdet", "Rosendal", "Kvarnbyn", "Åsen", "Bruket", "Strand", "Dalen", "Gärdet", "Lunden", "Högby",
    "Solhem", "Björkhagen", "Marielund", "Skogsby", "Ängen", "Backa", "Kyrkbyn", "Hamnen", "Torget",
)  # fmt: skip
FIRST_NAMES = (
    "Anna", "Maria", "Eva", "Karin", "Sara", "Emma", "Linnéa", "Elin", "Ida", "Sofia", "Fatima", "Amira",
    "Leila", "Aisha", "Hodan", "Nadia", "Zahra", "Maja", "Ebba", "Tove", "Britt", "Ingrid", "Marianne",
    "Lena", "Helena", "Camilla", "Jessica", "Malin", "Johanna", "Agnieszka", "Olena", "Tigist", "Mirela",
    "Johan", "Erik", "Lars", "Mikael", "Ahmed", "Mohammed", "Hassan", "Yusuf", "Omar", "Ali", "Per", "Nils",
    "Olle", "Göran", "Kent", "Arvid", "Tariq", "Daniel", "Samir", "Jonas", "Peter", "Abdi", "Dragan",
)  # fmt: skip
LAST_NAMES = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson",
    "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson", "Lindberg", "Lindqvist", "Axelsson",
    "Engström", "Lund", "Berg", "Holm", "Sjöberg", "Forsberg", "Nyström", "Åberg", "Ek", "Dahl", "Ström",
    "Mohammed", "Ali", "Hassan", "Hussein", "Yusuf", "Abdi", "Ahmed", "Haddad", "Nowak", "Kowalski",
    "Petrović", "Jovanović", "Kovač", "Rahimi", "Karimi", "Tesfaye", "Öztürk", "Virtanen", "Korhonen",
)  # fmt: skip
REVOKED_REASONS = (
    "Dokumentationen vid ett larm brast; ny utbildning krävs.",
    "Larmet kvitterades utan besök; utbildningen görs om.",
    "Nyckelrutinen följdes inte; ny utbildning krävs.",
)


def town_names(count: int, rng: random.Random) -> list[str]:
    combos = [stem + ending for stem in TOWN_STEMS for ending in TOWN_ENDINGS]
    chosen = rng.sample(combos, min(count, len(combos)))
    return chosen + [f"{rng.choice(combos)} {n}" for n in range(2, count - len(chosen) + 2)]


def municipality(town: str) -> str:
    return f"{town} kommun" if town.endswith("s") else f"{town}s kommun"


def code_of(town: str) -> str:
    ascii_name = town.lower().translate(str.maketrans("åäöé", "aaoe"))
    return "".join(char if char.isalnum() else "-" for char in ascii_name)


def _district(number: int) -> str:
    laps, index = divmod(number, len(DISTRICTS))
    return DISTRICTS[index] + (f" {laps + 1}" if laps else "")


# The people: organisations, units, memberships ------------------------------------------------------


@dataclass
class UnitPlan:
    id: int
    name: str
    kind: UnitKind


@dataclass
class MembershipPlan:
    id: int
    unit: UnitPlan
    position: Position
    started_on: date
    ended_on: date | None = None


@dataclass
class Person:
    id: int
    organisation_id: int
    username: str
    full_name: str
    roles: frozenset[Role]
    started_on: date  # employed since
    left_on: date | None = None
    memberships: list[MembershipPlan] = field(default_factory=list)
    manages: list[UnitPlan] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return self.left_on is None

    @property
    def is_unit_manager(self) -> bool:
        return any(m.position is Position.UNIT_MANAGER for m in self.memberships)


@dataclass(frozen=True)
class Slot:
    """A job in a municipality before someone is drawn to fill it."""

    unit: UnitPlan
    position: Position
    suffix: str  # the username after the code: "vc", "ec01", "admin", or a number
    roles: frozenset[Role] = frozenset({Role.LEARNER})
    manages: tuple[UnitPlan, ...] = ()


def sizes(people: int, count: int, rng: random.Random) -> list[int]:
    """People per municipality: a few large, many small (largest remainder of Zipf-like weights)."""
    weights = [1 / (rank + 1) ** 0.9 for rank in range(count)]
    rng.shuffle(weights)
    shares = [people * w / sum(weights) for w in weights]
    result = [int(share) for share in shares]
    by_remainder = sorted(range(count), key=lambda i: shares[i] - result[i], reverse=True)
    for i in by_remainder[: people - sum(result)]:
        result[i] += 1
    return result


@dataclass(frozen=True)
class Staffing:
    """How many people of each kind a municipality of `size` employs (managers and the administrator
    come out of the home care share)."""

    alarm_team: int
    assessors: int
    night: int
    home_care: int

    @classmethod
    def of(cls, size: int) -> "Staffing":
        alarm_team, assessors, night = (max(1, round(size * share)) for share in (0.03, 0.05, 0.12))
        return cls(alarm_team, assessors, night, max(1, size - alarm_team - assessors - night))


def plan_units(staffing: Staffing, ids: Ids) -> dict[UnitKind, list[UnitPlan]]:
    """Home care groups of about 30, night patrols of about 25, one alarm team, needs assessment units
    of up to 40."""
    names = {
        UnitKind.HOME_CARE: [
            f"Hemtjänst {_district(n)}" for n in range(max(1, round(staffing.home_care / 30)))
        ],
        UnitKind.NIGHT_PATROL: ["Nattpatrullen"]
        + [f"Nattpatrullen {n}" for n in range(2, round(staffing.night / 25) + 1)],
        UnitKind.ALARM_TEAM: ["Larmteamet"],
        UnitKind.NEEDS_ASSESSMENT: ["Biståndsenheten"]
        + [f"Biståndsenheten {_district(n)}" for n in range(1, math.ceil(staffing.assessors / 40))],
    }
    return {kind: [UnitPlan(ids.take(Unit.__table__), name, kind) for name in unit_names]
            for kind, unit_names in names.items()}  # fmt: skip


def plan_slots(
    size: int, staffing: Staffing, units: dict[UnitKind, list[UnitPlan]], rng: random.Random
) -> list[Slot]:
    """Managers and the administrator first, then the staff of each kind of unit: `size` jobs in all."""
    care = units[UnitKind.HOME_CARE] + units[UnitKind.NIGHT_PATROL]
    authority = units[UnitKind.NEEDS_ASSESSMENT] + units[UnitKind.ALARM_TEAM]
    team = units[UnitKind.ALARM_TEAM][0]
    managers = frozenset({Role.LEARNER, Role.MANAGER})
    slots = [
        Slot(care[0], Position.OPERATIONS_MANAGER, "vc", managers, tuple(care)),
        Slot(team, Position.OTHER, "admin", frozenset({Role.ADMIN})),
    ]
    groups = [tuple(care[i : i + 2]) for i in range(0, len(care), 2)] + [tuple(authority)]
    slots += [
        Slot(group[0], Position.UNIT_MANAGER, f"ec{n:02d}", managers, group)
        for n, group in enumerate(groups, 1)
    ]
    team_positions = (Position.ALARM_COORDINATOR, Position.OCCUPATIONAL_THERAPIST)
    authors = frozenset({Role.LEARNER, Role.AUTHOR})
    for n in range(staffing.alarm_team):
        if n < 2:
            slots.append(Slot(team, team_positions[n], "", authors))
        else:
            slots.append(Slot(team, Position.ASSISTANT_NURSE, ""))
    slots += [
        Slot(_nth(units[UnitKind.NEEDS_ASSESSMENT], n), Position.NEEDS_ASSESSOR, "")
        for n in range(staffing.assessors)
    ]
    slots += [
        Slot(_nth(units[UnitKind.NIGHT_PATROL], n), _carer(rng, 0.8), "") for n in range(staffing.night)
    ]
    slots += [
        Slot(_nth(units[UnitKind.HOME_CARE], n), _carer(rng, 0.7), "")
        for n in range(max(0, size - len(slots)))
    ]
    return slots[:size]


def _nth(units: list[UnitPlan], n: int) -> UnitPlan:
    return units[n % len(units)]


def _carer(rng: random.Random, nurse_share: float) -> Position:
    return Position.ASSISTANT_NURSE if rng.random() < nurse_share else Position.CARE_ASSISTANT


def _tenure_years(rng: random.Random) -> float:
    """Home care keeps many for decades, loses many in the first years, and takes on new people every
    season."""
    share = rng.random()
    if share < 0.05:
        return rng.uniform(0.005, 0.25)
    if share < 0.3:
        return rng.uniform(0.05, 2)
    return rng.uniform(2, 10) if share < 0.75 else rng.uniform(10, 30)


@dataclass(frozen=True)
class Dates:
    today: date  # statuses are as of this day; nothing happens on it or later
    portal_start: date
    records_start: date

    @classmethod
    def of(cls, today: date) -> "Dates":
        return cls(today, add_months(today, -12 * PORTAL_YEARS), add_months(today, -12 * HISTORY_YEARS))

    @property
    def yesterday(self) -> date:
        return self.today - timedelta(days=1)


def draw_person(slot: Slot, username: str, organisation_id: int, dates: Dates, ids: Ids, rng: random.Random,
                care: list[UnitPlan]) -> Person:  # fmt: skip
    """Someone in `slot`: employed for a while, perhaps moved between care units, perhaps with a second
    unit, perhaps gone (only plain staff move, double up or leave)."""
    started = dates.today - timedelta(days=max(2, int(365.25 * _tenure_years(rng))))
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    person = Person(
        ids.take(User.__table__),
        organisation_id,
        username,
        name,
        slot.roles,
        started,
        manages=list(slot.manages),
    )
    current_start = started
    plain_carer = not slot.suffix and slot.unit.kind in (UnitKind.HOME_CARE, UnitKind.NIGHT_PATROL)
    others = [u for u in care if u is not slot.unit]
    if plain_carer and others and (dates.today - started).days > 400 and rng.random() < 0.10:
        current_start = started + _days(rng, 180, (dates.today - started).days - 30)
        person.memberships.append(
            MembershipPlan(
                ids.take(Membership.__table__), rng.choice(others), _carer(rng, 0.7), started, current_start
            )
        )
    person.memberships.append(
        MembershipPlan(ids.take(Membership.__table__), slot.unit, slot.position, current_start)
    )
    if plain_carer and others and rng.random() < 0.04:
        second_start = current_start + _days(rng, 0, (dates.today - current_start).days)
        person.memberships.append(
            MembershipPlan(ids.take(Membership.__table__), rng.choice(others), slot.position, second_start)
        )
    latest_start = max(m.started_on for m in person.memberships)
    if plain_carer and rng.random() < 0.05 and (dates.today - latest_start).days > 60:
        person.left_on = dates.today - _days(rng, 1, min(365, (dates.today - latest_start).days - 30))
        for membership in person.memberships:
            membership.ended_on = membership.ended_on or person.left_on
    return person


def token(rng: random.Random, size: int = 16) -> str:
    return base64.urlsafe_b64encode(rng.randbytes(size)).rstrip(b"=").decode()


def verification_code(rng: random.Random) -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # as certification.services.new_verification_code
    return "".join(rng.choice(alphabet) for _ in range(26))


# Certification histories --------------------------------------------------------------------------


@dataclass
class AssignmentPlan:
    certification: CertificationInfo
    source: AssignmentSource
    start: date
    end: date | None
    due_on: date
    by: Person | None = None


@dataclass
class PlannedCycle:
    certified_on: date
    valid_until: date
    opens: date | None  # a renewal: the day its window opened (evidence counts from then)
    revoked_on: date | None = None


@dataclass
class Chain:
    cycles: list[PlannedCycle]
    pending: date | None  # the next completion as planned, after the chain stops (None: revoked)
    pending_opens: date | None = None


def rule_assignments(person: Person, content: Content, dates: Dates) -> list[AssignmentPlan]:
    """What `apply_rules` would have assigned over the person's memberships, ended when none applies."""
    plans = []
    for certification in content.certifications:
        definition = certification.definition
        spans = sorted(
            (m.started_on, m.ended_on)
            for m in person.memberships
            if definition.applies_to(m.position.value, m.unit.kind.value)
        )
        for start, end in _merged(spans):
            if end is not None and end <= dates.records_start:
                continue
            start = max(start, dates.records_start)
            due = start + timedelta(days=definition.new_staff_due_days)
            plans.append(AssignmentPlan(certification, AssignmentSource.RULE, start, end, due))
    return plans


def _merged(spans: list[tuple[date, date | None]]) -> Iterator[tuple[date, date | None]]:
    current: list | None = None
    for start, end in spans:
        if current is not None and (current[1] is None or start <= current[1]):
            current[1] = None if end is None or current[1] is None else max(current[1], end)
            continue
        if current is not None:
            yield current[0], current[1]
        current = [start, end]
    if current is not None:
        yield current[0], current[1]


def plan_chain(definition: Definition, start: date, stop: date, rng: random.Random) -> Chain:
    """Cycles from `start` until `stop`: the first within the due days for most, late for some; then each
    renewed in its window, or after it lapsed; the last one sometimes revoked."""
    due_days = definition.new_staff_due_days
    share = rng.random()
    if share < 0.7:
        first = start + _days(rng, 3, due_days)
    elif share < 0.88:
        first = start + _days(rng, due_days + 1, due_days + 120)
    else:  # very late, or (when that is after `stop`) overdue still
        first = start + _days(rng, due_days + 120, due_days + 1500)
    if first > stop:
        return Chain([], first)
    cycles = [PlannedCycle(first, add_months(first, definition.validity_months), None)]
    while True:
        previous = Cycle(cycles[-1].certified_on, cycles[-1].valid_until)
        opens = previous.valid_until - timedelta(days=definition.window_days)
        if rng.random() < 0.8:
            done = opens + _days(rng, 0, definition.window_days + 1)
        else:
            done = previous.valid_until + _days(rng, 1, 400)
        if done > stop:
            break
        valid = next_valid_until(definition.expiry_base, done, definition.validity_months, previous)
        cycles.append(PlannedCycle(done, valid, opens))
    last = cycles[-1]
    if rng.random() < 0.015 and (stop - last.certified_on).days > 30:
        last.revoked_on = last.certified_on + _days(
            rng, 30, (min(stop, last.valid_until) - last.certified_on).days + 1
        )
        return Chain(cycles, None)
    return Chain(cycles, done, opens)


# Learning in the portal ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Activity:
    """Something a person did toward a certification on a day: a module (quiz passed, or only started)
    or an exercise."""

    day: date
    order: int
    module: str | None = None
    scenario: str | None = None
    renewal: bool = False
    partial: bool = False


@dataclass(frozen=True)
class ExerciseNeed:
    at: datetime
    user_id: int
    scenario: str
    role: str


@dataclass
class Learner:
    person: Person
    rng: random.Random
    ability: float
    studied: set[str] = field(default_factory=set)  # modules completed in the portal
    sections_done: set[int] = field(default_factory=set)
    numbers: Counter[int] = field(default_factory=Counter)  # attempts so far per quiz version
    since_pass: Counter[int] = field(default_factory=Counter)  # attempts since the last pass
    seen: dict[str, set[str]] = field(default_factory=dict)
    clock: datetime | None = None

    def start_at(self, day: date) -> datetime:
        """When the next session on `day` begins: after the last one, or some time in the working day."""
        begin = moment(day, self.rng.uniform(7 * 60, 15 * 60))
        return max(begin, self.clock + timedelta(minutes=self.rng.uniform(5, 90))) if self.clock else begin


class Seeder:
    """Writes the national data set; one instance per run."""

    def __init__(self, content: Content, dates: Dates, seed: int, method: str) -> None:
        self.content, self.dates, self.seed = content, dates, seed
        self.writer, self.ids = BulkWriter(method), Ids()
        self.needs: list[ExerciseNeed] = []
        self.password_hash = hash_password(DEMO_PASSWORD)
        self.questions = {m.slug: {q.id: q for q in m.quiz.quiz.questions} for m in content.modules.values()}

    def add(self, model: type, **row: object) -> None:
        self.writer.add(model.__table__, row)

    def audit(self, at: datetime, organisation_id: int | None, actor: int | None, action: str,
              subject_type: str, subject_id: int | None, details: dict) -> None:  # fmt: skip
        self.add(AuditEvent, id=self.ids.take(AuditEvent.__table__), at=at, organisation_id=organisation_id,
                 actor_id=actor, action=action, subject_type=subject_type, subject_id=subject_id, details=details)  # fmt: skip

    # Municipalities and people

    def seed_people(self, profile: Profile) -> list[Person]:
        """Every municipality with its people, then each person's history."""
        rng = random.Random(f"{self.seed}:municipalities")  # nosec B311 – reproducible demo data; no secret is drawn
        towns = town_names(profile.organisations, rng)
        everyone = []
        for town, size in zip(towns, sizes(profile.people, profile.organisations, rng), strict=True):
            people = self.municipality(town, size, rng)
            managers = {unit.id: p for p in people if p.is_unit_manager for unit in p.manages}
            for person in people:
                self.history(person, managers)
            everyone += people
        return everyone

    def municipality(self, town: str, size: int, rng: random.Random) -> list[Person]:
        organisation_id, code = self.ids.take(Organisation.__table__), code_of(town)
        created = moment(self.dates.portal_start, 8 * 60)
        self.add(Organisation, id=organisation_id, name=municipality(town), code=code, review_required=True,
                 created_at=created)  # fmt: skip
        staffing = Staffing.of(size)
        units = plan_units(staffing, self.ids)
        for unit in (u for kind_units in units.values() for u in kind_units):
            self.add(Unit, id=unit.id, organisation_id=organisation_id, name=unit.name, kind=unit.kind,
                     is_active=True, created_at=created)  # fmt: skip
        care = units[UnitKind.HOME_CARE] + units[UnitKind.NIGHT_PATROL]
        people, number = [], 0
        for slot in plan_slots(size, staffing, units, rng):
            if not slot.suffix:
                number += 1
            username = f"{code}.{slot.suffix or f'{number:05d}'}"
            person_rng = random.Random(f"{self.seed}:{username}")  # nosec B311 – reproducible demo data; no secret is drawn
            people.append(
                draw_person(slot, username, organisation_id, self.dates, self.ids, person_rng, care)
            )
        for person in people:
            self.write_person(person, rng)
        return people

    def write_person(self, person: Person, rng: random.Random) -> None:
        logged_in = None
        if person.active and rng.random() < 0.8:
            logged_in = moment(self.dates.today - _days(rng, 1, 60), rng.uniform(6 * 60, 22 * 60))
        self.add(User, id=person.id, organisation_id=person.organisation_id, roles=person.roles,
                 username=person.username, full_name=person.full_name, email=f"{person.username}@example.com",
                 password_hash=self.password_hash, active=person.active, language="en" if rng.random() < 0.03 else None,
                 session_token=token(rng), created_at=moment(max(person.started_on, self.dates.records_start), 7 * 60),
                 last_login_at=logged_in)  # fmt: skip
        for m in person.memberships:
            self.add(Membership, id=m.id, user_id=person.id, unit_id=m.unit.id, position=m.position,
                     started_on=m.started_on, ended_on=m.ended_on)  # fmt: skip
        for unit in person.manages:
            self.writer.add(managed_unit, {"user_id": person.id, "unit_id": unit.id})

    # Histories

    def history(self, person: Person, managers: dict[int, Person]) -> None:
        """The person's assignments and cycles, and what they did in the portal to earn them."""
        rng = random.Random(f"{self.seed}:{person.username}:history")  # nosec B311 – reproducible demo data; no secret is drawn
        learner = Learner(person, rng, ability=rng.uniform(0.75, 0.99))
        plans = rule_assignments(person, self.content, self.dates) + self.manual_assignment(
            person, managers, rng
        )
        activities: list[Activity] = []
        for plan in plans:
            stop = min(plan.end or self.dates.yesterday, self.dates.yesterday)
            chain = plan_chain(plan.certification.definition, plan.start, stop, rng)
            self.write_assignment(person, plan)
            self.write_cycles(person, plan.certification, chain, managers, rng)
            activities += self.activities(plan, chain, stop, rng)
        for activity in sorted(activities, key=lambda a: (a.day, a.order)):
            self.do(learner, activity)

    def manual_assignment(
        self, person: Person, managers: dict[int, Person], rng: random.Random
    ) -> list[AssignmentPlan]:
        """Now and then a manager asks an experienced assistant nurse to back up the alarm team."""
        certification = self.content.certification("larmteam-installation-och-teknik")
        current = [m for m in person.memberships if m.ended_on is None]
        if certification is None or not person.active or not current or rng.random() >= 0.01:
            return []
        membership = current[0]
        manager = managers.get(membership.unit.id)
        if membership.position is not Position.ASSISTANT_NURSE or manager is None:
            return []
        start = max(membership.started_on, self.dates.today - _days(rng, 30, 700))
        return [
            AssignmentPlan(
                certification, AssignmentSource.MANUAL, start, None, start + timedelta(days=60), manager
            )
        ]

    def write_assignment(self, person: Person, plan: AssignmentPlan) -> None:
        assignment_id = self.ids.take(Assignment.__table__)
        assigned_at = moment(plan.start, 6 * 60 + person.id % 60)
        ended_at = moment(plan.end, 6 * 60) if plan.end else None
        reason = "no longer in a position or unit it applies to"
        self.add(Assignment, id=assignment_id, user_id=person.id, certification_id=plan.certification.id,
                 source=plan.source, assigned_by_id=plan.by.id if plan.by else None, assigned_at=assigned_at,
                 due_on=plan.due_on, ended_at=ended_at, end_reason=reason if plan.end else None)  # fmt: skip
        why = "assigned by a manager" if plan.by else "position and unit"
        details = {"user": person.id, "certification": plan.certification.slug, "due_on": plan.due_on.isoformat(),
                   "why": why}  # fmt: skip
        by = plan.by.id if plan.by else None
        self.audit(
            assigned_at,
            person.organisation_id,
            by,
            "certification.assigned",
            "assignment",
            assignment_id,
            details,
        )
        if ended_at is not None:
            self.audit(ended_at, person.organisation_id, None, "certification.assignment_ended", "assignment",
                       assignment_id, {"why": reason})  # fmt: skip

    def write_cycles(self, person: Person, certification: CertificationInfo, chain: Chain,
                     managers: dict[int, Person], rng: random.Random) -> None:  # fmt: skip
        previous_id = None
        ids = [self.ids.take(CertificationCycle.__table__) for _ in chain.cycles]
        issued_at = [moment(c.certified_on, 20 * 60 + rng.uniform(0, 120)) for c in chain.cycles] + [None]
        for number, (cycle_id, cycle) in enumerate(zip(ids, chain.cycles, strict=True)):
            issued, renewed_at = issued_at[number], issued_at[number + 1]
            state = CycleState.ACTIVE
            if cycle.revoked_on:
                state = CycleState.REVOKED
            elif renewed_at is not None:
                state = CycleState.SUPERSEDED
            reason = rng.choice(REVOKED_REASONS) if cycle.revoked_on else None
            self.add(CertificationCycle, id=cycle_id, user_id=person.id, certification_id=certification.id,
                     certification_version_id=certification.version_id, organisation_id=person.organisation_id,
                     state=state, certified_on=cycle.certified_on, valid_until=cycle.valid_until, renew_by=None,
                     renewal_required_on=None, revoked_on=cycle.revoked_on, revoked_reason=reason,
                     verification_code=verification_code(rng),
                     evidence={"completed_on": cycle.certified_on.isoformat(), "renews": previous_id},
                     certificate_pdf=None, certificate_language=None, certificate_issued_at=None, created_at=issued,
                     superseded_at=renewed_at)  # fmt: skip
            details = {"certification": certification.slug, "version": certification.definition.version,
                       "certified_on": cycle.certified_on.isoformat(), "valid_until": cycle.valid_until.isoformat(),
                       "why": "the refresher path was completed" if previous_id else "every requirement was met"}  # fmt: skip
            action = "certification.renewed" if previous_id else "certification.certified"
            self.audit(issued, person.organisation_id, None, action, "certification_cycle", cycle_id, details)
            if cycle.revoked_on:
                manager = managers.get(person.memberships[-1].unit.id)
                self.audit(moment(cycle.revoked_on, 10 * 60), person.organisation_id, manager.id if manager else None,
                           "certification.revoked", "certification_cycle", cycle_id, {"why": reason})  # fmt: skip
            previous_id = cycle_id

    def activities(
        self, plan: AssignmentPlan, chain: Chain, stop: date, rng: random.Random
    ) -> list[Activity]:
        """The modules and exercises behind each cycle earned in the portal, and the progress toward the
        next completion so far."""
        definition, found = plan.certification.definition, []
        for cycle in chain.cycles:
            earliest = cycle.opens or plan.start
            items = definition.renewal if cycle.opens else definition.requirements
            found += self.schedule(items, earliest, cycle.certified_on, cycle.opens is not None, stop, rng)
        if chain.pending is not None:
            items = definition.renewal if chain.pending_opens else definition.requirements
            earliest = chain.pending_opens or plan.start
            found += self.schedule(items, earliest, chain.pending, chain.pending_opens is not None, stop, rng)
        return found

    def schedule(
        self, items, earliest: date, last: date, renewal: bool, stop: date, rng: random.Random
    ) -> list[Activity]:
        """Spread `items` over the weeks before `last` (the last item on it); keep what falls in the portal's
        time and before `stop`; the first item after `stop` may be half done."""
        first = max(earliest, last - _days(rng, 7, 45))
        span = max(0, (last - first).days)
        days = sorted(first + timedelta(days=rng.randint(0, span)) for _ in items[1:]) + [last]
        found, started_next = [], False
        for order, (item, day) in enumerate(zip(items, days, strict=True)):
            module = item.ref if item.kind is RequirementKind.MODULE else None
            scenario = None if module else item.ref
            if day < self.dates.portal_start:
                continue
            if day <= stop:
                found.append(Activity(day, order, module, scenario, renewal))
            elif module and not started_next and first <= stop and rng.random() < 0.5:
                started_next = True
                day = max(first, stop - _days(rng, 0, 8))
                found.append(Activity(day, order, module, renewal=renewal, partial=True))
        return found

    def do(self, learner: Learner, activity: Activity) -> None:
        person = learner.person
        if activity.scenario is not None:
            at = learner.start_at(activity.day)
            learner.clock = at + timedelta(minutes=learner.rng.uniform(8, 25))
            self.needs.append(ExerciseNeed(at, person.id, activity.scenario, _role_of(person)))
            return
        module = self.content.modules[activity.module]
        if module.slug not in learner.studied:
            self.study(learner, module, learner.start_at(activity.day), partial=activity.partial)
        elif activity.renewal:
            self.quiz_round(learner, module, learner.start_at(activity.day), must_pass=not activity.partial)
        # a first certification's module completed before (for another certification) is evidence already

    def study(self, learner: Learner, module: ModuleInfo, at: datetime, partial: bool) -> None:
        """Read the module's sections in order, then pass its quiz (or, `partial`, stop part-way)."""
        rng = learner.rng
        readable = [
            s
            for s in module.sections
            if s.kind is not SectionKind.QUIZ and (s.required or rng.random() < 0.5)
        ]
        if partial:
            readable = readable[: rng.randint(1, len(readable))]
        for section in readable:
            if section.id in learner.sections_done:
                continue
            minutes = (
                section.duration / 60 + rng.uniform(1, 4)
                if section.kind is SectionKind.VIDEO
                else rng.uniform(2, 12)
            )
            done = at + timedelta(minutes=minutes)
            watched = [[0.0, section.duration]] if section.kind is SectionKind.VIDEO else []
            self.add(SectionProgress, id=self.ids.take(SectionProgress.__table__), user_id=learner.person.id,
                     section_version_id=section.id, status=ProgressStatus.COMPLETED, started_at=at, completed_at=done,
                     watched=watched, position_seconds=section.duration if watched else 0.0, updated_at=done)  # fmt: skip
            learner.sections_done.add(section.id)
            at = done + timedelta(minutes=rng.uniform(0.2, 3))
        learner.clock = at
        unread = [s for s in module.sections if s.required and s.kind is not SectionKind.QUIZ
                  and s.id not in learner.sections_done]  # fmt: skip
        if partial and (unread or rng.random() < 0.5):
            return
        started = at
        passed_at = self.quiz_round(learner, module, at, must_pass=not partial)
        if passed_at is None:
            return
        if module.quiz.section_id not in learner.sections_done:
            self.add(SectionProgress, id=self.ids.take(SectionProgress.__table__), user_id=learner.person.id,
                     section_version_id=module.quiz.section_id, status=ProgressStatus.COMPLETED,
                     started_at=started, completed_at=passed_at, watched=[], position_seconds=0.0,
                     updated_at=passed_at)  # fmt: skip
            learner.sections_done.add(module.quiz.section_id)
        self.add(ModuleCompletion, id=self.ids.take(ModuleCompletion.__table__), user_id=learner.person.id,
                 module_version_id=module.version_id, completed_at=passed_at)  # fmt: skip
        learner.studied.add(module.slug)

    def quiz_round(
        self, learner: Learner, module: ModuleInfo, at: datetime, must_pass: bool
    ) -> datetime | None:
        """Attempts until one passes (the last allowed one always does when it must); returns when it passed.
        A round that need not pass may give up, and never spends the last allowed attempt."""
        quiz, rng = module.quiz.quiz, learner.rng
        version = module.quiz.version_id
        ability, tries = learner.ability, 0
        while True:
            left = (
                None if quiz.attempts_allowed is None else quiz.attempts_allowed - learner.since_pass[version]
            )
            if not must_pass and left is not None and left <= 1:
                return None
            last_chance = must_pass and (left == 1 or (left is None and tries >= 3))
            submitted, passed = self.attempt(learner, module, at, ability, force_pass=last_chance)
            learner.clock = submitted
            tries += 1
            if passed:
                learner.since_pass[version] = 0
                return submitted
            learner.since_pass[version] += 1
            if not must_pass and rng.random() < 0.5:
                return None
            ability = min(0.99, ability + 0.1)
            at = submitted + timedelta(minutes=quiz.cooldown_minutes + rng.uniform(1, 90))

    def attempt(self, learner: Learner, module: ModuleInfo, at: datetime, ability: float, force_pass: bool
                ) -> tuple[datetime, bool]:  # fmt: skip
        """One submitted attempt, drawn and graded by the quiz code; returns when it was handed in and
        whether it passed."""
        quiz, rng, person = module.quiz.quiz, learner.rng, learner.person
        seen = learner.seen.setdefault(module.slug, set())
        seed = rng.getrandbits(63)
        drawn = draw(quiz, seed, frozenset(seen))
        for _ in range(6):
            responses = {qid: self.response(module, qid, ability, rng) for qid in drawn.question_ids}
            result = grade_attempt(quiz, drawn, {q: _as_response(r) for q, r in responses.items()})
            if result.passed or not force_pass:
                break
            ability = (ability + 1) / 2
        else:
            responses = {qid: module.quiz.right[qid] for qid in drawn.question_ids}
            result = grade_attempt(quiz, drawn, {q: _as_response(r) for q, r in responses.items()})
        attempt_id = self.ids.take(QuizAttempt.__table__)
        learner.numbers[module.quiz.version_id] += 1
        saved, scores = at, {r.question_id: r.score for r in result.results}
        answers = []
        for qid in drawn.question_ids:
            saved += timedelta(seconds=rng.uniform(20, 90))
            answers.append(dict(attempt_id=attempt_id, question_id=qid, response=responses[qid], saved_at=saved,
                                wrong_tries=0, checked_correct=False, score=scores[qid], page_key=None, page_seq=None))  # fmt: skip
        submitted = saved + timedelta(seconds=rng.uniform(10, 60))
        limit = quiz.time_limit_minutes
        self.add(QuizAttempt, id=attempt_id, user_id=person.id, quiz_version_id=module.quiz.version_id,
                 section_version_id=module.quiz.section_id, number=learner.numbers[module.quiz.version_id], seed=seed,
                 seen_question_ids=sorted(seen), question_ids=list(drawn.question_ids), status=AttemptStatus.SUBMITTED,
                 started_at=at, deadline=at + timedelta(minutes=limit) if limit else None, last_saved_at=saved,
                 submitted_at=submitted, auto_submitted=False, percent=result.percent, passed=result.passed)  # fmt: skip
        for answer in answers:
            self.writer.add(QuizAnswer.__table__, answer)
        details = {"quiz_version": module.quiz.version_id, "number": learner.numbers[module.quiz.version_id],
                   "percent": round(result.percent, 2), "passed": result.passed, "automatically": False}  # fmt: skip
        self.audit(
            submitted, person.organisation_id, person.id, "quiz.graded", "quiz_attempt", attempt_id, details
        )
        seen.update(drawn.question_ids)
        return submitted, result.passed

    def response(self, module: ModuleInfo, question_id: str, ability: float, rng: random.Random) -> object:
        if rng.random() < ability:
            return module.quiz.right[question_id]
        return _wrong(self.questions[module.slug][question_id], rng)


def _as_response(stored: object) -> object:
    """As the assessment services read a stored answer back (JSON gives lists)."""
    return tuple(stored) if isinstance(stored, list) else stored


ROLE_OF_UNIT = {
    UnitKind.HOME_CARE: "home_care",
    UnitKind.NIGHT_PATROL: "home_care",
    UnitKind.ALARM_TEAM: "larmteam",
}


def _role_of(person: Person) -> str:
    """The role a person takes in an exercise: their job's (managers as managers)."""
    if Role.MANAGER in person.roles:
        return "manager"
    return ROLE_OF_UNIT.get(person.memberships[-1].unit.kind, "operator")


# Trygghetskedjan exercises ------------------------------------------------------------------------


@dataclass(frozen=True)
class RunTemplate:
    """A run as the simulator leaves it, played through the engine once and copied for many people."""

    scenario: Scenario
    role: str
    seed: int
    inputs: tuple[tuple[datetime, str], ...]  # (virtual time, event JSON)
    virtual_now: datetime
    finished: bool
    points: int | None = None
    max_points: int | None = None
    percent: int | None = None
    passed: bool | None = None
    result: dict | None = None


class Templates:
    """Runs of each scenario, role and outcome with a few seeds, made when first needed."""

    SEEDS = 4
    VARIANTS = ("pass", "fail", "unfinished")  # the trainee took every step, stopped half-way, or left

    def __init__(self, catalogue: dict[str, Scenario], rng: random.Random) -> None:
        self.catalogue, self.rng = catalogue, rng
        self.seeds = [rng.getrandbits(31) for _ in range(self.SEEDS)]
        self.made: dict[tuple[str, str, str, int], RunTemplate] = {}

    def get(self, slug: str, role: str, variant: str) -> RunTemplate:
        key = (slug, role, variant, self.rng.choice(self.seeds))
        if key not in self.made:
            self.made[key] = self._make(*key)
        return self.made[key]

    def _make(self, slug: str, role: str, variant: str, seed: int) -> RunTemplate:
        scenario, actor = self.catalogue[slug], ROLES[role]
        played = run_scenario(scenario, seed).events
        steps = [e for e in played if e.actor is actor]
        taken = steps if variant == "pass" else steps[: len(steps) // 2]
        inputs = tuple((e.at, event_to_json(e)) for e in taken)
        if variant == "unfinished":
            return RunTemplate(scenario, role, seed, inputs, taken[-1].at if taken else scenario.start, False)
        end = max(e.at for e in played)  # as play_model_answer leaves the clock
        state = Player(scenario, seed, frozenset({actor})).play(
            [Intervention(e.at, event=e) for e in taken], until=end
        )
        result = score(state.scenario, state.events, actor)
        return RunTemplate(scenario, role, seed, inputs, end, True, result.points, result.max_points,
                           result.percent, is_pass(result), _result_document(result, state))  # fmt: skip


def _exercise_role(scenario: Scenario, wanted: str) -> str | None:
    roles = roles_of(scenario)
    return wanted if wanted in roles else (roles[0] if roles else None)


class RunWriter:
    """The exercises behind the latest certifications (a failed try first now and then), and practice in
    the last month, some of it left unfinished."""

    def __init__(self, seeder: Seeder) -> None:
        self.seeder = seeder
        self.rng = random.Random(f"{seeder.seed}:runs")  # nosec B311 – reproducible demo data; no secret is drawn
        self.catalogue = scenarios()
        self.templates = Templates(self.catalogue, self.rng)
        self.written = 0

    def write(self, budget: int, people: list[Person]) -> None:
        evidence_budget = budget - round(budget * 0.1)
        for need in sorted(self.seeder.needs, key=lambda n: (n.at, n.user_id, n.scenario), reverse=True):
            if self.written >= evidence_budget:
                break
            scenario = self.catalogue.get(need.scenario)
            role = _exercise_role(scenario, need.role) if scenario else None
            if role is None:
                continue
            if self.written + 2 <= evidence_budget and self.rng.random() < 0.25:
                tried = need.at - timedelta(minutes=self.rng.uniform(30, 3 * 24 * 60))
                self.run(self.templates.get(scenario.slug, role, "fail"), need.user_id, tried)
            self.run(self.templates.get(scenario.slug, role, "pass"), need.user_id, need.at)
        self.practice(budget, [p for p in people if p.active and Role.LEARNER in p.roles])

    def practice(self, budget: int, learners: list[Person]) -> None:
        dates, rng = self.seeder.dates, self.rng
        while self.written < budget and learners:
            person = rng.choice(learners)
            wanted = _role_of(person)
            choices = [s for s in self.catalogue.values() if wanted in roles_of(s)] or list(
                self.catalogue.values()
            )
            scenario = rng.choice(choices)
            role = _exercise_role(scenario, wanted)
            if role is None:
                continue
            variant = rng.choices(Templates.VARIANTS, (3, 3, 4))[0]
            at = moment(dates.today - _days(rng, 1, PRACTICE_DAYS), rng.uniform(7 * 60, 21 * 60))
            self.run(self.templates.get(scenario.slug, role, variant), person.id, at)

    def run(self, template: RunTemplate, user_id: int, at: datetime) -> None:
        seeder, rng = self.seeder, self.rng
        run_id, count = token(rng), len(template.inputs)
        finished = at + timedelta(minutes=rng.uniform(5, 25)) if template.finished else None
        seeder.add(SimulationRun, id=run_id, scenario_slug=template.scenario.slug,
                   scenario_version=template.scenario.version, seed=template.seed, mode=RunMode.EXERCISE,
                   role=template.role, user_id=user_id, client_key=f"user:{user_id}",
                   virtual_now=template.virtual_now, speed=10, revision=count + (1 if finished else 0),
                   input_count=count, created_at=at, touched_at=finished or at + timedelta(minutes=rng.uniform(1, 9)),
                   finished_at=finished, points=template.points, max_points=template.max_points,
                   percent=template.percent, passed=template.passed, result=template.result)  # fmt: skip
        for seq, (virtual_at, body) in enumerate(template.inputs, start=1):
            seeder.add(SimulationInput, id=seeder.ids.take(SimulationInput.__table__), run_id=run_id, seq=seq,
                       kind=InputKind.PERSON, at=virtual_at, body=body, created_at=at + timedelta(seconds=40 * seq))  # fmt: skip
        self.written += 1


# The whole ------------------------------------------------------------------------------------------

SUMMARY_TABLES = (
    ("organisations", "organisation"),
    ("units", "unit"),
    ("people", "user"),
    ("memberships", "membership"),
    ("managed units", "managed_unit"),
    ("assignments", "assignment"),
    ("certification cycles", "certification_cycle"),
    ("quiz attempts", "quiz_attempt"),
    ("quiz answers", "quiz_answer"),
    ("section progress", "section_progress"),
    ("module completions", "module_completion"),
    ("simulation runs", "simulation_run"),
    ("simulation inputs", "simulation_input"),
    ("audit events", "audit_event"),
)


@dataclass(frozen=True)
class Summary:
    seed: int
    scale: float
    today: date
    counts: dict[str, int]  # table name -> rows written
    seconds: float
    accounts: dict[str, str]  # what -> a username to sign in with


def seed_national(
    scale: float = 1.0,
    seed: int = 1,
    today: date | None = None,
    method: str | None = None,
    base: Profile = NATIONAL,
) -> Summary:
    """Write `base` times `scale`; the caller commits. Raises AlreadySeeded or ContentMissing, and then
    writes nothing. `method` ("copy" or "executemany") is for measuring; COPY is PostgreSQL's."""
    began = clock.perf_counter()
    already = db.session.scalar(sa.select(AuditEvent.details).where(AuditEvent.action == MARKER).limit(1))
    if already is not None:
        raise AlreadySeeded(
            "this database already holds the national data set (seed {seed}, scale {scale}, as of {today}); "
            "start from an empty database to seed it again".format(**already)
        )
    content = synced_content()
    today = today or local_today()
    if method is None:
        method = "copy" if db.session.get_bind().dialect.name == "postgresql" else "executemany"
    seeder = Seeder(content, Dates.of(today), seed, method)
    profile = base.scaled(scale)
    people = seeder.seed_people(profile)
    RunWriter(seeder).write(profile.simulation_runs, people)
    counts = dict(seeder.writer.counts)
    seeder.audit(moment(today, 0), None, None, MARKER, "database", None,
                 {"seed": seed, "scale": scale, "today": today.isoformat(), "counts": counts})  # fmt: skip
    seeder.writer.flush()
    _move_sequences_past_ids(seeder.ids)
    return Summary(seed, scale, today, counts, clock.perf_counter() - began, _accounts(people))


def _accounts(people: list[Person]) -> dict[str, str]:
    organisation = people[0].organisation_id
    first = [p for p in people if p.organisation_id == organisation and p.active]
    pick = {
        "verksamhetschef": next(p for p in first if p.username.endswith(".vc")),
        "enhetschef": next((p for p in first if p.is_unit_manager), None),
        "administrator": next((p for p in first if p.username.endswith(".admin")), None),
        "learner": next((p for p in first if p.roles == {Role.LEARNER}), None),
    }
    return {what: person.username for what, person in pick.items() if person is not None}


def analyse_tables() -> None:
    """Fresh planner statistics on PostgreSQL after a bulk load, so that the first requests are planned
    for its size (autovacuum would get there, later). SQLite is left as the portal leaves it."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE"))
