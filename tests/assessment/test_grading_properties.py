"""Property tests: perfect = 1, empty = 0, adding a right choice never lowers a score, scores in [0, 1]."""

from hypothesis import given
from hypothesis import strategies as st

from portal.assessment.core import (
    Matching,
    MultipleChoice,
    Numeric,
    Option,
    Ordering,
    Premise,
    Question,
    Scoring,
    SingleChoice,
    Text,
    TrueFalse,
    grade,
)

IDS = [f"o{i}" for i in range(8)]


def _opts(ids: list[str]) -> tuple[Option, ...]:
    return tuple(Option(i, Text(i)) for i in ids)


@st.composite
def multiples(draw: st.DrawFn) -> MultipleChoice:
    ids = IDS[: draw(st.integers(2, 8))]
    correct = draw(st.sets(st.sampled_from(ids), min_size=1))
    scoring = draw(st.sampled_from(list(Scoring)))
    return MultipleChoice(
        id="m", text=Text("M"), options=_opts(ids), correct=frozenset(correct), scoring=scoring
    )


@st.composite
def questions(draw: st.DrawFn) -> Question:
    ids = IDS[: draw(st.integers(2, 8))]
    kind = draw(st.sampled_from(["single", "multiple", "tf", "ordering", "matching", "numeric"]))
    if kind == "single":
        return SingleChoice(id="s", text=Text("S"), options=_opts(ids), correct=draw(st.sampled_from(ids)))
    if kind == "multiple":
        return draw(multiples())
    if kind == "tf":
        return TrueFalse(id="t", text=Text("T"), correct=draw(st.booleans()))
    if kind == "ordering":
        return Ordering(id="o", text=Text("O"), items=_opts(ids))
    if kind == "matching":
        n = draw(st.integers(1, len(ids)))
        premises = tuple(Premise(f"p{i}", Text("P"), draw(st.sampled_from(ids))) for i in range(n))
        return Matching(id="p", text=Text("P"), premises=premises, choices=_opts(ids))
    answer = draw(st.floats(-1e6, 1e6, allow_nan=False))
    return Numeric(id="n", text=Text("N"), answer=answer, tolerance=draw(st.floats(0, 100)))


def perfect(question: Question) -> object:
    match question:
        case SingleChoice() | MultipleChoice() | TrueFalse():
            return question.correct
        case Ordering():
            return tuple(i.id for i in question.items)
        case Matching():
            return {p.id: p.match for p in question.premises}
        case Numeric():
            return question.answer


@st.composite
def valid_responses(draw: st.DrawFn, question: Question) -> object:
    match question:
        case SingleChoice():
            return draw(st.sampled_from([o.id for o in question.options]))
        case MultipleChoice():
            return frozenset(draw(st.sets(st.sampled_from([o.id for o in question.options]))))
        case TrueFalse():
            return draw(st.booleans())
        case Ordering():
            return tuple(draw(st.permutations([i.id for i in question.items])))
        case Matching():
            choice = st.sampled_from([c.id for c in question.choices])
            pids = [p.id for p in question.premises]
            return draw(st.dictionaries(st.sampled_from(pids), choice))
        case Numeric():
            return draw(st.floats(-1e7, 1e7, allow_nan=False))


@given(questions())
def test_perfect_answer_scores_one(question: Question) -> None:
    result = grade(question, perfect(question))
    assert result.score == 1.0
    assert result.is_correct


@given(questions())
def test_empty_answer_scores_zero(question: Question) -> None:
    result = grade(question, None)
    assert result.score == 0.0
    assert not result.is_correct


@given(st.data())
def test_scores_within_bounds_and_deterministic(data: st.DataObject) -> None:
    question = data.draw(questions())
    response = data.draw(valid_responses(question))
    first, second = grade(question, response), grade(question, response)
    assert first == second
    assert 0.0 <= first.score <= 1.0
    assert first.is_correct == (first.score == 1.0)


@given(st.data())
def test_adding_a_correct_choice_never_lowers_the_score(data: st.DataObject) -> None:
    question = data.draw(multiples())
    chosen = data.draw(st.sets(st.sampled_from([o.id for o in question.options])))
    missing = sorted(question.correct - chosen)
    if missing:
        extra = data.draw(st.sampled_from(missing))
        before = grade(question, frozenset(chosen)).score
        assert grade(question, frozenset(chosen | {extra})).score >= before


@given(st.data())
def test_adding_a_correct_pair_never_lowers_a_matching_score(data: st.DataObject) -> None:
    question = data.draw(questions().filter(lambda q: isinstance(q, Matching)))
    assert isinstance(question, Matching)
    response = dict(data.draw(valid_responses(question)))  # type: ignore[call-overload]
    premise = data.draw(st.sampled_from(question.premises))
    before = grade(question, response).score
    response[premise.id] = premise.match
    assert grade(question, response).score >= before


@given(multiples())
def test_partial_credit_is_a_multiple_of_one_over_k(question: MultipleChoice) -> None:
    for option in question.options:
        score = grade(question, frozenset({option.id})).score
        if question.scoring is Scoring.PARTIAL:
            expected = 1 / len(question.correct) if option.id in question.correct else 0.0
            assert score == expected
