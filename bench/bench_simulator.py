"""Benchmark: demo runs of trygghetskedjan stepped by 50 visitors at once against gunicorn, next to the
trivial endpoint measured on the same server in the same run.

Two kinds of request, both as the run page's script sends them (X-Live: 1): a tick of the page's clock
(POST /trygghetskedjan/runs/<id>/advance, a minute of the scenario, on 50 runs that stay live), and a
step to the next event (POST …/step, by 50 visitors each walking its own runs to their ends, one
after another: bench/wrk_walk.lua). Each request plays the run on through the engine, writes the new
revision with a conditional UPDATE and renders the live part. Afterwards each run is checked to stand
where its stored revisions lead: no step lost or taken twice.

Then, in this process through the Flask test client and on the same database, runs are stepped again
with timers around each part of a step (load the run, read its inputs, play the engine, write the
change, present, render): where a step's time goes.

Floor: ≥ 30 % of the trivial endpoint's requests per second.

Run by `make bench` (bench/run.py), or `python bench/bench_simulator.py [--runs 50] [--workers 4]`.
SQLite (WAL) always, and PostgreSQL when BENCH_DATABASE_URL is set (that database is EMPTIED).
"""

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_quiz_load import app_context  # noqa: E402
from bench.run import USER_AGENT, empty_postgres, flask, free_port, start_gunicorn, wrk  # noqa: E402

TICK_SCRIPT = ROOT / "bench" / "wrk_step.lua"
WALK_SCRIPT = ROOT / "bench" / "wrk_walk.lua"
RUNS_PER_VISITOR = 12  # more than a visitor steps to their ends in the measured seconds
THREADS = 2
TICK_SECONDS = 60  # a tick of the run page's clock at 60×: a minute of the scenario every second
IN_PROCESS_STEPS = 12
FLOOR = 0.30
SCENARIOS: list[str] = []  # the shipped scenarios, in the order the runs cycle through them
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def make_runs(env: dict, count: int) -> list[str]:
    """``count`` demo runs, cycling through the scenarios, written straight to the database."""
    with app_context(env):
        from portal.models import RunMode
        from portal.simulator import services
        from portal.simulator.catalogue import scenarios

        shipped = list(scenarios().values())
        SCENARIOS[:] = [scenario.slug for scenario in shipped]
        return [
            services.create_run(shipped[n % len(shipped)], mode=RunMode.DEMO, client=f"bench:{n}").id
            for n in range(count)
        ]


def revisions(env: dict, run_ids: list[str]) -> tuple[int, int]:
    """The stored revisions of the runs, and how many runs stand where that many steps lead.

    A step that moves a run is one revision; one at the end of its time changes and stores nothing.
    So a run whose clock is where ``revision`` steps from its start lead lost no step and took none
    twice.
    """
    with app_context(env):
        import sqlalchemy as sa

        from portal.alarmchain import Player
        from portal.extensions import db
        from portal.models import SimulationRun
        from portal.simulator.catalogue import scenarios

        runs = db.session.scalars(sa.select(SimulationRun).where(SimulationRun.id.in_(run_ids))).all()
        consistent = 0
        for run in runs:
            scenario = scenarios()[run.scenario_slug]
            player = Player(scenario, run.seed)
            now = player.play([], until=scenario.start).now
            for _ in range(run.revision):
                now = player.play([], until=now, advance=True).now
            consistent += now == run.virtual_now
        return sum(run.revision for run in runs), consistent


def visitor(base: str) -> tuple[str, str]:
    """An anonymous visitor's session cookie and its CSRF token, as the run page's script has them."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    with opener.open(f"{base}/login") as response:
        token = TOKEN.search(response.read().decode()).group(1)
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar), token


def wrk_ticks(base: str, cookie: str, token: str, run_ids: list[str], seconds: int) -> dict:
    """Ticks of the page's clock at TICK_SECONDS× on every run, one connection per run."""
    return _wrk(base, cookie, THREADS, len(run_ids), seconds, TICK_SCRIPT,
                [token, str(THREADS), "advance", f"seconds={TICK_SECONDS}", *run_ids])  # fmt: skip


