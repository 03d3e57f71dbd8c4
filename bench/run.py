"""HTTP benchmarks against gunicorn, reported as ratios to a trivial endpoint measured in the same run.

Usage: `make bench`, or `.venv/bin/python bench/run.py [--seconds 10] [--database-url URL] [--load-floor]`.
For each database (a SQLite file under /tmp, and PostgreSQL when --database-url or BENCH_DATABASE_URL is
given: that database is EMPTIED first) it seeds the data, starts gunicorn with 2 workers as in production,
and measures: the throughput of single pages with wrk, then people using the portal with locust
(bench/locustfile.py: learners taking quizzes, managers with the competence matrix and its exports,
visitors of the trygghetskedjan demo) with the workers' memory after warm-up; then the micro-benchmarks.
Writes the tables to stdout and to bench/results/latest.md.

--load-floor runs the issue's load floor instead: PostgreSQL only, 200 simultaneous people with 1–3 s think
time for 5 minutes on the national data set; zero errors, p95 under 500 ms on every page and every quiz
hand-in the server acknowledged found in the database. Writes bench/results/load-floor.md.

Needs wrk (apt-get install wrk) and locust (pip install locust==2.47.0).
"""

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from http.cookiejar import CookieJar
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import load  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
REPORT = ROOT / "bench" / "wrk_report.lua"
RESULTS = ROOT / "bench" / "results"
BULK_STAFF = 5000  # the synthetic staff seeded when `flask demo seed --size national` is not there
NATIONAL_SCALE = 0.1  # of the national data set for `make bench`: about two minutes to build on 2 cores
# One browser identity for the login and for wrk: Flask-Login ties the session to it.
USER_AGENT = "trygghetsportalen-bench"
SECTION = "/learning/modules/att-atgarda-ett-larm/utlarmning-och-kvittering"
FLOOR = 0.5  # the floor: pages at >= 50 % of the trivial endpoint's requests per second


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def flask(env: dict, *args: str) -> None:
    result = subprocess.run([BIN / "flask", *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{result.stderr}")


def empty_postgres(url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def analyse(url: str) -> None:
    """Planner statistics, as a database in use has them (autovacuum would gather them after a while)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("ANALYZE"))
    engine.dispose()


def has_national_data_set(env: dict) -> bool:
    result = subprocess.run([BIN / "flask", "demo", "seed", "--help"], env=env, cwd=ROOT, capture_output=True,
                            text=True)  # fmt: skip
    return "--size" in result.stdout


def prepare(env: dict, scale: float) -> str:
    """Empty, migrate and seed the database; returns what was seeded and how long it took."""
    if env["DATABASE_URL"].startswith("postgresql"):
        empty_postgres(env["DATABASE_URL"])
    began = time.perf_counter()
    flask(env, "db", "upgrade")
    flask(env, "content", "sync")
    if has_national_data_set(env):
        flask(env, "demo", "seed", "--size", "national", "--scale", f"{scale:g}", "--seed", "1")
        seeded = (
            f"the national data set at scale {scale:g} (`flask demo seed --size national --scale {scale:g}`)"
        )
    else:
        flask(env, "demo", "seed", "--bulk-staff", str(BULK_STAFF))
        seeded = f"the demo municipality with {BULK_STAFF} synthetic employees"
    analyse(env["DATABASE_URL"])
    return f"{seeded}, migrated and seeded in {time.perf_counter() - began:.0f} s"


def start_gunicorn(
    env: dict, port: int, workers: int = 2, log: Path | None = None, threads: int = 1
) -> subprocess.Popen:
    """gunicorn serving the portal (sync workers, or gthread with `threads` > 1); its own log (the portal
    logs every sign-in) to `log` when given."""
    output = log.open("a") if log else None
    process = subprocess.Popen(
        [
            BIN / "gunicorn",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        env=env,
        cwd=ROOT,
        stdout=output,
        stderr=output,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start")


def session_cookie(base: str, username: str, password: str) -> str:
    """Log in like a browser and return the Cookie header of the signed-in session."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"username": username, "password": password, "csrf_token": token}).encode()
    opener.open(f"{base}/login", data=body).read()
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def wrk(url: str, seconds: int, cookie: str | None = None, connections: int = 16) -> dict:
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-H",
        f"User-Agent: {USER_AGENT}",
        "-s",
        str(REPORT),
        url,
    ]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def measure(base: str, seconds: int, username: str, password: str) -> list[tuple[str, dict]]:
    cookie = session_cookie(base, username, password)
    page = (
        urllib.request.urlopen(urllib.request.Request(f"{base}/", headers={"Cookie": cookie})).read().decode()
    )
    assert 'action="/logout"' in page, "the benchmark's session is not signed in"
    wrk(f"{base}/healthz", 2)  # warm-up: imports, connection pools, template caches
    return [
        ("trivial: GET /healthz (JSON, SELECT 1)", wrk(f"{base}/healthz", seconds)),
        ("GET /login (form page)", wrk(f"{base}/login", seconds)),
        ("GET / signed in (start page)", wrk(f"{base}/", seconds, cookie)),
        ("GET a module section signed in (rendered Markdown)", wrk(f"{base}{SECTION}", seconds, cookie)),
    ]


def table(engine: str, data: str, rows: list[tuple[str, dict]], workers: int) -> str:
    baseline = rows[0][1]["rps"]
    lines = [
        f"### Throughput of single pages, gunicorn {workers} workers, {engine}",
        "",
        f"Data: {data}. wrk -t2 -c16 per page, one page at a time, no think time.",
        "",
        "| endpoint | req/s | ratio to trivial | p50 ms | p95 ms | p99 ms | errors | non-2xx |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, result in rows:
        ratio = result["rps"] / baseline
        mark = "" if name.startswith("trivial") or ratio >= FLOOR else " (below floor)"
        lines.append(
            f"| {name} | {result['rps']:.0f} | {ratio:.2f}{mark} | {result['p50_ms']:.1f} | "
            f"{result['p95_ms']:.1f} | {result['p99_ms']:.1f} | {result['errors']} | {result['non2xx']} |"
        )
    return "\n".join(lines)


def memory_line(when: str, megabytes: list[float]) -> str:
    each = ", ".join(f"{mb:.0f} MB" for mb in megabytes)
    return f"Worker memory (RSS) {when}: {each}."


def people(env: dict, base: str, server, workdir: Path, accounts: Path, args, engine: str, data: str) -> str:
    """Warm-up with other learners than the run measured, memory, the measured run, memory, what is stored."""
    warm = load.locust(base, accounts, workdir, server, users=20, seconds=args.warmup, account_offset=-100,
                       tag="warmup")  # fmt: skip
    after_warmup = load.worker_memory_mb(server)
    measured = load.locust(base, accounts, workdir, server, users=args.users, seconds=args.load_seconds,
                           database_url=env["DATABASE_URL"], spawn_rate=args.spawn_rate)  # fmt: skip
    after_run = load.worker_memory_mb(server)
    acks = workdir / "load-acks.json"
    measured.stored = load.stored(env, acks) if acks.exists() else {}
    threads = f" × {args.threads} threads (gthread)" if args.threads > 1 else " (sync)"
    title = f"People using the portal, gunicorn {args.workers} workers{threads}, {engine}"
    sections = [load.table(title, measured, check_floor=args.load_floor)]
    sections.append(
        f"Data: {data}. Warm-up before it: {warm.users} people for {warm.seconds} s "
        f"({sum(p.requests for p in warm.pages.values()):,} requests, {warm.errors} errors). "
        + memory_line("after warm-up", after_warmup)
        + " "
        + memory_line(f"after the {measured.seconds} s run", after_run)
    )
    if args.load_floor:
        held, lines = load.floor_verdict(measured)
        verdict = "**The load floor holds.**" if held else "**The load floor does NOT hold.**"
        sections.append("\n".join(["#### Load floor", "", *lines, "", verdict]))
    else:
        stored = measured.stored
        sections.append(
            f"Quiz hand-ins acknowledged: {stored.get('acknowledged', 0)}, handed in in the database: "
            f"{stored.get('handed_in', 0)}, graded: {stored.get('gradings', 0)}."
        )
    return "\n\n".join(sections)


def instance_dir(args):
    """The portal's instance folder (the SQLite file, the secret key, the run's files): a temporary one,
    or --instance to keep it for --reuse."""
    if args.instance:
        args.instance.mkdir(parents=True, exist_ok=True)
        return contextlib.nullcontext(str(args.instance))
    return tempfile.TemporaryDirectory(prefix="bench-")


def run(database_url: str | None, args) -> str:
    with instance_dir(args) as instance:
        env = {**os.environ, "PORTAL_INSTANCE_DIR": instance, "DEMO_MODE": "1", "FLASK_APP": "wsgi"}
        env["DATABASE_URL"] = database_url or f"sqlite:///{instance}/bench.sqlite"
        engine = "PostgreSQL" if database_url else "SQLite (WAL)"
        data = "the data already in the database (--reuse)" if args.reuse else prepare(env, args.scale)
        workdir = Path(tempfile.mkdtemp(prefix="load-", dir=instance))
        # Fresh learners on a database used before: a quiz has a cooldown and some a limit of attempts.
        seed = int(time.time()) if args.reuse else 1
        accounts = load.prepare_accounts(env, args.learners, args.managers, workdir / "accounts.json", seed)
        chosen = json.loads(accounts.read_text())
        port = free_port()
        # One proxy hop, as in production: the simulated people each send their own address.
        server = start_gunicorn(
            {**env, "PROXY_HOPS": "1"},
            port,
            workers=args.workers,
            log=workdir / "gunicorn.log",
            threads=args.threads,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            sections = []
            if not args.load_floor:
                rows = measure(base, args.seconds, chosen["learners"][-1], chosen["password"])
                sections.append(table(engine, data, rows, args.workers))
            sections.append(people(env, base, server, workdir, accounts, args, engine, data))
            return "\n\n".join(sections)
        finally:
            server.terminate()
            server.wait(timeout=10)


MICRO_BENCHMARKS = (
    "bench_content.py",
    "bench_alarmchain.py",  # the engine (fold, a day of 3,000 brukare) and SCAIP parsing
    "bench_item_analysis.py",
    "bench_quiz_statistics.py",
    "bench_quiz_load.py",
    "bench_competence.py",
    "bench_simulator.py",
)


def micro_benchmark(script: str) -> str:
    """Its table; one that misses its own floor (they exit 1 then) is reported, not the end of the run."""
    result = subprocess.run(
        [sys.executable, ROOT / "bench" / script], cwd=ROOT, capture_output=True, text=True
    )
    if result.returncode:
        failure = f"**{script} exited with status {result.returncode}**"
        return f"{result.stdout}\n{failure}\n\n```\n{result.stderr[-1500:]}```"
    return result.stdout


def machine() -> str:
    memory = psutil.virtual_memory().total / 2**30
    load1, load5, _ = os.getloadavg()
    return (
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()}: {os.cpu_count()} cores, "
        f"{memory:.0f} GiB, {platform.platform(terse=True)}, Python {platform.python_version()}, "
        f"locust {locust_version()}; load average {load1:.1f} (1 min) / {load5:.1f} (5 min) at the start."
    )


def locust_version() -> str:
    from importlib.metadata import version

    return version("locust")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="wrk seconds per page")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="also measure on this PostgreSQL database (EMPTIED, then migrated and seeded)",
    )
    parser.add_argument("--load-floor", action="store_true", help="run the load floor (PostgreSQL only)")
    parser.add_argument("--users", type=int, help="simulated people (default 60; 200 for the floor)")
    parser.add_argument("--load-seconds", type=int, help="length of the measured load (default 60; 300)")
    parser.add_argument("--spawn-rate", type=int, default=load.SPAWN_RATE, help="people started per second")
    parser.add_argument("--warmup", type=int, default=20, help="seconds of warm-up load before measuring")
    parser.add_argument("--scale", type=float, help=f"of the national data set (default {NATIONAL_SCALE}; 1)")
    parser.add_argument("--learners", type=int, default=2000, help="learner accounts to sign in as")
    parser.add_argument("--managers", type=int, default=40, help="manager accounts to sign in as")
    parser.add_argument("--skip-micro", action="store_true", help="leave out the micro-benchmarks")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per gunicorn worker (gthread when > 1)"
    )
    parser.add_argument("--instance", type=Path, help="keep the instance folder (and SQLite file) here")
    parser.add_argument("--reuse", action="store_true", help="measure the data already in the database(s)")
    args = parser.parse_args()
    args.users = args.users or (200 if args.load_floor else 60)
    args.load_seconds = args.load_seconds or (300 if args.load_floor else 60)
    args.scale = args.scale or (1.0 if args.load_floor else NATIONAL_SCALE)
    if args.load_floor and not (args.database_url or "").startswith("postgresql"):
        raise SystemExit(
            "the load floor is measured on PostgreSQL: give --database-url or BENCH_DATABASE_URL"
        )
    if args.reuse and not args.load_floor and not args.instance:
        raise SystemExit(
            "--reuse measures SQLite in the --instance folder of an earlier run: give --instance"
        )
    if not args.load_floor and not shutil.which("wrk"):
        raise SystemExit("wrk is needed for the HTTP benchmarks: apt-get install wrk")
    report = RESULTS / ("load-floor.md" if args.load_floor else "latest.md")
    RESULTS.mkdir(exist_ok=True)
    report.write_text("")
    add(report, machine())
    if not args.load_floor:
        add(report, run(None, args))
    if args.database_url:
        add(report, run(args.database_url, args))
    if not args.load_floor and not args.skip_micro:
        for script in MICRO_BENCHMARKS:
            add(report, micro_benchmark(script))


def add(report: Path, section: str) -> None:
    """Print a table as soon as it is measured, and keep it in the report (a later failure loses nothing)."""
    print(section + "\n", flush=True)
    with report.open("a") as file:
        file.write(section.rstrip("\n") + "\n\n")


if __name__ == "__main__":
    main()
