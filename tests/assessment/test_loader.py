"""quiz.yaml loading: the example file loads, and bad files fail loudly with located problems."""

import textwrap

import pytest

from portal.assessment.core import (
    CountingPolicy,
    Matching,
    Mode,
    MultipleChoice,
    Numeric,
    Ordering,
    Pool,
    Quiz,
    QuizError,
    Scoring,
    SingleChoice,
    TrueFalse,
    parse_quiz,
)

VALID = """\
title: Prov
fixed: [a]
pools:
  - {tag: t, count: 1}
questions:
  - id: a
    type: single
    text: Fråga A
    options:
      - {id: x, text: X}
      - {id: y, text: Y}
    correct: x
  - id: b
    type: truefalse
    tags: [t]
    text: Påstående B
    correct: false
"""


def problems(source: str) -> list[str]:
    """Return the rendered problems raised for `source` (fails if it loads)."""
    with pytest.raises(QuizError) as info:
        parse_quiz(textwrap.dedent(source), "quiz.yaml")
    return [str(p) for p in info.value.problems]


def test_fixture_loads_every_setting(quiz: Quiz) -> None:
    assert quiz.slug == "larmkedjan"
    assert quiz.title.en == "Knowledge test – the alarm chain"
    assert quiz.mode is Mode.EXAM
    assert quiz.counts is CountingPolicy.BEST
    assert (quiz.pass_mark, quiz.attempts_allowed, quiz.cooldown_minutes) == (80.0, 3, 60)
    assert (quiz.time_limit_minutes, quiz.grace_seconds) == (20, 30)
    assert quiz.fixed == ("utlarm-utan-svar", "kedjans-ordning")
    assert quiz.pools == (Pool("roller", 2), Pool("tider", 2))
    assert quiz.length == 6
    kinds = {type(q) for q in quiz.questions}
    assert kinds == {SingleChoice, MultipleChoice, TrueFalse, Ordering, Matching, Numeric}


def test_fixture_question_details(quiz: Quiz) -> None:
    multi = quiz.question("hemtjanst-uppgifter")
    assert isinstance(multi, MultipleChoice)
    assert multi.scoring is Scoring.PARTIAL
    assert multi.correct == frozenset({"oppna", "hjalpa", "ring-112"})
    assert multi.options[3].feedback is not None
    single = quiz.question("utlarm-utan-svar")
    assert isinstance(single, SingleChoice)
    assert single.text.in_language("en").startswith("The user")
    assert single.text.in_language("sv").startswith("Brukaren")
    with pytest.raises(KeyError):
        quiz.question("finns-inte")


def test_minimal_valid_source_and_defaults() -> None:
    quiz = parse_quiz(VALID)
    assert quiz.mode is Mode.EXAM
    assert quiz.pass_mark == 80.0
    assert quiz.attempts_allowed is None
    assert quiz.time_limit_minutes is None
    assert quiz.shuffle_options


def test_without_fixed_or_pools_every_question_is_fixed() -> None:
    quiz = parse_quiz(VALID.replace("fixed: [a]\npools:\n  - {tag: t, count: 1}\n", ""))
    assert quiz.fixed == ("a", "b")
    assert quiz.pools == ()


