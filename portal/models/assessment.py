"""Quizzes as immutable versions, attempts drawn from a stored seed, answers saved one by one, and the
cached item statistics authors read."""

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.types import UTCDateTime, enum_column, utcnow


class QuizVersion(db.Model):
    """One published quiz.yaml of a module, kept as its source text so that the exact quiz any attempt
    was drawn from can be rebuilt (and so grading never depends on what the file says today)."""

    __table_args__ = (sa.UniqueConstraint("module_id", "checksum"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("module.id"), index=True)
    checksum: Mapped[str] = mapped_column(sa.String(64))
    source: Mapped[str] = mapped_column(sa.Text, deferred=True)
    title: Mapped[dict[str, str]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AttemptStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


class QuizAttempt(db.Model):
    """One try at a quiz. The questions are `draw(quiz, seed, seen)`; `question_ids` keeps the result
    so that lists and statistics need not redraw."""

    # A second start of the same attempt number (two tabs, a double click) conflicts instead of
    # creating a twin.
    __table_args__ = (
        sa.UniqueConstraint("user_id", "quiz_version_id", "number"),
        sa.Index("ix_quiz_attempt_quiz_version_status", "quiz_version_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    quiz_version_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz_version.id"))
    section_version_id: Mapped[int] = mapped_column(sa.ForeignKey("section_version.id"))
    number: Mapped[int]
    seed: Mapped[int] = mapped_column(sa.BigInteger)
    seen_question_ids: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    question_ids: Mapped[list[str]] = mapped_column(sa.JSON)
    status: Mapped[AttemptStatus] = mapped_column(
        enum_column(AttemptStatus), default=AttemptStatus.IN_PROGRESS
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    auto_submitted: Mapped[bool] = mapped_column(default=False)
    percent: Mapped[float | None]
    passed: Mapped[bool | None]

    quiz_version: Mapped[QuizVersion] = relationship()
    section_version: Mapped["SectionVersion"] = relationship()  # noqa: F821 (portal.models.learning)
    answers: Mapped[list["QuizAnswer"]] = relationship(
        back_populates="attempt", order_by="QuizAnswer.question_id"
    )

    @property
    def is_open(self) -> bool:
        return self.status is AttemptStatus.IN_PROGRESS


class QuizAnswer(db.Model):
    """The learner's latest response to one question of an attempt, saved as it is given."""

    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz_attempt.id"), primary_key=True)
    question_id: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    response: Mapped[Any] = mapped_column(sa.JSON)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    wrong_tries: Mapped[int] = mapped_column(default=0)  # practice mode: each checked wrong answer
    checked_correct: Mapped[bool] = mapped_column(default=False)  # practice mode: locked once right
    score: Mapped[float | None]  # in [0, 1], set when the attempt is graded
    # Which page load saved it, and its how-manyth save there: a slow background save that arrives
    # after a later save from the same page must not overwrite it.
    page_key: Mapped[str | None] = mapped_column(sa.String(40))
    page_seq: Mapped[int | None]

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")


class QuizStatistics(db.Model):
    """Item analysis of one quiz version, computed by `flask quiz analyse` and read by authors."""

    quiz_version_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz_version.id"), primary_key=True)
    first_attempts_only: Mapped[bool] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int]
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
