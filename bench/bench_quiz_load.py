"""200 people start a quiz at the same moment, answer it and hand it in at the same moment, against
gunicorn on PostgreSQL (or SQLite when no database URL is given).

Checks that no request failed and that every submission is stored and graded once; reports the wall time
of each burst next to a burst of 200 simultaneous GET /healthz measured in the same run.

Usage: .venv/bin/python bench/bench_quiz_load.py [--database-url URL] [--people 200]
(the PostgreSQL database is EMPTIED first, as in bench/run.py).
"""

import argparse
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import USER_AGENT, empty_postgres, flask, free_port, start_gunicorn  # noqa: E402

MODULE = "att-atgarda-ett-larm"
SECTION = f"/learning/modules/{MODULE}/kunskapsprov"
PASSWORD = "Bench-quiz-2026"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Person:
    username: str
    opener: urllib.request.OpenerDirector = field(init=False)
    token: str = ""
    attempt_id: int = 0

    def __post_init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect()
        )
        self.opener.addheaders = [("User-Agent", USER_AGENT)]

    def request(self, url: str, form: dict | None = None) -> tuple[int, str, str]:
        data = urllib.parse.urlencode(form, doseq=True).encode() if form is not None else None
        try:
            with self.opener.open(url, data=data, timeout=120) as response:
                return response.status, response.headers.get("Location", ""), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), ""


