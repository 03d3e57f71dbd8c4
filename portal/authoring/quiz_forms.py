"""The forms of the quiz editor. They hold what the author typed as text: the quiz checker of
portal/assessment/core decides what is valid, so that the editor and `flask content sync` agree."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)

from portal.admin.forms import CheckboxesField
from portal.authoring.forms import LockedForm
from portal.labels import labelled

TYPE_LABELS = {
    "single": _l("Single choice: one right answer"),
    "multiple": _l("Multiple choice: one or more right answers"),
    "truefalse": _l("True or false"),
    "ordering": _l("Ordering: items to put in the right order"),
    "matching": _l("Matching: pair each premise with a choice"),
    "numeric": _l("Numeric: a number, within a tolerance"),
}
TYPE_NAMES = {
    "single": _l("Single choice"),
    "multiple": _l("Multiple choice"),
    "truefalse": _l("True or false"),
    "ordering": _l("Ordering"),
    "matching": _l("Matching"),
    "numeric": _l("Numeric"),
}
SCORING_CHOICES = [
    SelectChoice("", _l("As the quiz says (part marks or not)")),
    SelectChoice("partial", _l("Part marks")),
    SelectChoice("all_or_nothing", _l("All or nothing")),
]


class EntryRow(Form):
    """An option, an ordering item or a matching choice."""

    id = StringField(_l("Id"), description=_l("Leave empty to make one from the text."))
    text_sv = StringField(_l("Text (Swedish)"))
    text_en = StringField(_l("Text (English)"))
    feedback_sv = StringField(_l("Feedback (Swedish)"))
    feedback_en = StringField(_l("Feedback (English)"))
    correct = BooleanField(_l("Correct"))


class PremiseRow(Form):
    id = StringField(_l("Id"), description=_l("Leave empty to make one from the text."))
    text_sv = StringField(_l("Text (Swedish)"))
    text_en = StringField(_l("Text (English)"))
    match = StringField(_l("Id of the matching choice"))
    feedback_sv = StringField(_l("Feedback (Swedish)"))
    feedback_en = StringField(_l("Feedback (English)"))


class PoolRow(Form):
    tag = StringField(_l("Tag"))
    count = StringField(_l("Number of questions"))


class GroupedForm(LockedForm):
    """A form with groups of rows; a problem with a whole group (too few rows) is told at the group."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.group_errors: dict[str, list[str]] = {}


class QuestionForm(GroupedForm):
    """Every question type's fields; the page shows those of the question's type."""

    id = StringField(
        _l("Question id"),
        description=_l(
            "a–z, 0–9, - and _, at most 40 characters. Leave empty to make one from the question."
        ),
    )
    text_sv = TextAreaField(_l("Question (Swedish)"))
    text_en = TextAreaField(_l("Question (English)"))
    tags = StringField(
        _l("Tags"),
        description=_l("Separated by commas, e.g. nyckel, larmkedja. Pools draw questions by tag."),
    )
    explanation_sv = TextAreaField(_l("Explanation (Swedish)"), description=_l("Shown after answering."))
    explanation_en = TextAreaField(_l("Explanation (English)"))
    options = FieldList(FormField(EntryRow))
    correct_option = RadioField(_l("Correct answer"), validate_choice=False)  # a row number of `options`
    scoring = SelectField(_l("Scoring"), choices=SCORING_CHOICES, default="")
    true_or_false = RadioField(
        _l("The statement is"),
        choices=[SelectChoice("true", _l("True")), SelectChoice("false", _l("False"))],
        validate_choice=False,
    )
    feedback_true_sv = StringField(_l("Feedback to whoever answers true (Swedish)"))
    feedback_true_en = StringField(_l("Feedback to whoever answers true (English)"))
    feedback_false_sv = StringField(_l("Feedback to whoever answers false (Swedish)"))
    feedback_false_en = StringField(_l("Feedback to whoever answers false (English)"))
    items = FieldList(FormField(EntryRow))
    premises = FieldList(FormField(PremiseRow))
    choices = FieldList(FormField(EntryRow))
    answer = StringField(_l("Right answer"), description=_l("A number; a decimal comma is fine."))
    tolerance = StringField(
        _l("Tolerance"), description=_l("How far from the right answer still counts as right, e.g. 0 or 0,5.")
    )
    unit_sv = StringField(_l("Unit (Swedish)"), description=_l("e.g. minuter"))
    unit_en = StringField(_l("Unit (English)"), description=_l("e.g. minutes"))
    submit = SubmitField(_l("Save question"))


class NewQuestionForm(LockedForm):
    type = SelectField(_l("Type of question"), choices=labelled(TYPE_LABELS))
    submit = SubmitField(_l("Add a question"))


class QuizSettingsForm(GroupedForm):
    title_sv = StringField(_l("Title (Swedish)"))
    title_en = StringField(_l("Title (English)"))
    mode = SelectField(
        _l("Mode"),
        choices=[
            SelectChoice("exam", _l("Exam: feedback after handing in")),
            SelectChoice("practice", _l("Practice: feedback at once, and the learner may try again")),
        ],
    )
    pass_mark = StringField(_l("Pass mark (percent)"))
    attempts_allowed = StringField(_l("Attempts allowed"), description=_l("Leave empty for no limit."))
    cooldown_minutes = StringField(_l("Wait between attempts (minutes)"))
    time_limit_minutes = StringField(_l("Time limit (minutes)"), description=_l("Leave empty for no limit."))
    penalty = StringField(
        _l("Penalty per wrong try"), description=_l("Practice only: 0 to 1, e.g. 0,25. Leave empty for none.")
    )
    shuffle_questions = BooleanField(_l("Show the questions in a random order"))
    shuffle_options = BooleanField(_l("Show the options in a random order"))
    partial_credit = BooleanField(_l("Part marks for multiple-choice questions"))
    counts = SelectField(
        _l("The attempt that counts"),
        choices=[SelectChoice("best", _l("The best")), SelectChoice("latest", _l("The latest"))],
    )
    review = SelectField(
        _l("After handing in, the learner sees"),
        choices=[
            SelectChoice("full", _l("Their answers, the right answers, feedback and explanations")),
            SelectChoice("feedback", _l("Which answers were right, and feedback, without the right answers")),
            SelectChoice("score", _l("The score only")),
        ],
    )
    fixed = CheckboxesField(
        _l("Questions in every attempt"),
        description=_l("With no questions ticked here and no pools, every question is asked, in this order."),
    )
    pools = FieldList(FormField(PoolRow))
    submit = SubmitField(_l("Save settings"))
