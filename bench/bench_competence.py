"""Benchmark: the competence matrix of a manager with 2,000 employees × 10 certifications, and the exports.

A fresh database (a SQLite file, and PostgreSQL when BENCH_DATABASE_URL is set — that database is EMPTIED)
gets 10 certifications and 13,100 employees with assignments and cycles of every status
(tests/competence/builders.py): 2,000 in the units of the manager whose matrix is measured, and 100,
1,000 and 10,000 in three further units of a second manager, for exports of 1,000, 10,000 and 100,000
rows (one row per person and certification). Requests go through the Flask test client in this process,
so the times are the server's (routing, queries, deriving 20,000 statuses, rendering), without HTTP.

- matrix: 30 requests each of the first page (sorted by name), sorted by status, and filtered by status;
  p50/p95 and the SQL statements per request; floor p95 ≤ 300 ms for the first page;
- exports: CSV and XLSX of each size, time and the peak of memory allocated while the response is made
  and read (tracemalloc, in a separate pass from the timing). The rows are read before the file is
  written (a failing database gives an error page, not half a file), so memory grows with the rows, as
  the matrix page's does.

Run by `make bench` (bench/run.py), or `python bench/bench_competence.py`. Prints a Markdown table.
"""

import os
import platform
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MATRIX_PEOPLE = 2_000
CERTIFICATIONS = 10
EXPORT_PEOPLE = (100, 1_000, 10_000)
REQUESTS = 30
FLOOR_P95_MS = 300.0
PASSWORD = "Bench-lösenord-2026"


def prepare(app) -> dict[str, object]:
    """The data; returns the two managers' usernames and the export units' ids by size."""
    import sqlalchemy as sa

    from portal.auth.passwords import hash_password
    from portal.certification.services import local_today
    from portal.extensions import db
    from portal.models import Organisation, Role, Unit, UnitKind, User
    from tests.competence.builders import add_staff, make_certifications

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.create_all()
        organisation = Organisation(name="Benchkommun", code="benchkommun")
        db.session.add(organisation)
        db.session.flush()
        matrix_units = [
            Unit(organisation_id=organisation.id, name=name, kind=UnitKind.HOME_CARE)
            for name in ("Hemtjänst Centrum", "Hemtjänst Norr", "Nattpatrullen")
        ]
        export_units = {
            size: Unit(organisation_id=organisation.id, name=f"Exportenhet {size}", kind=UnitKind.HOME_CARE)
            for size in EXPORT_PEOPLE
        }
        db.session.add_all(matrix_units + list(export_units.values()))
        password_hash = hash_password(PASSWORD)
        for username, units in (("chef", matrix_units), ("exportchef", list(export_units.values()))):
            manager = User(organisation_id=organisation.id, username=username, full_name=username.title(),
                           password_hash=password_hash)  # fmt: skip
            manager.set_roles({Role.MANAGER})
            manager.managed_units = units
            db.session.add(manager)
        db.session.commit()
        certifications = make_certifications(CERTIFICATIONS)
        today = local_today()
        add_staff(organisation, matrix_units, MATRIX_PEOPLE, certifications, today, seed=1, prefix="matris")
        for size, unit in export_units.items():
            add_staff(organisation, [unit], size, certifications, today, seed=size, prefix=f"export{size}")
        units = {size: unit.id for size, unit in export_units.items()}
        db.session.execute(sa.text("ANALYZE"))  # planner statistics, as a database in use has them
        db.session.commit()
        db.session.remove()
    return units


def signed_in(app, username: str):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.text[:300]
    return client


def time_requests(app, client, url: str, count: int) -> tuple[list[float], int]:
    """Milliseconds per request, and the SQL statements of the last one."""
    from sqlalchemy import event

    from portal.extensions import db

    statements = []
    with app.app_context():
        engine = db.engine

    def count_statement(*_args) -> None:
        statements.append(1)

    times = []
    for _ in range(3):  # warm-up: templates compiled, definitions parsed, pools filled
        assert client.get(url).status_code == 200, url
    event.listen(engine, "before_cursor_execute", count_statement)
    try:
        for _ in range(count):
            statements.clear()
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, url
    finally:
        event.remove(engine, "before_cursor_execute", count_statement)
    return times, len(statements)


