"""My routines, reading and confirming one, and the managers' page of who has confirmed what. A routine
that is not for the person (or is another organisation's) is not found."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.auth.decorators import role_required
from portal.authoring import routines as services
from portal.errors import abort_with
from portal.extensions import db
from portal.models import Role
from portal.routines import bp
from portal.routines.forms import ConfirmReadForm


@bp.get("/")
@login_required
def index():
    found = services.routines_for(current_user)
    return render_template(
        "routines/index.html",
        to_confirm=[item for item in found if not item.is_confirmed],
        confirmed=[item for item in found if item.is_confirmed],
    )


@bp.get("/<int:content_id>")
@login_required
def routine(content_id: int):
    found = services.routines_for(current_user, content_id)
    if found:
        return render_template(
            "routines/routine.html", item=found[0], routine=found[0].routine, form=ConfirmReadForm()
        )
    return render_template("routines/routine.html", item=None, routine=_overseen_or_404(content_id))


def _overseen_or_404(content_id: int) -> services.PublishedRoutine:
    """A manager may read a routine meant for one of their units, to know what their staff confirm."""
    if current_user.has_role(Role.MANAGER):
        for routine in services.published_routines(current_user.organisation_id, content_id):
            unit_ids = set(routine.rendered.get("unit_ids", []))
            if current_user.managed_units and (not unit_ids or unit_ids & current_user.managed_unit_ids):
                return routine
    abort(404)


@bp.post("/<int:content_id>/confirm")
@login_required
def confirm(content_id: int):
    if not ConfirmReadForm().validate_on_submit():
        abort(400)
    item = services.confirm(current_user, content_id)
    if item is None:
        abort(404)
    db.session.commit()
    flash(_("Thank you. Your confirmation that you have read it is recorded."), "success")
    return redirect(url_for("routines.index"))


@bp.get("/confirmations")
@role_required(Role.MANAGER)
def confirmations():
    chosen = _chosen_unit()
    unit_ids = [chosen] if chosen is not None else current_user.managed_unit_ids
    return render_template(
        "routines/confirmations.html",
        matrix=services.confirmations(current_user, unit_ids),
        chosen=chosen,
    )


def _chosen_unit() -> int | None:
    """The unit asked for in ?unit=, None for all the manager's units; a unit not theirs is not found."""
    unit = request.args.get("unit", "")
    if not unit:
        return None
    if not unit.isdigit():
        abort_with(400, _("Choose one of your units from the list."))
    if int(unit) not in current_user.managed_unit_ids:
        abort(404)
    return int(unit)
