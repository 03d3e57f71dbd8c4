"""The mail server goes down during the reminder run (`flask reminders send`): the run says so and exits
with status 1, the ledger holds exactly what the server accepted, and the next run, with the server
back, sends the rest; nobody gets a reminder twice.

A server that is not listening when the run starts is tested in tests/certification/test_reminders.py
(test_smtp_down_stops_the_run_and_the_next_run_sends_everything), as is one that answers 451 to DATA
(test_a_server_that_stops_midway_keeps_the_rest_for_the_next_run). Here: a server that dies in the middle
of the run, one that shuts down politely (421, RFC 5321 §3.8), and one that stops answering.
"""

import asyncio
import socket
import threading

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from portal.extensions import db
from portal.models import ReminderSent, User
from tests.certification.test_reminders import TODAY, Sink, assign, free_port, make_certification

pytestmark = pytest.mark.faults

LEARNERS = 6
ACCEPTED_BEFORE_THE_FAULT = 2


@pytest.fixture
def learners(org, make_unit, make_user) -> list[str]:
    """Six people assigned a certification: one reminder each is due today. Returns their addresses."""
    unit = make_unit(org, "Hemtjänst Centrum")
    certification = make_certification("grundkunskap", "Grundkunskap om trygghetslarm", "Basics")
    people = [make_user(org, username=f"larm{n}", unit=unit) for n in range(1, LEARNERS + 1)]
    for person in people:
        assign(person, certification, 30)
    return [person.email for person in people]


class DiesAfter(Sink):
    """Takes `count` messages, then the process dies: the connection is cut at the next command."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if len(self.messages) >= self.count:
            server.transport.abort()
        envelope.mail_from = address
        return "250 OK"


class ShutsDownAfter(Sink):
    """Takes `count` messages, then answers 421 as a server does on its way down, and closes."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if len(self.messages) >= self.count:
            return "421 4.3.2 Service shutting down, closing transmission channel"
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


class HangsAfter(Sink):
    """Takes `count` messages, then stops answering (a hung server: the connection stays open)."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if len(self.messages) >= self.count:
            await asyncio.sleep(3600)  # cancelled when the server is stopped
        envelope.mail_from = address
        return "250 OK"


def serve(handler: Sink, port: int | None = None) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    return controller


def recorded() -> list[str]:
    """The addresses the ledger says were sent a reminder (one per row)."""
    return list(
        db.session.scalars(
            sa.select(User.email).join(ReminderSent, ReminderSent.user_id == User.id).order_by(User.id)
        )
    )


def accepted(sink: Sink) -> list[str]:
    return [address for recipients, _ in sink.messages for address in recipients]


def send(app, runner, port: int):
    app.config.update(MAIL_PORT=port, MAIL_TIMEOUT_SECONDS=1)  # a hung server costs a second, not ten
    return runner.invoke(args=["reminders", "send", "--today", TODAY.isoformat()])


def the_server_comes_back(app, runner, port: int | None, learners: list[str], before: list[str]) -> None:
    """The next run, with a working server on the same address, sends exactly what was not sent."""
    sink = Sink()
    controller = serve(sink, port)
    try:
        again = send(app, runner, controller.port)
    finally:
        controller.stop()
    assert again.exit_code == 0, again.output
    assert sorted(accepted(sink)) == sorted(set(learners) - set(before))
    everything = before + accepted(sink)
    assert sorted(everything) == sorted(learners), "somebody got no reminder, or two"
    assert sorted(recorded()) == sorted(learners)


@pytest.mark.parametrize(
    "server", [DiesAfter, ShutsDownAfter, HangsAfter], ids=["dies", "shuts-down-421", "hangs"]
)
def test_the_run_stops_records_only_what_was_sent_and_the_next_run_sends_the_rest(
    app, runner, learners, server
):
    sink = server(ACCEPTED_BEFORE_THE_FAULT)
    controller = serve(sink)
    port = controller.port
    try:
        result = send(app, runner, port)
    finally:
        controller.stop()

    assert result.exit_code == 1, result.output
    assert "stopped" in result.output
    not_sent = LEARNERS - ACCEPTED_BEFORE_THE_FAULT
    assert f"{not_sent} message(s) not sent; they will be sent by the next run" in result.output
    assert "Refused:" not in result.output  # the server's trouble, not the addresses'
    assert len(accepted(sink)) == ACCEPTED_BEFORE_THE_FAULT
    assert sorted(recorded()) == sorted(accepted(sink)), "the ledger must hold exactly what was accepted"
    the_server_comes_back(app, runner, port, learners, accepted(sink))


def test_a_server_that_never_answers_is_reported_and_nothing_recorded(app, runner, learners):
    """Accepts the connection and says nothing, not even its greeting."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        held = []
        accepting = threading.Thread(target=lambda: held.append(listener.accept()[0]), daemon=True)
        accepting.start()
        result = send(app, runner, port)
        for connection in held:
            connection.close()
    assert result.exit_code == 1, result.output
    assert "cannot connect to the mail server" in result.output
    assert f"{LEARNERS} message(s) not sent" in result.output
    assert recorded() == []
    the_server_comes_back(app, runner, None, learners, [])
