"""Benchmarks for the alarm-chain engine; prints a markdown table (run by ``make bench``).

Not a test: timings are machine-dependent, so floors are reported, never asserted in tests.
Exit status 1 if a floor is missed.
"""

from __future__ import annotations

import random
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from portal.alarmchain.day import DEFAULT_START, day_setup, simulate_day  # noqa: E402
from portal.alarmchain.policy import Policy  # noqa: E402
from portal.alarmchain.scaip import parse_request  # noqa: E402
from portal.alarmchain.simulation import simulate  # noqa: E402
from portal.alarmchain.world import fold  # noqa: E402

MESSAGES = [
    b"<mrq><ref>00001A85</ref><cha>0</cha><mty>PI</mty><cid>26317</cid><dty>02</dty><did>00</did>"
    b"<crd>no-voice:</crd><stc>102</stc></mrq>",
    b"<mrq><ref>yhexGeV5E49zglfi</ref><cid>999998</cid><dty>0004</dty><mty>ME</mty><stc>0010</stc>"
    b"<lco>002</lco><crd>gsm:</crd><cha>0</cha></mrq>",
    b"<mrq><ref>SIM0001</ref><ver>01.00</ver><mty>ME</mty><cid>4600123456</cid><dty>0003</dty>"
    b"<dco>002</dco><stc>0010</stc><lco>002</lco><crd>gsm:+46700000000</crd><cha>0</cha></mrq>",
    b"<mrq><ref>SIM0005</ref><mty>ME</mty><cid>4600123456</cid><dty>0014</dty><stc>0077</stc>"
    b"<lco>039</lco><crd>gsm:+46700000000</crd></mrq>",
]


def best_of(runs: int, work: Callable[[], object]) -> float:
    """Return the fastest wall time of ``runs`` calls, in seconds."""
    best = float("inf")
    for _ in range(runs):
        began = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - began)
    return best


def bench_fold() -> tuple[float, int]:
    policy = Policy()
    setup = day_setup(500, random.Random(1), DEFAULT_START, policy)
    events = simulate(setup, 2, record=False).events
    seconds = best_of(5, lambda: fold(events, policy))
    return len(events) / seconds, len(events)


def bench_parse() -> tuple[float, float]:
    batch = MESSAGES * 5000
    ours = best_of(5, lambda: [parse_request(m) for m in batch])
    plain = best_of(5, lambda: [ET.fromstring(m) for m in batch])
    return len(batch) / ours, plain / ours


def bench_day() -> tuple[float, int]:
    began = time.perf_counter()
    summary = simulate_day(3000, seed=1)
    return time.perf_counter() - began, summary.events


def main() -> int:
    fold_rate, fold_events = bench_fold()
    parse_rate, parse_ratio = bench_parse()
    day_seconds, day_events = bench_day()
    rows = [
        ("fold", f"{fold_rate:,.0f} events/s ({fold_events:,} events)", ">= 100,000 events/s",
         fold_rate >= 100_000),
        ("SCAIP parse", f"{parse_rate:,.0f} messages/s", ">= 20,000 messages/s",
         parse_rate >= 20_000),
        ("SCAIP parse vs ElementTree", f"{parse_ratio:.2f}x ElementTree speed", "reported", True),
        ("day of 3,000 brukare", f"{day_seconds:.2f} s ({day_events:,} events)", "<= 10 s",
         day_seconds <= 10),
    ]  # fmt: skip
    print(f"Python {sys.version.split()[0]}\n")
    print("| benchmark | result | floor | ok |")
    print("|---|---|---|---|")
    for name, result, floor, ok in rows:
        print(f"| {name} | {result} | {floor} | {'yes' if ok else 'NO'} |")
    return 0 if all(ok for *_, ok in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
