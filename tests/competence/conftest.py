"""Two managers and their people with every status, on days relative to today (so the statuses hold on
any day the tests run); and the demo municipality for the tests that read it."""

import html.parser
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from babel.dates import format_date

from portal.certification.services import local_today
from portal.extensions import db
from portal.models import (
    Assignment,
    AssignmentSource,
    Certification,
    CertificationCycle,
    CycleState,
    Membership,
    Position,
    Role,
    Unit,
    UnitKind,
    User,
)
from tests.competence.builders import make_certifications


@dataclass
class Team:
    today: date
    karin: User
    lars: User
    centrum: Unit
    natt: Unit
    norr: Unit
    certifications: list[Certification]
    people: dict[str, User] = field(default_factory=dict)

    @property
    def c1(self) -> Certification:
        return self.certifications[0]

    @property
    def c2(self) -> Certification:
        return self.certifications[1]

    @property
    def c3(self) -> Certification:
        return self.certifications[2]


def assign(person: User, certification: Certification, due_on: date | None) -> Assignment:
    assignment = Assignment(
        user_id=person.id, certification_id=certification.id, source=AssignmentSource.RULE, due_on=due_on
    )
    db.session.add(assignment)
    return assignment


CODES = iter(range(1, 1_000_000))


def hold(
    person: User,
    certification: Certification,
    valid_until: date,
    state: CycleState = CycleState.ACTIVE,
    revoked_on: date | None = None,
) -> CertificationCycle:
    cycle = CertificationCycle(
        user_id=person.id,
        certification_id=certification.id,
        certification_version_id=certification.current_version_id,
        organisation_id=person.organisation_id,
        state=state,
        certified_on=valid_until - timedelta(days=730),
        valid_until=valid_until,
        revoked_on=revoked_on,
        revoked_reason="Brister i dokumentationen" if revoked_on else None,
        verification_code=f"CODE{next(CODES):08d}",
    )
    db.session.add(cycle)
    return cycle


@pytest.fixture
def team(app, org, make_unit, make_user, make_org) -> Team:
    """karin manages Hemtjänst Centrum and Nattpatrullen, lars Hemtjänst Norr; three certifications.

    | person (unit)                 | c1                     | c2                    | c3                  |
    |-------------------------------|------------------------|-----------------------|---------------------|
    | Anna Ek (Centrum)             | certified, until +600  | overdue, due −5       | not assigned        |
    | Östen Berg (Centrum)          | window open, until +20 | not started, due +40  | expired −10         |
    | Åsa Öberg (Natt)              | revoked 3 days ago     | certified, until +75  | not assigned        |
    | Cecilia Dahl (Centrum + Natt) | not started, due +10   | not assigned          | certified, +500     |
    | Linnéa Holm (Natt)            | not assigned           | not assigned          | not assigned        |
    | Sofia Lund (Norr, lars's)     | overdue, due −1        | certified, until +45  | not assigned        |
    Not in anyone's matrix: an inactive person and one whose membership ended (both in Centrum), and a
    person of another municipality."""
    today = local_today()
    centrum = make_unit(org, "Hemtjänst Centrum")
    natt = make_unit(org, "Nattpatrullen", UnitKind.NIGHT_PATROL)
    norr = make_unit(org, "Hemtjänst Norr")
    karin = make_user(org, username="karin", roles={Role.LEARNER, Role.MANAGER}, unit=centrum,
                      position=Position.OPERATIONS_MANAGER, manages=[centrum, natt])  # fmt: skip
    lars = make_user(org, username="lars", roles={Role.LEARNER, Role.MANAGER}, unit=norr,
                     position=Position.OPERATIONS_MANAGER, manages=[norr])  # fmt: skip
    certifications = make_certifications(3)
    karin.full_name, lars.full_name = "Karin Berg", "Lars Ek"
    team = Team(today, karin, lars, centrum, natt, norr, certifications)
    c1, c2, c3 = certifications

    def person(name: str, unit: Unit, position=Position.ASSISTANT_NURSE, **kwargs) -> User:
        username = name.split()[0].lower().replace("å", "a").replace("ö", "o").replace("é", "e")
        user = make_user(org, username=username, unit=unit, position=position, **kwargs)
        user.full_name = name
        team.people[username] = user
        return user

    anna = person("Anna Ek", centrum)
    osten = person("Östen Berg", centrum, Position.CARE_ASSISTANT)
    asa = person("Åsa Öberg", natt)
    cecilia = person("Cecilia Dahl", centrum)
    cecilia.memberships.append(Membership(unit=natt, position=Position.CARE_ASSISTANT, started_on=today))
    person("Linnéa Holm", natt, Position.CARE_ASSISTANT)
    sofia = person("Sofia Lund", norr)
    inactive = person("Inge Aktiv", centrum, active=False)
    ended = person("Slutat Persson", centrum)
    ended.memberships[0].ended_on = today - timedelta(days=1)
    other = make_org("Annankommun")
    stranger = make_user(other, username="stranger", unit=make_unit(other, "Hemtjänst Centrum"))
    team.people["stranger"] = stranger
    db.session.flush()

    hold(anna, c1, today + timedelta(days=600))
    assign(anna, c1, today - timedelta(days=700))
    assign(anna, c2, today - timedelta(days=5))
    hold(osten, c1, today + timedelta(days=20))
    assign(osten, c1, None)
    assign(osten, c2, today + timedelta(days=40))
    hold(osten, c3, today - timedelta(days=10))
    assign(osten, c3, None)
    hold(asa, c1, today + timedelta(days=300), CycleState.REVOKED, today - timedelta(days=3))
    assign(asa, c1, None)
    hold(asa, c2, today - timedelta(days=700), CycleState.SUPERSEDED)  # renewed: history only
    hold(asa, c2, today + timedelta(days=75))
    assign(asa, c2, None)
    assign(cecilia, c1, today + timedelta(days=10))
    hold(cecilia, c3, today + timedelta(days=500))
    assign(cecilia, c3, None)
    assign(sofia, c1, today - timedelta(days=1))
    hold(sofia, c2, today + timedelta(days=45))
    assign(sofia, c2, None)
    for somebody in (inactive, ended, stranger):
        assign(somebody, c1, today - timedelta(days=1))
    db.session.commit()
    return team


