"""HTTP benchmarks against gunicorn, reported as ratios to a trivial endpoint measured in the same run.

Usage: `make bench` (or `.venv/bin/python bench/run.py [--seconds 10] [--database-url URL]`).
Needs wrk (apt-get install wrk). Writes the table to stdout and to bench/results/latest.md.
"""

import argparse
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

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
REPORT = ROOT / "bench" / "wrk_report.lua"
RESULTS = ROOT / "bench" / "results"
BULK_STAFF = 5000
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


def prepare(env: dict) -> None:
    if env["DATABASE_URL"].startswith("postgresql"):
        empty_postgres(env["DATABASE_URL"])
    flask(env, "db", "upgrade")
    flask(env, "content", "sync")
    flask(env, "demo", "seed", "--bulk-staff", str(BULK_STAFF))


def start_gunicorn(env: dict, port: int, workers: int = 2) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            BIN / "gunicorn",
            "--workers",
            str(workers),
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


def measure(base: str, seconds: int) -> list[tuple[str, dict]]:
    cookie = session_cookie(base, "anna", "Trygghetslarm1")
    assert (
        "Anna"
        in urllib.request.urlopen(urllib.request.Request(f"{base}/", headers={"Cookie": cookie}))
        .read()
        .decode()
    ), "the benchmark's session is not signed in"
    wrk(f"{base}/healthz", 2)  # warm-up: imports, connection pools, template caches
    return [
        ("trivial: GET /healthz (JSON, SELECT 1)", wrk(f"{base}/healthz", seconds)),
        ("GET /login (form page)", wrk(f"{base}/login", seconds)),
        ("GET / signed in as anna (start page)", wrk(f"{base}/", seconds, cookie)),
        ("GET a module section signed in (rendered Markdown)", wrk(f"{base}{SECTION}", seconds, cookie)),
    ]


def table(engine: str, rows: list[tuple[str, dict]]) -> str:
    baseline = rows[0][1]["rps"]
    lines = [
        f"### HTTP, gunicorn 2 workers, {engine}, {BULK_STAFF} extra employees seeded",
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


def run(database_url: str | None, seconds: int) -> str:
    with tempfile.TemporaryDirectory() as instance:
        env = {**os.environ, "PORTAL_INSTANCE_DIR": instance, "DEMO_MODE": "1", "FLASK_APP": "wsgi"}
        env["DATABASE_URL"] = database_url or f"sqlite:///{instance}/bench.sqlite"
        engine = "PostgreSQL" if database_url else "SQLite (WAL)"
        prepare(env)
        port = free_port()
        server = start_gunicorn(env, port)
        try:
            return table(engine, measure(f"http://127.0.0.1:{port}", seconds))
        finally:
            server.terminate()
            server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="also measure on this PostgreSQL database (EMPTIED, then migrated and seeded)",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed for the HTTP benchmarks: apt-get install wrk")
    header = (
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()}: {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, wrk -t2 -c16 -d{args.seconds}s per endpoint."
    )
    sections = [header, run(None, args.seconds)]
    if args.database_url:
        sections.append(run(args.database_url, args.seconds))
    for script in (
        "bench_content.py",
        "bench_alarmchain.py",
        "bench_item_analysis.py",
        "bench_quiz_statistics.py",
        "bench_quiz_load.py",
        "bench_competence.py",
        "bench_simulator.py",
    ):
        command = [sys.executable, ROOT / "bench" / script]
        sections.append(subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout)
    report = "\n\n".join(sections) + "\n"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
