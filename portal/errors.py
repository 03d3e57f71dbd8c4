"""Friendly error pages in the visitor's language; never a stack trace."""

import logging
from typing import NoReturn

from flask import Flask, g, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, default_exceptions

from portal.extensions import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: (
        _l("The request could not be understood"),
        _l("Something in the request was wrong or had expired. Go back, reload the page and try again."),
    ),
    403: (
        _l("You do not have access to this page"),
        _l(
            "Your account does not have the role this page needs. Ask your administrator if you think it should."
        ),
    ),
    404: (_l("Page not found"), _l("The page does not exist, or you do not have access to it.")),
    405: (_l("That action is not possible here"), _l("The page does not accept this kind of request.")),
    413: (_l("The file is too large"), _l("Choose a smaller file and try again.")),
    429: (_l("Too many attempts"), _l("Wait a while and try again.")),
    500: (_l("Something went wrong on our side"), _l("The error has been logged. Try again in a moment.")),
    503: (
        _l("The service is temporarily unavailable"),
        _l("The database cannot be reached right now. Try again in a minute."),
    ),
}

RETRY_AFTER_SECONDS = 30


def render_error(status: int, detail: str | None = None) -> tuple[str, int]:
    title, text = MESSAGES.get(status, MESSAGES[500])
    return render_template("errors/error.html", status=status, title=title, text=detail or text), status


def abort_with(status: int, detail: str) -> NoReturn:
    """Stop the request with `status` and a message that says what was wrong, instead of the generic one."""
    error = default_exceptions[status]()
    error.friendly_detail = detail  # type: ignore[attr-defined]
    raise error


def _http_error(error: HTTPException) -> tuple[str, int]:
    status = error.code or 500
    if status not in MESSAGES:
        status = 500 if status >= 500 else 400
    detail = getattr(error, "friendly_detail", None)
    return render_error(status, detail)


def _csrf_error(error: CSRFError) -> tuple[str, int]:
    return render_error(
        400, str(_l("The form had expired or was not sent from this site. Reload the page and try again."))
    )


def _database_unavailable(error: OperationalError):
    log.error("database unavailable: %s", error.orig)
    g.minimal_page = True
    body, status = render_error(503)
    return body, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def _unexpected(error: Exception) -> tuple[str, int]:
    log.exception("unhandled error", exc_info=error)
    g.minimal_page = True  # the error page must not depend on anything that may have failed
    db.session.rollback()  # a failed flush leaves the session unusable for the page's own queries
    return render_error(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(Exception, _unexpected)
