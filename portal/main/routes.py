import logging

import sqlalchemy as sa
from flask import current_app, jsonify, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload

from portal.auth.decorators import role_required
from portal.extensions import db
from portal.i18n import LANGUAGE_COOKIE
from portal.main import bp
from portal.main.forms import LanguageForm
from portal.main.services import managed_units_with_staff
from portal.models import Role, User

log = logging.getLogger(__name__)


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    _load_workplace(current_user.id)
    return render_template("main/index.html")


def _load_workplace(user_id: int) -> None:
    """The signed-in person's organisation and units, which the start page shows, in one round trip
    (other pages read only the user's own row); the rows fill the user already in the session."""
    query = sa.select(User).where(User.id == user_id)
    db.session.scalars(
        query.options(joinedload(User.organisation), joinedload(User.memberships))
    ).unique().one()


@bp.get("/my-units")
@role_required(Role.MANAGER)
def my_units():
    return render_template("main/my_units.html", units=managed_units_with_staff(current_user))


@bp.post("/language")
def set_language():
    form = LanguageForm()
    target = _back_to(request.referrer)
    if not form.validate_on_submit():
        return redirect(target)
    response = make_response(redirect(target))
    response.set_cookie(
        LANGUAGE_COOKIE,
        form.language.data,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
    )
    if current_user.is_authenticated:
        current_user.language = form.language.data
        db.session.commit()
    return response


def _back_to(referrer: str | None) -> str:
    """Back where the switch was pressed, if that was this site."""
    if referrer and referrer.startswith(request.host_url):
        return "/" + referrer.removeprefix(request.host_url)
    return url_for("main.index")


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError as error:
        log.error("health check: database unreachable: %s", error)
        db.session.rollback()
        database = "error"
    healthy = database == "ok"
    body = {"status": "ok" if healthy else "error", "app": "ok", "database": database}
    return jsonify(body), 200 if healthy else 503
