"""Authoring for the larmteam: local material written, reviewed and published in the browser beside
the national material of content/, with versions, export/import, routines and statistics."""

from flask import Blueprint

bp = Blueprint("authoring", __name__, url_prefix="/authoring")


def blueprint() -> Blueprint:
    """The blueprint with its views, imported here so that services never import views."""
    from portal.authoring import views  # noqa: F401

    return bp
