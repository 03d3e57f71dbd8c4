from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from portal.auth import bp
from portal.auth.forms import LoginForm, PasswordChangeForm
from portal.auth.services import authenticate, find_user, normalise_username, set_password
from portal.auth.throttle import locked_minutes, record_attempt
from portal.errors import render_error
from portal.extensions import db


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("main.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    username = normalise_username(form.username.data)[:64]
    address = request.remote_addr or "unknown"
    wait = locked_minutes(username, address)
    if wait:
        message = _("Too many failed attempts. Try again in %(n)d minutes.", n=wait)
        return render_error(429, message)[0], 429, {"Retry-After": str(wait * 60)}
    candidate = find_user(form.username.data)
    user = authenticate(candidate, form.password.data)
    record_attempt(username, address, candidate.id if candidate else None, user is not None)
    if user is None:
        db.session.commit()
        flash(_("Wrong username or password."), "error")
        return render_template("auth/login.html", form=form), 200
    session.clear()  # a fresh session at every login: nothing planted before it survives
    db.session.commit()  # first: a login the database could not record must not sign anyone in
    login_user(user)
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
@login_required
def logout():
    current_user.rotate_session_token()  # a copy of the cookie, wherever it is, is signed out too
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    user = current_user._get_current_object()
    form = PasswordChangeForm(username=user.username)
    if form.validate_on_submit():
        set_password(user, form.new_password.data)
        db.session.commit()
        login_user(user)  # the token changed: keep this session, end all others
        flash(_("Your password has been changed. Other sessions have been logged out."), "success")
        return redirect(url_for("main.index"))
    return render_template("auth/password.html", form=form)
