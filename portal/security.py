"""Security headers on every response; requests with NUL bytes refused before any view runs."""

from flask import Flask, Response, abort, request, session
from werkzeug.datastructures import MultiDict

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def add_security_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if response.mimetype == "text/html" and "_user_id" in session:
        # Shared computers on a night shift: no personal page may come back from the cache.
        # (The session is read, not the user: no database work for a header, nor for static files.)
        response.headers["Cache-Control"] = "no-store"
    return response


def refuse_nul_bytes() -> None:
    """Nobody types a NUL, and PostgreSQL refuses one in any text: a bad request, not a server error."""
    if "\x00" in request.path or _holds_nul(request.args) or _holds_nul(request.form):
        abort(400)


def _holds_nul(data: MultiDict[str, str]) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul_bytes)
    app.after_request(add_security_headers)
