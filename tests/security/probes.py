"""What the security tests look at in every answer and in the whole database, shared by their modules."""

import re
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask_babel import force_locale, gettext
from markupsafe import escape

from portal.extensions import db

# portal/errors.py's own words for a refused CSRF token: a bare 400 would also pass an empty form.
CSRF_TEXT = "The form had expired or was not sent from this site. Reload the page and try again."
SAFE_REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
ONE_YEAR = 365 * 24 * 3600
TOKEN_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_in(page: str) -> str:
    return TOKEN_INPUT.search(page).group(1)


def is_csrf_refusal(app: Flask, response) -> bool:
    """A 400 with the CSRF error page, in whichever language the visitor reads."""
    if response.status_code != 400:
        return False
    with app.test_request_context():
        texts = []
        for language in app.config["LANGUAGES"]:
            with force_locale(language):
                texts.append(str(escape(gettext(CSRF_TEXT))))
    return any(text in response.text for text in texts)


def policy(response) -> dict[str, str]:
    """The Content-Security-Policy's directives by name."""
    parts = (part.strip() for part in response.headers.get("Content-Security-Policy", "").split(";"))
    return {part.split(" ", 1)[0]: part.partition(" ")[2] for part in parts if part}


def header_problems(response, *, https: bool, signed_in: bool) -> list[str]:
    """Every security header that is missing or too weak on `response`; empty when all are right."""
    headers, csp = response.headers, policy(response)
    problems = []
    if not csp:
        problems.append("no Content-Security-Policy")
    if any("'unsafe-inline'" in value or "'unsafe-eval'" in value for value in csp.values()):
        problems.append("the CSP allows inline or eval'd code")
    scripts = csp.get("script-src", csp.get("default-src", "*")).split()
    if "*" in scripts or "data:" in scripts or "https:" in scripts:
        problems.append("the CSP allows scripts from anywhere")
    if csp.get("frame-ancestors") != "'none'" or headers.get("X-Frame-Options") != "DENY":
        problems.append("the page may be framed")
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no nosniff")
    if headers.get("Referrer-Policy") not in SAFE_REFERRER_POLICIES:
        problems.append(f"Referrer-Policy {headers.get('Referrer-Policy')!r}")
    hsts = headers.get("Strict-Transport-Security", "")
    if https and not _max_age(hsts) >= ONE_YEAR:
        problems.append(f"HSTS {hsts!r} over HTTPS")
    if signed_in and response.mimetype == "text/html" and "no-store" not in headers.get("Cache-Control", ""):
        problems.append("a signed-in page may be cached")
    return problems


def _max_age(hsts: str) -> int:
    found = re.search(r"max-age=(\d+)", hsts)
    return int(found.group(1)) if found else 0


def database_rows() -> dict[str, list[str]]:
    """Every row of every table, to compare before and after a request that must change nothing."""
    db.session.rollback()  # a fresh read: the requests ran in sessions of their own
    return {
        table.name: sorted(repr(tuple(row)) for row in db.session.execute(sa.select(table)))
        for table in db.metadata.sorted_tables
    }


def stored_files(folder: str) -> list[str]:
    root = Path(folder)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*")) if root.exists() else []
