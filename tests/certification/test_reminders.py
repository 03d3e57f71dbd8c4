"""Reminder emails against a real SMTP server (aiosmtpd on 127.0.0.1): who gets what, in which language,
once; the ledger written only for accepted mail; the CLI; and the managers' "remind now"."""

import hashlib
import re
import socket
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from portal.certification.core import Standing, Status
from portal.certification.reminder_mail import Mailer, send_reminders
from portal.certification.reminders import Gap, Kind, Policy, digest_gap, learner_reminder, plan, week_key
from portal.extensions import db
from portal.models import (
    Assignment,
    AssignmentSource,
    AuditEvent,
    Certification,
    CertificationCycle,
    CertificationVersion,
    ReminderSent,
    Role,
    User,
)
from tests.statements import recorded_statements

TODAY = date(2026, 3, 2)  # a Monday, ISO week 10
BASE_URL = "https://portal.example.se/kommun"
POLICY = Policy(due_days=7, expiry_days=14, digest_expiring_days=30)


# The pure rules


def standing(status: Status, due: int | None = None, valid: int | None = None) -> Standing:
    return Standing(
        status,
        valid_until=TODAY + timedelta(days=valid) if valid is not None else None,
        due_on=TODAY + timedelta(days=due) if due is not None else None,
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (standing(Status.NOT_STARTED, due=30), (Kind.ASSIGNED, "assignment:5")),
        (standing(Status.NOT_STARTED), (Kind.ASSIGNED, "assignment:5")),
        (standing(Status.IN_PROGRESS, due=8), (Kind.ASSIGNED, "assignment:5")),
        (standing(Status.IN_PROGRESS, due=7), (Kind.DUE_SOON, "assignment:5:due-7")),
        (standing(Status.NOT_STARTED, due=0), (Kind.DUE_SOON, "assignment:5:due-7")),
        (standing(Status.OVERDUE, due=-1), (Kind.OVERDUE, "assignment:5:overdue")),
        (standing(Status.CERTIFIED, valid=100), None),
        (standing(Status.CERTIFIED, valid=14), (Kind.EXPIRING, "cycle:9:expiry-14")),  # a short window
        (standing(Status.WINDOW_OPEN, valid=15), (Kind.WINDOW_OPEN, "cycle:9:window")),
        (standing(Status.WINDOW_OPEN, valid=14), (Kind.EXPIRING, "cycle:9:expiry-14")),
        (standing(Status.WINDOW_OPEN, valid=0), (Kind.EXPIRING, "cycle:9:expiry-14")),
        (standing(Status.EXPIRED, valid=-1), (Kind.EXPIRED, "cycle:9:expired")),
        (standing(Status.REVOKED, valid=100), None),
    ],
)
def test_learner_reminder_fits_the_stage(given, expected):
    assert learner_reminder(given, 5, 9, TODAY, POLICY) == expected


def test_learner_reminder_keys_follow_the_policy():
    assert learner_reminder(standing(Status.NOT_STARTED, due=9), 5, None, TODAY, Policy(due_days=10)) == (
        Kind.DUE_SOON,
        "assignment:5:due-10",
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (standing(Status.OVERDUE, due=-3), Gap.OVERDUE),
        (standing(Status.EXPIRED, valid=-3), Gap.EXPIRED),
        (standing(Status.WINDOW_OPEN, valid=30), Gap.EXPIRING),
        (standing(Status.CERTIFIED, valid=20), Gap.EXPIRING),
        (standing(Status.WINDOW_OPEN, valid=31), Gap.WINDOW_OPEN),
        (standing(Status.CERTIFIED, valid=31), None),
        (standing(Status.NOT_STARTED, due=3), None),
        (standing(Status.IN_PROGRESS, due=3), None),
        (standing(Status.REVOKED, valid=3), None),
    ],
)
def test_digest_gaps(given, expected):
    assert digest_gap(given, TODAY, POLICY) is expected


def test_week_key_is_the_iso_week():
    assert week_key(TODAY) == "digest:2026-W10"
    assert week_key(date(2027, 1, 1)) == "digest:2026-W53"


