"""What each page of the load run costs the server, in process (Flask's test client, no HTTP), on the data
already in a database: the same journeys as bench/locustfile.py (bench/journeys.py), each request timed in
wall time and in this process's CPU time. CPU time hardly moves with the machine's other load, so it says
what a page costs even on a busy machine; wall time minus CPU time is mostly waiting for the database.

    DATABASE_URL=postgresql+psycopg://… .venv/bin/python bench/profile_pages.py [--quizzes 8] \
        [--profile "GET competence export XLSX"]

--profile prints where the CPU time of that page goes (cProfile on CPU time, by cumulative time). A first
round, not counted, warms the caches. The database gets new quiz attempts and demo runs, as in the load run;
it is not emptied.
"""

import argparse
import cProfile
import io
import json
import pstats
import random
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from journeys import (  # noqa: E402
    MODULES,
    Interrupted,
    Refused,
    demo_run,
    export_matrix,
    read_matrix,
    sign_in,
    take_quiz,
)


class TestBrowser:
    """journeys.Browser on Flask's test client; times every request by its page's name."""

    def __init__(self, app, profile: str | None, show_sql: str | None = None) -> None:
        self.app = app
        self.timings: dict[str, list[tuple[float, float]]] = defaultdict(list)
        self.queries: dict[str, list[int]] = defaultdict(list)
        self.statements: list[str] = []
        self.profile = profile
        self.show_sql = show_sql
        with app.app_context():
            from portal.extensions import db

            self.engine = db.engines[None]
        # CPU time, so that waiting for the database or for a busy machine's cores does not show.
        self.profiler = cProfile.Profile(time.process_time)
        self.new_session()

    def new_session(self) -> None:
        address = f"198.18.{random.randrange(250)}.{random.randrange(1, 251)}"
        self.client = self.app.test_client()
        self.client.environ_base["REMOTE_ADDR"] = address

    def _request(self, method: str, path: str, name: str, expect: int, data=None, headers=None):
        from werkzeug.datastructures import MultiDict

        fields = (
            MultiDict(list(data.items()) if isinstance(data, dict) else data) if data is not None else None
        )
        profiling = name == self.profile
        if profiling:
            self.profiler.enable()
        statements: list[str] = []
        with counting_statements(self.engine, statements):
            wall, cpu = time.perf_counter(), time.process_time()
            response = self.client.open(path, method=method, data=fields, headers=headers or {})
            body = response.get_data().decode(errors="replace")
            self.timings[name].append((time.perf_counter() - wall, time.process_time() - cpu))
        self.queries[name].append(len(statements))
        if name == self.show_sql and not self.statements:
            self.statements = statements
        if profiling:
            self.profiler.disable()
        if response.status_code != expect:
            raise Interrupted(f"{name}: {response.status_code} instead of {expect}")
        return body, response.headers.get("Location", "")

    def get(self, path: str, name: str) -> str:
        return self._request("GET", path, name, 200)[0]

    def post(self, path: str, name: str, fields, headers=None, expect: int = 302) -> tuple[str, str]:
        return self._request("POST", path, name, expect, fields, headers)

    def think(self) -> None:
        pass

    def handed_in(self, attempt: int) -> None:
        pass


