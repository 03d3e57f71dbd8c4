"""What the learner is told when an attempt refuses a change or an answer needs fixing."""

from flask_babel import format_datetime
from flask_babel import gettext as _

from portal.assessment.answers import FormProblem
from portal.assessment.services import AttemptRefused, Refusal


def refusal_message(refusal: AttemptRefused) -> str:
    until = format_datetime(refusal.until, "short") if refusal.until else ""
    return {
        Refusal.NO_ATTEMPTS_LEFT: _("You have used all your attempts at this quiz."),
        Refusal.COOLDOWN: _("You can start a new attempt at %(time)s.", time=until),
        Refusal.SUBMITTED: _("This attempt has already been handed in; answers can no longer be changed."),
        Refusal.DEADLINE_PASSED: _(
            "The time ran out at %(time)s. The attempt was handed in with the answers saved before then.",
            time=until,
        ),
        Refusal.LOCKED: _("You have already answered this question correctly."),
    }[refusal.reason]


def form_problem_message(problem: FormProblem, places: int) -> str:
    return {
        FormProblem.NOT_A_NUMBER: _("Write a number, for example 30 or 2,5."),
        FormProblem.PLACES_MISSING: _(
            "Give every step a place from 1 to %(n)d, or leave them all empty.", n=places
        ),
        FormProblem.PLACE_TWICE: _("Each place can only be used once."),
    }[problem]


def someone_elses_attempt() -> str:
    return _("This quiz attempt belongs to someone else.")


def not_on_this_page() -> str:
    return _(
        "The answer was for a question that is not on this page of your attempt. "
        "Reload the page and answer again."
    )


def unknown_choice() -> str:
    return _("The answer named a choice that the question does not have. Reload the page and answer again.")
