"""Certification: rules, who must hold what, status, certificates, public verification and reminders.
The pure rules and status live in core/."""

from flask import Blueprint

bp = Blueprint("certification", __name__)

from portal.certification import routes  # noqa: E402,F401  (registers the views on bp)
