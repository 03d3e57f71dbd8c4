"""The manager's side: the competence matrix of their units, employees, assignments, exports, reminders."""

from flask import Blueprint

bp = Blueprint("competence", __name__, url_prefix="/competence")

from portal.competence import remind_routes, routes  # noqa: E402,F401  (registers the views on bp)
