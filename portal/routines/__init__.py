"""Routines and checklists for staff: reading them, confirming them (läskvittens), and the managers'
view of who has confirmed. Authors write them in portal.authoring; the services live there too."""

from flask import Blueprint

bp = Blueprint("routines", __name__, url_prefix="/routines")


def blueprint() -> Blueprint:
    """The blueprint with its views, imported here so that services never import views."""
    from portal.routines import routes  # noqa: F401

    return bp