# A real SMTP server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Sink:
    """Collects what the server accepted; can refuse addresses or stop taking mail after a number."""

    def __init__(self) -> None:
        self.messages = []
        self.logins = []
        self.refuse: set[str] = set()
        self.accept_only: int | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.accept_only is not None and len(self.messages) >= self.accept_only:
            return "451 4.3.0 Try again later"
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"

    def to(self, address: str) -> list:
        return [message for recipients, message in self.messages if address in recipients]


def start_server(handler, **kwargs) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **kwargs)
    controller.start()
    return controller


@pytest.fixture
def smtp(app):
    sink = Sink()
    controller = start_server(sink)
    app.config.update(MAIL_PORT=controller.port, PORTAL_BASE_URL=BASE_URL)
    yield sink
    controller.stop()


# People and certifications


YAML = """\
title: {{sv: "{sv}", en: "{en}"}}
version: "1.0"
requirements:
  - module: grunder
validity_months: 24
window_days: 60
new_staff_due_days: 30
"""


def make_certification(slug: str, sv: str, en: str) -> Certification:
    source = YAML.format(sv=sv, en=en)
    certification = Certification(slug=slug)
    db.session.add(certification)
    db.session.flush()
    version = CertificationVersion(
        certification_id=certification.id,
        version="1.0",
        checksum=hashlib.sha256(f"{slug}\n{source}".encode()).hexdigest(),
        source=source,
        title={"sv": sv, "en": en},
    )
    db.session.add(version)
    db.session.flush()
    certification.current_version = version
    db.session.commit()
    return certification


def assign(person: User, certification: Certification, due_in: int | None) -> Assignment:
    assignment = Assignment(
        user_id=person.id,
        certification_id=certification.id,
        source=AssignmentSource.RULE,
        due_on=TODAY + timedelta(days=due_in) if due_in is not None else None,
    )
    db.session.add(assignment)
    db.session.commit()
    return assignment


def certify(person: User, certification: Certification, valid_for: int) -> CertificationCycle:
    valid_until = TODAY + timedelta(days=valid_for)
    cycle = CertificationCycle(
        user_id=person.id,
        certification_id=certification.id,
        certification_version_id=certification.current_version_id,
        organisation_id=person.organisation_id,
        certified_on=valid_until - timedelta(days=730),
        valid_until=valid_until,
        verification_code=hashlib.sha256(f"{person.id}-{certification.id}".encode()).hexdigest()[:26],
    )
    db.session.add(cycle)
    db.session.commit()
    return cycle


@pytest.fixture
def world(org, make_org, make_unit, make_user):
    """Karin manages Hemtjänst Centrum, Lars Hemtjänst Norr; Maja a unit in another municipality."""
    centrum, norr = make_unit(org, "Hemtjänst Centrum"), make_unit(org, "Hemtjänst Norr")
    other_org = make_org("Annankommun")
    elsewhere = make_unit(other_org, "Hemtjänst Centrum")
    basic = make_certification("grundkunskap", "Grundkunskap om trygghetslarm", "Social alarms – basics")
    people = {}

    def person(name, unit, language=None, **kwargs):
        people[name] = make_user(
            org if unit is not elsewhere else other_org, username=name, unit=unit, **kwargs
        )
        people[name].language = language
        people[name].full_name = f"{name.title()} Exempelsson"
        return people[name]

    assign(person("anna", centrum, "sv"), basic, 30)  # assigned
    assign(person("omar", centrum, "en"), basic, 5)  # due soon
    assign(person("sara", centrum), basic, -3)  # overdue
    for name, valid_for in (("erik", 40), ("fatima", 10), ("gustav", -5), ("helga", 400)):
        assignment_holder = person(
            name, norr if name != "helga" else centrum, "en" if name == "erik" else None
        )
        assign(assignment_holder, basic, -700)
        certify(assignment_holder, basic, valid_for)
    assign(person("ivan", centrum, active=False), basic, -3)  # inactive: nothing at all
    julia = person("julia", centrum)
    julia.email = None  # overdue, without an address: skipped, reported, but in Karin's digest
    assign(julia, basic, -1)
    person("kalle", centrum)  # nothing assigned: nothing to remind of
    certify(person("nils", norr), basic, 10)  # held but not required: no reminders, no digest line
    assign(person("otto", elsewhere), basic, -3)  # overdue in the other municipality
    people["karin"] = make_user(org, username="karin", roles={Role.MANAGER}, manages=[centrum])
    people["karin"].language = "sv"
    people["karin"].full_name = "Karin Chef"
    people["lars"] = make_user(org, username="lars", roles={Role.MANAGER}, manages=[norr])
    people["lars"].language = "en"
    people["maja"] = make_user(other_org, username="maja", roles={Role.MANAGER}, manages=[elsewhere])
    make_user(org, username="olle", roles={Role.MANAGER}, manages=[centrum, norr], active=False)
    db.session.commit()
    return people, basic


