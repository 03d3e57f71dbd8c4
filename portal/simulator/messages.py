"""What the pages say when a run cannot take a request."""

from flask_babel import gettext as _


def run_error_text(code: str) -> str:
    texts = {
        "scenario_gone": _("This scenario has been removed from the material, so the run cannot go on."),
        "no_role": _("Choose the role you want to practise."),
        "too_many_runs": _(
            "You have started many runs in the last hour. Wait a while, or go on with one you have."
        ),
        "finished": _("The exercise is finished. Start a new one to practise again."),
        "busy": _("Many changes reached this run at once. Try again."),
        "bad_speed": _("Choose one of the speeds."),
        "demo_only": _("Faults can be injected only in the demo."),
        "exercise_only": _("Only an exercise is scored."),
        "no_longer_possible": _(
            "That can no longer be done: the situation has changed. Look again and choose."
        ),
        "waiting_for_you": _("Nothing more happens until you act. Choose one of your actions."),
        "run_full": _("This run has taken as many inputs as a run may. Start a new one."),
    }
    return texts.get(code, _("The run could not take that."))
