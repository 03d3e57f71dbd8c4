"""What the authors' statistics pages and CSV file show: the cached numbers joined to the quiz's questions
and options in the reader's language. Aggregates only: nothing here can name a learner."""

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.assessment.core import (
    Flag,
    ItemStats,
    Matching,
    MultipleChoice,
    Numeric,
    Option,
    Ordering,
    Question,
    QuestionType,
    Quiz,
    QuizStats,
    SingleChoice,
    TrueFalse,
)
from portal.assessment.statistics import pair

# Moodle's rule of thumb for the coefficient of internal consistency
ALPHA_SATISFACTORY_ABOVE = 0.75
ALPHA_UNSATISFACTORY_BELOW = 0.64
FEW_ATTEMPTS = 30  # below this, facility and discrimination move a lot with each new attempt

QUESTION_TYPE_LABELS = {
    QuestionType.SINGLE: _l("Single choice"),
    QuestionType.MULTIPLE: _l("Multiple choice"),
    QuestionType.TRUE_FALSE: _l("True or false"),
    QuestionType.ORDERING: _l("Ordering"),
    QuestionType.MATCHING: _l("Matching"),
    QuestionType.NUMERIC: _l("Numeric"),
}

FLAG_LABELS = {
    Flag.TOO_HARD: _l("Too hard"),
    Flag.TOO_EASY: _l("Too easy"),
    Flag.LOW_DISCRIMINATION: _l("Low discrimination"),
    Flag.NO_DISCRIMINATION: _l("Discrimination undefined"),
}

FLAG_EXPLANATIONS = {
    Flag.TOO_HARD: _l(
        "Facility below 0.20: hardly anyone answers right. Check the answer key and the wording."
    ),
    Flag.TOO_EASY: _l(
        "Facility above 0.95: almost everyone answers right, so the question tells little about what people know."
    ),
    Flag.LOW_DISCRIMINATION: _l(
        "Discrimination below 0.20: those who do well on the rest of the quiz do not do better on this question. "
        "It may be ambiguous, or test something else."
    ),
    Flag.NO_DISCRIMINATION: _l(
        "Discrimination cannot be computed: everyone scored the same on this question or on the rest of the quiz."
    ),
}
FLAG_ORDER = (Flag.TOO_HARD, Flag.TOO_EASY, Flag.LOW_DISCRIMINATION, Flag.NO_DISCRIMINATION)


@dataclass(frozen=True)
class OptionLine:
    """How often one option (or matching pair, or item in a place) was chosen."""

    label: str
    count: int
    share: float
    correct: bool


@dataclass(frozen=True)
class QuestionReport:
    """One question with its statistics; `item` is None when no analysed attempt drew it."""

    question: Question
    item: ItemStats | None
    options: list[OptionLine]

    @property
    def type_label(self) -> str:
        return str(QUESTION_TYPE_LABELS[self.question.kind])

    @property
    def flags(self) -> list[Flag]:
        return [flag for flag in FLAG_ORDER if self.item and flag in self.item.flags]


def alpha_rating(alpha: float | None) -> str:
    """Moodle's rule of thumb for Cronbach's alpha, in words."""
    if alpha is None:
        return _("cannot be computed")
    if alpha > ALPHA_SATISFACTORY_ABOVE:
        return _("satisfactory")
    if alpha < ALPHA_UNSATISFACTORY_BELOW:
        return _("unsatisfactory")
    return _("borderline")


def question_reports(quiz: Quiz, stats: QuizStats, language: str) -> list[QuestionReport]:
    """Every question of the quiz, in the order written, with its statistics."""
    items = {item.question_id: item for item in stats.items}
    return [
        QuestionReport(q, items.get(q.id), option_lines(q, items.get(q.id), language)) for q in quiz.questions
    ]


def option_lines(question: Question, item: ItemStats | None, language: str) -> list[OptionLine]:
    """Every option with its count; for ordering and matching, the right pairs and any pair chosen."""
    counts = dict(item.option_counts) if item else {}
    attempts = item.attempts if item else 0

    def line(label: str, chosen_id: str, correct: bool) -> OptionLine:
        count = counts.get(chosen_id, 0)
        return OptionLine(label, count, count / attempts if attempts else 0.0, correct)

    match question:
        case SingleChoice():
            return [
                line(o.text.in_language(language), o.id, o.id == question.correct) for o in question.options
            ]
        case MultipleChoice():
            return [
                line(o.text.in_language(language), o.id, o.id in question.correct) for o in question.options
            ]
        case TrueFalse():
            return [
                line(_("True"), "true", question.correct),
                line(_("False"), "false", not question.correct),
            ]
        case Ordering():
            places = [
                (str(place), _("Place %(place)d", place=place), right.id)
                for place, right in enumerate(question.items, start=1)
            ]
            return _pair_lines(places, question.items, counts, language, line)
        case Matching():
            premises = [(p.id, p.text.in_language(language), p.match) for p in question.premises]
            return _pair_lines(premises, question.choices, counts, language, line)
        case Numeric():
            return []


def _pair_lines(
    lefts: list[tuple[str, str, str]],
    rights: tuple[Option, ...],
    counts: dict[str, int],
    language: str,
    line: Callable[[str, str, bool], OptionLine],
) -> list[OptionLine]:
    """For each (id, label, right answer's id) on the left, the right pair and every pair someone chose."""
    lines = []
    for left_id, label, answer in lefts:
        for right in rights:
            chosen = pair(left_id, right.id)
            if right.id == answer or chosen in counts:
                lines.append(
                    line(f"{label} → {right.text.in_language(language)}", chosen, right.id == answer)
                )
    return lines


# --- CSV ------------------------------------------------------------------------------------------

# The file is made for Excel with Swedish regional settings, which is what municipalities run: UTF-8
# with a byte order mark (else Excel reads it as Windows-1252), ";" between fields and a decimal comma
# (the list separator and decimal sign Excel uses in Swedish). Headers follow the reader's language.
CSV_DELIMITER = ";"


def csv_table(quiz: Quiz, stats: QuizStats, language: str) -> list[list[str]]:
    """A header and one row per question: numbers to 3 decimals with a decimal comma."""
    header = [
        _("Question id"),
        _("Question"),
        _("Type"),
        _("Attempts"),
        _("Facility"),
        _("Standard deviation"),
        _("Discrimination"),
        _("Flags"),
        _("Times chosen"),
    ]
    return [header, *(_csv_row(report, language) for report in question_reports(quiz, stats, language))]


def _csv_row(report: QuestionReport, language: str) -> list[str]:
    item = report.item
    return [
        report.question.id,
        _text_cell(report.question.text.in_language(language)),
        report.type_label,
        str(item.attempts if item else 0),
        _csv_number(item.facility if item else None),
        _csv_number(item.sd if item else None),
        _csv_number(item.discrimination if item else None),
        ", ".join(str(FLAG_LABELS[flag]) for flag in report.flags),
        " ".join(f"{option_id}={count}" for option_id, count in item.option_counts) if item else "",
    ]


def _text_cell(text: str) -> str:
    """Text that Excel will not run as a formula (OWASP's CSV injection advice): a leading quote."""
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def _csv_number(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}".replace(".", ",")