def ledger() -> list[tuple[str, str, str]]:
    rows = db.session.execute(
        sa.select(User.username, ReminderSent.kind, ReminderSent.key)
        .join(User, User.id == ReminderSent.user_id)
        .order_by(User.username, ReminderSent.kind)
    )
    return [tuple(row) for row in rows]


def run(runner, *args):
    return runner.invoke(args=["reminders", "send", "--today", TODAY.isoformat(), *args])


EXPECTED = [
    ("anna", "assigned"),
    ("erik", "window_open"),
    ("fatima", "expiring"),
    ("gustav", "expired"),
    ("karin", "digest"),
    ("lars", "digest"),
    ("maja", "digest"),
    ("omar", "due_soon"),
    ("otto", "overdue"),
    ("sara", "overdue"),
]


def test_plan_names_the_right_people(app, world):
    reminders = plan(TODAY, POLICY)
    assert sorted((r.recipient.name.split()[0], r.kind.value) for r in reminders) == sorted(
        (world[0][name].full_name.split()[0], kind) for name, kind in EXPECTED + [("julia", "overdue")]
    )
    julia = next(r for r in reminders if r.recipient.user_id == world[0]["julia"].id)
    assert julia.recipient.email is None
    assert ledger() == []  # planning writes nothing


def test_run_sends_each_reminder_once(app, world, smtp, runner):
    people, _ = world
    result = run(runner)
    assert result.exit_code == 0, result.output
    recipients = sorted(address for rcpts, _ in smtp.messages for address in rcpts)
    assert recipients == sorted(f"{name}@example.com" for name, _ in EXPECTED)
    assert [(name, kind) for name, kind, _ in ledger()] == EXPECTED
    assert "Sent: 10 message(s)." in result.output
    assert "  digest: 3" in result.output
    assert "  overdue: 2" in result.output
    assert f"Skipped (no email address): {people['julia'].full_name}" in result.output

    again = run(runner)
    assert again.exit_code == 0, again.output
    assert "Reminders due on 2026-03-02: 1." in again.output  # only Julia, who has no address
    assert len(smtp.messages) == 10


def test_the_next_stage_comes_later_and_only_once(app, world, smtp, runner):
    run(runner)
    later = TODAY + timedelta(days=6)  # Omar is overdue now; Anna is still far from her due day
    result = runner.invoke(args=["reminders", "send", "--today", later.isoformat()])
    assert result.exit_code == 0, result.output
    assert [m["Subject"] for m in smtp.to("omar@example.com")][1:] == ["Overdue: Social alarms – basics"]
    assert len(smtp.to("anna@example.com")) == 1
    assert len(smtp.messages) == 11  # the digests are weekly: not again in the same week
    next_week = runner.invoke(args=["reminders", "send", "--today", (TODAY + timedelta(days=7)).isoformat()])
    assert "  digest: 3" in next_week.output


