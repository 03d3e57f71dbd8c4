"""Quiz versions and attempts written straight into the database, for the statistics tests."""

from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from portal.content.loader import load_modules
from portal.content.sync import sync_modules
from portal.extensions import db
from portal.models import AttemptStatus, Module, QuizAnswer, QuizAttempt, SectionVersion, utcnow
from tests.content.builders import write_quiz_module

# Three fixed questions: the statistics test's hand-computed matrix needs every attempt to have them all.
STATISTICS_QUIZ = """\
title: {sv: Statistikprov, en: Statistics test}
fixed: [q1, q2, q3]
questions:
  - id: q1
    type: single
    text: {sv: "Vem svarar på larmet?", en: "Who answers the alarm?"}
    options:
      - {id: a, text: {sv: Larmcentralen, en: The alarm centre}}
      - {id: b, text: {sv: Chefen, en: The manager}}
    correct: a
  - id: q2
    type: multiple
    text: Vad gör personalen på plats?
    options:
      - {id: x, text: Hjälper brukaren}
      - {id: y, text: Dokumenterar}
      - {id: z, text: Ställer diagnos}
    correct: [x, y]
  - id: q3
    type: matching
    text: Para ihop rollen med uppgiften.
    premises:
      - {id: p1, text: Larmcentral, match: c1}
      - {id: p2, text: Hemtjänst, match: c2}
    choices:
      - {id: c1, text: Svarar}
      - {id: c2, text: Åker ut}
      - {id: c3, text: Beslutar}
"""


def sync_quiz_module(root: Path, slug: str = "statistik", quiz: str = STATISTICS_QUIZ) -> tuple[int, int]:
    """Write and sync a module with a quiz section; return (quiz version id, quiz section version id)."""
    write_quiz_module(root, slug=slug, quiz=quiz)
    sync_modules(load_modules(root))
    db.session.commit()
    section = db.session.scalars(
        sa.select(SectionVersion)
        .join(Module, Module.id == SectionVersion.module_id)
        .where(Module.slug == slug, SectionVersion.quiz_version_id.is_not(None))
        .order_by(SectionVersion.id.desc())
    ).first()
    assert section is not None
    assert section.quiz_version_id is not None
    return section.quiz_version_id, section.id


def add_attempt(
    quiz_version_id: int,
    section_version_id: int,
    user_id: int,
    number: int,
    answers: dict[str, tuple[object, float]],
    question_ids: list[str],
    submitted: bool = True,
) -> QuizAttempt:
    """An attempt drawing `question_ids`, with a stored (response, score) for each question in `answers`
    (a drawn question missing from `answers` was never answered). Committed."""
    now = utcnow()
    total = sum(score for _response, score in answers.values())
    attempt = QuizAttempt(
        user_id=user_id,
        quiz_version_id=quiz_version_id,
        section_version_id=section_version_id,
        number=number,
        seed=number,
        seen_question_ids=[],
        question_ids=question_ids,
        status=AttemptStatus.SUBMITTED if submitted else AttemptStatus.IN_PROGRESS,
        started_at=now - timedelta(minutes=5),
        submitted_at=now if submitted else None,
        percent=100.0 * total / len(question_ids) if submitted else None,
    )
    db.session.add(attempt)
    db.session.flush()
    for question_id, (response, score) in answers.items():
        db.session.add(
            QuizAnswer(
                attempt_id=attempt.id,
                question_id=question_id,
                response=response,
                score=score if submitted else None,
            )
        )
    db.session.commit()
    return attempt
