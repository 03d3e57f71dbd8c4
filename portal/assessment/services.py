"""Attempts on the server: start, save, check, submit, grade. Callers commit.

Every state change of an attempt is a single conditional UPDATE of its row ("… WHERE status = 'in_progress'"),
so on PostgreSQL the row lock orders concurrent requests and exactly one of them wins: twenty parallel
submits grade once, and an answer saved at the moment of submit is either in the grade or refused.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa

from portal.assessment.core import (
    AttemptResult,
    Draw,
    InvalidResponse,
    Mode,
    QuestionResult,
    Quiz,
    ResponseError,
    counted_attempt,
    draw,
    grade,
    grade_attempt,
    parse_quiz,
)
from portal.database import dialect_insert
from portal.extensions import db
from portal.models import (
    AttemptStatus,
    AuditEvent,
    QuizAnswer,
    QuizAttempt,
    QuizVersion,
    SectionVersion,
    User,
    utcnow,
)
from portal.signals import quiz_passed


class Refusal(StrEnum):
    """Why an attempt cannot be started or changed."""

    NO_ATTEMPTS_LEFT = "no_attempts_left"
    COOLDOWN = "cooldown"
    SUBMITTED = "submitted"
    DEADLINE_PASSED = "deadline_passed"
    LOCKED = "locked"  # practice: the question was already answered right


class AttemptRefused(Exception):
    def __init__(self, reason: Refusal, until: datetime | None = None) -> None:
        self.reason = reason
        self.until = until
        super().__init__(reason.value)


_PARSED: dict[tuple[int, str], Quiz] = {}


def quiz_of(version: QuizVersion) -> Quiz:
    """The parsed quiz of a version; versions never change, so each process parses each one once."""
    key = (version.id, version.checksum)
    quiz = _PARSED.get(key)
    if quiz is None:
        quiz = parse_quiz(version.source, f"quiz version {version.id}", str(version.module_id))
        _PARSED[key] = quiz
    return quiz


def draw_of(attempt: QuizAttempt, quiz: Quiz) -> Draw:
    """The attempt's questions and option orders, rebuilt from its stored seed."""
    return draw(quiz, attempt.seed, frozenset(attempt.seen_question_ids))


@dataclass(frozen=True)
class QuizOverview:
    """What the quiz section shows a learner: their attempts and whether they may start another."""

    quiz: Quiz
    attempts: list[QuizAttempt]
    refusal: AttemptRefused | None

    @property
    def open_attempt(self) -> QuizAttempt | None:
        return next((a for a in self.attempts if a.is_open), None)

    @property
    def submitted(self) -> list[QuizAttempt]:
        return [a for a in self.attempts if not a.is_open]

    @property
    def counted(self) -> QuizAttempt | None:
        submitted = self.submitted
        index = counted_attempt(self.quiz.counts, tuple(a.percent or 0.0 for a in submitted))
        return None if index is None else submitted[index]

    @property
    def has_passed(self) -> bool:
        return any(a.passed for a in self.submitted)

    @property
    def attempts_left(self) -> int | None:
        if self.quiz.attempts_allowed is None:
            return None
        return max(0, self.quiz.attempts_allowed - len(_since_last_pass(self.attempts)))


def attempts_of(user: User, version: QuizVersion) -> list[QuizAttempt]:
    return list(
        db.session.scalars(
            sa.select(QuizAttempt)
            .where(QuizAttempt.user_id == user.id, QuizAttempt.quiz_version_id == version.id)
            .order_by(QuizAttempt.number)
        )
    )


def overview(user: User, version: QuizVersion, now: datetime | None = None) -> QuizOverview:
    """The learner's attempts at this quiz version, closing one whose time ran out."""
    now = now or utcnow()
    attempts = attempts_of(user, version)
    for attempt in attempts:
        close_if_expired(attempt, now)
    quiz = quiz_of(version)
    return QuizOverview(quiz, attempts, _refusal(quiz, attempts, now))


