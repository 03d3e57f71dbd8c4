"""A run's page and its controls: step, clock, speed, injections, the trainee's actions, the result,
and the device endpoint. Plain forms work without JavaScript (each answers with a redirect to the
page); the page's script sends the same forms with ``X-Live: 1`` and gets the live part back."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.alarmchain import Injection, LiveRun
from portal.errors import abort_with
from portal.extensions import csrf, db
from portal.models import RunMode, SimulationRun
from portal.simulator import bp, services
from portal.simulator.catalogue import scenarios
from portal.simulator.labels import injection_help, injection_label, refusal_label
from portal.simulator.messages import run_error_text
from portal.simulator.present import live_view

SCAIP_TYPE = "application/scaip+xml"


def _user():
    return current_user if current_user.is_authenticated else None


def run_or_404(run_id: str) -> SimulationRun:
    """The run, if this visitor may see it: a demo by its link, an exercise only by its trainee."""
    run = db.session.get(SimulationRun, run_id) if len(run_id) <= 32 else None
    if run is None:
        abort_with(404, _("There is no such run. Runs of the demo are removed after a day."))
    if run.mode is RunMode.EXERCISE and (_user() is None or run.user_id != current_user.id):
        abort_with(404, _("There is no such run. Runs of the demo are removed after a day."))
    return run


def _wants_live() -> bool:
    return request.headers.get("X-Live") == "1"


def _render_live(run: SimulationRun, state: LiveRun, error: str | None = None, status: int = 200):
    view = live_view(state, services.options_of(run, state), services.role_of(run))
    html = render_template("simulator/_live.html", run=run, view=view, error=error)
    return html, status


def _answer(run: SimulationRun, change, *args):
    """Run ``change`` and answer the script with the live part, or the form with a redirect."""
    try:
        state = change(run, *args)
    except services.RunError as error:
        text = _refusal_text(error)
        if _wants_live():
            return _render_live(run, services.live(run), text, 409 if error.code != "refused" else 422)
        flash(text, "error")
        return redirect(url_for("simulator.run", run_id=run.id))
    if _wants_live():
        return _render_live(run, state)
    return redirect(url_for("simulator.run", run_id=run.id, _anchor="live"))


def _refusal_text(error: services.RunError) -> str:
    if error.code == "refused":
        return refusal_label(error.params.get("code", ""), error.params.get("reason", ""))
    return run_error_text(error.code)


@bp.post("/runs")
def start_demo():
    scenario = scenarios().get(request.form.get("scenario", ""))
    if scenario is None:
        flash(_("Choose one of the scenarios."), "error")
        return redirect(url_for("simulator.overview", _anchor="demo"))
    try:
        run = services.create_run(
            scenario,
            mode=RunMode.DEMO,
            client=services.client_key(request.remote_addr, _user()),
            user=_user(),
        )
    except services.RunError as error:
        abort_with(429, run_error_text(error.code))
    return redirect(url_for("simulator.run", run_id=run.id))


@bp.get("/runs/<run_id>")
def run(run_id: str):
    found = run_or_404(run_id)
    try:
        state = services.live(found)
    except services.RunError as error:
        abort_with(410, run_error_text(error.code))
    view = live_view(state, services.options_of(found, state), services.role_of(found))
    return render_template(
        "simulator/run.html", run=found, view=view, error=None, speeds=services.SPEEDS,
        injections=[(key, injection_label(key), injection_help(key)) for key in Injection]
        if found.mode is RunMode.DEMO else [],
    )  # fmt: skip


@bp.get("/runs/<run_id>/live")
def live_part(run_id: str):
    found = run_or_404(run_id)
    return _render_live(found, services.live(found))


@bp.post("/runs/<run_id>/step")
def step(run_id: str):
    return _answer(run_or_404(run_id), services.step)


@bp.post("/runs/<run_id>/advance")
def advance(run_id: str):
    seconds = request.form.get("seconds", type=int)
    if seconds is None or not 0 < seconds <= services.MAX_ADVANCE.total_seconds():
        return _bad_input(run_or_404(run_id), _("The clock can move from 1 second to 10 minutes at a time."))
    return _answer(run_or_404(run_id), services.advance, seconds)


@bp.post("/runs/<run_id>/speed")
def speed(run_id: str):
    chosen = request.form.get("speed", type=int)
    if chosen not in services.SPEEDS:
        return _bad_input(run_or_404(run_id), _("Choose one of the speeds."))
    return _answer(run_or_404(run_id), services.set_speed, chosen)


@bp.post("/runs/<run_id>/inject")
def inject(run_id: str):
    found = run_or_404(run_id)
    try:
        what = Injection(request.form.get("injection", ""))
    except ValueError:
        return _bad_input(found, _("Choose one of the things that can go wrong."))
    return _answer(found, services.inject, what)


@bp.post("/runs/<run_id>/act")
def act(run_id: str):
    found = run_or_404(run_id)
    key = request.form.get("option", "")
    if not key or len(key) > 200:
        return _bad_input(found, _("Choose one of the actions."))
    return _answer(found, services.act, key)


@bp.post("/runs/<run_id>/finish")
def finish(run_id: str):
    found = run_or_404(run_id)
    try:
        services.finish(found)
    except services.RunError as error:
        flash(run_error_text(error.code), "error")
    return redirect(url_for("simulator.run", run_id=found.id, _anchor="result"))


def _bad_input(run: SimulationRun, text: str):
    if _wants_live():
        return _render_live(run, services.live(run), text, 400)
    flash(text, "error")
    return redirect(url_for("simulator.run", run_id=run.id))


@bp.post("/runs/<run_id>/scaip")
@csrf.exempt
def device(run_id: str):
    """The run's SCAIP receiver: an outside program plays the device with ``<mrq>`` bodies."""
    found = db.session.get(SimulationRun, run_id) if len(run_id) <= 32 else None
    if found is None or found.mode is not RunMode.DEMO:
        abort(404)
    mimetype = (request.mimetype or "").lower()
    if mimetype != SCAIP_TYPE:
        reply = services.DeviceReply(415, services.scaip_refusal(2, "content_type"))
    elif (request.content_length or 0) > services.MAX_BODY:
        reply = services.DeviceReply(413, services.scaip_refusal(1, "too_long"))
    else:
        body = request.stream.read(services.MAX_BODY + 1)
        reply = services.device_message(found, body)
    return Response(reply.body, status=reply.status, mimetype=SCAIP_TYPE)
