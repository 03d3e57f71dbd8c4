"""Item statistics over the database: the submitted attempts of one quiz version become the core's answer
rows, the core analyses them (portal/assessment/core/analysis.py has the formulas), and the result is kept
in QuizStatistics for authors to read. Run by `flask quiz analyse`, never inside a request.

Option frequencies count "chosen ids" per question: the option ids for single choice, multiple choice and
true/false; "premise→choice" pairs for matching; "place→item" pairs (place 1…n) for ordering, which show
where learners put each item; nothing for numeric questions (a typed number is not an option).
"""

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from typing import Any

import sqlalchemy as sa

from portal.assessment.core import (
    Flag,
    ItemStats,
    Matching,
    MultipleChoice,
    Numeric,
    Ordering,
    Question,
    QuizStats,
    Row,
    SingleChoice,
    TrueFalse,
    analyse,
    option_ids,
)
from portal.assessment.services import quiz_of
from portal.database import dialect_insert
from portal.extensions import db
from portal.models import AttemptStatus, QuizAnswer, QuizAttempt, QuizStatistics, QuizVersion, utcnow

PAIR = "→"
BATCH = 10_000  # rows fetched at a time: 100,000 attempts × 20 questions never sit in the driver at once

Chosen = tuple[str, ...]
Attempt = tuple[int, int, tuple[str, ...]]  # user id, attempt number, the drawn questions


def pair(left: str, right: str) -> str:
    """The chosen id of a matching pair or an ordering place."""
    return f"{left}{PAIR}{right}"


@dataclass(frozen=True)
class CachedStatistics:
    """One stored analysis of a quiz version."""

    quiz_version_id: int
    first_attempts_only: bool
    computed_at: datetime
    stats: QuizStats


# --- from stored responses to chosen ids ----------------------------------------------------------


class ChoiceReader:
    """Turns one question's stored responses, as the JSON text in the database, into chosen ids.
    Responses repeat (a few options, many learners), so each distinct text is decoded once and the same
    tuple is shared by every row: decoding two million small JSON values was most of the load time."""

    def __init__(self, question: Question) -> None:
        self.question_id = question.id
        self._convert = _converter(question)
        self._counts_nothing = isinstance(question, Numeric)  # typed numbers vary; nothing to decode
        self._seen: dict[str, Chosen] = {}

    def __call__(self, stored: str | None) -> Chosen:
        if stored is None or self._counts_nothing:
            return ()
        chosen = self._seen.get(stored)
        if chosen is None:
            chosen = self._seen[stored] = self._decode(stored)
        return chosen

    def _decode(self, stored: str) -> Chosen:
        try:
            return self._convert(json.loads(stored))
        except (ValueError, TypeError, AttributeError):  # not JSON, or ids that are not strings
            return ()


def _converter(question: Question) -> Callable[[Any], Chosen]:
    """Response → chosen ids for this question; ids the question does not have, and responses of
    the wrong shape (stale or forged), count as nothing chosen."""
    ids = frozenset(option_ids(question))
    match question:
        case SingleChoice() | TrueFalse():
            return lambda response: (response,) if isinstance(response, str) and response in ids else ()
        case MultipleChoice():
            return lambda response: (
                tuple(i for i in dict.fromkeys(response) if i in ids) if isinstance(response, list) else ()
            )
        case Ordering():
            return lambda response: (
                tuple(pair(str(place), item) for place, item in enumerate(response, start=1) if item in ids)
                if isinstance(response, list)
                else ()
            )
        case Matching():
            premises = frozenset(p.id for p in question.premises)
            return lambda response: (
                tuple(pair(p, c) for p, c in sorted(response.items()) if p in premises and c in ids)
                if isinstance(response, dict)
                else ()
            )
        case Numeric():
            return lambda _response: ()


# --- loading rows ---------------------------------------------------------------------------------


def load_rows(version: QuizVersion) -> list[Row]:
    """Every answer row of the version's submitted attempts, in two streamed queries. A drawn question
    without a stored answer scores 0 with nothing chosen."""
    readers = {q.id: ChoiceReader(q) for q in quiz_of(version).questions}
    attempts = _submitted_attempts(version.id, readers)
    rows: list[Row] = []
    answered: set[int] = set()
    for attempt_id, answers in groupby(_answers(version.id), key=itemgetter(0)):
        attempt = attempts.get(attempt_id)
        if attempt is None:  # submitted between the two queries: left for the next run
            continue
        answered.add(attempt_id)
        rows.extend(_attempt_rows(attempt_id, attempt, answers, readers))
    for attempt_id in attempts.keys() - answered:
        rows.extend(_attempt_rows(attempt_id, attempts[attempt_id], (), readers))
    return rows


def _submitted_attempts(quiz_version_id: int, readers: dict[str, ChoiceReader]) -> dict[int, Attempt]:
    """id → (user, number, drawn question ids) of every submitted attempt; the ids are the readers'
    own strings, so 100,000 attempts share twenty of them instead of holding two million."""
    statement = sa.select(
        QuizAttempt.id, QuizAttempt.user_id, QuizAttempt.number, QuizAttempt.question_ids
    ).where(QuizAttempt.quiz_version_id == quiz_version_id, QuizAttempt.status == AttemptStatus.SUBMITTED)
    return {
        attempt_id: (user_id, number, tuple(readers[q].question_id for q in question_ids if q in readers))
        for attempt_id, user_id, number, question_ids in _stream(statement)
    }