def _refusal(quiz: Quiz, attempts: list[QuizAttempt], now: datetime) -> AttemptRefused | None:
    """Why a new attempt cannot start now, or None when it can (or one is open to resume)."""
    if any(a.is_open for a in attempts):
        return None
    if quiz.attempts_allowed is not None and len(_since_last_pass(attempts)) >= quiz.attempts_allowed:
        return AttemptRefused(Refusal.NO_ATTEMPTS_LEFT)
    if attempts and quiz.cooldown_minutes:
        until = attempts[-1].submitted_at + timedelta(minutes=quiz.cooldown_minutes)
        if now < until:
            return AttemptRefused(Refusal.COOLDOWN, until)
    return None


def _since_last_pass(attempts: list[QuizAttempt]) -> list[QuizAttempt]:
    """The attempts that count against `attempts_allowed`: those after the last pass. A pass ends a
    round, so that a learner can take the quiz again later (to renew a certification, or to practise)."""
    passes = [i for i, attempt in enumerate(attempts) if attempt.passed]
    return attempts[passes[-1] + 1 :] if passes else attempts


def responses_of(attempt: QuizAttempt) -> dict[str, QuizAnswer]:
    return {
        answer.question_id: answer
        for answer in db.session.scalars(sa.select(QuizAnswer).where(QuizAnswer.attempt_id == attempt.id))
    }


def result_of(
    attempt: QuizAttempt, quiz: Quiz, answers: dict[str, QuizAnswer] | None = None
) -> AttemptResult:
    """The attempt graded from its stored answers (the same result as at submit, at any later time);
    `answers` when the caller has read them already."""
    answers = responses_of(attempt) if answers is None else answers
    return grade_attempt(
        quiz,
        draw_of(attempt, quiz),
        {qid: _as_response(a.response) for qid, a in answers.items()},
        {qid: a.wrong_tries for qid, a in answers.items()},
    )


def _as_response(stored: object) -> object:
    """JSON gives lists back; multiple choice wants a set, ordering a sequence (a tuple is both fine)."""
    return tuple(stored) if isinstance(stored, list) else stored


def start(user: User, section: SectionVersion, now: datetime | None = None) -> QuizAttempt:
    """The learner's open attempt at the section's quiz, or a new one drawn now; raises AttemptRefused."""
    now = now or utcnow()
    version = section.quiz_version
    state = overview(user, version, now)
    if state.open_attempt is not None:
        return state.open_attempt
    if state.refusal is not None:
        raise state.refusal
    quiz = state.quiz
    seen = _seen_question_ids(user, version)
    seed = secrets.randbits(63)
    number = len(state.attempts) + 1
    limit = quiz.time_limit_minutes
    drawn = dialect_insert(QuizAttempt).values(
        user_id=user.id,
        quiz_version_id=version.id,
        section_version_id=section.id,
        number=number,
        seed=seed,
        seen_question_ids=sorted(seen),
        question_ids=list(draw(quiz, seed, seen).question_ids),
        status=AttemptStatus.IN_PROGRESS,
        started_at=now,
        deadline=now + timedelta(minutes=limit) if limit else None,
        auto_submitted=False,
    )
    attempt = db.session.scalar(drawn.on_conflict_do_nothing().returning(QuizAttempt))
    # Nothing returned: another request started the same attempt a moment earlier; this is that one.
    return attempt or db.session.scalar(
        sa.select(QuizAttempt).where(
            QuizAttempt.user_id == user.id,
            QuizAttempt.quiz_version_id == version.id,
            QuizAttempt.number == number,
        )
    )


