"""Grading per question type, response validation, attempt results and practice penalties."""

import pytest

from portal.assessment.core import (
    CountingPolicy,
    InvalidResponse,
    Matching,
    MultipleChoice,
    Numeric,
    Option,
    Ordering,
    Premise,
    Quiz,
    ResponseError,
    Scoring,
    SingleChoice,
    Text,
    TrueFalse,
    counted_attempt,
    draw,
    grade,
    grade_attempt,
    parse_quiz,
)


def opts(*ids: str) -> tuple[Option, ...]:
    return tuple(Option(i, Text(i.upper())) for i in ids)


SINGLE = SingleChoice(id="s", text=Text("S"), options=opts("a", "b", "c"), correct="b")
MULTI = MultipleChoice(
    id="m", text=Text("M"), options=opts("a", "b", "c", "d", "e"), correct=frozenset("abc")
)
STRICT = MultipleChoice(
    id="m2",
    text=Text("M"),
    options=opts("a", "b", "c"),
    correct=frozenset("ab"),
    scoring=Scoring.ALL_OR_NOTHING,
)
TF = TrueFalse(id="t", text=Text("T"), correct=False)
ORDER = Ordering(id="o", text=Text("O"), items=opts("a", "b", "c", "d"))
MATCH = Matching(
    id="p",
    text=Text("P"),
    premises=(Premise("x", Text("X"), "1"), Premise("y", Text("Y"), "2")),
    choices=opts("1", "2", "3"),
)
NUM = Numeric(id="n", text=Text("N"), answer=30, tolerance=5)


@pytest.mark.parametrize(
    ("question", "response", "score", "correct", "feedback"),
    [
        (SINGLE, "b", 1.0, True, ("b",)),
        (SINGLE, "a", 0.0, False, ("a",)),
        (SINGLE, None, 0.0, False, ()),
        (MULTI, frozenset("abc"), 1.0, True, ("a", "b", "c")),
        (MULTI, frozenset("ab"), 2 / 3, False, ("a", "b")),
        (MULTI, frozenset("abd"), 1 / 3, False, ("a", "b", "d")),
        (MULTI, frozenset("ade"), 0.0, False, ("a", "d", "e")),  # 1/3 − 2/3 floors at 0
        (MULTI, frozenset("abcde"), 1 / 3, False, ("a", "b", "c", "d", "e")),
        (MULTI, ["c", "a"], 2 / 3, False, ("a", "c")),
        (STRICT, frozenset("a"), 0.0, False, ("a",)),
        (STRICT, frozenset("ab"), 1.0, True, ("a", "b")),
        (TF, False, 1.0, True, ("false",)),
        (TF, "true", 0.0, False, ("true",)),
        (ORDER, ("a", "b", "c", "d"), 1.0, True, ()),
        (ORDER, ("a", "b", "d", "c"), 0.5, False, ("d", "c")),
        (ORDER, ("d", "a", "b", "c"), 0.0, False, ("d", "a", "b", "c")),
        (ORDER, (), 0.0, False, ()),
        (MATCH, {"x": "1", "y": "2"}, 1.0, True, ()),
        (MATCH, {"x": "1", "y": "3"}, 0.5, False, ("y",)),
        (MATCH, {"x": "1"}, 0.5, False, ("y",)),
        (NUM, 35, 1.0, True, ("correct",)),
        (NUM, "25,0", 1.0, True, ("correct",)),
        (NUM, 35.01, 0.0, False, ("incorrect",)),
        (NUM, "", 0.0, False, ()),
    ],
)
def test_grade_examples(
    question: object, response: object, score: float, correct: bool, feedback: tuple[str, ...]
) -> None:
    result = grade(question, response)  # type: ignore[arg-type]
    assert result.score == pytest.approx(score)
    assert (result.is_correct, result.feedback) == (correct, feedback)