def token_in(page: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


@dataclass
class Burst:
    name: str
    seconds: float
    latencies: list[float]
    statuses: list[int]

    def errors(self, expected: int) -> int:
        return sum(1 for status in self.statuses if status != expected)


def burst(name: str, people: list[Person], action) -> Burst:
    """Run `action(person)` for everyone at once (released together by a barrier)."""
    barrier = threading.Barrier(len(people) + 1)
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()

    def run(person: Person) -> None:
        barrier.wait()
        began = time.perf_counter()
        status = action(person)
        with lock:
            latencies.append(time.perf_counter() - began)
            statuses.append(status)

    threads = [threading.Thread(target=run, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return Burst(name, time.perf_counter() - began, latencies, statuses)


def prepare(env: dict, count: int) -> None:
    if env["DATABASE_URL"].startswith("postgresql"):
        empty_postgres(env["DATABASE_URL"])
    flask(env, "db", "upgrade")
    flask(env, "content", "sync")
    flask(env, "demo", "seed", "--bulk-staff", str(count))
    with app_context(env):
        import sqlalchemy as sa

        from portal.auth.passwords import hash_password
        from portal.extensions import db
        from portal.models import User

        db.session.execute(
            sa.update(User).where(User.username.like("bulk-%")).values(password_hash=hash_password(PASSWORD))
        )
        db.session.commit()


class app_context:
    """The portal's app context on the benchmark's database, to set it up and to check the outcome."""

    def __init__(self, env: dict) -> None:
        os.environ.update({k: v for k, v in env.items() if k in ("DATABASE_URL", "PORTAL_INSTANCE_DIR")})
        from portal.app import create_app

        self.context = create_app().app_context()

    def __enter__(self):
        self.context.push()

    def __exit__(self, *exc) -> None:
        from portal.extensions import db

        db.session.remove()
        db.engine.dispose()
        self.context.pop()


def sign_in(base: str, person: Person) -> None:
    _, _, page = person.request(f"{base}/login")
    form = {"username": person.username, "password": PASSWORD, "csrf_token": token_in(page)}
    status, _, _ = person.request(f"{base}/login", form)
    assert status == 302, f"{person.username} could not sign in ({status})"
    _, _, section = person.request(base + SECTION)
    person.token = token_in(section)


def answers_of(env: dict, people: list[Person]) -> dict[int, list[tuple[int, dict]]]:
    """For each attempt: (question number, form fields of the right answer) from the stored draw."""
    with app_context(env):
        from portal.assessment.answers import form_values
        from portal.assessment.core import model_response
        from portal.assessment.services import quiz_of
        from portal.extensions import db
        from portal.models import QuizAttempt

        forms = {}
        for person in people:
            attempt = db.session.get(QuizAttempt, person.attempt_id)
            quiz = quiz_of(attempt.quiz_version)
            forms[attempt.id] = [
                (
                    number,
                    {"question": qid, **form_values(quiz.question(qid), model_response(quiz.question(qid)))},
                )
                for number, qid in enumerate(attempt.question_ids, start=1)
            ]
        return forms


def outcome(env: dict) -> tuple[int, int, int]:
    """(attempts handed in, gradings in the audit trail, answers stored)."""
    with app_context(env):
        import sqlalchemy as sa

        from portal.extensions import db
        from portal.models import AttemptStatus, AuditEvent, QuizAnswer, QuizAttempt, User

        bulk = sa.select(User.id).where(User.username.like("bulk-%"))
        submitted = db.session.scalar(
            sa.select(sa.func.count(QuizAttempt.id)).where(
                QuizAttempt.status == AttemptStatus.SUBMITTED, QuizAttempt.user_id.in_(bulk)
            )
        )
        graded = db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(
                AuditEvent.action == "quiz.graded", AuditEvent.actor_id.in_(bulk)
            )
        )
        answers = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(QuizAnswer)
            .join(QuizAttempt, QuizAttempt.id == QuizAnswer.attempt_id)
            .where(QuizAttempt.user_id.in_(bulk))
        )
        return submitted, graded, answers


def run(database_url: str | None, count: int) -> str:
    with tempfile.TemporaryDirectory() as instance:
        env = {**os.environ, "PORTAL_INSTANCE_DIR": instance, "DEMO_MODE": "1", "FLASK_APP": "wsgi"}
        env["DATABASE_URL"] = database_url or f"sqlite:///{instance}/bench.sqlite"
        engine = "PostgreSQL" if database_url else "SQLite (WAL)"
        prepare(env, count)
        port = free_port()
        server = start_gunicorn(env, port)
        base = f"http://127.0.0.1:{port}"
        try:
            people = [Person(f"bulk-{n:05d}") for n in range(1, count + 1)]
            for person in people:
                sign_in(base, person)
            baseline = burst("GET /healthz (baseline)", people, lambda p: p.request(f"{base}/healthz")[0])

            def start(person: Person) -> int:
                status, location, _ = person.request(
                    f"{base}{SECTION}/attempts", {"csrf_token": person.token}
                )
                if status == 302 and "/learning/attempts/" in location:
                    person.attempt_id = int(location.rstrip("/").split("/")[-2])
                return status

            starts = burst("POST start (a new attempt each)", people, start)
            forms = answers_of(env, people)

            def answer_all(person: Person) -> int:
                worst = 302
                for number, form in forms[person.attempt_id]:
                    url = f"{base}/learning/attempts/{person.attempt_id}/{number}"
                    status, _, _ = person.request(url, {**form, "csrf_token": person.token})
                    worst = status if status != 302 else worst
                return worst

            answering = burst("POST 8 answers each, one after another", people, answer_all)

            def submit(person: Person) -> int:
                url = f"{base}/learning/attempts/{person.attempt_id}/submit"
                return person.request(url, {"csrf_token": person.token})[0]

            submits = burst("POST submit (graded, section completed)", people, submit)
        finally:
            server.terminate()
            server.wait(timeout=10)
        submitted, graded, answers = outcome(env)
        return report(engine, count, baseline, [starts, answering, submits], (submitted, graded, answers))


def report(
    engine: str, count: int, baseline: Burst, bursts: list[Burst], stored: tuple[int, int, int]
) -> str:
    submitted, graded, answers = stored
    lines = [
        f"### {count} simultaneous quiz takers, gunicorn 2 workers, {engine}",
        "",
        "| burst | wall s | ratio to baseline | p50 ms | p95 ms | max ms | failed requests |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for item in [baseline, *bursts]:
        ordered = sorted(item.latencies)
        expected = 200 if item is baseline else 302
        lines.append(
            f"| {item.name} | {item.seconds:.2f} | {item.seconds / baseline.seconds:.1f} | "
            f"{statistics.median(ordered) * 1000:.0f} | {ordered[int(0.95 * (len(ordered) - 1))] * 1000:.0f} | "
            f"{ordered[-1] * 1000:.0f} | {item.errors(expected)} |"
        )
    lines += [
        "",
        f"Stored: {submitted} of {count} attempts handed in, {graded} gradings in the audit trail "
        f"(exactly one per attempt expected), {answers} answers (8 per attempt expected: {8 * count}).",
    ]
    failed = sum(b.errors(302) for b in bursts) + baseline.errors(200)
    if failed or submitted != count or graded != count or answers != 8 * count:
        lines.append("**FAILED**: requests failed or submissions are missing.")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--people", type=int, default=200)
    args = parser.parse_args()
    print(run(args.database_url, args.people))


if __name__ == "__main__":
    main()
