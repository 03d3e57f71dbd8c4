"""The learner's side: my training, the catalogue, modules, sections, video and progress."""

from flask import Blueprint

bp = Blueprint("learning", __name__, url_prefix="/learning")


def blueprint() -> Blueprint:
    """The blueprint with its views. They are imported here and not with the package, so that other
    features can use this one's services without importing every view (and each other, in a circle)."""
    from portal.learning import media_routes, routes  # noqa: F401

    return bp
