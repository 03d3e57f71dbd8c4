"""Item analysis against a hand-computed fixture, plus first-attempt filtering, flags and pools."""

import random

import pytest

from portal.assessment.core import Flag, Row, analyse, csv_rows, first_attempt_rows

# Five users' first attempts at three questions, plus a second attempt by u1 that must be ignored.
#
#            q1  q2  q3   total T
#   A1 (u1)   1   1   1     3
#   A2 (u2)   1   1   0     2
#   A3 (u3)   1   0   1     2
#   A4 (u4)   1   0   0     1
#   A5 (u5)   0   0  0.5    0.5
#   A6 (u1#2) 0   0   0     (not a first attempt)
ROWS: list[Row] = [
    ("A1", "u1", 1, "q1", 1.0, ("a",)), ("A1", "u1", 1, "q2", 1.0, ("x","y")), ("A1", "u1", 1, "q3", 1.0, ()),
    ("A2", "u2", 1, "q1", 1.0, ("a",)), ("A2", "u2", 1, "q2", 1.0, ("x","y")), ("A2", "u2", 1, "q3", 0.0, ()),
    ("A3", "u3", 1, "q1", 1.0, ("a",)), ("A3", "u3", 1, "q2", 0.0, ("x",)), ("A3", "u3", 1, "q3", 1.0, ()),
    ("A4", "u4", 1, "q1", 1.0, ("a",)), ("A4", "u4", 1, "q2", 0.0, ()), ("A4", "u4", 1, "q3", 0.0, ()),
    ("A5", "u5", 1, "q1", 0.0, ("b",)), ("A5", "u5", 1, "q2", 0.0, ("z",)), ("A5", "u5", 1, "q3", 0.5, ()),
    ("A6", "u1", 2, "q1", 0.0, ("b",)), ("A6", "u1", 2, "q2", 0.0, ("z",)), ("A6", "u1", 2, "q3", 0.0, ()),
]  # fmt: skip

# q1: x = 1,1,1,1,0  y = T−x = 2,1,1,0,0.5   x̄ = 0.8  ȳ = 4.5/5 = 0.9
#     facility = 4/5 = 0.8; Σxy/n = 4/5 = 0.8; cov = 0.8 − 0.8·0.9 = 0.08
#     var x = 0.8 − 0.64 = 0.16; Σy²/n = 6.25/5 = 1.25; var y = 1.25 − 0.81 = 0.44
#     D = 0.08 / √(0.16·0.44) = 0.08 / 0.265330 = 0.301511;  sample SD = √(0.16·5/4) = 0.447214
Q1 = (0.8, 0.447, 0.302)
# q2: x = 1,1,0,0,0  y = 2,1,2,1,0.5   x̄ = 0.4  ȳ = 6.5/5 = 1.3
#     Σxy/n = 3/5 = 0.6; cov = 0.6 − 0.52 = 0.08; var x = 0.4 − 0.16 = 0.24
#     Σy²/n = 10.25/5 = 2.05; var y = 2.05 − 1.69 = 0.36
#     D = 0.08 / √(0.24·0.36) = 0.08 / 0.293939 = 0.272166;  sample SD = √(0.24·5/4) = √0.3 = 0.547723
Q2 = (0.4, 0.548, 0.272)
# q3: x = 1,0,1,0,0.5  y = 2,2,1,1,0   x̄ = 0.5  ȳ = 1.2
#     Σxy/n = 3/5 = 0.6; cov = 0.6 − 0.6 = 0 → D = 0 (flagged low discrimination)
#     Σx²/n = 2.25/5 = 0.45; var x = 0.45 − 0.25 = 0.2;  sample SD = √(0.2·5/4) = √0.25 = 0.5
Q3 = (0.5, 0.5, 0.0)
# Quiz: T = 3,2,2,1,0.5 out of 3 → percent 100, 66.667, 66.667, 33.333, 16.667
#     mean = 1.7/3 = 56.667 %; ΣT²/n = 18.25/5 = 3.65; var T = 3.65 − 2.89 = 0.76 (population)
#     sample SD = √(0.76·5/4) = √0.95 = 0.974679 → 32.489 %
#     alpha = 3/2 · (1 − (0.16 + 0.24 + 0.2)/0.76) = 1.5 · 0.210526 = 0.315789
MEAN, SD, ALPHA = 56.667, 32.489, 0.316


