"""Trygghetskedjan: the web shell around the alarm-chain engine (overview, live demo, exercises)."""

from flask import Blueprint

bp = Blueprint("simulator", __name__, url_prefix="/trygghetskedjan")


def blueprint() -> Blueprint:
    """The blueprint with its views, imported here so that services never import views."""
    from portal.simulator import exercises, overview, runs, template_helpers  # noqa: F401

    return bp