def _seen_question_ids(user: User, version: QuizVersion) -> frozenset[str]:
    """Questions this person met in any earlier attempt at any version of the module's quiz."""
    rows = db.session.scalars(
        sa.select(QuizAttempt.question_ids)
        .join(QuizVersion, QuizVersion.id == QuizAttempt.quiz_version_id)
        .where(QuizAttempt.user_id == user.id, QuizVersion.module_id == version.module_id)
    )
    return frozenset(qid for ids in rows for qid in ids)


@dataclass(frozen=True)
class SaveOrder:
    """Where a save comes from: a page load's key and the number of its save on that page."""

    page_key: str
    seq: int


def save_answer(
    attempt: QuizAttempt,
    question_id: str,
    response: object,
    now: datetime | None = None,
    order: SaveOrder | None = None,
) -> None:
    """Store the response to one question of an open attempt; raises InvalidResponse or AttemptRefused
    and then stores nothing. An answer after the deadline (plus grace) submits the attempt instead.
    A save older than one already stored from the same page is ignored."""
    now = now or utcnow()
    quiz = quiz_of(attempt.quiz_version)
    _validate(attempt, quiz, question_id, response)
    _claim(attempt, quiz, now)  # from here on, saves of this attempt are serialised by its row lock
    if _upsert_answer(attempt.id, question_id, response, now, order):
        return
    kept = db.session.get(QuizAnswer, (attempt.id, question_id), populate_existing=True)
    if kept.checked_correct:
        raise AttemptRefused(Refusal.LOCKED)
    # Otherwise the stored answer is a newer save from the same page, which this one must not undo.


def is_locked(attempt: QuizAttempt, quiz: Quiz, question_id: str) -> bool:
    """Practice mode: a question answered right can no longer be changed."""
    if quiz.mode is not Mode.PRACTICE:
        return False
    answer = db.session.get(QuizAnswer, (attempt.id, question_id))
    return answer is not None and answer.checked_correct


def check_answer(
    attempt: QuizAttempt,
    question_id: str,
    response: object,
    now: datetime | None = None,
    order: SaveOrder | None = None,
) -> QuestionResult:
    """Practice mode: save the response and grade it at once; a wrong try counts against the question."""
    quiz = quiz_of(attempt.quiz_version)
    if quiz.mode is not Mode.PRACTICE:
        raise ValueError("answers are checked at once only in practice mode")
    save_answer(attempt, question_id, response, now, order)
    result = grade(quiz.question(question_id), response)
    answer = db.session.get(QuizAnswer, (attempt.id, question_id), populate_existing=True)
    if result.is_correct:
        answer.checked_correct = True
    else:
        answer.wrong_tries += 1
    return result


def _validate(attempt: QuizAttempt, quiz: Quiz, question_id: str, response: object) -> None:
    if question_id not in attempt.question_ids:
        raise InvalidResponse(
            question_id, ResponseError.UNKNOWN_QUESTION, "question is not part of this attempt"
        )
    grade(quiz.question(question_id), response)  # raises on a forged id or a malformed response


