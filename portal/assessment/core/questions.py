"""Question types: immutable descriptions of what is asked and what is right.

Every option, ordering item, matching premise and matching choice has a stable id (a short slug taken
from quiz.yaml), so a response naming an id that is not in the question is detectable as forged or stale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class QuestionType(StrEnum):
    """The kinds of question the portal can grade."""

    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "truefalse"
    ORDERING = "ordering"
    MATCHING = "matching"
    NUMERIC = "numeric"


class Scoring(StrEnum):
    """How a multiple-choice question turns a selection into a score."""

    ALL_OR_NOTHING = "all_or_nothing"
    PARTIAL = "partial"


@dataclass(frozen=True)
class Text:
    """Swedish text with an optional English translation."""

    sv: str
    en: str | None = None

    def in_language(self, lang: str) -> str:
        """Return the text in `lang` when available, otherwise the Swedish text."""
        return self.en if lang == "en" and self.en else self.sv


@dataclass(frozen=True)
class Option:
    """A selectable answer (or ordering item / matching choice) with its own feedback."""

    id: str
    text: Text
    feedback: Text | None = None


@dataclass(frozen=True)
class Premise:
    """The left-hand side of a matching pair and the id of the choice it belongs with."""

    id: str
    text: Text
    match: str
    feedback: Text | None = None


@dataclass(frozen=True, kw_only=True)
class _Base:
    id: str
    text: Text
    explanation: Text | None = None
    tags: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, kw_only=True)
class SingleChoice(_Base):
    """Exactly one option is right."""

    options: tuple[Option, ...]
    correct: str
    kind: QuestionType = QuestionType.SINGLE


@dataclass(frozen=True, kw_only=True)
class MultipleChoice(_Base):
    """Any number of options are right; `scoring` decides whether partial credit is given."""

    options: tuple[Option, ...]
    correct: frozenset[str]
    scoring: Scoring = Scoring.PARTIAL
    kind: QuestionType = QuestionType.MULTIPLE


@dataclass(frozen=True, kw_only=True)
class TrueFalse(_Base):
    """A true/false statement; option ids are "true"/"false", feedback_<x> is shown to whoever answered x."""

    correct: bool
    feedback_true: Text | None = None
    feedback_false: Text | None = None
    kind: QuestionType = QuestionType.TRUE_FALSE


@dataclass(frozen=True, kw_only=True)
class Ordering(_Base):
    """Items to be put in order; `items` is listed in the correct order."""

    items: tuple[Option, ...]
    kind: QuestionType = QuestionType.ORDERING


@dataclass(frozen=True, kw_only=True)
class Matching(_Base):
    """Each premise is to be paired with one choice; choices may outnumber premises."""

    premises: tuple[Premise, ...]
    choices: tuple[Option, ...]
    kind: QuestionType = QuestionType.MATCHING


@dataclass(frozen=True, kw_only=True)
class Numeric(_Base):
    """A number is right when it lies within `tolerance` of `answer` (inclusive)."""

    answer: float
    tolerance: float = 0.0
    unit: Text | None = None  # e.g. {sv: minuter, en: minutes}
    kind: QuestionType = QuestionType.NUMERIC


Question = SingleChoice | MultipleChoice | TrueFalse | Ordering | Matching | Numeric

TRUE_FALSE_IDS: tuple[str, str] = ("true", "false")


def option_ids(question: Question) -> tuple[str, ...]:
    """Return the ids a learner can pick or arrange, in authored order (empty for numeric)."""
    match question:
        case SingleChoice() | MultipleChoice():
            return tuple(o.id for o in question.options)
        case TrueFalse():
            return TRUE_FALSE_IDS
        case Ordering():
            return tuple(o.id for o in question.items)
        case Matching():
            return tuple(c.id for c in question.choices)
        case Numeric():
            return ()
