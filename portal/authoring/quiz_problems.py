"""The quiz checker's problems told to the author: in their language, at the field they concern.
portal/assessment/core names each problem by its place in quiz.yaml (`questions[2].options[0].id`);
the editor knows which form row wrote that place."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.assessment.core import Problem, QuizError, parse_quiz
from portal.authoring.files import QUIZ_FILE
from portal.authoring.quiz_yaml import dump_quiz

Path = tuple[str | int, ...]
NO_QUESTIONS = "the quiz has no questions"
NO_VALID_PREMISE = "a matching question needs at least one premise"
GROUP_LABELS = {
    "options": _l("Options"),
    "items": _l("Items, in the right order"),
    "premises": _l("Premises"),
    "choices": _l("Choices"),
    "pools": _l("Pools"),
}


@dataclass(frozen=True)
class Located:
    path: Path
    message: str
    question: str | None = None  # the id of the question it is in, if any

    @property
    def key(self) -> tuple[Any, ...]:
        """The same for the same problem after questions were moved or deleted."""
        return (self.question, self.path[2:] if self.question is not None else self.path, self.message)


@dataclass(frozen=True)
class SummaryItem:
    """A line of the error summary: a link to where the problem is, and what it is."""

    href: str
    label: str
    message: str


def problems_of(settings: dict[str, Any], questions: list[dict[str, Any]], slug: str) -> list[Located]:
    """What is wrong with the quiz.yaml these make; a quiz without questions yet is only unfinished."""
    try:
        parse_quiz(dump_quiz(settings, questions), QUIZ_FILE, slug)
    except QuizError as error:
        ids = [str(question.get("id")) for question in questions]
        return [located(p, ids) for p in error.problems if _told(p, error.problems, bool(questions))]
    return []


def _told(problem: Problem, problems: tuple[Problem, ...], has_questions: bool) -> bool:
    if problem.message == NO_QUESTIONS:
        return has_questions
    if problem.message == NO_VALID_PREMISE:  # follows from the problems of its premises, when there are any
        return not any(other.where.startswith(f"{problem.where}[") for other in problems)
    return True


def located(problem: Problem, ids: list[str]) -> Located:
    path = _path(problem.where)
    missing = re.match(r"'(\w+)' is missing$", problem.message)
    if missing:
        path = (*path, missing.group(1))
    in_question = len(path) > 1 and path[0] == "questions" and isinstance(path[1], int) and path[1] < len(ids)
    return Located(path, explain(problem), ids[int(path[1])] if in_question else None)


def _path(where: str) -> Path:
    if where.startswith("("):  # "(top level)", "(yaml syntax)"
        return ()
    return tuple(int(index) if index else name for index, name in re.findall(r"\[(\d+)\]|([^.\[\]]+)", where))


def _missing(match: re.Match[str]) -> str:
    return {
        "text": _("Write the text in Swedish."),
        "title": _("Write the title in Swedish."),
        "correct": _("Mark the right answer."),
        "answer": _("Write the right answer as a number."),
        "match": _("Write the id of the choice that matches."),
        "options": _("Write at least two options."),
        "items": _("Write at least two items."),
        "choices": _("Write at least two choices."),
        "premises": _("Write at least one premise."),
        "count": _("Write how many questions to draw."),
    }.get(match.group(1), _("Fill this in."))


def _unquoted(match: re.Match[str], name: str) -> str:
    return match.group(name).strip("'\"")


RULES: list[tuple[str, Callable[[re.Match[str]], str]]] = [
    (r"'(\w+)' is missing$", _missing),
    (r"invalid id", lambda m: _("Use 1–40 characters: a–z, 0–9, - or _, beginning with a letter or digit.")),
    (r"Swedish text is missing|expected text$", lambda m: _("Write the text in Swedish.")),
    (r"expected a number", lambda m: _("Write a number, such as 5 or 2,5.")),
    (
        r"\S+ is outside (?P<low>[^.]+)\.\.1e\+12$",
        lambda m: _("Write a number, %(low)s or more.", low=m["low"]),
    ),
    (
        r"\S+ is outside (?P<low>[^.]+)\.\.(?P<high>\S+)$",
        lambda m: _("Write a number from %(low)s to %(high)s.", low=m["low"], high=m["high"]),
    ),
    (
        r"expected a whole number ≥ (?P<low>\d+)",
        lambda m: _("Write a whole number, %(low)s or more.", low=m["low"]),
    ),
    (
        r"(option|premise) id '(?P<id>.*)' is used twice",
        lambda m: _("The id %(id)s is used twice: give each row its own id.", id=m["id"]),
    ),
    (r"needs at least (?P<n>\d+) entries", lambda m: _("Fill in at least %(n)s rows.", n=m["n"])),
    (r"unknown question type", lambda m: _("Unknown type of question: choose one from the list.")),
    (r"every tag must be", lambda m: _("Write tags as short ids (a–z, 0–9, - or _), separated by commas.")),
    (r"correct answer .* is not an option id", lambda m: _("Mark one of the options as the right answer.")),
    (
        r"(?P<id>.*) is not an option id",
        lambda m: _("%(id)s is not one of the options.", id=_unquoted(m, "id")),
    ),
    (r"at least one option must be correct", lambda m: _("Mark at least one option as right.")),
    (r"an option id is listed twice", lambda m: _("An option is marked right twice.")),
    (
        r"(?P<id>.*) is not a choice id",
        lambda m: _(
            "%(id)s is not the id of a choice: write the id of one of the choices.", id=_unquoted(m, "id")
        ),
    ),
    (r"a matching question needs at least one premise", lambda m: _("Write at least one premise.")),
    (
        r"question id '(?P<id>.*)' is already used",
        lambda m: _("Another question already has the id %(id)s.", id=m["id"]),
    ),
    (
        r"(?P<id>.*) is not a question id in this file",
        lambda m: _("%(id)s is not a question of this quiz.", id=_unquoted(m, "id")),
    ),
    (r"'(?P<id>.*)' is listed twice", lambda m: _("%(id)s is listed twice.", id=m["id"])),
    (r"the quiz selects no questions", lambda m: _("Tick questions for every attempt, or add a pool.")),
    (
        r"pool '(?P<tag>.*)' wants (?P<count>\d+) question\(s\) but only (?P<left>-?\d+)",
        lambda m: _(
            "The pool %(tag)s draws %(count)s questions, but only %(left)s questions tagged %(tag)s are sure to "
            "be left for it (fixed questions and earlier pools take theirs first). Tag more questions %(tag)s "
            "or lower the number.",
            tag=m["tag"],
            count=m["count"],
            left=m["left"],
        ),
    ),
    (
        r"a penalty per wrong try only applies in practice mode",
        lambda m: _("A penalty per wrong try only applies in practice mode: remove it or choose practice."),
    ),
    (NO_QUESTIONS, lambda m: _("Add at least one question.")),
    (r"unknown (mode|counts|review|scoring)", lambda m: _("Choose one of the values in the list.")),
    (
        r"unknown key '(?P<key>.*)'",
        lambda m: _("quiz.yaml has a key the quiz does not know: %(key)s.", key=m["key"]),
    ),
    (r"key '(?P<key>.*)' appears twice", lambda m: _("quiz.yaml has the key %(key)s twice.", key=m["key"])),
]


def explain(problem: Problem) -> str:
    """The problem in the reader's language; one the editor cannot cause is told as the checker says it."""
    for pattern, message in RULES:
        match = re.match(pattern, problem.message)
        if match:
            return message(match)
    return _("%(message)s (%(hint)s)", message=problem.message, hint=problem.hint)