@pytest.mark.parametrize(
    ("question", "response", "code"),
    [
        (SINGLE, "zz", ResponseError.FORGED_ID),
        (SINGLE, 3, ResponseError.MALFORMED),
        (MULTI, frozenset({"a", "forged"}), ResponseError.FORGED_ID),
        (MULTI, "a", ResponseError.MALFORMED),
        (MULTI, [1, 2], ResponseError.MALFORMED),
        (TF, "maybe", ResponseError.FORGED_ID),
        (TF, 1, ResponseError.MALFORMED),
        (ORDER, ("a", "b", "c"), ResponseError.MALFORMED),
        (ORDER, ("a", "a", "b", "c"), ResponseError.MALFORMED),
        (ORDER, ("a", "b", "c", "x"), ResponseError.FORGED_ID),
        (ORDER, frozenset("abcd"), ResponseError.MALFORMED),
        (MATCH, {"x": "9"}, ResponseError.FORGED_ID),
        (MATCH, {"q": "1"}, ResponseError.FORGED_ID),
        (MATCH, ["x"], ResponseError.MALFORMED),
        (MATCH, {"x": 1}, ResponseError.MALFORMED),
        (NUM, "trettio", ResponseError.MALFORMED),
        (NUM, True, ResponseError.MALFORMED),
        (NUM, float("nan"), ResponseError.MALFORMED),
        (NUM, [30], ResponseError.MALFORMED),
    ],
)
def test_bad_responses_are_typed_errors(question: object, response: object, code: ResponseError) -> None:
    with pytest.raises(InvalidResponse) as info:
        grade(question, response)  # type: ignore[arg-type]
    assert info.value.code is code


def test_fixture_attempt_perfect_and_empty(quiz: Quiz) -> None:
    d = draw(quiz, 5)
    perfect = {qid: _perfect(quiz.question(qid)) for qid in d.question_ids}
    full = grade_attempt(quiz, d, perfect)
    assert full.percent == pytest.approx(100.0)
    assert full.passed
    assert [r.question_id for r in full.results] == list(d.question_ids)
    empty = grade_attempt(quiz, d, {})
    assert empty.percent == 0.0
    assert not empty.passed


def test_answer_for_question_outside_the_attempt_is_refused(quiz: Quiz) -> None:
    d = draw(quiz, 5)
    outside = next(q.id for q in quiz.questions if q.id not in d.question_ids)
    with pytest.raises(InvalidResponse) as info:
        grade_attempt(quiz, d, {outside: "x"})
    assert info.value.code is ResponseError.UNKNOWN_QUESTION


PRACTICE = """\
title: Övning
mode: practice
penalty: 0.25
pass_mark: 80
shuffle_questions: false
questions:
  - {id: a, type: truefalse, text: A, correct: true}
  - {id: b, type: truefalse, text: B, correct: true}
  - {id: c, type: truefalse, text: C, correct: true}
  - {id: d, type: truefalse, text: D, correct: true}
  - {id: e, type: truefalse, text: E, correct: true}
"""


def test_practice_penalty_per_wrong_try_and_pass_mark_boundary() -> None:
    quiz = parse_quiz(PRACTICE)
    d = draw(quiz, 1)
    answers = {q: True for q in "abcde"}
    assert grade_attempt(quiz, d, answers).percent == pytest.approx(100.0)
    result = grade_attempt(quiz, d, answers, {"a": 1, "b": 5})
    assert [r.score for r in result.results] == [0.75, 0.0, 1.0, 1.0, 1.0]
    assert result.percent == pytest.approx(75.0)
    assert not result.passed
    four_of_five = grade_attempt(quiz, d, {q: True for q in "abcd"})
    assert four_of_five.percent == pytest.approx(80.0)
    assert four_of_five.passed


def test_penalties_are_ignored_in_exam_mode() -> None:
    quiz = parse_quiz(PRACTICE.replace("mode: practice\npenalty: 0.25\n", ""))
    assert grade_attempt(quiz, draw(quiz, 1), {q: True for q in "abcde"}, {"a": 3}).percent == 100.0


@pytest.mark.parametrize(
    ("policy", "percents", "expected"),
    [
        (CountingPolicy.BEST, (50.0, 90.0, 70.0), 1),
        (CountingPolicy.BEST, (90.0, 90.0), 0),
        (CountingPolicy.LATEST, (50.0, 90.0, 70.0), 2),
        (CountingPolicy.BEST, (), None),
    ],
)
def test_counted_attempt(policy: CountingPolicy, percents: tuple[float, ...], expected: int | None) -> None:
    assert counted_attempt(policy, percents) == expected


def _perfect(question: object) -> object:
    match question:
        case SingleChoice():
            return question.correct
        case MultipleChoice():
            return question.correct
        case TrueFalse():
            return question.correct
        case Ordering():
            return tuple(i.id for i in question.items)
        case Matching():
            return {p.id: p.match for p in question.premises}
        case Numeric():
            return question.answer
    raise AssertionError(question)