def test_hand_computed_statistics_to_three_decimals() -> None:
    stats = analyse(ROWS)
    assert stats.attempts == 5
    assert (round(stats.mean_percent, 3), round(stats.sd_percent, 3)) == (MEAN, SD)
    assert stats.alpha is not None
    assert round(stats.alpha, 3) == ALPHA
    for qid, (facility, sd, disc) in {"q1": Q1, "q2": Q2, "q3": Q3}.items():
        item = stats.item(qid)
        assert item.attempts == 5
        assert (round(item.facility, 3), round(item.sd, 3)) == (facility, sd)
        assert item.discrimination is not None
        assert round(item.discrimination, 3) == disc
    assert stats.item("q3").flags == {Flag.LOW_DISCRIMINATION}
    assert stats.item("q1").flags == frozenset()


def test_option_frequencies() -> None:
    stats = analyse(ROWS)
    assert stats.item("q1").option_counts == (("a", 4), ("b", 1))
    assert stats.item("q2").option_counts == (("x", 3), ("y", 2), ("z", 1))
    assert stats.item("q2").option_share("x") == pytest.approx(0.6)
    assert stats.item("q3").option_share("nothing") == 0.0
    with pytest.raises(KeyError):
        stats.item("q9")


def test_all_attempts_when_asked() -> None:
    assert len(first_attempt_rows(ROWS)) == 15
    stats = analyse(ROWS, first_attempts_only=False)
    assert stats.attempts == 6
    assert stats.item("q1").facility == pytest.approx(4 / 6)


def test_flags_for_easy_hard_and_constant_items() -> None:
    rows: list[Row] = []
    for i in range(40):
        good = i % 2
        rows += [
            (i, i, 1, "easy", 1.0, ()),
            (i, i, 1, "hard", 1.0 if i == 0 else 0.0, ()),
            (i, i, 1, "mid", float(good), ()),
            (i, i, 1, "mid2", float(good), ()),
        ]
    stats = analyse(rows)
    assert stats.item("easy").flags == {Flag.TOO_EASY, Flag.NO_DISCRIMINATION}
    assert Flag.TOO_HARD in stats.item("hard").flags
    assert (stats.item("mid").discrimination or 0.0) > 0.9  # rest = mid2 (+ one stray "hard" point)
    assert stats.item("mid").flags == frozenset()


def test_degenerate_inputs() -> None:
    empty = analyse([])
    assert (empty.attempts, empty.items, empty.alpha) == (0, (), None)
    single = analyse([("a", "u", 1, "q", 1.0, ())])
    assert single.alpha is None
    assert single.item("q").sd == 0.0
    assert single.item("q").discrimination is None


def test_random_pools_alpha_matches_fixed_formula_when_all_items_present() -> None:
    rng = random.Random(3)
    rows: list[Row] = [
        (a, a, 1, f"q{q}", float(rng.random() < 0.3 + 0.1 * q), ()) for a in range(300) for q in range(5)
    ]
    odd = set(range(1, 300, 2))
    pooled = [r for r in rows if not (r[1] in odd and r[3] == "q4")]  # half the attempts skip q4
    full, partial = analyse(rows), analyse(pooled)
    assert full.alpha is not None
    assert partial.alpha is not None
    assert -1.0 < partial.alpha < 1.0
    assert partial.item("q4").attempts == 150


def test_twenty_thousand_attempts_are_analysed_whole() -> None:
    """Scale without a timer: speed is measured in bench/bench_item_analysis.py."""
    rng = random.Random(1)
    rows: list[Row] = [
        (a, a, 1, f"q{q}", float(rng.random() < 0.7), ("a",)) for a in range(20_000) for q in range(20)
    ]
    stats = analyse(rows)
    assert stats.attempts == 20_000
    assert len(stats.items) == 20


def test_csv_rows() -> None:
    rows = csv_rows(analyse(ROWS))
    assert rows[0][:5] == ["question_id", "attempts", "facility", "sd", "discrimination"]
    assert rows[3] == ["q3", "5", "0.500", "0.500", "0.000", "low_discrimination", ""]
    assert rows[2][-1] == "x=3 y=2 z=1"
