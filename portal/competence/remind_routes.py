"""'Remind now': a manager emails one employee of their units about one certification, at once."""

from flask import abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.routing import BuildError

from portal.auth.decorators import role_required
from portal.certification.reminder_mail import Outcome, remind_now
from portal.certification.services import standings
from portal.competence import bp
from portal.competence.scope import employee_or_404
from portal.extensions import db
from portal.i18n import pick
from portal.models import Certification, Role


@bp.post("/employees/<int:user_id>/remind/<int:certification_id>")
@role_required(Role.MANAGER)
def remind(user_id: int, certification_id: int):
    employee = employee_or_404(current_user, user_id)
    certification = db.session.get(Certification, certification_id)
    if certification is None or not certification.is_active or certification.current_version is None:
        abort(404)
    cell = standings([employee.id], [certification]).get((employee.id, certification.id))
    if cell is None:  # neither assigned nor held: nothing to remind of
        abort(404)
    outcome = remind_now(current_user, employee, certification, cell)
    if outcome is Outcome.SENT:
        db.session.commit()
    else:
        db.session.rollback()
    _flash(outcome, employee.full_name, pick(certification.current_version.title))
    return redirect(_employee_page(employee.id))


def _flash(outcome: Outcome, name: str, title: str) -> None:
    if outcome is Outcome.SENT:
        flash(_("A reminder about %(certification)s has been sent to %(name)s.", certification=title, name=name),
              "success")  # fmt: skip
    elif outcome is Outcome.TOO_SOON:
        minutes = current_app.config["REMINDER_MANUAL_MINUTES"]
        flash(ngettext(
            "%(name)s was reminded about %(certification)s less than %(num)d minute ago. You can send another reminder later.",
            "%(name)s was reminded about %(certification)s less than %(num)d minutes ago. You can send another reminder later.",
            minutes, name=name, certification=title,
        ), "info")  # fmt: skip
    elif outcome is Outcome.NO_EMAIL:
        flash(
            _("%(name)s has no email address in the portal, so no reminder could be sent.", name=name),
            "error",
        )
    elif outcome is Outcome.REFUSED:
        flash(_("The mail server did not accept the email address of %(name)s. No reminder was sent.", name=name),
              "error")  # fmt: skip
    else:
        flash(_("The reminder could not be sent because the mail server is not answering. Please try again later."),
              "error")  # fmt: skip


def _employee_page(user_id: int) -> str:
    try:
        return url_for("competence.employee", user_id=user_id)
    except BuildError:  # the employee page is not there (yet)
        return "/competence/"
