"""Certification: rules, who must hold what, status, certificates, public verification and reminders.
The pure rules and status live in core/."""

from flask import Blueprint

bp = Blueprint("certification", __name__)


def blueprint() -> Blueprint:
    """The blueprint with its views. They are imported here and not with the package, so that other
    features can use this one's services without importing every view (and each other, in a circle)."""
    from portal.certification import learner_routes, routes  # noqa: F401

    return bp
