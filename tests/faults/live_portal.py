"""A live portal for the database fault case: gunicorn on a PostgreSQL database of the test's own, ways to
take that database away, and learners who take the quiz over HTTP as a browser would."""

import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

import sqlalchemy as sa

from portal.assessment.answers import form_values
from portal.assessment.core import Quiz, model_response
from portal.config import ROOT

QUIZ_SECTION = "/learning/modules/att-atgarda-ett-larm/kunskapsprov"
ATTEMPT = re.compile(r"/learning/attempts/(\d+)")
CSRF_TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
QUESTION_ID = re.compile(r'name="question" value="([^"]+)"')
FRIENDLY_503 = "Tjänsten är tillfälligt otillgänglig"  # the 503 page's title in Swedish, the default


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# The database


class ScenarioDatabase:
    """A PostgreSQL database beside TEST_DATABASE_URL's (`<name>_outage`), made empty for the scenario and
    dropped after it: the outage must not touch any database another test is using."""

    def __init__(self, test_database_url: str) -> None:
        base = sa.make_url(test_database_url)
        self.name = f"{base.database}_outage"
        self.url = base.set(database=self.name).render_as_string(hide_password=False)
        # Administration from another database (this one refuses connections during the outage), on a
        # connection of its own each time (a real restart ends pooled ones).
        self.admin = sa.create_engine(
            base.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
        )

    def create(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self._execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self.admin.dispose()

    def allow_connections(self, allowed: bool) -> None:
        self._execute(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS {str(allowed).lower()}')

    def terminate_connections(self, spare: int | None = None) -> None:
        """End every session on the database (but `spare`'s), as a server restart does, and wait until
        they are gone."""
        self._execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = :name AND pid <> pg_backend_pid() AND pid IS DISTINCT FROM :spare",
            name=self.name,
            spare=spare,
        )
        deadline = time.monotonic() + 10
        while self._count("pid IS DISTINCT FROM :spare", spare=spare) and time.monotonic() < deadline:
            time.sleep(0.05)

    def waiting_to(self, statement: str) -> int:
        """Sessions stopped at a statement beginning with `statement`, waiting for a lock."""
        return self._count("wait_event_type = 'Lock' AND query LIKE :statement", statement=f"{statement}%")

    @contextmanager
    def table_locked(self, table: str) -> Iterator[int]:
        """Hold `table` locked from a session of one's own, whose pid this yields: every transaction
        that reaches the table waits there, half-way through, until the lock is let go."""
        engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
        connection = engine.connect()
        try:
            connection.execute(sa.text(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE'))
            yield connection.scalar(sa.text("SELECT pg_backend_pid()"))
        finally:
            try:
                connection.rollback()
                connection.close()
            except sa.exc.DBAPIError:  # a real restart ended this session too
                pass
            engine.dispose()

    def _count(self, condition: str, **parameters) -> int:
        with self.admin.connect() as connection:
            return connection.scalar(
                sa.text(f"SELECT count(*) FROM pg_stat_activity WHERE datname = :name AND {condition}"),
                {"name": self.name, **parameters},
            )

    def _execute(self, statement: str, **parameters) -> None:
        with self.admin.connect() as connection:
            connection.execute(sa.text(statement), parameters)


class BlockedDatabase:
    """The default outage: every session on the scenario's database is ended and new ones are refused
    until it is over. From the portal's side this is a database restart (its connections die with
    'terminating connection due to administrator command', new ones fail), without stopping the cluster
    that other tests, and other people, are using at the same moment."""

    def __init__(self, database: ScenarioDatabase) -> None:
        self.database = database

    def begin(self, spare: int | None = None) -> None:
        self.database.allow_connections(False)  # first, so that nobody reconnects in between
        self.database.terminate_connections(spare)

    def end(self) -> None:
        self.database.allow_connections(True)

    def restart(self) -> None:
        """A restart too short for any request to notice: only the pooled connections are dead after it."""
        self.database.terminate_connections()


class StoppedCluster:
    """The real thing, for a cluster of one's own (FAULTS_PG_CLUSTER="15 faults"): `pg_ctlcluster stop`,
    then start. It stops every database of that cluster, so never point it at a shared one."""

    def __init__(self, cluster: str) -> None:
        self.version, self.name = cluster.split()

    def _ctl(self, *arguments: str) -> None:
        subprocess.run(
            ["pg_ctlcluster", self.version, self.name, *arguments], check=True, capture_output=True
        )

    def begin(self, spare: int | None = None) -> None:
        self._ctl("stop", "-m", "fast")

    def end(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast")


# The server


class Gunicorn:
    """`gunicorn --workers 2 wsgi:app` on the given environment, as in production."""

    def __init__(self, environment: dict[str, str], log: Path, workers: int = 2) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        command = [sys.executable, "-m", "gunicorn", "--workers", str(workers)]
        command += ["--bind", f"127.0.0.1:{self.port}", "--log-level", "warning", "wsgi:app"]
        with log.open("wb") as output:
            self.process = subprocess.Popen(command, env=environment, cwd=ROOT, stdout=output, stderr=output)
        self._wait_until_serving(workers)

    def _wait_until_serving(self, workers: int) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped at start:\n{self.log.read_text()}")
            try:
                urllib.request.urlopen(f"{self.base}/healthz", timeout=2).close()
                if len(self.worker_pids()) == workers:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not start:\n{self.log.read_text()}")

    def worker_pids(self) -> set[int]:
        """The master's children, from /proc: a worker that died and was replaced has a new pid."""
        children = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                children.add(int(stat.parent.name))
        return children

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# The learners


@dataclass(frozen=True)
class Exchange:
    """One request and the portal's answer (status 0: no HTTP answer at all)."""

    username: str
    method: str
    path: str
    status: int
    retry_after: str | None
    friendly: bool  # the friendly 503 page


@dataclass
class Journal:
    """What every learner sent and got, shared by their threads."""

    exchanges: list[Exchange] = field(default_factory=list)
    acknowledged: dict[str, int] = field(default_factory=dict)  # username -> attempt the portal said it took
    broken: list[str] = field(default_factory=list)  # journeys that went wrong, and why
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, exchange: Exchange) -> None:
        with self.lock:
            self.exchanges.append(exchange)

    def unavailable(self) -> list[Exchange]:
        with self.lock:
            return [e for e in self.exchanges if e.status == 503]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class JourneyBroken(Exception):
    pass


class Unavailable(Exception):
    """The portal answered 503."""


class Learner:
    """A learner in a browser: signs in, opens the quiz, starts an attempt, answers each question on its
    page, hands in. After a 503 the step is done again after a pause, as someone reloads the page
    and sends the form again; anything else unexpected breaks the journey."""

    RETRY_PAUSE = 0.2
    PATIENCE = 90  # seconds of 503s before giving up: the portal did not recover

    def __init__(self, base: str, username: str, password: str, quiz: Quiz, journal: Journal) -> None:
        self.base, self.username, self.password = base, username, password
        self.quiz, self.journal = quiz, journal
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect()
        )
        self.token = ""

    def take_quiz(self) -> None:
        self._step(self._sign_in)
        self.token = _token(self._step(lambda: self._request("GET", QUIZ_SECTION, expected=200)[0]))
        location = self._step(lambda: self._post(f"{QUIZ_SECTION}/attempts", {}))
        attempt_id = int(ATTEMPT.search(location).group(1))
        # Each answer leads on to the next question, the last one to the summary.
        while not location.endswith("/summary"):
            question_page = urllib.parse.urlsplit(location).path
            location = self._step(lambda page=question_page: self._answer(page))
        location = self._step(lambda: self._post(f"/learning/attempts/{attempt_id}/submit", {}))
        if location.rstrip("/").endswith(f"/learning/attempts/{attempt_id}"):  # the result page: handed in
            with self.journal.lock:
                self.journal.acknowledged[self.username] = attempt_id

    def _sign_in(self) -> None:
        page, location = self._request("GET", "/login", expected=(200, 302))
        if location:  # a sign-in whose answer was lost signed in all the same
            return
        form = {"username": self.username, "password": self.password, "csrf_token": _token(page)}
        self._request("POST", "/login", form, expected=302)

    def _answer(self, path: str) -> str:
        """Open the question's page and send the right answer; returns where the portal leads next."""
        page = self._request("GET", path, expected=200)[0]
        question = self.quiz.question(QUESTION_ID.search(page).group(1))
        return self._post(path, {"question": question.id, **form_values(question, model_response(question))})

    def _post(self, path: str, form: dict) -> str:
        return self._request("POST", path, {**form, "csrf_token": self.token}, expected=302)[1]

    def _step(self, action):
        """`action()`, done again after a pause while the portal answers 503."""
        deadline = time.monotonic() + self.PATIENCE
        while True:
            try:
                return action()
            except Unavailable as refused:
                if time.monotonic() > deadline:
                    raise JourneyBroken(f"{self.username}: still unavailable: {refused}") from refused
                time.sleep(self.RETRY_PAUSE)

    def _request(self, method: str, path: str, form: dict | None = None, expected=200) -> tuple[str, str]:
        status, headers, body = self._send(method, path, form)
        retry_after = headers.get("Retry-After")
        self.journal.add(Exchange(self.username, method, path, status, retry_after, FRIENDLY_503 in body))
        if status in (expected if isinstance(expected, tuple) else (expected,)):
            return body, headers.get("Location", "")
        if status == 503:
            raise Unavailable(f"{method} {path}")
        raise JourneyBroken(f"{self.username}: {method} {path} answered {status}, not {expected}")

    def _send(self, method: str, path: str, form: dict | None):
        data = urllib.parse.urlencode(form or {}, doseq=True).encode() if method == "POST" else None
        try:
            with self.opener.open(self.base + path, data=data, timeout=60) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode(errors="replace")
        except OSError as error:  # no HTTP answer: a worker died, or the server is gone
            return 0, {}, str(error)


def _token(page: str) -> str:
    return CSRF_TOKEN.search(page).group(1)


def take_quizzes(learners: list[Learner], desks: int, journal: Journal) -> list[threading.Thread]:
    """Start `desks` threads that take the learners' quizzes one after another; returns the threads."""
    queue = list(learners)
    lock = threading.Lock()

    def desk() -> None:
        while True:
            with lock:
                if not queue:
                    return
                learner = queue.pop(0)
            try:
                learner.take_quiz()
            except Exception as error:  # reported by the test, not lost in a thread
                with journal.lock:
                    journal.broken.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=desk, daemon=True) for _ in range(desks)]
    for thread in threads:
        thread.start()
    return threads


def environment(database_url: str, instance: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "PORTAL_INSTANCE_DIR": str(instance),
        "PORTAL_ENV": "development",
        "SECRET_KEY": "faults-test-secret",
        "DEMO_MODE": "1",
    }
