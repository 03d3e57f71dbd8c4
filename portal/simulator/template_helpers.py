"""Template helpers of the trygghetskedjan pages."""

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from portal.simulator import bp, labels
from portal.simulator.catalogue import scenarios

VERDICTS = {
    "correct": ("✓", _l("Correct")),
    "late": ("!", _l("Late")),
    "missed": ("✗", _l("Missed")),
    "out_of_order": ("✗", _l("Out of order")),
    "wrong": ("✗", _l("Wrong")),
}


@bp.app_template_global()
def role_label(role: str | None) -> str:
    return labels.role_label(role or "")  # the manager has no exercise label: its actor label


@bp.app_template_global()
def verdict_mark(verdict: str) -> Markup:
    """The verdict as a symbol (hidden from screen readers) and a word: never by colour alone."""
    symbol, word = VERDICTS.get(verdict, ("", verdict))
    return Markup('<span aria-hidden="true">{}</span> <strong>{}:</strong>').format(symbol, escape(str(word)))


@bp.app_template_global()
def feedback_text(code: str, params: dict, action: str | None = None, kind: str | None = None) -> str:
    values = dict(params)
    if action:
        values["action"] = action
    if kind:
        values["machine"] = kind
    return labels.feedback_text(code, values)


@bp.app_template_global()
def demo_scenarios() -> list:
    """The scenarios to choose from for a demo, in file order."""
    return list(scenarios().values())
