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

    def __init__(self, app, profile: str | None) -> None:
        self.app = app
        self.timings: dict[str, list[tuple[float, float]]] = defaultdict(list)
        self.profile = profile
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
        wall, cpu = time.perf_counter(), time.process_time()
        response = self.client.open(path, method=method, data=fields, headers=headers or {})
        body = response.get_data().decode(errors="replace")
        self.timings[name].append((time.perf_counter() - wall, time.process_time() - cpu))
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
        browser.timings = _suffixed(browser, f" ({people} people)", lambda: _manager_pages(browser))
    for _ in range(5):
        browser.new_session()
        demo_run(browser)


def _manager_pages(browser: TestBrowser) -> None:
    for _ in range(5):
        read_matrix(browser)
    export_matrix(browser, "csv")
    export_matrix(browser, "xlsx")


def _suffixed(browser: TestBrowser, suffix: str, pages) -> dict:
    """Run `pages` with their timings kept apart under names with `suffix`."""
    kept, browser.timings = browser.timings, defaultdict(list)
    pages()
    for name, values in browser.timings.items():
        kept[name + suffix] += values
    return kept


def report(timings: dict[str, list[tuple[float, float]]]) -> str:
    lines = [
        "| page | requests | wall ms, median | CPU ms, median | CPU ms, mean | CPU ms, max |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, values in timings.items():
        walls = sorted(w * 1000 for w, _ in values)
        cpus = sorted(c * 1000 for _, c in values)
        lines.append(
            f"| {name} | {len(values)} | {walls[len(walls) // 2]:.1f} | {cpus[len(cpus) // 2]:.1f} | "
            f"{sum(cpus) / len(cpus):.1f} | {cpus[-1]:.1f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quizzes", type=int, default=16, help="learners who each take one quiz")
    parser.add_argument("--profile", help="the page to profile, by its name in the table")
    args = parser.parse_args()
    from load_db import prepare

    from portal.app import create_app
    from portal.extensions import db

    app = create_app()
    with app.app_context():
        accounts = prepare(2 * args.quizzes, 0, seed=int(time.time()))
        ranked = managers_by_size()
        chosen = [ranked[0], ranked[len(ranked) // 2]]  # the largest and a typical one
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
    browser = TestBrowser(app, args.profile)
    exercise(browser, accounts, accounts["learners"][: args.quizzes], chosen)
    print(f"Database: {app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}; {json.dumps(dict(chosen))}\n")
    print(report(browser.timings))
    if args.profile:
        out = io.StringIO()
        pstats.Stats(browser.profiler, stream=out).sort_stats("cumulative").print_stats(35)
        print(f"\n#### Where the CPU time of {args.profile} goes\n\n```\n{out.getvalue()}```")


if __name__ == "__main__":
    main()
