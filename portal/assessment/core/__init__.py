"""Pure core of the assessment feature: question types, quiz.yaml loading, drawing, grading, item analysis.

No Flask, no database, no clock and no global random state: every function here is deterministic given
its arguments, so the web layer can store a seed and the responses and rebuild any result later.
"""

from .analysis import Flag, ItemStats, QuizStats, Row, analyse, csv_rows, first_attempt_rows
from .draw import Draw, draw
from .grading import (
    AttemptResult,
    InvalidResponse,
    QuestionResult,
    Response,
    ResponseError,
    grade,
    grade_attempt,
    model_response,
)
from .loader import load_quiz, parse_quiz
from .problems import Problem, QuizError
from .questions import (
    Matching,
    MultipleChoice,
    Numeric,
    Option,
    Ordering,
    Premise,
    Question,
    QuestionType,
    Scoring,
    SingleChoice,
    Text,
    TrueFalse,
    option_ids,
)
from .quizdef import CountingPolicy, Mode, Pool, Quiz, ReviewPolicy, counted_attempt

__all__ = [
    "AttemptResult",
    "CountingPolicy",
    "Draw",
    "Flag",
    "InvalidResponse",
    "ItemStats",
    "Matching",
    "Mode",
    "MultipleChoice",
    "Numeric",
    "Option",
    "Ordering",
    "Pool",
    "Premise",
    "Problem",
    "Question",
    "QuestionResult",
    "QuestionType",
    "Quiz",
    "QuizError",
    "QuizStats",
    "Response",
    "ResponseError",
    "ReviewPolicy",
    "Row",
    "Scoring",
    "SingleChoice",
    "Text",
    "TrueFalse",
    "analyse",
    "counted_attempt",
    "csv_rows",
    "draw",
    "first_attempt_rows",
    "grade",
    "grade_attempt",
    "load_quiz",
    "model_response",
    "option_ids",
    "parse_quiz",
]