@contextmanager
def counting_statements(engine: sa.Engine, statements: list[str]):
    """Collect the SQL statements the app sends to the database while the block runs."""

    def collect(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", collect)
    try:
        yield
    finally:
        sa.event.remove(engine, "before_cursor_execute", collect)


def managers_by_size() -> list[tuple[str, int]]:
    """Managers with the number of people in their units, the most first."""
    from portal.extensions import db
    from portal.models import Membership, User
    from portal.models.user import managed_unit

    people = sa.func.count(sa.distinct(Membership.user_id))
    rows = db.session.execute(
        sa.select(User.username, people)
        .join(managed_unit, managed_unit.c.user_id == User.id)
        .join(Membership, (Membership.unit_id == managed_unit.c.unit_id) & Membership.ended_on.is_(None))
        .where(User.active)
        .group_by(User.username)
        .order_by(people.desc())
    ).all()
    return [(name, count) for name, count in rows]


def exercise(
    browser: TestBrowser, accounts: dict, learners: list[str], managers: list[tuple[str, int]]
) -> None:
    for _ in range(50):
        browser.get("/healthz", "GET /healthz (trivial)")
    for number, learner in enumerate(learners):
        sign_in(browser, learner, accounts["password"])
        try:
            take_quiz(browser, MODULES[number % len(MODULES)])
        except Refused:  # this learner's history leaves no attempt now; the pages before it were measured
            pass
    for username, people in managers:
        sign_in(browser, username, accounts["password"])
        _suffixed(browser, f" ({people} people)", lambda: _manager_pages(browser))
    for _ in range(5):
        browser.new_session()
        demo_run(browser)


def _manager_pages(browser: TestBrowser) -> None:
    for _ in range(5):
        read_matrix(browser)
    export_matrix(browser, "csv")
    export_matrix(browser, "xlsx")


def _suffixed(browser: TestBrowser, suffix: str, pages) -> None:
    """Run `pages` with their timings and statement counts kept under names with `suffix`."""
    kept = browser.timings, browser.queries
    browser.timings, browser.queries = defaultdict(list), defaultdict(list)
    pages()
    for own, measured in zip(kept, (browser.timings, browser.queries), strict=True):
        for name, values in measured.items():
            own[name + suffix] += values
    browser.timings, browser.queries = kept


def report(timings: dict[str, list[tuple[float, float]]], queries: dict[str, list[int]]) -> str:
    lines = [
        "| page | requests | SQL statements, median | wall ms, median | CPU ms, median | CPU ms, mean | CPU ms, max |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, values in timings.items():
        counts = sorted(queries[name])
        walls = sorted(w * 1000 for w, _ in values)
        cpus = sorted(c * 1000 for _, c in values)
        lines.append(
            f"| {name} | {len(values)} | {counts[len(counts) // 2]} | {walls[len(walls) // 2]:.1f} | {cpus[len(cpus) // 2]:.1f} | "
            f"{sum(cpus) / len(cpus):.1f} | {cpus[-1]:.1f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quizzes", type=int, default=16, help="learners who each take one quiz")
    parser.add_argument("--profile", help="the page to profile, by its name in the table")
    parser.add_argument("--no-managers", action="store_true", help="leave out the manager pages")
    parser.add_argument("--sort", default="cumulative", help="the profile's order: cumulative or tottime")
    parser.add_argument("--sql", help="the page whose SQL statements to print (its first request)")
    args = parser.parse_args()
    from load_db import prepare

    from portal.app import create_app
    from portal.extensions import db

    app = create_app()
    with app.app_context():
        accounts = prepare(2 * args.quizzes, 0, seed=int(time.time()))
        ranked = managers_by_size()
        chosen = [] if args.no_managers else [ranked[0], ranked[len(ranked) // 2]]  # largest, typical
        accounts["managers"] = [name for name, _ in chosen]
        from load_db import PASSWORD

        from portal.auth.passwords import hash_password
        from portal.models import User

        db.session.execute(
            sa.update(User)
            .where(User.username.in_(accounts["managers"]))
            .values(password_hash=hash_password(PASSWORD))
        )
        db.session.commit()
        db.session.remove()
    browser = TestBrowser(app, None)
    # A first round warms the worker's caches (parsed quizzes, templates), as a server's first minutes do.
    exercise(browser, accounts, accounts["learners"][args.quizzes :], chosen)
    browser = TestBrowser(app, args.profile, args.sql)
    exercise(browser, accounts, accounts["learners"][: args.quizzes], chosen)
    print(f"Database: {app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}; {json.dumps(dict(chosen))}\n")
    print(report(browser.timings, browser.queries))
    if args.sql:
        print(f"\n#### The SQL statements of {args.sql}\n")
        print("\n\n".join(f"{number}. {statement}" for number, statement in enumerate(browser.statements, 1)))
    if args.profile:
        out = io.StringIO()
        pstats.Stats(browser.profiler, stream=out).sort_stats(args.sort).print_stats(35)
        print(f"\n#### Where the CPU time of {args.profile} goes\n\n```\n{out.getvalue()}```")


if __name__ == "__main__":
    main()
