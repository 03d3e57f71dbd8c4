"""Security headers on every response."""

from flask import Flask, Response, request
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

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
    if response.mimetype == "text/html" and _is_signed_in():
        # Shared computers on a night shift: no personal page may come back from the cache.
        response.headers["Cache-Control"] = "no-store"
    return response


def _is_signed_in() -> bool:
    try:
        return bool(current_user and current_user.is_authenticated)
    except SQLAlchemyError:  # the database may be why this response is an error page
        return False


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