def wrk_walk(base: str, cookie: str, token: str, connections: int, run_ids: list[str], seconds: int) -> dict:
    """Steps by ``connections`` visitors, each walking its own runs to their ends one after another."""
    return _wrk(base, cookie, connections, connections, seconds, WALK_SCRIPT,
                [token, str(connections), *run_ids])  # fmt: skip


def _wrk(base: str, cookie: str, threads: int, connections: int, seconds: int, script: Path,
         arguments: list[str]) -> dict:  # fmt: skip
    arguments[0] = urllib.parse.quote(arguments[0], safe="")
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
        "-H", f"User-Agent: {USER_AGENT}", "-H", f"Cookie: {cookie}",
        "-s", str(script), f"{base}/trygghetskedjan/runs", "--", *arguments,
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def run(database_url: str | None, count: int, workers: int, seconds: int) -> tuple[str, bool]:
    with tempfile.TemporaryDirectory() as instance:
        env = {**os.environ, "PORTAL_INSTANCE_DIR": instance, "FLASK_APP": "wsgi"}
        env["DATABASE_URL"] = database_url or f"sqlite:///{instance}/bench.sqlite"
        engine = "PostgreSQL" if database_url else "SQLite (WAL)"
        if database_url:
            empty_postgres(database_url)
        flask(env, "db", "upgrade")
        run_ids = make_runs(env, count * RUNS_PER_VISITOR)
        watched = make_runs(env, count)
        port = free_port()
        server = start_gunicorn(env, port, workers=workers)
        base = f"http://127.0.0.1:{port}"
        try:
            cookie, token = visitor(base)
            wrk(f"{base}/healthz", 2, connections=count)  # warm-up: imports, pools, template caches
            trivial = wrk(f"{base}/healthz", seconds, connections=count)
            ticks = wrk_ticks(base, cookie, token, watched, seconds)
            steps = wrk_walk(base, cookie, token, count, run_ids, seconds)
        finally:
            server.terminate()
            server.wait(timeout=10)
        stored, consistent = revisions(env, run_ids)
        walked = count * RUNS_PER_VISITOR
        parts = breakdown(env["DATABASE_URL"], count)
    ratio = steps["rps"] / trivial["rps"]
    tick_ratio = ticks["rps"] / trivial["rps"]
    answered = steps["requests"] - steps["non2xx"]
    kept = consistent == walked and stored <= answered + count  # wrk may stop with one in flight each
    lines = [
        f"### Trygghetskedjan: {count} demo runs stepped at once, gunicorn {workers} workers, {engine}",
        "",
        f"wrk -t{THREADS} -c{count} -d{seconds}s for each row, one connection per run, the runs cycling "
        f"through the {len(SCENARIOS)} scenarios, with X-Live: 1 as the run page's script sends them. A clock "
        f"tick is POST …/advance with seconds={TICK_SECONDS} on {count} fresh runs, which stay live all along; "
        f"a step is POST …/step (to the next event) by {count} visitors (one wrk thread and connection "
        f"each), each stepping its own runs to their ends one after another, so every step moves a live "
        f"run. Each request plays the run on, stores the change and renders the live part.",
        "",
        "| endpoint | req/s | ratio to trivial | p50 ms | p95 ms | p99 ms | errors | non-2xx |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, result, ratio_text in (
        ("trivial: GET /healthz (JSON, SELECT 1)", trivial, "1.00"),
        (
            f"clock ticks of {count} runs watched at {TICK_SECONDS}×",
            ticks,
            f"{tick_ratio:.2f} ({'ok' if tick_ratio >= FLOOR else 'below floor'})",
        ),
        (
            f"steps of {count} runs at once",
            steps,
            f"{ratio:.2f} ({'ok' if ratio >= FLOOR else 'below floor'})",
        ),
    ):
        lines.append(
            f"| {name} | {result['rps']:.0f} | {ratio_text} | {result['p50_ms']:.1f} | {result['p95_ms']:.1f} | "
            f"{result['p99_ms']:.1f} | {result['errors']} | {result['non2xx']} |"
        )
    lines += [
        "",
        f"Stored: {stored} revisions for {answered} answered steps. {consistent} of {walked} runs stand where "
        f"their revisions lead ({'none lost' if kept else 'MISMATCH: steps lost or kept twice'}). "
        f"Floor: ≥ {FLOOR:.2f} of trivial.",
    ]
    lines += breakdown_table(parts)
    return "\n".join(lines), kept and not steps["non2xx"] and not ticks["non2xx"]


