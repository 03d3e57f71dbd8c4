"""The learner's side: my training, the catalogue, modules, sections, video and progress."""

from flask import Blueprint

bp = Blueprint("learning", __name__, url_prefix="/learning")

from portal.learning import media_routes, routes  # noqa: E402,F401  (registers the views on bp)
