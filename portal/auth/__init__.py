"""Signing in and out, passwords, login throttling, and the role decorator."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from portal.auth import idle, routes  # noqa: E402,F401  (registers the views and the hook on bp)
