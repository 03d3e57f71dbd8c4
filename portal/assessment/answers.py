"""Between the question form and a stored response: what the learner posted becomes a response the
grader understands, and a stored response becomes the values that fill the form again.

Field names: `answer` (single choice, true/false, numeric; repeated for multiple choice),
`position-<item id>` (ordering: the place 1…n of each item) and `match-<premise id>` (matching).
"""

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Protocol

from portal.assessment.core import (
    Matching,
    MultipleChoice,
    Numeric,
    Ordering,
    Question,
    SingleChoice,
    TrueFalse,
)


class Form(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...
    def getlist(self, key: str) -> list[str]: ...


class FormProblem(StrEnum):
    """A response the learner can fix (as opposed to a forged one, which is refused outright)."""

    NOT_A_NUMBER = "not_a_number"
    PLACE_TWICE = "place_twice"
    PLACES_MISSING = "places_missing"


class AnswerFormError(ValueError):
    def __init__(self, problem: FormProblem) -> None:
        self.problem = problem
        super().__init__(problem.value)


def response_from_form(question: Question, form: Form) -> object:
    """The response in `form`, in the grader's shape; raises AnswerFormError for a fixable mistake.
    Ids are not checked here: the grader refuses any id the question does not have."""
    match question:
        case SingleChoice() | TrueFalse():
            return form.get("answer") or None
        case MultipleChoice():
            return tuple(form.getlist("answer"))
        case Numeric():
            return _number_text(form.get("answer", ""))
        case Ordering():
            return _order(question, form)
        case Matching():
            return {p.id: form.get(f"match-{p.id}") for p in question.premises if form.get(f"match-{p.id}")}


def _number_text(text: str) -> str | None:
    """Keep the text as typed (so the learner sees it again), once it is known to be a number."""
    text = text.strip()
    if not text:
        return None
    try:
        float(text.replace(",", ".").replace(" ", "").replace("\u00a0", ""))
    except ValueError:
        raise AnswerFormError(FormProblem.NOT_A_NUMBER) from None
    return text.replace("\u00a0", " ")


def _order(question: Ordering, form: Form) -> tuple[str, ...] | None:
    """Items sorted by the place chosen for each; every place must be used once, or none at all."""
    places: dict[str, int] = {}
    for item in question.items:
        raw = form.get(f"position-{item.id}", "")
        if raw:
            if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= len(question.items):  # not "²"
                raise AnswerFormError(FormProblem.PLACES_MISSING)
            places[item.id] = int(raw)
    if not places:
        return None
    if len(places) < len(question.items):
        raise AnswerFormError(FormProblem.PLACES_MISSING)
    if len(set(places.values())) < len(places):
        raise AnswerFormError(FormProblem.PLACE_TWICE)
    return tuple(sorted(places, key=places.__getitem__))


def form_values(question: Question, stored: object) -> dict[str, Any]:
    """The values a stored response puts back into the form: field name → value (or list of values)."""
    if stored is None:
        return {}
    match question:
        case SingleChoice() | TrueFalse() | Numeric():
            return {"answer": str(stored)}
        case MultipleChoice():
            return {"answer": list(stored)}  # type: ignore[call-overload]
        case Ordering():
            return {f"position-{item}": str(place) for place, item in enumerate(stored, start=1)}  # type: ignore[arg-type]
        case Matching():
            assert isinstance(stored, Mapping)  # nosec B101 – narrows the type for mypy: a matching answer is stored as a mapping by the app itself
            return {f"match-{premise}": choice for premise, choice in stored.items()}


def is_answered(stored: object) -> bool:
    return stored not in (None, "", [], {}, ())