def _claim(attempt: QuizAttempt, quiz: Quiz, now: datetime) -> None:
    """Lock the attempt row for this change if it is open and in time; otherwise refuse (and submit an
    attempt whose time ran out, with the answers saved before its deadline)."""
    in_time = sa.or_(
        QuizAttempt.deadline.is_(None), QuizAttempt.deadline >= now - timedelta(seconds=quiz.grace_seconds)
    )
    claimed = db.session.execute(
        sa.update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.status == AttemptStatus.IN_PROGRESS, in_time)
        .values(last_saved_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed == 1:
        return
    db.session.refresh(attempt)
    if attempt.is_open:
        submit(attempt, now, automatically=True)
        raise AttemptRefused(Refusal.DEADLINE_PASSED, attempt.deadline)
    raise AttemptRefused(Refusal.SUBMITTED)


def _upsert_answer(
    attempt_id: int, question_id: str, response: object, now: datetime, order: SaveOrder | None
) -> bool:
    """Insert or update the answer in one statement; False when the stored one is kept: locked (answered
    right in practice) or saved later from the same page (an autosave overtaken by a newer one)."""
    changes = {
        "response": response,
        "saved_at": now,
        "page_key": order.page_key if order else None,
        "page_seq": order.seq if order else None,
    }
    statement = dialect_insert(QuizAnswer).values(
        attempt_id=attempt_id, question_id=question_id, wrong_tries=0, checked_correct=False, **changes
    )
    stored = QuizAnswer.__table__.c  # in ON CONFLICT … WHERE, the row already stored
    keep_stored = stored.checked_correct
    if order is not None:  # a save without a page has neither key nor number: IS NOT NULL makes it false
        keep_stored = keep_stored | sa.and_(
            stored.page_key == order.page_key,
            stored.page_seq.is_not(None),
            stored.page_seq > order.seq,
        )
    upsert = statement.on_conflict_do_update(
        index_elements=["attempt_id", "question_id"], set_=changes, where=sa.not_(keep_stored)
    ).returning(stored.attempt_id)  # the ORM's INSERT reports no rowcount; a returned row says it wrote
    return db.session.execute(upsert).first() is not None


def is_expired(attempt: QuizAttempt, quiz: Quiz, now: datetime) -> bool:
    return (
        attempt.is_open
        and attempt.deadline is not None
        and now > attempt.deadline + timedelta(seconds=quiz.grace_seconds)
    )


def close_if_expired(attempt: QuizAttempt, now: datetime | None = None) -> bool:
    """Submit an open attempt whose time (and grace) ran out; returns whether it did."""
    now = now or utcnow()
    if not is_expired(attempt, quiz_of(attempt.quiz_version), now):
        return False
    return submit(attempt, now, automatically=True)


def submit(attempt: QuizAttempt, now: datetime | None = None, automatically: bool = False) -> bool:
    """Grade the attempt once: returns True for the call that graded it, False for any later call."""
    now = now or utcnow()
    claimed = db.session.execute(
        sa.update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.status == AttemptStatus.IN_PROGRESS)
        .values(status=AttemptStatus.SUBMITTED, submitted_at=now, auto_submitted=automatically)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(attempt, ["status", "submitted_at", "auto_submitted"])
    if claimed != 1:
        return False
    quiz = quiz_of(attempt.quiz_version)
    answers = responses_of(attempt)
    result = result_of(attempt, quiz, answers)
    _store_result(attempt, result, answers)
    if result.passed:
        section = db.session.get(SectionVersion, attempt.section_version_id)
        quiz_passed.send(attempt, user_id=attempt.user_id, section=section)
    db.session.add(
        AuditEvent(
            organisation_id=db.session.get(User, attempt.user_id).organisation_id,
            actor_id=attempt.user_id,
            action="quiz.graded",
            subject_type="quiz_attempt",
            subject_id=attempt.id,
            details={
                "quiz_version": attempt.quiz_version_id,
                "number": attempt.number,
                "percent": round(result.percent, 2),
                "passed": result.passed,
                "automatically": automatically,
            },
        )
    )
    db.session.flush()
    return True


def _store_result(attempt: QuizAttempt, result: AttemptResult, answers: dict[str, QuizAnswer]) -> None:
    attempt.percent = result.percent
    attempt.passed = result.passed
    scores = {r.question_id: r.score for r in result.results}
    for answer in answers.values():
        answer.score = scores[answer.question_id]


def submit_expired(now: datetime | None = None) -> int:
    """Submit every open attempt whose time ran out (for a scheduled job); returns how many."""
    now = now or utcnow()
    candidates = db.session.scalars(
        sa.select(QuizAttempt).where(
            QuizAttempt.status == AttemptStatus.IN_PROGRESS,
            QuizAttempt.deadline.is_not(None),
            QuizAttempt.deadline < now,
        )
    ).all()
    return sum(1 for attempt in candidates if close_if_expired(attempt, now))
