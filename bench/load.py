"""The load run: bench/locustfile.py (locust, headless) against gunicorn, read back as a table per page with
every figure next to the trivial endpoint's in the same run, the workers' memory, what the load generator
itself used, and (for the load floor) whether every acknowledged quiz hand-in is in the database.

Used by bench/run.py; the functions take the portal's environment (DATABASE_URL, PORTAL_INSTANCE_DIR).
"""

import csv
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOCUSTFILE = ROOT / "bench" / "locustfile.py"
TRIVIAL = "GET /healthz (trivial)"
FLOOR_P95_MS = 500.0
SPAWN_RATE = (
    5  # people started per second: each signs in first, and a sign-in (argon2) is the dearest request
)


@dataclass
class Page:
    name: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float
    largest: float


@dataclass
class LoadRun:
    users: int
    seconds: int
    wait: tuple[float, float]
    pages: dict[str, Page]
    exceptions: list[tuple[int, str]]
    journeys: dict[str, int]
    acknowledged: list[int]
    locust_cpu_s: float
    workers_cpu_s: float
    database_cpu_s: float | None
    load_average: tuple[float, float] = (0.0, 0.0)  # 1-minute load before and at the end
    stored: dict[str, int] = field(default_factory=dict)
    ramp_seconds: int = 0
    everything: dict[str, int] = field(default_factory=dict)  # requests and failures, ramp-up included

    @property
    def errors(self) -> int:
        """Failed requests of the whole run (ramp-up included) and errors in the simulated people's steps."""
        failures = max(self.everything.get("failures", 0), sum(p.failures for p in self.pages.values()))
        return failures + sum(n for n, _ in self.exceptions)


def prepare_accounts(env: dict, learners: int, managers: int, out: Path, seed: int = 1) -> Path:
    command = [sys.executable, ROOT / "bench" / "load_db.py", "accounts", "--learners", str(learners)]
    command += ["--managers", str(managers), "--out", str(out), "--seed", str(seed)]
    subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    return out


def stored(env: dict, acks: Path) -> dict[str, int]:
    command = [sys.executable, ROOT / "bench" / "load_db.py", "stored", str(acks)]
    output = subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return json.loads(output)


def workers(server: subprocess.Popen) -> list[psutil.Process]:
    return psutil.Process(server.pid).children()


def worker_memory_mb(server: subprocess.Popen) -> list[float]:
    return [worker.memory_info().rss / 2**20 for worker in workers(server)]