# Placing problems in the forms

ROW_LABELS = {
    "options": _l("Option %(number)s"),
    "items": _l("Item %(number)s"),
    "premises": _l("Premise %(number)s"),
    "choices": _l("Choice %(number)s"),
    "pools": _l("Pool %(number)s"),
}
TEXT_KEYS = ("text", "explanation", "unit", "feedback_true", "feedback_false")


def row_label(group: str, number: int) -> str:
    return str(ROW_LABELS[group]) % {"number": number}


def place(form: Any, problems: list[Located], target: Callable[[Path], Any]) -> list[Located]:
    """Each problem added to its field (or row group) of `form`; those without one are returned."""
    left = []
    for problem in problems:
        where = target(problem.path)
        if where is None:
            left.append(problem)
        elif isinstance(where, str):
            form.group_errors.setdefault(where, []).append(problem.message)
        else:
            where.errors = [*where.errors, problem.message]
    return left


def question_target(form: Any, kind: str, index: int, rows: dict[str, list[int]]) -> Callable[[Path], Any]:
    """Where a problem at `questions[index]…` shows in the question form."""

    def target(path: Path) -> Any:
        if path[:2] != ("questions", index) or len(path) < 3:
            return None
        key, tail = path[2], path[3:]
        if key in TEXT_KEYS:
            return form[f"{key}_{_language(tail)}"]
        if key in ("id", "tags", "scoring", "answer", "tolerance"):
            return form[key]
        if key == "correct":
            return form.true_or_false if kind == "truefalse" else "options"
        if key in rows:
            return _row_target(form, str(key), rows[str(key)], tail)
        return None

    return target


def settings_target(form: Any, rows: dict[str, list[int]]) -> Callable[[Path], Any]:
    """Where a problem with the quiz's settings shows in the settings form."""

    def target(path: Path) -> Any:
        if not path or path[0] == "questions":
            return None
        key, tail = str(path[0]), path[1:]
        if key == "title":
            return form[f"title_{_language(tail)}"]
        if key == "pools":
            return _row_target(form, key, rows["pools"], tail)
        return form._fields.get(key)

    return target


def _row_target(form: Any, group: str, rows: list[int], tail: Path) -> Any:
    if not tail or not isinstance(tail[0], int) or tail[0] >= len(rows):
        return group
    row = form[group][rows[tail[0]]].form
    key = str(tail[1]) if len(tail) > 1 else "id"
    if key in ("text", "feedback"):
        return row[f"{key}_{_language(tail[2:])}"]
    return row._fields.get(key) or row._fields.get("id") or row._fields.get("tag")


def _language(tail: Path) -> str:
    return "en" if tail[:1] == ("en",) else "sv"


def summary(form: Any) -> list[SummaryItem]:
    """Every error in the form, in its order, each linking to its field."""
    items = []
    for field in form:
        if field.type != "FieldList":
            anchor = (
                f"{field.id}-0" if field.type in ("RadioField", "CheckboxesField") else field.id
            )  # the first
            items.extend(SummaryItem(f"#{anchor}", str(field.label.text), error) for error in field.errors)
            continue
        group = field.name
        for message in getattr(form, "group_errors", {}).get(group, []):
            items.append(SummaryItem(f"#{group}-group", str(GROUP_LABELS[group]), message))
        for number, entry in enumerate(field.entries, start=1):
            for sub in entry.form:
                label = f"{row_label(group, number)}: {sub.label.text}"
                items.extend(SummaryItem(f"#{sub.id}", label, error) for error in sub.errors)
    return items
