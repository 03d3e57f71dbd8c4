"""Absolute links to the portal for places without a trustworthy request: emails, certificates."""

from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def portal_url(endpoint: str, **values: Any) -> str:
    """An absolute link on PORTAL_BASE_URL: the same from the CLI and from a request, and never built
    from a request's Host header (which a client chooses)."""
    base = urlsplit(current_app.config["PORTAL_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)