def _answers(quiz_version_id: int) -> Iterator[sa.Row[Any]]:
    """(attempt id, question id, response, score) of the submitted attempts, ordered by attempt."""
    statement = (
        sa.select(
            QuizAnswer.attempt_id,
            QuizAnswer.question_id,
            sa.cast(QuizAnswer.response, sa.Text),  # the JSON text: ChoiceReader decodes each value once
            QuizAnswer.score,
        )
        .join(QuizAttempt, QuizAttempt.id == QuizAnswer.attempt_id)
        .where(QuizAttempt.quiz_version_id == quiz_version_id, QuizAttempt.status == AttemptStatus.SUBMITTED)
        .order_by(QuizAnswer.attempt_id)
    )
    return _stream(statement)


def _stream(statement: sa.Select[Any]) -> Iterator[sa.Row[Any]]:
    # Core rows, as the ORM's row handling doubled the time; yield_per streams (a server-side cursor on
    # PostgreSQL, batches on SQLite)
    return iter(db.session.connection().execute(statement.execution_options(yield_per=BATCH)))


def _attempt_rows(
    attempt_id: int, attempt: Attempt, answers: Iterable[sa.Row[Any]], readers: dict[str, ChoiceReader]
) -> Iterator[Row]:
    user_id, number, question_ids = attempt
    given = {question_id: (score, stored) for _, question_id, stored, score in answers}
    for question_id in question_ids:
        # no answer row: never answered; no score: nothing to grade. Either way the question scored 0.
        score, stored = given.get(question_id, (0.0, None))
        yield (attempt_id, user_id, number, question_id, score or 0.0, readers[question_id](stored))


# --- analysing and caching ------------------------------------------------------------------------


def refresh_statistics(version: QuizVersion) -> tuple[CachedStatistics, CachedStatistics]:
    """Analyse the version's submitted attempts (first attempts only, and all) and store both results.
    The caller commits."""
    rows = load_rows(version)
    now = utcnow()
    first = _store(version.id, True, now, analyse(rows, first_attempts_only=True))
    every = _store(version.id, False, now, analyse(rows, first_attempts_only=False))
    return first, every


def _store(quiz_version_id: int, first_only: bool, now: datetime, stats: QuizStats) -> CachedStatistics:
    values = {"computed_at": now, "attempts": stats.attempts, "data": stats_to_json(stats)}
    statement = dialect_insert(QuizStatistics).values(
        quiz_version_id=quiz_version_id, first_attempts_only=first_only, **values
    )
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["quiz_version_id", "first_attempts_only"], set_=values
        )
    )
    return CachedStatistics(quiz_version_id, first_only, now, stats)


def versions_with_submitted_attempts(module_id: int | None = None) -> list[QuizVersion]:
    """The quiz versions someone has submitted an attempt at (of one module, if given), oldest first."""
    submitted = sa.select(QuizAttempt.id).where(
        QuizAttempt.quiz_version_id == QuizVersion.id, QuizAttempt.status == AttemptStatus.SUBMITTED
    )
    statement = sa.select(QuizVersion).where(submitted.exists()).order_by(QuizVersion.id)
    if module_id is not None:
        statement = statement.where(QuizVersion.module_id == module_id)
    return list(db.session.scalars(statement))


def cached_statistics(quiz_version_id: int, first_attempts_only: bool = True) -> CachedStatistics | None:
    """The stored analysis of a quiz version, or None when `flask quiz analyse` has not run for it."""
    found = db.session.get(QuizStatistics, (quiz_version_id, first_attempts_only))
    return None if found is None else _cached(found)


def cached_statistics_of(quiz_version_ids: Iterable[int]) -> dict[int, CachedStatistics]:
    """quiz version id → its stored first-attempt analysis, for those that have one (one query)."""
    ids = list(quiz_version_ids)
    found = db.session.scalars(
        sa.select(QuizStatistics).where(
            QuizStatistics.quiz_version_id.in_(ids), QuizStatistics.first_attempts_only
        )
    )
    return {row.quiz_version_id: _cached(row) for row in found}


def _cached(row: QuizStatistics) -> CachedStatistics:
    return CachedStatistics(
        row.quiz_version_id, row.first_attempts_only, row.computed_at, stats_from_json(row.data)
    )


# --- JSON -----------------------------------------------------------------------------------------


def stats_to_json(stats: QuizStats) -> dict[str, Any]:
    """QuizStats as JSON-safe data (option counts as [id, count] pairs, flags sorted)."""
    return {
        "attempts": stats.attempts,
        "mean_percent": stats.mean_percent,
        "sd_percent": stats.sd_percent,
        "alpha": stats.alpha,
        "items": [
            {
                "question_id": item.question_id,
                "attempts": item.attempts,
                "facility": item.facility,
                "sd": item.sd,
                "discrimination": item.discrimination,
                "option_counts": [list(pair) for pair in item.option_counts],
                "flags": sorted(item.flags),
            }
            for item in stats.items
        ],
    }


def stats_from_json(data: dict[str, Any]) -> QuizStats:
    """The QuizStats that stats_to_json wrote."""
    items = tuple(
        ItemStats(
            question_id=item["question_id"],
            attempts=item["attempts"],
            facility=item["facility"],
            sd=item["sd"],
            discrimination=item["discrimination"],
            option_counts=tuple((option_id, count) for option_id, count in item["option_counts"]),
            flags=frozenset(Flag(flag) for flag in item["flags"]),
        )
        for item in data["items"]
    )
    return QuizStats(data["attempts"], data["mean_percent"], data["sd_percent"], data["alpha"], items)