def test_language_dates_and_links(app, world, smtp, runner):
    run(runner)
    [anna] = smtp.to("anna@example.com")
    assert anna["Content-Language"] == "sv"
    assert "Grundkunskap om trygghetslarm" in anna["Subject"]
    assert anna["To"].addresses[0].display_name == world[0]["anna"].full_name
    assert anna["Auto-Submitted"] == "auto-generated"
    plain, html = anna.get_body(("plain",)).get_content(), anna.get_body(("html",)).get_content()
    for part in (plain, html):
        assert "1 april 2026" in part  # due in 30 days, the Swedish way
        assert "Grundkunskap om trygghetslarm" in part
        assert f"{BASE_URL}/learning/" in part
    assert '<html lang="sv">' in html
    assert anna.is_multipart()
    assert anna.get_content_type() == "multipart/alternative"

    [omar] = smtp.to("omar@example.com")
    assert omar["Content-Language"] == "en"
    assert "Social alarms – basics" in omar["Subject"]
    assert "March 7, 2026" in omar["Subject"]
    assert "Grundkunskap" not in omar.get_body(("plain",)).get_content()
    assert '<html lang="en">' in omar.get_body(("html",)).get_content()

    [erik] = smtp.to("erik@example.com")
    assert "April 11, 2026" in erik.get_body(("plain",)).get_content()  # valid until
    [gustav] = smtp.to("gustav@example.com")
    assert "25 februari 2026" in gustav.get_body(("plain",)).get_content()  # no language: Swedish


def test_digests_go_to_the_managers_of_the_right_units(app, world, smtp, runner):
    people, _ = world
    run(runner)
    [karin] = smtp.to("karin@example.com")
    karin_text = karin.get_body(("plain",)).get_content()
    for name in ("sara", "julia"):
        assert people[name].full_name in karin_text
    for name in ("anna", "omar", "ivan", "helga", "kalle", "erik", "fatima", "gustav", "nils", "otto"):
        assert people[name].full_name not in karin_text, name
    assert karin["Content-Language"] == "sv"
    assert "Hemtjänst Centrum" in karin_text
    assert "27 februari 2026" in karin_text  # Sara's due day

    [lars] = smtp.to("lars@example.com")
    lars_html = lars.get_body(("html",)).get_content()
    assert lars["Subject"] == "Weekly summary: 3 certifications need attention in your units"
    for name in ("erik", "fatima", "gustav"):
        assert people[name].full_name in lars_html
    for name in ("sara", "julia", "nils", "otto"):
        assert people[name].full_name not in lars_html, name
    sections = re.findall(r"<h2[^>]*>(.*?)</h2>", lars_html)
    assert sections == ["Expired", "Expiring within 30 days", "Renewal window open"]
    overview = "/competence/" if "competence.matrix" in app.view_functions else "/my-units"
    assert f'href="{BASE_URL}{overview}"' in lars_html

    [maja] = smtp.to("maja@example.com")
    assert people["otto"].full_name in maja.get_body(("plain",)).get_content()
    assert people["sara"].full_name not in maja.get_body(("plain",)).get_content()


def test_names_are_escaped_in_the_html_part(app, world, smtp, runner):
    world[0]["anna"].full_name = "Anna <script>alert(1)</script> & Co"
    db.session.commit()
    run(runner)
    [anna] = smtp.to("anna@example.com")
    assert "<script>" not in anna.get_body(("html",)).get_content()
    assert "&lt;script&gt;" in anna.get_body(("html",)).get_content()
    assert "Anna <script>alert(1)</script> & Co" in anna.get_body(("plain",)).get_content()


def test_a_reminder_another_run_sent_meanwhile_is_not_sent_again(app, world, smtp):
    reminders = plan(TODAY, POLICY)
    anna = next(r for r in reminders if r.kind is Kind.ASSIGNED)
    db.session.add(ReminderSent(user_id=anna.recipient.user_id, kind=anna.kind.value, key=anna.key))
    db.session.commit()  # as a second run, started at the same time, would have
    with Mailer(app.config) as mailer:
        report = send_reminders(reminders, mailer)
    assert sum(report.sent.values()) == 9
    assert smtp.to("anna@example.com") == []
    assert len(ledger()) == 10


def test_dry_run_sends_and_records_nothing(app, world, smtp, runner):
    result = run(runner, "--dry-run")
    assert result.exit_code == 0, result.output
    assert smtp.messages == []
    assert ledger() == []
    assert "would send assigned to" in result.output
    assert "Grundkunskap om trygghetslarm" in result.output  # Anna's subject, in Swedish
    assert "Would send: 10 message(s)." in result.output
    assert "would skip (no email address)" in result.output


