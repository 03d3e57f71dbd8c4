"""The organisation administrator's screens: units, people, roles and employee import."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from portal.admin import import_routes, routes, settings_routes, unit_routes  # noqa: E402,F401  (registers views)
