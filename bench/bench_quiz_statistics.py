"""Benchmark: `flask quiz analyse` over the database against the pure core, in the same run.

100,000 submitted attempts × 20 questions (80,000 people, 20,000 of them with a retake; about 2 % of the
drawn questions left unanswered) go into a SQLite file database with executemany. Then the CLI path —
load the rows in two streamed queries, turn responses into chosen ids, analyse first and all attempts,
store both — is timed, and compared with the pure core analysing the same rows already in memory.

Run by `make bench` (bench/run.py), or `python bench/bench_quiz_statistics.py`. Prints a Markdown table.
"""

import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PEOPLE, RETAKES, QUESTIONS = 80_000, 20_000, 20
UNANSWERED = 0.02
FLOOR_RATIO = 4.0  # the CLI path may take at most this many times the pure core's time
STORED_AT = "2026-01-01 12:00:00.000000"  # how SQLAlchemy stores a DateTime in SQLite

KINDS = (
    ["single"] * 9 + ["multiple"] * 4 + ["truefalse"] * 3 + ["ordering", "ordering", "matching", "numeric"]
)


def quiz_yaml() -> str:
    """Twenty questions of every type, all fixed."""
    lines = ["title: {sv: Benchmarkprov, en: Benchmark quiz}", f"fixed: [{', '.join(_ids())}]", "questions:"]
    for question_id, kind in zip(_ids(), KINDS, strict=True):
        lines += [f"  - id: {question_id}", f"    type: {kind}", f"    text: Fråga {question_id}?"]
        lines += _body(kind)
    return "\n".join(lines) + "\n"


def _ids() -> list[str]:
    return [f"q{n:02d}" for n in range(QUESTIONS)]


def _body(kind: str) -> list[str]:
    options = ["    options:", *(f"      - {{id: {o}, text: Svar {o}}}" for o in "abcd")]
    match kind:
        case "single":
            return [*options, "    correct: a"]
        case "multiple":
            return [*options, "    correct: [a, b]"]
        case "truefalse":
            return ["    correct: true"]
        case "ordering":
            return ["    items:", *(f"      - {{id: {o}, text: Steg {o}}}" for o in "abcd")]
        case "matching":
            premises = [f"      - {{id: p{n}, text: Premiss {n}, match: c{n}}}" for n in range(3)]
            choices = [f"      - {{id: c{n}, text: Val {n}}}" for n in range(4)]
            return ["    premises:", *premises, "    choices:", *choices]
        case _:
            return ["    answer: 30", "    tolerance: 0"]


RIGHT = {
    "single": ("a", ("a",)),
    "multiple": (["a", "b"], ("a", "b")),
    "truefalse": ("true", ("true",)),
    "ordering": (["a", "b", "c", "d"], ("1→a", "2→b", "3→c", "4→d")),
    "matching": ({"p0": "c0", "p1": "c1", "p2": "c2"}, ("p0→c0", "p1→c1", "p2→c2")),
    "numeric": ("30", ()),
}
WRONG = {
    "single": ("c", ("c",)),
    "multiple": (["a", "d"], ("a", "d")),
    "truefalse": ("false", ("false",)),
    "ordering": (["b", "a", "c", "d"], ("1→b", "2→a", "3→c", "4→d")),
    "matching": ({"p0": "c1", "p1": "c0", "p2": "c3"}, ("p0→c1", "p1→c0", "p2→c3")),
    "numeric": ("2,5", ()),
}


def simulate(rng: random.Random) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """Return (attempts, answers, core rows): attempts as (id, user, number), answers as DB tuples
    and the same data as the core's rows, so both paths analyse identical input."""
    difficulty = [rng.uniform(-1.5, 1.5) for _ in range(QUESTIONS)]
    ids = _ids()
    attempts, answers, rows = [], [], []
    plan = [(person, 1) for person in range(PEOPLE)] + [(person, 2) for person in range(RETAKES)]
    for attempt_id, (person, number) in enumerate(plan, start=1):
        ability = rng.gauss(0.3 * number, 1.0)
        attempts.append((attempt_id, person + 1, number))
        for q, question_id in enumerate(ids):
            if rng.random() < UNANSWERED:
                rows.append((attempt_id, person + 1, number, question_id, 0.0, ()))
                continue
            right = rng.random() < 1.0 / (1.0 + 2.718281828 ** (difficulty[q] - ability))
            response, chosen = (RIGHT if right else WRONG)[KINDS[q]]
            score = 1.0 if right else 0.0
            answers.append((attempt_id, question_id, json.dumps(response), STORED_AT, 0, 0, score))
            rows.append((attempt_id, person + 1, number, question_id, score, chosen))
    return attempts, answers, rows


