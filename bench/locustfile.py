"""Load on a running portal as people use it: learners take a module's quiz, managers read the competence
matrix and export it, visitors step through a demo of trygghetskedjan (the pages are in bench/journeys.py),
and a probe asks GET /healthz twice a second, so that every page can be read as a ratio to the trivial
endpoint measured in the same run.

Run by bench/run.py (`make bench`, `--load-floor`), which seeds the database, sets a password for the
accounts and starts gunicorn. By hand, against a portal that has them:

    BENCH_ACCOUNTS=accounts.json .venv/bin/locust -f bench/locustfile.py --headless \
        -H http://127.0.0.1:8000 -u 201 -r 20 -t 5m --csv /tmp/load

BENCH_ACCOUNTS is a JSON file {"password": …, "learners": [usernames], "managers": [usernames]};
BENCH_WAIT_MIN/BENCH_WAIT_MAX (seconds, default 1 and 3) set the think time between two actions of a
person; BENCH_ACKS names the file where the ids of the quiz attempts whose hand-in the server acknowledged
are written when the run stops, to be counted in the database afterwards. The server is expected behind one
proxy hop (PROXY_HOPS=1): each person sends their own address in X-Forwarded-For.
"""

import itertools
import json
import os
import random
from pathlib import Path
from urllib.parse import urlencode

from journeys import MODULES, Interrupted, Refused, demo_run, export_matrix, read_matrix, sign_in, take_quiz
from locust import FastHttpUser, between, constant, events, task

ACCOUNTS = json.loads(Path(os.environ.get("BENCH_ACCOUNTS", "accounts.json")).read_text())
WAIT_MIN = float(os.environ.get("BENCH_WAIT_MIN", "1"))
WAIT_MAX = float(os.environ.get("BENCH_WAIT_MAX", "3"))

# One learner account per round of quizzes as long as there are fresh ones: a quiz has a cooldown between
# attempts, and some allow only three. BENCH_ACCOUNT_OFFSET lets a warm-up use other learners.
_offset = int(os.environ.get("BENCH_ACCOUNT_OFFSET", "0")) % len(ACCOUNTS["learners"])
_learners = itertools.cycle(ACCOUNTS["learners"][_offset:] + ACCOUNTS["learners"][:_offset])
_managers = itertools.cycle(ACCOUNTS["managers"])
_addresses = itertools.count(1)
acknowledged: set[int] = set()
journeys = {"quiz": 0, "refused": 0, "demo": 0}
# Every request of the whole run, ramp-up included: locust's own table starts again once all have started.
everything = {"requests": 0, "failures": 0}


def next_address() -> str:
    """A client address from the range set aside for benchmarks (RFC 2544), one per person as on the
    internet; it only travels in the X-Forwarded-For header, every request goes to the local server."""
    number = next(_addresses)
    return f"198.18.{number // 250 % 250}.{number % 250 + 1}"


class Person(FastHttpUser):
    """A browser (journeys.Browser): keeps its cookies, sends its own address through the proxy, follows no
    redirect by itself (each page is measured by its own name)."""

    abstract = True
    wait_time = between(WAIT_MIN, WAIT_MAX)

    def on_start(self) -> None:
        self.address = next_address()

    def fetch(
        self, method: str, path: str, name: str, expect: int, data=None, headers=None
    ) -> tuple[str, str]:
        headers = {"X-Forwarded-For": self.address, **(headers or {})}
        if data is not None:
            data = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        with self.client.request(
            method, path, name=name, data=data, headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != expect:
                response.failure(f"{response.status_code} instead of {expect}")
                raise Interrupted(name)
            return response.text or "", response.headers.get("Location", "") or ""

    def get(self, path: str, name: str) -> str:
        return self.fetch("GET", path, name, 200)[0]

    def post(self, path: str, name: str, fields, headers=None, expect: int = 302) -> tuple[str, str]:
        return self.fetch("POST", path, name, expect, data=fields, headers=headers)

    def think(self) -> None:
        self.wait()

    def new_session(self) -> None:
        self.client.cookiejar.clear()

    def handed_in(self, attempt: int) -> None:
        acknowledged.add(attempt)
        journeys["quiz"] += 1


class Learner(Person):
    """Takes the quizzes of the modules in a random order, one journey each (journeys.take_quiz); after all
    of them, or when a quiz refuses a new attempt, the next learner signs in."""

    weight = 17

    def on_start(self) -> None:
        super().on_start()
        self.modules: list[str] = []

    @task
    def take_a_quiz(self) -> None:
        try:
            if not self.modules:
                sign_in(self, next(_learners), ACCOUNTS["password"])
                self.modules = random.sample(MODULES, len(MODULES))
                self.think()
            take_quiz(self, self.modules.pop())
        except Refused:
            journeys["refused"] += 1
            self.modules = []
        except Interrupted:
            self.modules = []


class Manager(Person):
    """Reads the competence matrix of their units, now and then a later page, and exports it."""

    weight = 1

    def on_start(self) -> None:
        super().on_start()
        self.signed_in = False

    def visit(self, action, *args) -> None:
        try:
            if not self.signed_in:
                sign_in(self, next(_managers), ACCOUNTS["password"])
                self.signed_in = True
            action(self, *args)
        except Interrupted:
            pass

    @task(4)
    def matrix(self) -> None:
        self.visit(read_matrix)

    @task(1)
    def export_csv(self) -> None:
        self.visit(export_matrix, "csv")

    @task(1)
    def export_xlsx(self) -> None:
        self.visit(export_matrix, "xlsx")


class DemoVisitor(Person):
    """A visitor of trygghetskedjan: each demo run is another visitor, with their own address."""

    weight = 2

    @task
    def demo(self) -> None:
        self.address = next_address()
        self.new_session()
        try:
            demo_run(self)
            journeys["demo"] += 1
        except Interrupted:
            pass


class Probe(Person):
    """The trivial endpoint, asked twice a second as a monitor would, for enough samples to compare with."""

    fixed_count = 1
    wait_time = constant(0.5)

    @task
    def health(self) -> None:
        try:
            self.get("/healthz", "GET /healthz (trivial)")
        except Interrupted:
            pass


@events.request.add_listener
def count(exception=None, **_kwargs) -> None:
    everything["requests"] += 1
    everything["failures"] += exception is not None


@events.test_stop.add_listener
def write_acknowledged(environment, **_kwargs) -> None:
    path = os.environ.get("BENCH_ACKS")
    if path:
        outcome = {"acknowledged": sorted(acknowledged), "journeys": journeys, "everything": everything}
        Path(path).write_text(json.dumps(outcome))
