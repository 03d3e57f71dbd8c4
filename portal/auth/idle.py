"""A signed-in session ends after SESSION_IDLE_HOURS without use, and when the browser closes.

Flask refuses a session cookie whose signature is older than PERMANENT_SESSION_LIFETIME, and a
cookie is signed again only when the session changes. So a signed-in session is changed once in
every few minutes of use: the signature's age is then the time since the person last did anything.
The cookie itself stays a browser-session cookie (sessions are not made permanent), so closing the
browser on a shared computer in the office still signs out.
"""

import time

from flask import session

from portal.auth import bp

MARK_SECONDS = 300  # not every request: a concurrent request's older cookie could undo a flash


@bp.after_app_request
def mark_an_active_session(response):
    if "_user_id" in session:
        mark = int(time.time()) // MARK_SECONDS
        if session.get("_active") != mark:
            session["_active"] = mark
    return response
