"""Property tests for the question form ↔ response mapping: what the form shows again is what was
saved, and no posted form makes anything but a known, handled error."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from portal.assessment.answers import AnswerFormError, form_values, response_from_form
from portal.assessment.core import (
    InvalidResponse,
    Matching,
    MultipleChoice,
    Numeric,
    Ordering,
    SingleChoice,
    TrueFalse,
    grade,
    option_ids,
    parse_quiz,
)
from tests.content.builders import QUIZ_YAML

QUIZ = parse_quiz(QUIZ_YAML)


def as_form(values: dict) -> MultiDict:
    pairs = []
    for key, value in values.items():
        pairs.extend((key, item) for item in (value if isinstance(value, list) else [value]))
    return MultiDict(pairs)


@st.composite
def question_and_response(draw):
    question = draw(st.sampled_from(QUIZ.questions))
    ids = list(option_ids(question))
    match question:
        case SingleChoice() | TrueFalse():
            response = draw(st.sampled_from(ids))
        case MultipleChoice():
            response = tuple(draw(st.lists(st.sampled_from(ids), unique=True)))
        case Ordering():
            response = tuple(draw(st.permutations(ids)))
        case Matching():
            premises = [p.id for p in question.premises]
            response = draw(st.dictionaries(st.sampled_from(premises), st.sampled_from(ids)))
        case Numeric():
            number = draw(st.decimals(min_value=-10_000, max_value=10_000, places=2))
            response = str(number).replace(".", ",")
    return question, response


@given(question_and_response())
def test_a_saved_response_fills_the_form_that_gives_it_back(pair):
    question, response = pair
    again = response_from_form(question, as_form(form_values(question, response)))
    if isinstance(question, MultipleChoice):
        assert set(again) == set(response)
    elif isinstance(question, Matching):
        assert again == response
    else:
        assert again == (response or None)
    grade(question, again)  # and the grader takes it


form_values_strategy = st.dictionaries(
    st.sampled_from(["answer", "position-larm", "position-svar", "position-ut", "match-central", "match-x"]),
    st.one_of(st.text(max_size=12), st.lists(st.text(max_size=8), max_size=3)),
    max_size=5,
)


@given(st.sampled_from(QUIZ.questions), form_values_strategy)
def test_any_posted_form_is_a_response_or_a_known_error(question, values):
    try:
        response = response_from_form(question, as_form(values))
    except AnswerFormError:
        return
    try:
        result = grade(question, response)
    except InvalidResponse:
        return
    assert 0.0 <= result.score <= 1.0


@pytest.mark.parametrize("text", ["30", " 30 ", "2,5", "2.5", "-1", "1 000"])
def test_numbers_are_kept_as_typed(text):
    question = QUIZ.question("minuter")
    assert response_from_form(question, MultiDict({"answer": text})) == text.strip()