PARTS = {
    # (module or class, attribute): what the part is
    ("runs", "run_or_404"): "load the run (session.get)",
    ("services", "interventions_of"): "read the run's inputs",
    ("Player", "play"): "play the scenario on to its next moment (engine)",
    ("services", "_commit"): "write the change (conditional UPDATE, commit)",
    ("runs", "live_view"): "present the state (present.live_view)",
    ("runs", "render_template"): "render _live.html",
}


def breakdown(database_url: str, count: int) -> list[tuple[str, float]]:
    """Milliseconds per step for each part, measured with timers in this process (test client)."""
    from collections import Counter

    from portal.app import create_app
    from portal.extensions import db
    from portal.models import RunMode
    from portal.simulator import runs, services
    from portal.simulator.catalogue import scenarios
    from tests.conftest import base_config

    modules = {"runs": runs, "services": services, "Player": services.Player}
    spent: Counter[str] = Counter()

    def timed(name: str, function):
        def wrapper(*args, **kwargs):
            began = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - began

        return wrapper

    app = create_app(base_config(database_url))
    with app.app_context():
        shipped = list(scenarios().values())
        run_ids = [
            services.create_run(shipped[n % len(shipped)], mode=RunMode.DEMO, client=f"inprocess:{n}").id
            for n in range(count)
        ]
        db.session.remove()
    client = app.test_client()
    originals = {key: getattr(modules[key[0]], key[1]) for key in PARTS}
    refresh = db.session.refresh
    try:
        for key, name in PARTS.items():
            setattr(modules[key[0]], key[1], timed(name, originals[key]))
        db.session.refresh = timed("reload the run before deciding (session.refresh)", refresh)
        steps, began = 0, time.perf_counter()
        for _ in range(IN_PROCESS_STEPS):
            for run_id in run_ids:
                assert (
                    client.post(f"/trygghetskedjan/runs/{run_id}/step", headers={"X-Live": "1"}).status_code
                    == 200
                )
                steps += 1
        total = time.perf_counter() - began
    finally:
        for key in PARTS:
            setattr(modules[key[0]], key[1], originals[key])
        del db.session.refresh
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    parts = [(name, seconds * 1000 / steps) for name, seconds in spent.items()]
    parts.append(
        (
            "the rest: Flask, request and response, session, scenario lookup",
            (total - sum(spent.values())) * 1000 / steps,
        )
    )
    return [("a whole step", total * 1000 / steps), *parts]


def breakdown_table(parts: list[tuple[str, float]]) -> list[str]:
    whole = parts[0][1]
    lines = [
        "",
        f"Where a step's time goes (Flask test client in one process, {IN_PROCESS_STEPS} steps of each run, "
        "no HTTP, no CSRF):",
        "",
        "| part of a step | ms | share |",
        "|---|---:|---:|",
    ]
    lines += [f"| {name} | {ms:.2f} | {ms / whole:.0%} |" for name, ms in parts]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=10, help="how long /healthz is measured")
    args = parser.parse_args()
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores\n")
    results = [run(None, args.runs, args.workers, args.seconds)]
    if os.environ.get("BENCH_DATABASE_URL"):
        results.append(run(os.environ["BENCH_DATABASE_URL"], args.runs, args.workers, args.seconds))
    print("\n\n".join(text for text, _ok in results))
    if not all(ok for _text, ok in results):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