def consume(client, url: str) -> int:
    """Request a file and read it chunk by chunk as a server would send it; returns its size."""
    response = client.get(url)
    assert response.status_code == 200, url
    size = sum(len(chunk) for chunk in response.iter_encoded())
    response.close()
    return size


def measure_export(client, url: str) -> tuple[float, float, int]:
    """(seconds, peak MB allocated while making and reading the file, bytes)."""
    start = time.perf_counter()
    size = consume(client, url)
    seconds = time.perf_counter() - start
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    consume(client, url)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return seconds, peak / 1e6, size


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(database_url: str | None) -> tuple[str, bool]:
    with tempfile.TemporaryDirectory() as directory:
        os.environ["PORTAL_INSTANCE_DIR"] = directory
        from portal.app import create_app
        from tests.conftest import base_config

        url = database_url or f"sqlite:///{directory}/bench.sqlite"
        app = create_app(base_config(url))
        engine = "PostgreSQL" if database_url else "SQLite file"
        start = time.perf_counter()
        units = prepare(app)
        seeded = time.perf_counter() - start
        client = signed_in(app, "chef")
        lines = [
            f"### Competence matrix, {engine}: {MATRIX_PEOPLE:,} employees × {CERTIFICATIONS} certifications "
            f"(Flask test client, {REQUESTS} requests each; data written in {seeded:.0f} s)",
            "",
            "| request | p50 ms | p95 ms | SQL statements | floor |",
            "|---|---:|---:|---:|---:|",
        ]
        ok = True
        for name, path in (
            ("first page of 100, sorted by name", "/competence/"),
            ("sorted by status (most urgent first)", "/competence/?sort=status"),
            ("filtered: overdue only", "/competence/?status=overdue"),
            ("print view (all 2,000 rows)", "/competence/print"),
        ):
            times, statements = time_requests(app, client, path, REQUESTS if "print" not in path else 5)
            p50, p95 = statistics.median(times), percentile(times, 0.95)
            floor = ""
            if path == "/competence/":
                ok = p95 <= FLOOR_P95_MS
                floor = f"≤ {FLOOR_P95_MS:.0f} ({'ok' if ok else 'TOO SLOW'})"
            lines.append(f"| {name} | {p50:.0f} | {p95:.0f} | {statements} | {floor} |")
        client = signed_in(app, "exportchef")
        lines += [
            "",
            f"### Competence exports, {engine}: one row per person × {CERTIFICATIONS} certifications",
            "",
            "| file | rows | size | time | peak memory (tracemalloc) |",
            "|---|---:|---:|---:|---:|",
        ]
        peaks = {}
        for kind in ("csv", "xlsx"):
            for people, unit_id in units.items():
                seconds, peak, size = measure_export(client, f"/competence/export.{kind}?unit={unit_id}")
                peaks[(kind, people)] = peak
                rows = people * CERTIFICATIONS
                lines.append(
                    f"| {kind.upper()} | {rows:,} | {size / 1e6:.1f} MB | {seconds:.2f} s | {peak:.1f} MB |"
                )
        for kind in ("csv", "xlsx"):
            growth = peaks[(kind, EXPORT_PEOPLE[-1])] / peaks[(kind, EXPORT_PEOPLE[0])]
            lines.append(
                f"| {kind.upper()}: peak at 100× the rows, as a multiple of the smallest | – | – | – | {growth:.1f}× |"
            )
        with app.app_context():
            from portal.extensions import db

            db.session.remove()
            db.engine.dispose()
    return "\n".join(lines), ok


def main() -> None:
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores\n")
    results = [run(None)]
    if os.environ.get("BENCH_DATABASE_URL"):
        results.append(run(os.environ["BENCH_DATABASE_URL"]))
    print("\n\n".join(text for text, _ok in results))
    if not all(ok for _text, ok in results):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
