"""quiz.yaml written by the editor: it reads back as it was written, and a valid quiz stays valid."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.assessment.core import QuestionType, parse_quiz
from portal.authoring.quiz_yaml import UnreadableQuiz, dump_quiz, read_quiz

# Any text YAML can hold: no surrogates, which no UTF-8 file can.
ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
KEYS = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12).filter(
    lambda key: key != "questions"
)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ANY_TEXT
PLAIN = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=10,
)


@settings(max_examples=300)  # a round trip of text: more examples find nothing new, slowly
@given(
    settings=st.dictionaries(KEYS, PLAIN, max_size=4),
    questions=st.lists(st.dictionaries(KEYS, PLAIN, max_size=4), max_size=3),
)
def test_what_is_written_reads_back_the_same(settings, questions):
    assert read_quiz(dump_quiz(settings, questions)) == (settings, questions)


def test_writing_is_deterministic_and_in_the_documented_key_order():
    question = {"correct": "a", "text": {"en": "Q", "sv": "F"}, "type": "single", "id": "q1",
                "options": [{"text": "A", "id": "a"}, {"id": "b", "text": "B"}]}  # fmt: skip
    text = dump_quiz({"pass_mark": 80, "title": "Prov"}, [question])
    assert text == dump_quiz({"title": "Prov", "pass_mark": 80}, [dict(reversed(question.items()))])
    assert text.splitlines()[:7] == [
        "title: Prov", "pass_mark: 80", "questions:", "- id: q1", "  type: single", "  text:", "    sv: F",
    ]  # fmt: skip


def test_a_paragraph_is_written_as_a_block():
    text = dump_quiz({"title": "Prov"}, [{"id": "q", "explanation": "Första stycket.\n\nAndra: stycket."}])
    assert "explanation: |-\n    Första stycket.\n\n    Andra: stycket.\n" in text


@pytest.mark.parametrize("text", ["title: [", "- a\n- b", "questions: 3", "questions: [1, 2]"])
def test_what_is_not_a_quiz_mapping_is_unreadable(text):
    with pytest.raises(UnreadableQuiz):
        read_quiz(text)


def test_an_empty_file_is_no_settings_and_no_questions():
    assert read_quiz("") == ({}, [])


# Valid quizzes, every question type

IDS = st.from_regex(r"\A[a-z0-9][a-z0-9_-]{0,39}\Z")
LINE = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=30)
WORDS = LINE.filter(lambda text: text.strip())
TEXT = WORDS | st.fixed_dictionaries({"sv": WORDS}, optional={"en": WORDS})
PARAGRAPHS = st.lists(WORDS, min_size=1, max_size=3).map("\n\n".join)


def entries(ids, extra=None):
    """Options, items or choices with these ids."""
    return st.tuples(*(
        st.fixed_dictionaries({"id": st.just(i), "text": TEXT, **(extra or {})}, optional={"feedback": TEXT})
        for i in ids
    )).map(list)  # fmt: skip


@st.composite
def question(draw, qid: str, kind: QuestionType) -> dict:
    data = {"id": qid, "type": kind.value, "text": draw(TEXT | PARAGRAPHS)}
    if draw(st.booleans()):
        data["explanation"] = draw(TEXT | PARAGRAPHS)
    if draw(st.booleans()):
        data["tags"] = draw(st.lists(IDS, max_size=3, unique=True))
    ids = draw(st.lists(IDS, min_size=2, max_size=5, unique=True))
    if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        data["options"] = draw(entries(ids))
    if kind is QuestionType.SINGLE:
        data["correct"] = draw(st.sampled_from(ids))
    elif kind is QuestionType.MULTIPLE:
        data["correct"] = draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
        data |= draw(
            st.fixed_dictionaries({}, optional={"scoring": st.sampled_from(["partial", "all_or_nothing"])})
        )
    elif kind is QuestionType.TRUE_FALSE:
        data["correct"] = draw(st.booleans())
        data |= draw(st.fixed_dictionaries({}, optional={"feedback_true": TEXT, "feedback_false": TEXT}))
    elif kind is QuestionType.ORDERING:
        data["items"] = draw(entries(ids))
    elif kind is QuestionType.MATCHING:
        data["choices"] = draw(entries(ids))
        premise_ids = draw(st.lists(IDS, min_size=1, max_size=4, unique=True))
        data["premises"] = draw(entries(premise_ids, {"match": st.sampled_from(ids)}))
    else:
        data["answer"] = draw(st.integers(-1000, 1000) | st.floats(-1e6, 1e6))
        data |= draw(st.fixed_dictionaries({}, optional={"tolerance": st.floats(0, 100), "unit": TEXT}))
    return data


@st.composite
def quizzes(draw) -> tuple[dict, list[dict]]:
    ids = draw(st.lists(IDS, min_size=1, max_size=4, unique=True))
    questions = [draw(question(qid, draw(st.sampled_from(list(QuestionType))))) for qid in ids]
    settings = {"title": draw(TEXT)}
    settings |= draw(st.fixed_dictionaries({}, optional={
        "mode": st.sampled_from(["exam", "practice"]), "pass_mark": st.integers(0, 100) | st.floats(0, 100),
        "attempts_allowed": st.integers(1, 10), "cooldown_minutes": st.integers(0, 60),
        "time_limit_minutes": st.integers(1, 120), "shuffle_questions": st.booleans(),
        "shuffle_options": st.booleans(), "partial_credit": st.booleans(),
        "counts": st.sampled_from(["best", "latest"]), "review": st.sampled_from(["full", "feedback", "score"]),
    }))  # fmt: skip
    if draw(st.booleans()):
        settings["fixed"] = draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
    return settings, questions


@settings(max_examples=300)  # a round trip of text: more examples find nothing new, slowly
@given(quizzes())
def test_every_valid_quiz_written_parses_as_the_same_quiz(quiz):
    settings, questions = quiz
    text = dump_quiz(settings, questions)
    parsed = parse_quiz(text, "quiz.yaml", "prov")
    assert [q.id for q in parsed.questions] == [q["id"] for q in questions]
    assert [q.kind.value for q in parsed.questions] == [q["type"] for q in questions]
    assert parsed.fixed == tuple(settings.get("fixed", [q["id"] for q in questions]))
    assert read_quiz(text) == (settings, questions)