def test_all_problems_are_collected_with_lines() -> None:
    found = problems(
        """\
        title: Prov
        pass_mark: 150
        mode: quiz
        pools:
          - {tag: t, count: 3}
        questions:
          - id: a
            type: single
            text: A
            options:
              - {id: x, text: X}
              - {id: y, text: Y}
            correct: z
          - id: a
            type: numeric
            tags: [t]
            text: B
            answer: 5
            tolerance: -1
        """
    )
    joined = "\n".join(found)
    assert "quiz.yaml:2: pass_mark: 150 is outside 0..100" in joined
    assert "quiz.yaml:3: mode: unknown mode 'quiz'" in joined
    assert "quiz.yaml:13: questions[0].correct: correct answer 'z' is not an option id" in joined
    assert "quiz.yaml:14: questions[1].id: question id 'a' is already used by questions[0]" in joined
    assert "quiz.yaml:19: questions[1].tolerance: -1 is outside" in joined
    assert "pool 't' wants 3 question(s)" in joined
    assert all("Fix:" in p for p in found)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("title: [unclosed\n", "quiz.yaml:2: (yaml syntax): not valid YAML"),
        ("", "the file is empty"),
        ("- a\n- b\n", "expected a mapping"),
        (VALID.replace("fixed: [a]", "fixed: [a, nope]"), "fixed[1]: 'nope' is not a question id"),
        (VALID.replace("fixed: [a]", "fixed: [a, a]"), "'a' is listed twice"),
        (VALID.replace("title: Prov", "title: Prov\npas_mark: 80"), "quiz.yaml:2: pas_mark: unknown key"),
        (VALID.replace("title: Prov", "title: Prov\ntitle: Igen"), "key 'title' appears twice"),
        (VALID.replace("title: Prov", "title: Prov\npenalty: 0.3"), "only applies in practice mode"),
        (VALID.replace("title: Prov", "title: Prov\nattempts_allowed: 0"), "whole number ≥ 1"),
        (VALID.replace("title: Prov", "title: Prov\ncounts: first"), "unknown counts 'first'"),
        (VALID.replace("type: truefalse", "type: essay"), "unknown question type 'essay'"),
        (VALID.replace("correct: false", "correct: kanske"), "expected true or false"),
        (VALID.replace("- {id: y, text: Y}", "- {id: x, text: Y}"), "option id 'x' is used twice"),
        (VALID.replace("- {id: y, text: Y}", "- {id: Y Z, text: Y}"), "invalid id 'Y Z'"),
        (VALID.replace("text: Fråga A", "text: {en: Only English}"), "Swedish text is missing"),
        (VALID.replace("    text: Fråga A\n", ""), "questions[0]: 'text' is missing"),
        (VALID.replace("count: 1", "count: 0"), "whole number ≥ 1"),
        (VALID.replace("questions:", "questions: []\nx:"), "x: unknown key"),
    ],
)
def test_single_problem_is_reported(source: str, expected: str) -> None:
    assert any(expected in p for p in problems(source)), problems(source)


def test_type_specific_problems() -> None:
    found = "\n".join(
        problems(
            """\
            title: T
            questions:
              - {id: m, type: multiple, text: M, correct: [a, q], scoring: some,
                 options: [{id: a, text: A}, {id: b, text: B}]}
              - {id: o, type: ordering, text: O, items: [{id: a, text: A}]}
              - {id: p, type: matching, text: P, choices: [{id: c, text: C}, {id: d, text: D}],
                 premises: [{id: x, text: X, match: e}]}
              - {id: n, type: numeric, text: N, answer: ten}
              - {id: s, type: single, text: S, options: [{id: a, text: A}, {id: b, text: B}]}
            """
        )
    )
    assert "questions[0].correct[1]: 'q' is not an option id" in found
    assert "unknown scoring 'some'" in found
    assert "questions[1].items: needs at least 2 entries, has 1" in found
    assert "questions[2].premises[0].match: 'e' is not a choice id" in found
    assert "questions[3].answer: expected a number" in found
    assert "questions[4]: 'correct' is missing" in found


def test_overlapping_pools_must_be_fillable_in_the_worst_case() -> None:
    source = """\
    title: T
    pools: [{tag: a, count: 1}, {tag: b, count: 2}]
    questions:
      - {id: q1, type: truefalse, text: Q, correct: true, tags: [a, b]}
      - {id: q2, type: truefalse, text: Q, correct: true, tags: [b]}
    """
    assert any("pool 'b' wants 2 question(s) but only 1" in p for p in problems(source))


def test_error_message_lists_every_problem() -> None:
    with pytest.raises(QuizError, match=r"2 problem\(s\)") as info:
        parse_quiz("title: T\npass_mark: -1\nquestions: []\n", "content/modules/x/quiz.yaml")
    assert info.value.problems[0].file == "content/modules/x/quiz.yaml"


def test_broken_fixed_question_is_reported_once() -> None:
    found = problems(VALID.replace("correct: x", "correct: nope"))
    assert len(found) == 1
    assert "questions[0].correct" in found[0]
