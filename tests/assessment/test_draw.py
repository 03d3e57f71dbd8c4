"""Drawing attempts: counts, no duplicates, unseen first, reproducible from the seed alone."""

import random
import time
from collections import Counter

import pytest

from portal.assessment.core import Quiz, draw, option_ids, parse_quiz

POOLED = """\
title: T
fixed: [f1]
pools: [{tag: a, count: 2}, {tag: b, count: 1}]
questions:
  - {id: f1, type: truefalse, text: F, correct: true, tags: [a]}
  - {id: a1, type: truefalse, text: A, correct: true, tags: [a]}
  - {id: a2, type: truefalse, text: A, correct: true, tags: [a]}
  - {id: a3, type: truefalse, text: A, correct: true, tags: [a, b]}
  - {id: a4, type: truefalse, text: A, correct: true, tags: [a]}
  - {id: b1, type: truefalse, text: B, correct: true, tags: [b]}
  - {id: b2, type: truefalse, text: B, correct: true, tags: [b]}
"""


@pytest.fixture
def pooled() -> Quiz:
    return parse_quiz(POOLED)


def test_draw_has_fixed_questions_and_pool_counts(quiz: Quiz) -> None:
    for seed in range(30):
        d = draw(quiz, seed, frozenset())
        assert len(d.question_ids) == quiz.length == len(set(d.question_ids))
        assert set(quiz.fixed) <= set(d.question_ids)
        tags = Counter(t for qid in d.question_ids if qid not in quiz.fixed for t in quiz.question(qid).tags)
        assert tags["roller"] >= 2
        assert tags["tider"] >= 2


def test_no_duplicates_across_overlapping_pools(pooled: Quiz) -> None:
    for seed in range(200):
        ids = draw(pooled, seed).question_ids
        assert len(ids) == 4 == len(set(ids))
        assert "f1" in ids


def test_same_seed_same_draw(quiz: Quiz) -> None:
    seen = frozenset({"nattgrupp"})
    assert draw(quiz, 12345, seen) == draw(quiz, 12345, seen)


def test_different_seeds_usually_differ(quiz: Quiz) -> None:
    draws = {(d.question_ids, d.option_orders) for d in (draw(quiz, s) for s in range(50))}
    assert len(draws) >= 45


def test_unseen_questions_are_preferred(pooled: Quiz) -> None:
    for seed in range(100):
        ids = draw(pooled, seed, frozenset({"a1", "a2", "b1"})).question_ids
        assert {"a3", "a4"} <= set(ids) or {"a4", "b2"} <= set(ids)
        assert "a1" not in ids
        assert "a2" not in ids


def test_seen_questions_fill_in_when_unseen_run_out(pooled: Quiz) -> None:
    seen = frozenset({"a1", "a2", "a3"})
    for seed in range(50):
        ids = draw(pooled, seed, seen).question_ids
        assert "a4" in ids
        assert len(set(ids)) == 4


def test_option_orders_are_permutations_and_ordering_is_scrambled(quiz: Quiz) -> None:
    for seed in range(50):
        d = draw(quiz, seed)
        for qid in d.question_ids:
            question = quiz.question(qid)
            assert sorted(d.option_order(qid)) == sorted(option_ids(question))
        assert d.option_order("kedjans-ordning") != option_ids(quiz.question("kedjans-ordning"))
    with pytest.raises(KeyError):
        draw(quiz, 1).option_order("finns-inte")


def test_no_shuffle_keeps_authored_order() -> None:
    quiz = parse_quiz(
        POOLED.replace("title: T", "title: T\nshuffle_questions: false\nshuffle_options: false")
    )
    assert draw(quiz, 3).question_ids[0] == "f1"


def test_draw_uses_neither_global_random_nor_clock(quiz: Quiz, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = draw(quiz, 99)

    def boom(*_args: object) -> None:
        raise AssertionError("global state used")

    for name in ("random", "shuffle", "sample", "choice", "seed"):
        monkeypatch.setattr(random, name, boom)
    monkeypatch.setattr(time, "time", boom)
    assert draw(quiz, 99) == expected
