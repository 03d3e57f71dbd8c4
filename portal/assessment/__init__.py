"""Quizzes: attempts drawn, saved, timed and graded on the server (routes, services), item statistics
for authors (statistics), and the pure core they all stand on (core/)."""

from flask import Blueprint

bp = Blueprint("assessment", __name__)


def blueprint() -> Blueprint:
    """The blueprint with its views. They are imported here and not with the package, so that other
    features can use this one's services without importing every view (and each other, in a circle)."""
    from portal.assessment import routes, statistics_routes  # noqa: F401

    return bp