def test_smtp_down_stops_the_run_and_the_next_run_sends_everything(app, world, runner):
    app.config.update(MAIL_PORT=free_port())  # nobody listens there
    result = run(runner)
    assert result.exit_code == 1
    assert "cannot connect to the mail server" in result.output
    assert "10 message(s) not sent" in result.output
    assert ledger() == []

    sink = Sink()
    controller = start_server(sink)
    try:
        app.config.update(MAIL_PORT=controller.port)
        again = run(runner)
    finally:
        controller.stop()
    assert again.exit_code == 0, again.output
    assert len(sink.messages) == 10
    assert len(ledger()) == 10


def test_a_server_that_stops_midway_keeps_the_rest_for_the_next_run(app, world, smtp, runner):
    smtp.accept_only = 4
    result = run(runner)
    assert result.exit_code == 1
    assert "stopped" in result.output
    assert "6 message(s) not sent" in result.output
    assert len(smtp.messages) == 4
    assert len(ledger()) == 4
    smtp.accept_only = None
    assert run(runner).exit_code == 0
    assert len(smtp.messages) == 10
    assert len(ledger()) == 10
    recipients = [address for rcpts, _ in smtp.messages for address in rcpts]
    assert len(recipients) == len(set(recipients))  # nobody twice


def test_a_refused_address_does_not_stop_the_others(app, world, smtp, runner):
    smtp.refuse = {"omar@example.com"}
    result = run(runner)
    assert result.exit_code == 1
    assert "Refused:" in result.output
    assert "omar@example.com" in result.output
    assert len(smtp.messages) == 9
    assert "omar" not in [name for name, _, _ in ledger()]


def test_starttls_required_but_not_offered_sends_nothing(app, world, smtp, runner):
    app.config.update(MAIL_USE_STARTTLS=True)  # the sink offers no STARTTLS: never fall back to clear text
    result = run(runner)
    assert result.exit_code == 1
    assert "STARTTLS" in result.output
    assert smtp.messages == []
    assert ledger() == []


def test_login_when_configured(app, world, runner):
    sink = Sink()

    def authenticator(server, session, envelope, mechanism, auth_data):
        sink.logins.append(auth_data.login)
        return AuthResult(success=auth_data.login == b"portal" and auth_data.password == b"hemligt")

    controller = start_server(sink, authenticator=authenticator, auth_require_tls=False)
    try:
        # aiosmtpd answers a failed login slowly: a short timeout keeps the test quick
        app.config.update(
            MAIL_PORT=controller.port, MAIL_USERNAME="portal", MAIL_PASSWORD="fel", MAIL_TIMEOUT_SECONDS=1
        )
        assert run(runner).exit_code == 1
        assert sink.messages == []
        assert ledger() == []
        app.config.update(MAIL_PASSWORD="hemligt")
        result = run(runner)
    finally:
        controller.stop()
    assert result.exit_code == 0, result.output
    assert len(sink.messages) == 10
    assert sink.logins == [b"portal", b"portal"]


def test_planning_takes_a_constant_number_of_queries(app, world, make_user):
    people, basic = world
    with recorded_statements() as statements:
        plan(TODAY, POLICY)
    few = len(statements)
    unit = people["anna"].memberships[0].unit
    for _ in range(20):
        assign(make_user(people["anna"].organisation, unit=unit), basic, -2)
    db.session.expire_all()
    with recorded_statements() as statements:
        plan(TODAY, POLICY)
    assert len(statements) == few


# Remind now


def remind_url(person: User, certification_id: int) -> str:
    return f"/competence/employees/{person.id}/remind/{certification_id}"


@pytest.mark.parametrize(
    ("role", "status"),
    [(None, 302), (Role.LEARNER, 403), (Role.AUTHOR, 403), (Role.ADMIN, 403), (Role.MANAGER, 302)],
)
def test_remind_now_by_role(app, world, smtp, client, login, make_user, role, status):
    people, basic = world
    if role is not None:
        unit = people["sara"].memberships[0].unit
        login(
            make_user(
                people["sara"].organisation, roles={role}, manages=[unit] if role is Role.MANAGER else []
            )
        )
    response = client.post(remind_url(people["sara"], basic.id))
    assert response.status_code == status
    assert len(smtp.messages) == (1 if role is Role.MANAGER else 0)
    if role is None:
        assert "/login" in response.headers["Location"]


