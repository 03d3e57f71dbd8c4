from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.assessment.messages import refusal_message
from portal.assessment.services import overview
from portal.authoring.routines import to_confirm
from portal.certification.learner import my_standings
from portal.certification.services import local_today
from portal.extensions import db
from portal.learning import bp
from portal.learning.forms import CompleteForm
from portal.learning.services import (
    SELF_COMPLETING,
    active_modules,
    complete_section,
    completion_time,
    is_for,
    last_visited,
    module_or_404,
    record_watching,
    resume_slug,
    section_or_404,
    statuses,
    visit,
)
from portal.models import SectionKind
from portal.simulator.services import exercise_runs


@bp.get("/")
@login_required
def dashboard():
    everything = statuses(current_user, active_modules(current_user.organisation_id))
    show_all = request.args.get("all") == "1"
    return render_template(
        "learning/dashboard.html",
        in_progress=[s for s in everything if s.is_started],
        completed=[s for s in everything if s.completed_version is not None],
        catalogue=[s for s in everything if show_all or is_for(current_user, s.version)],
        show_all=show_all,
        certifications=my_standings(current_user, local_today()),
        exercises=[run for run in exercise_runs(current_user.id, 20) if run.finished_at][:5],
        routines=to_confirm(current_user),
    )


@bp.get("/modules/<slug>")
@login_required
def module(slug: str):
    module = module_or_404(slug, current_user.organisation_id)
    status = statuses(current_user, [module])[0]
    last = last_visited(current_user, module)
    return render_template(
        "learning/module.html",
        module=module,
        version=module.current_version,
        status=status,
        resume=resume_slug(status, last),
        has_visited=last is not None,
        completed_at=completion_time(current_user, module.current_version) if status.is_completed else None,
    )


@bp.get("/modules/<slug>/<section_slug>")
@login_required
def section(slug: str, section_slug: str):
    module = module_or_404(slug, current_user.organisation_id)
    section = section_or_404(module, section_slug)
    progress = visit(current_user, module, section)
    quiz_state = overview(current_user, section.quiz_version) if section.quiz_version_id else None
    db.session.commit()  # writes only on a first visit, a move to another section or a quiz timed out
    sections = module.current_version.sections
    index = sections.index(section)
    return render_template(
        "learning/section.html",
        module=module,
        section=section,
        progress=progress,
        previous=sections[index - 1] if index > 0 else None,
        next=sections[index + 1] if index + 1 < len(sections) else None,
        position=index + 1,
        count=len(sections),
        form=CompleteForm(),
        quiz_state=quiz_state,
        refusal_text=refusal_message(quiz_state.refusal) if quiz_state and quiz_state.refusal else None,
    )


@bp.post("/modules/<slug>/<section_slug>/complete")
@login_required
def complete(slug: str, section_slug: str):
    module = module_or_404(slug, current_user.organisation_id)
    section = section_or_404(module, section_slug)
    form = CompleteForm()
    if not form.validate_on_submit():
        abort(400)
    if section.kind in SELF_COMPLETING:
        abort(400)
    if not complete_section(current_user, module, section, confirmed=bool(form.confirm_watched.data)):
        db.session.rollback()
        flash(_("Watch the film to the end, or tick that you have watched it."), "error")
        return redirect(url_for("learning.section", slug=slug, section_slug=section_slug))
    db.session.commit()
    flash(_("The section is done."), "success")
    return redirect(_after(module, section))


def _after(module, section) -> str:
    sections = module.current_version.sections
    index = sections.index(section)
    if index + 1 < len(sections):
        return url_for("learning.section", slug=module.slug, section_slug=sections[index + 1].slug)
    return url_for("learning.module", slug=module.slug)


@bp.post("/modules/<slug>/<section_slug>/watched")
@login_required
def watched(slug: str, section_slug: str):
    module = module_or_404(slug, current_user.organisation_id)
    section = section_or_404(module, section_slug)
    report = request.get_json(silent=True)
    if section.kind is not SectionKind.VIDEO or not isinstance(report, dict):
        abort(400)
    progress = record_watching(current_user, module, section, report)
    if progress is None:
        abort(400)
    db.session.commit()
    return jsonify(
        watched=progress.watched,
        completed=progress.status.value == "completed",
        position=progress.position_seconds,
    )