def insert(db, attempts: list[tuple], answers: list[tuple]) -> int:
    """Write the people, one quiz version and the attempts with executemany; return the version id."""
    import sqlalchemy as sa

    from portal.models import Module, Organisation, QuizVersion, SectionKind, SectionVersion

    organisation = Organisation(name="Benchkommun", code="benchkommun")
    module = Module(slug="bench")
    db.session.add_all([organisation, module])
    db.session.flush()
    version = QuizVersion(module_id=module.id, checksum="bench", source=quiz_yaml(), title={"sv": "Bench"})
    db.session.add(version)
    db.session.flush()
    section = SectionVersion(
        module_id=module.id,
        slug="prov",
        kind=SectionKind.QUIZ,
        checksum="bench",
        title={"sv": "Prov"},
        body_html={},
        toc={},
        quiz_version_id=version.id,
    )
    db.session.add(section)
    db.session.commit()
    question_ids = json.dumps(_ids())
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.executemany(
            'INSERT INTO "user" (id, organisation_id, roles, username, full_name, active, session_token, '
            "created_at) VALUES (?, ?, 'learner', ?, ?, 1, ?, ?)",
            [(n, organisation.id, f"p{n}", f"Person {n}", f"t{n}", STORED_AT) for n in range(1, PEOPLE + 1)],
        )
        cursor.executemany(
            "INSERT INTO quiz_attempt (id, user_id, quiz_version_id, section_version_id, number, seed, "
            "seen_question_ids, question_ids, status, started_at, submitted_at, auto_submitted) "
            "VALUES (?, ?, ?, ?, ?, 0, '[]', ?, 'submitted', ?, ?, 0)",
            [(a, u, version.id, section.id, n, question_ids, STORED_AT, STORED_AT) for a, u, n in attempts],
        )
        cursor.executemany(
            "INSERT INTO quiz_answer (attempt_id, question_id, response, saved_at, wrong_tries, "
            "checked_correct, score) VALUES (?, ?, ?, ?, ?, ?, ?)",
            answers,
        )
        connection.commit()
    finally:
        connection.close()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(sa.table("quiz_answer"))) == len(answers)
    return version.id


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def analyse_both(rows: list[tuple]) -> list:
    """What the CLI computes, by the pure core: first attempts only, then all attempts."""
    from portal.assessment.core import analyse

    return [analyse(rows, first_attempts_only=first_only) for first_only in (True, False)]


def run_command(directory: str) -> tuple[str, float, float]:
    """`flask quiz analyse` as a scheduler runs it: (its output, seconds, its peak memory in MB)."""
    env = {
        **os.environ,
        "PORTAL_INSTANCE_DIR": directory,
        "DATABASE_URL": f"sqlite:///{directory}/bench.sqlite",
    }
    command = [Path(sys.executable).with_name("flask"), "--app", "wsgi", "quiz", "analyse"]
    start = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    return result.stdout.strip(), seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        os.environ["PORTAL_INSTANCE_DIR"] = directory
        from portal.app import create_app
        from portal.assessment.statistics import cached_statistics, load_rows, refresh_statistics
        from portal.extensions import db
        from portal.models import QuizVersion

        times = {}
        (attempts, answers, rows), times["simulate"] = timed(simulate, random.Random(1))
        app = create_app(
            {"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory}/bench.sqlite"}
        )
        with app.app_context():
            db.create_all()
            version_id, times["insert"] = timed(insert, db, attempts, answers)
            core, times["core"] = timed(analyse_both, rows)
            del attempts, answers, rows
            version = db.session.get(QuizVersion, version_id)
            _rows, times["load"] = timed(lambda: len(load_rows(version)))
            _stored, times["refresh"] = timed(lambda: (refresh_statistics(version), db.session.commit()))
            output, times["command"], peak_mb = run_command(directory)
            db.session.expire_all()
            first = cached_statistics(version_id)
        assert first.stats.attempts == PEOPLE, output
        assert first.stats.items == core[0].items, "the same item statistics through the database"
        assert abs(first.stats.mean_percent - core[0].mean_percent) < 1e-9
    report(times, peak_mb, first.stats)


def report(times: dict[str, float], peak_mb: float, stats) -> None:
    core = times["core"]
    ratio = times["refresh"] / core
    status = "ok" if ratio <= FLOOR_RATIO else "TOO SLOW"
    alpha = "n/a" if stats.alpha is None else f"{stats.alpha:.3f}"
    size = f"{PEOPLE + RETAKES:,} attempts × {QUESTIONS} questions"
    print(
        f"Python {platform.python_version()} on {platform.machine()}, SQLite file database, random.Random(1)\n"
    )
    print("| quiz statistics (flask quiz analyse) | time | ratio to pure core | floor |")
    print("|---|---:|---:|---:|")
    print(
        f"| simulate {size}, insert with executemany | {times['simulate']:.2f} s + {times['insert']:.2f} s | – | – |"
    )
    print(f"| pure core: analyse first + all attempts, rows in memory | {core:.2f} s | 1.00 | – |")
    print(
        f"| load the rows (two streamed queries) | {times['load']:.2f} s | {times['load'] / core:.2f} | – |"
    )
    print(
        f"| load + analyse both + store + commit | {times['refresh']:.2f} s | {ratio:.2f} | ≤ {FLOOR_RATIO:.0f} ({status}) |"
    )
    print(
        f"| `flask quiz analyse` in its own process, start-up included | {times['command']:.2f} s | {times['command'] / core:.2f} | – |"
    )
    print(f"| peak memory of that process | {peak_mb:,.0f} MB | – | – |")
    print(
        f"| first attempts: mean / SD / alpha | {stats.mean_percent:.1f} % / {stats.sd_percent:.1f} % / {alpha} | – | – |"
    )
    if ratio > FLOOR_RATIO:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