def test_remind_now_sends_audits_and_redirects(app, world, smtp, client, login):
    people, basic = world
    login(people["karin"])
    response = client.post(remind_url(people["sara"], basic.id))
    assert response.status_code == 302
    assert (
        response.headers["Location"].endswith("/competence/")
        or "/competence/employees/" in (response.headers["Location"])
    )
    [message] = smtp.to("sara@example.com")
    assert people["karin"].full_name in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert people["karin"].full_name in body
    assert "27 februari 2026" in body
    [(name, kind, key)] = ledger()
    assert (name, kind) == ("sara", "manual")
    assert key.startswith(f"certification:{basic.id}:")
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "certification.reminded"))
    assert event.actor_id == people["karin"].id
    assert event.subject_id == people["sara"].id
    assert event.details == {"certification": "grundkunskap", "status": "overdue"}
    with client.session_transaction() as session:
        [(category, flashed)] = session["_flashes"]
    assert category == "success"
    assert people["sara"].full_name in flashed


def test_remind_now_outside_the_managers_units_is_404(app, world, smtp, client, login):
    people, basic = world
    login(people["lars"])
    assert client.post(remind_url(people["sara"], basic.id)).status_code == 404  # Karin's employee
    assert client.post(remind_url(people["otto"], basic.id)).status_code == 404  # another municipality
    assert client.post(remind_url(people["erik"], 99999)).status_code == 404  # no such certification
    other = make_certification("larm", "Larmbehörighet", "Alarm authorisation")
    assert client.post(remind_url(people["erik"], other.id)).status_code == 404  # not his to hold
    assert client.post(remind_url(people["erik"], basic.id)).status_code == 302
    assert smtp.messages
    assert all(rcpts == ["erik@example.com"] for rcpts, _ in smtp.messages)


def test_remind_now_at_most_once_in_ten_minutes(app, world, smtp, client, login):
    people, basic = world
    login(people["karin"])
    assert client.post(remind_url(people["sara"], basic.id)).status_code == 302
    response = client.post(remind_url(people["sara"], basic.id), follow_redirects=False)
    assert response.status_code == 302
    assert len(smtp.messages) == 1
    with client.session_transaction() as session:
        assert session["_flashes"][-1][0] == "info"  # "… was reminded less than 10 minutes ago"
    assert client.post(remind_url(people["anna"], basic.id)).status_code == 302  # someone else: fine
    assert len(smtp.messages) == 2
    earlier = datetime.now(UTC) - timedelta(minutes=10, seconds=1)  # the key names that earlier slot
    db.session.execute(
        sa.update(ReminderSent).values(
            sent_at=earlier, key=f"certification:{basic.id}:{earlier:%Y-%m-%dT%H:%MZ}"
        )
    )
    db.session.commit()
    assert client.post(remind_url(people["sara"], basic.id)).status_code == 302
    assert len(smtp.to("sara@example.com")) == 2
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "certification.reminded")
        )
        == 3
    )


def test_remind_now_with_the_mail_server_down_records_nothing(app, world, client, login):
    people, basic = world
    app.config.update(MAIL_PORT=free_port())
    login(people["karin"])
    response = client.post(remind_url(people["sara"], basic.id))
    assert response.status_code == 302
    with client.session_transaction() as session:
        [(category, _)] = session["_flashes"]
    assert category == "error"
    assert ledger() == []
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "certification.reminded")) == 0  # fmt: skip


def test_remind_now_without_an_address(app, world, smtp, client, login):
    people, basic = world
    login(people["karin"])
    client.post(remind_url(people["julia"], basic.id))
    with client.session_transaction() as session:
        [(category, message)] = session["_flashes"]
    assert category == "error"
    assert people["julia"].full_name in message
    assert smtp.messages == []
    assert ledger() == []


def test_remind_now_needs_the_csrf_token(app, world, smtp, client, login):
    people, basic = world
    login(people["karin"])
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(remind_url(people["sara"], basic.id)).status_code == 400
    assert smtp.messages == []
