"""Exercises: a logged-in trainee picks a role and a scenario; results are kept and count toward
certifications that require the exercise."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.errors import abort_with
from portal.i18n import pick
from portal.models import RunMode
from portal.simulator import bp, services
from portal.simulator.catalogue import ROLES, exercises_for, roles_of, scenarios
from portal.simulator.labels import role_label
from portal.simulator.messages import run_error_text


@bp.get("/ovningar")
@login_required
def exercises():
    runs = services.exercise_runs(current_user.id)
    passed = {(r.scenario_slug, r.role) for r in runs if r.passed}
    roles = [(role, role_label(role), exercises_for(role)) for role in ROLES]
    return render_template("simulator/exercises.html", roles=roles, runs=runs, passed=passed)


@bp.post("/ovningar/<slug>")
@login_required
def start_exercise(slug: str):
    scenario = scenarios().get(slug)
    if scenario is None:
        abort_with(404, _("There is no such exercise."))
    role = request.form.get("role", "")
    if role not in roles_of(scenario):
        flash(_("Choose one of the roles this scenario has an exercise for."), "error")
        return redirect(url_for("simulator.exercises"))
    try:
        run = services.create_run(
            scenario, mode=RunMode.EXERCISE, role=role, user=current_user,
            client=services.client_key(request.remote_addr, current_user),
        )  # fmt: skip
    except services.RunError as error:
        abort_with(429, run_error_text(error.code))
    return redirect(url_for("simulator.run", run_id=run.id))


@bp.app_template_global()
def scenario_title(slug: str) -> str:
    """A scenario's title in the reader's language (its slug when it is gone)."""
    scenario = scenarios().get(slug)
    return pick(scenario.title) if scenario else slug


@bp.app_template_global()
def exercise_role(slug: str) -> str:
    """The first role with an exercise in scenario ``slug`` (for links to it)."""
    scenario = scenarios().get(slug)
    found = roles_of(scenario) if scenario else []
    return found[0] if found else ""
