"""Quiz definitions: the question bank of one module plus the settings that govern attempts."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .questions import Question, Text


class Mode(StrEnum):
    """Exam = deferred feedback, graded at submit; practice = immediate feedback with retries."""

    EXAM = "exam"
    PRACTICE = "practice"


class CountingPolicy(StrEnum):
    """Which of a learner's attempts is the one that counts."""

    BEST = "best"
    LATEST = "latest"


class ReviewPolicy(StrEnum):
    """What a learner sees after submitting: everything, everything but the answer key, or the score only."""

    FULL = "full"
    FEEDBACK = "feedback"
    SCORE = "score"


@dataclass(frozen=True)
class Pool:
    """Draw `count` random questions carrying `tag` (never a fixed question, never a duplicate)."""

    tag: str
    count: int


@dataclass(frozen=True, kw_only=True)
class Quiz:
    """A validated quiz: build one with `load_quiz`/`parse_quiz` so the invariants hold."""

    slug: str
    title: Text
    questions: tuple[Question, ...]
    fixed: tuple[str, ...]
    pools: tuple[Pool, ...] = ()
    shuffle_questions: bool = True
    shuffle_options: bool = True
    pass_mark: float = 80.0
    attempts_allowed: int | None = None
    cooldown_minutes: int = 0
    time_limit_minutes: int | None = None
    grace_seconds: int = 30
    mode: Mode = Mode.EXAM
    penalty: float = 0.0
    counts: CountingPolicy = CountingPolicy.BEST
    review: ReviewPolicy = ReviewPolicy.FULL

    def question(self, question_id: str) -> Question:
        """Return the question with this id, or raise KeyError."""
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    @property
    def length(self) -> int:
        """Return how many questions every attempt contains."""
        return len(self.fixed) + sum(p.count for p in self.pools)


def counted_attempt(policy: CountingPolicy, percents: tuple[float, ...]) -> int | None:
    """Return the index of the attempt that counts (ties go to the earliest best), or None if none."""
    if not percents:
        return None
    if policy is CountingPolicy.LATEST:
        return len(percents) - 1
    return max(range(len(percents)), key=lambda i: (percents[i], -i))
