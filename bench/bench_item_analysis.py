"""Benchmark: item analysis over 100,000 attempts × 20 questions, and grading throughput.

Run from the repository root: `python bench/bench_item_analysis.py`. Prints a Markdown table.
"""

from __future__ import annotations

import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from portal.assessment.core import (  # noqa: E402
    MultipleChoice,
    Option,
    Row,
    Scoring,
    Text,
    analyse,
    grade,
)

ATTEMPTS = 100_000
QUESTIONS = 20
FLOOR_SECONDS = 10.0
GRADES = 200_000


def make_rows(rng: random.Random) -> list[Row]:
    """Return synthetic answer rows: ability and difficulty drive the chance of a right answer."""
    difficulty = [rng.uniform(-1.5, 1.5) for _ in range(QUESTIONS)]
    rows: list[Row] = []
    for attempt in range(ATTEMPTS):
        ability = rng.gauss(0.0, 1.0)
        for q in range(QUESTIONS):
            right = rng.random() < 1.0 / (1.0 + 2.718281828 ** (difficulty[q] - ability))
            rows.append(
                (attempt, attempt, 1, f"q{q:02d}", 1.0 if right else 0.0, ("a",) if right else ("b",))
            )
    return rows


def bench_grading(rng: random.Random) -> float:
    """Return partial-credit multiple-choice gradings per second."""
    ids = ["a", "b", "c", "d", "e"]
    question = MultipleChoice(
        id="m",
        text=Text("M"),
        options=tuple(Option(i, Text(i)) for i in ids),
        correct=frozenset({"a", "c"}),
        scoring=Scoring.PARTIAL,
    )
    responses = [frozenset(i for i in ids if rng.random() < 0.4) for _ in range(GRADES)]
    start = time.perf_counter()
    for response in responses:
        grade(question, response)
    return GRADES / (time.perf_counter() - start)


def main() -> None:
    """Print the benchmark table."""
    rng = random.Random(1)
    start = time.perf_counter()
    rows = make_rows(rng)
    generate = time.perf_counter() - start
    start = time.perf_counter()
    stats = analyse(rows)
    elapsed = time.perf_counter() - start
    rate = bench_grading(rng)
    alpha = f"{stats.alpha:.3f}" if stats.alpha is not None else "n/a"
    print(f"Python {platform.python_version()} on {platform.machine()}, random.Random(1)\n")
    print("| measure | value | floor |")
    print("|---|---:|---:|")
    size = f"{ATTEMPTS:,} attempts × {QUESTIONS} questions"
    print(f"| rows generated ({size}) | {len(rows):,} in {generate:.2f} s | – |")
    status = "ok" if elapsed < FLOOR_SECONDS else "TOO SLOW"
    print(f"| item analysis (first attempts) | {elapsed:.2f} s | < {FLOOR_SECONDS:.0f} s ({status}) |")
    summary = f"{stats.mean_percent:.1f} % / {stats.sd_percent:.1f} % / {alpha}"
    print(f"| quiz mean / SD / Cronbach's alpha | {summary} | – |")
    print(f"| grading throughput (multiple choice, partial credit) | {rate:,.0f} responses/s | – |")
    if elapsed >= FLOOR_SECONDS:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
