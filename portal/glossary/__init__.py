"""Ordlistan: the chain's terms on one public page, linked from the modules as ordlista:<id>."""

from flask import Blueprint

bp = Blueprint("glossary", __name__)


def blueprint() -> Blueprint:
    """The blueprint with its views, imported here so that services never import views."""
    from portal.glossary import routes  # noqa: F401

    return bp