@pytest.fixture
def as_karin(client, login, team):
    """karin's browser, in English: the English texts are the messages themselves, so the checks hold
    whatever the Swedish translation says."""
    client.set_cookie("lang", "en")
    login(team.karin)
    return client


@pytest.fixture
def as_lars(client, login, team):
    client.set_cookie("lang", "en")
    login(team.lars)
    return client


def day(value: date) -> str:
    """A date as the English pages show it."""
    return format_date(value, "medium", locale="en")


@pytest.fixture
def demo(app):
    """Exempelkommun as `flask content sync` and `flask demo seed` make it; returns people by username."""
    from portal.certification.sync import certifications_root, load_certifications, sync_certifications
    from portal.content.loader import load_modules
    from portal.content.sync import content_root, sync_modules
    from portal.demo.seed import seed_demo

    sources = load_modules(content_root(app.config))
    sync_modules(sources)
    sync_certifications(load_certifications(certifications_root(app.config), {s.slug for s in sources}))
    seed_demo()
    db.session.commit()
    return {user.username: user for user in db.session.scalars(sa.select(User))}


class _Tables(html.parser.HTMLParser):
    """Every <table> of a page as rows of cell texts (th and td alike), with its caption."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self.text: list[str] | None = None
        self.in_form = 0  # a cell's buttons are not its text

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th"):
            self.text = []
        elif tag == "caption":
            self.text = []
        elif tag == "form":
            self.in_form += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.text is not None and self.tables:
            self.tables[-1]["rows"][-1].append(" ".join("".join(self.text).split()))
            self.text = None
        elif tag == "caption" and self.text is not None:
            self.tables[-1]["caption"] = " ".join("".join(self.text).split())
            self.text = None
        elif tag == "form":
            self.in_form -= 1

    def handle_data(self, data: str) -> None:
        if self.text is not None and not self.in_form:
            self.text.append(data)


def tables(page: str) -> list[dict]:
    parser = _Tables()
    parser.feed(page)
    return parser.tables


def table(page: str, caption_starts: str) -> list[list[str]]:
    """The rows (header row first) of the table whose caption starts so."""
    found = [t for t in tables(page) if t["caption"].startswith(caption_starts)]
    assert len(found) == 1, [t["caption"] for t in tables(page)]
    return found[0]["rows"]
