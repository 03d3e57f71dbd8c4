"""Quizzes: attempts drawn, saved, timed and graded on the server (routes, services), item statistics
for authors (statistics), and the pure core they all stand on (core/)."""

from flask import Blueprint

bp = Blueprint("assessment", __name__)

from portal.assessment import routes, statistics_routes  # noqa: E402,F401  (registers the views on bp)
