"""Drawing an attempt: which questions, in which order, with which option order, from a seed alone.

Only `random.Random(seed)` is used (never the global generator or the clock), and every candidate list
is sorted before sampling, so storing the seed is enough to rebuild the attempt exactly.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .questions import Matching, MultipleChoice, Numeric, Ordering, Question, SingleChoice, TrueFalse
from .quizdef import Pool, Quiz


@dataclass(frozen=True)
class Draw:
    """The questions of one attempt in presentation order, and each question's option order."""

    seed: int
    question_ids: tuple[str, ...]
    option_orders: tuple[tuple[str, tuple[str, ...]], ...]

    def option_order(self, question_id: str) -> tuple[str, ...]:
        """Return the presented option/item/choice order for `question_id` (KeyError if not drawn)."""
        for qid, order in self.option_orders:
            if qid == question_id:
                return order
        raise KeyError(question_id)


def draw(quiz: Quiz, seed: int, seen_question_ids: frozenset[str] = frozenset()) -> Draw:
    """Return the reproducible draw for `seed`, preferring pool questions not in `seen_question_ids`."""
    rng = random.Random(seed)  # nosec B311 – the attempt's stored seed (from secrets) replays the same draw
    chosen = list(quiz.fixed)
    for pool in quiz.pools:
        chosen.extend(_draw_pool(rng, quiz, pool, frozenset(chosen), seen_question_ids))
    if quiz.shuffle_questions:
        rng.shuffle(chosen)
    orders = tuple((qid, _option_order(rng, quiz.question(qid), quiz.shuffle_options)) for qid in chosen)
    return Draw(seed, tuple(chosen), orders)


def _draw_pool(
    rng: random.Random, quiz: Quiz, pool: Pool, taken: frozenset[str], seen: frozenset[str]
) -> list[str]:
    """Return `pool.count` ids with the pool's tag: unseen ones first, then seen ones if needed."""
    candidates = sorted(q.id for q in quiz.questions if pool.tag in q.tags and q.id not in taken)
    candidates = [qid for qid in candidates if qid not in quiz.fixed]
    unseen = [qid for qid in candidates if qid not in seen]
    if len(unseen) >= pool.count:
        return rng.sample(unseen, pool.count)
    already_seen = [qid for qid in candidates if qid in seen]
    return unseen + rng.sample(already_seen, min(pool.count - len(unseen), len(already_seen)))


def _option_order(rng: random.Random, question: Question, shuffle: bool) -> tuple[str, ...]:
    """Return the order in which the question's options, items or choices are shown."""
    match question:
        case SingleChoice() | MultipleChoice():
            ids = [o.id for o in question.options]
            if shuffle:
                rng.shuffle(ids)
            return tuple(ids)
        case Matching():
            ids = [ch.id for ch in question.choices]
            if shuffle:
                rng.shuffle(ids)
            return tuple(ids)
        case Ordering():
            return _scrambled(rng, tuple(o.id for o in question.items))
        case TrueFalse():
            return ("true", "false")
        case Numeric():
            return ()


def _scrambled(rng: random.Random, correct: tuple[str, ...]) -> tuple[str, ...]:
    """Return a shuffle of `correct` that differs from it (ordering items are always scrambled)."""
    # Showing the items already in the right order would give the answer away.
    ids = list(correct)
    for _ in range(20):
        rng.shuffle(ids)
        if tuple(ids) != correct:
            return tuple(ids)
    return correct[1:] + correct[:1]