def _cpu_seconds(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def database_backends(database_url: str) -> list[psutil.Process]:
    """The PostgreSQL server processes serving this database (one per pooled connection); none for SQLite."""
    if not database_url.startswith("postgresql"):
        return []
    name = f" {database_url.rsplit('/', 1)[-1].split('?')[0]} "
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        if process.info["name"] == "postgres" and name in " ".join(process.info["cmdline"] or []) + " ":
            found.append(process)
    return found


def locust(
    base: str,
    accounts: Path,
    workdir: Path,
    server: subprocess.Popen,
    users: int,
    seconds: int,
    wait: tuple[float, float] = (1.0, 3.0),
    account_offset: int = 0,
    tag: str = "load",
    database_url: str = "",
    spawn_rate: int = SPAWN_RATE,
) -> LoadRun:
    """One headless locust run of `users` people (+ the probe) for `seconds` after they have all started;
    the table is of those seconds (--reset-stats), the failures are counted over the whole run."""
    prefix = workdir / tag
    acks = workdir / f"{tag}-acks.json"
    env = {
        **os.environ,
        "BENCH_ACCOUNTS": str(accounts),
        "BENCH_WAIT_MIN": str(wait[0]),
        "BENCH_WAIT_MAX": str(wait[1]),
        "BENCH_ACKS": str(acks),
        "BENCH_ACCOUNT_OFFSET": str(account_offset),
    }
    ramp = -(-(users + 1) // spawn_rate)
    command = [
        BIN / "locust", "-f", LOCUSTFILE, "--headless", "-H", base, "-u", str(users + 1),
        "-r", str(spawn_rate), "-t", f"{seconds + ramp}s", "--reset-stats", "--csv", str(prefix),
        "--only-summary", "--stop-timeout", "15", "--loglevel", "WARNING", "--exit-code-on-error", "0",
    ]  # fmt: skip
    before = _cpu_seconds(workers(server))
    database_before = {backend.pid: _cpu_seconds([backend]) for backend in database_backends(database_url)}
    load_before = load_end = os.getloadavg()[0]
    log = workdir / f"{tag}.log"  # a file, not a pipe: a full pipe would stop locust
    with log.open("w") as output:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    watched = psutil.Process(process.pid)
    locust_cpu = 0.0
    while process.poll() is None:
        try:
            locust_cpu = _cpu_seconds([watched])
        except psutil.NoSuchProcess:
            break
        load_end = os.getloadavg()[0]
        time.sleep(1)
    process.wait()
    if process.returncode:
        raise SystemExit(f"locust failed ({process.returncode}):\n{log.read_text()[-3000:]}")
    outcome = json.loads(acks.read_text()) if acks.exists() else {"acknowledged": [], "journeys": {}}
    return LoadRun(
        users=users,
        seconds=seconds,
        wait=wait,
        pages=_pages(Path(f"{prefix}_stats.csv")),
        exceptions=_exceptions(Path(f"{prefix}_exceptions.csv")),
        journeys=outcome["journeys"],
        acknowledged=outcome["acknowledged"],
        locust_cpu_s=locust_cpu,
        workers_cpu_s=_cpu_seconds(workers(server)) - before,
        database_cpu_s=_database_cpu(database_url, database_before),
        load_average=(load_before, load_end),
        ramp_seconds=ramp,
        everything=outcome.get("everything", {}),
    )


def _database_cpu(database_url: str, before: dict[int, float]) -> float | None:
    """CPU of the database's server processes since `before` (those started since count whole)."""
    if not database_url.startswith("postgresql"):
        return None
    return sum(_cpu_seconds([b]) - before.get(b.pid, 0.0) for b in database_backends(database_url))


def _number(text: str) -> float:
    return float(text) if text and text != "N/A" else 0.0


def _pages(path: Path) -> dict[str, Page]:
    pages = {}
    with path.open() as stats:
        for row in csv.DictReader(stats):
            if row["Name"] == "Aggregated":
                continue
            pages[row["Name"]] = Page(
                name=row["Name"],
                requests=int(row["Request Count"]),
                failures=int(row["Failure Count"]),
                rps=_number(row["Requests/s"]),
                p50=_number(row["50%"]),
                p95=_number(row["95%"]),
                p99=_number(row["99%"]),
                largest=_number(row["Max Response Time"]),
            )
    return pages


def _exceptions(path: Path) -> list[tuple[int, str]]:
    if not path.exists():
        return []
    with path.open() as rows:
        return [(int(row["Count"]), row["Message"]) for row in csv.DictReader(rows)]


ORDER = (
    TRIVIAL,
    "GET /login",
    "POST /login",
    "GET /learning/ (dashboard)",
    "GET module page",
    "GET module section (text)",
    "GET quiz section",
    "POST quiz start",
    "GET quiz question",
    "POST quiz answer",
    "GET quiz overview",
    "POST quiz hand-in",
    "GET quiz result",
    "GET competence matrix",
    "GET competence matrix page 2",
    "GET competence export CSV",
    "GET competence export XLSX",
    "GET /trygghetskedjan",
    "POST demo start",
    "GET demo run page",
    "POST demo step",
)


def _ratio(value: float, base: float) -> str:
    return f"{value / base:.1f}" if base else "–"


def table(title: str, run: LoadRun, check_floor: bool = False) -> str:
    """The pages of one run; every figure also as a multiple of the trivial endpoint's in the same run."""
    trivial = run.pages.get(TRIVIAL) or Page(TRIVIAL, 0, 0, 0, 0, 0, 0, 0)
    lines = [
        f"### {title}",
        "",
        f"{run.users} simulated people (+ 1 probe asking the trivial endpoint twice a second), think time "
        f"{run.wait[0]:g}–{run.wait[1]:g} s, started over {run.ramp_seconds} s, then measured for {run.seconds} s. "
        "× = the figure divided by the trivial endpoint's in this run.",
        "",
        "| page | requests | failures | req/s | × | p50 ms | × | p95 ms | × | p99 ms | × | max ms |"
        + (" p95 < 500 ms |" if check_floor else ""),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + ("---|" if check_floor else ""),
    ]
    names = [name for name in ORDER if name in run.pages] + sorted(set(run.pages) - set(ORDER))
    for name in names:
        page = run.pages[name]
        line = (
            f"| {name} | {page.requests:,} | {page.failures} | {page.rps:.1f} | {_ratio(page.rps, trivial.rps)} | "
            f"{page.p50:.0f} | {_ratio(page.p50, trivial.p50)} | {page.p95:.0f} | {_ratio(page.p95, trivial.p95)} | "
            f"{page.p99:.0f} | {_ratio(page.p99, trivial.p99)} | {page.largest:.0f} |"
        )
        if check_floor:
            line += " yes |" if page.p95 < FLOOR_P95_MS else " **no** |"
        lines.append(line)
    total = sum(page.requests for page in run.pages.values())
    lines += [
        "",
        f"The whole run, ramp-up included: {run.everything.get('requests', 0):,} requests, "
        f"{run.everything.get('failures', 0)} failed. In the measured {run.seconds} s: {total:,} requests, "
        f"{sum(p.failures for p in run.pages.values())} failed, "
        f"{sum(n for n, _ in run.exceptions)} errors in the simulated people's own steps"
        + "".join(f" ({n}× {message[:120]})" for n, message in run.exceptions[:3])
        + f". Journeys: {run.journeys.get('quiz', 0)} quizzes handed in, "
        f"{run.journeys.get('refused', 0)} quiz starts refused (cooldown or no attempts left), "
        f"{run.journeys.get('demo', 0)} demo runs stepped through.",
        f"CPU used during the whole run ({run.seconds + run.ramp_seconds} s × 2 cores): gunicorn workers "
        f"{run.workers_cpu_s:.0f} s ({1000 * run.workers_cpu_s / max(run.everything.get('requests', 1), 1):.1f} ms "
        "a request)"
        + (f", PostgreSQL {run.database_cpu_s:.0f} s" if run.database_cpu_s is not None else "")
        + f", the load generator (locust) {run.locust_cpu_s:.0f} s; machine load average (1 min) "
        f"{run.load_average[0]:.1f} before, {run.load_average[1]:.1f} at the end.",
    ]
    return "\n".join(lines)


def floor_verdict(run: LoadRun) -> tuple[bool, list[str]]:
    """The load floor: no errors, p95 under 500 ms on every page, every acknowledged hand-in stored."""
    slow = [f"{p.name} ({p.p95:.0f} ms)" for p in run.pages.values() if p.p95 >= FLOOR_P95_MS]
    stored = run.stored
    complete = stored.get("handed_in") == stored.get("acknowledged") == stored.get("gradings")
    lines = [
        f"- errors: {run.errors} (floor: 0) — {'ok' if run.errors == 0 else 'NOT MET'}",
        f"- p95 under {FLOOR_P95_MS:.0f} ms on every page — "
        + ("ok" if not slow else "NOT MET: " + ", ".join(slow)),
        f"- quiz hand-ins acknowledged by the server (counted by the clients): {stored.get('acknowledged', 0)}; "
        f"handed in in the database: {stored.get('handed_in', 0)}; gradings in the audit trail: "
        f"{stored.get('gradings', 0)} — {'ok' if complete else 'NOT MET'}",
    ]
    return run.errors == 0 and not slow and complete, lines
