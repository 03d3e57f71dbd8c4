"""Friendly error pages in the visitor's language; never a stack trace."""

import errno
import logging
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import NoReturn

import sqlalchemy as sa
from flask import Flask, g, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, default_exceptions

from portal.extensions import login_manager

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
    507: (
        _l("The file could not be stored"),
        _l(
            "The file could not be stored (the server's disk may be full). Nothing was saved: try again later."
        ),
    ),
}
# An upload is spooled to a temporary file before any view sees it: these mean the server's disk failed.
STORAGE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS})

RETRY_AFTER_SECONDS = 30


def render_error(status: int, detail: str | None = None) -> tuple[str, int]:
    """The error page. While the database is away a 404 or an expired form is still a 404 or a 400: when
    the page's menu or signed-in user needs the database and it fails, the page is shown without them."""
    try:
        return _error_page(status, detail), status
    except SQLAlchemyError as error:
        log.error("error page %d shown without the database: %s", status, error)
        with _without_the_database():
            return _error_page(status, detail), status


def _error_page(status: int, detail: str | None) -> str:
    title, text = MESSAGES.get(status, MESSAGES[500])
    return render_template("errors/error.html", status=status, title=title, text=detail or text)


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
    # Lazy: translating asks for the signed-in user's language, which may need the database.
    return render_error(
        400, _l("The form had expired or was not sent from this site. Reload the page and try again.")
    )


def _database_unavailable(error: OperationalError):
    log.error("database unavailable: %s", error.orig)
    with _without_the_database():
        body = _error_page(503, None)
    return body, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def _storage_failed(error: OSError) -> tuple[str, int]:
    if error.errno not in STORAGE_ERRORS:
        return _unexpected(error)
    log.error("the server could not store a request: %s", error)
    return render_error(507)


def _unexpected(error: Exception) -> tuple[str, int]:
    log.exception("unhandled error", exc_info=error)
    with _without_the_database():  # the error page must not depend on anything that may have failed
        return _error_page(500, None), 500


@contextmanager
def _without_the_database() -> Iterator[None]:
    """No menu, and the signed-in user neither loaded nor refreshed for the page (Flask-Login's template
    context loads the user, and choosing the language reads it); the page speaks the language of the
    user if already in memory, else the visitor's choice."""
    g.minimal_page = True
    language = _language_in_memory()
    g._login_user = login_manager.anonymous_user()  # Flask-Login's user of this request, as if loaded
    with force_locale(language) if language else nullcontext():
        yield


def _language_in_memory() -> str | None:
    """The signed-in user's language as loaded, without a query: a query would fail again."""
    state = sa.inspect(g.get("_login_user"), raiseerr=False)
    return state.dict.get("language") if state is not None else None


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(OSError, _storage_failed)
    app.register_error_handler(Exception, _unexpected)
