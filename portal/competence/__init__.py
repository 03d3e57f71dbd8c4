"""The manager's side: the competence matrix of their units, employees, assignments, exports, reminders."""

from flask import Blueprint

bp = Blueprint("competence", __name__, url_prefix="/competence")


def blueprint() -> Blueprint:
    """The blueprint with its views. They are imported here and not with the package, so that other
    features can use this one's services without importing every view (and each other, in a circle)."""
    from portal.competence import remind_routes, routes  # noqa: F401

    return bp
