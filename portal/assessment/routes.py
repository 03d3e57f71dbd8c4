"""Taking a quiz: start, one question per page, save (per page, or on change with JavaScript), check in
practice mode, submit, result and review."""

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload

from portal.assessment import bp, messages, services
from portal.assessment.answers import (
    AnswerFormError,
    form_values,
    is_answered,
    response_from_form,
)
from portal.assessment.core import InvalidResponse, Mode
from portal.assessment.messages import form_problem_message, refusal_message
from portal.assessment.services import AttemptRefused, Refusal, SaveOrder
from portal.errors import abort_with
from portal.extensions import db
from portal.learning.services import module_or_404, section_or_404
from portal.models import Module, ModuleVersion, QuizAttempt, SectionKind, SectionVersion, utcnow

# What every page of an attempt shows, read with the attempt in one round trip: the quiz version and
# the section (both immutable) and the heading of the section's module (read fresh: it can change).
_WITH_QUIZ = joinedload(QuizAttempt.quiz_version)
_WITH_HEADING = (
    joinedload(QuizAttempt.section_version)
    .joinedload(SectionVersion.module)
    .joinedload(Module.current_version)
    .load_only(ModuleVersion.title)
)


@bp.post("/learning/modules/<slug>/<section_slug>/attempts")
@login_required
def start(slug: str, section_slug: str):
    section = section_or_404(module_or_404(slug, current_user.organisation_id), section_slug)
    if section.kind is not SectionKind.QUIZ or section.quiz_version is None:
        abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        attempt = services.start(current_user, section)
    except AttemptRefused as refusal:
        db.session.commit()  # an attempt whose time ran out may just have been handed in
        flash(refusal_message(refusal), "error")
        return redirect(url_for("learning.section", slug=slug, section_slug=section_slug))
    db.session.commit()
    return redirect(_resume_url(attempt))


def _resume_url(attempt: QuizAttempt) -> str:
    """Where a resumed attempt continues: the first question not answered yet, else the overview."""
    if attempt.last_saved_at is None:  # every save stamps the attempt: nothing was answered yet
        return url_for(".question", attempt_id=attempt.id, number=1)
    answers = services.responses_of(attempt)
    for number, question_id in enumerate(attempt.question_ids, start=1):
        if question_id not in answers or not is_answered(answers[question_id].response):
            return url_for(".question", attempt_id=attempt.id, number=number)
    return url_for(".summary", attempt_id=attempt.id)


def _own_attempt(attempt_id: int, *, with_heading: bool = True) -> QuizAttempt:
    options = [_WITH_QUIZ, _WITH_HEADING] if with_heading else [_WITH_QUIZ]
    attempt = db.session.get(QuizAttempt, attempt_id, options=options)
    if attempt is None:
        abort(404)
    if attempt.user_id != current_user.id:
        abort_with(403, messages.someone_elses_attempt())
    return attempt


def _module_of(section: SectionVersion) -> Module | None:
    """The section's module while learners can open it (as `module_or_none` would find it)."""
    module = section.module
    return module if module.is_open else None


def _closed_if_expired(attempt: QuizAttempt):
    """Hand in an attempt whose time ran out, and send the learner to its result; else None."""
    if services.close_if_expired(attempt):
        db.session.commit()
        flash(refusal_message(AttemptRefused(Refusal.DEADLINE_PASSED, attempt.deadline)), "error")
        return redirect(url_for(".result", attempt_id=attempt.id))
    if not attempt.is_open:
        return redirect(url_for(".result", attempt_id=attempt.id))
    return None


def _page(attempt: QuizAttempt, number: int, **extra):
    quiz = services.quiz_of(attempt.quiz_version)
    drawn = services.draw_of(attempt, quiz)
    if not 1 <= number <= len(drawn.question_ids):
        abort(404)
    question_id = drawn.question_ids[number - 1]
    answers = services.responses_of(attempt)
    answer = answers.get(question_id)
    section = attempt.section_version
    values = extra.pop("values", None)
    if values is None:
        values = form_values(quiz.question(question_id), answer and answer.response)
    return render_template(
        "assessment/question.html",
        attempt=attempt,
        quiz=quiz,
        module=_module_of(section),
        section=section,
        number=number,
        count=len(drawn.question_ids),
        question=quiz.question(question_id),
        order=drawn.option_order(question_id),
        values=values,
        answer=answer,
        answered=[is_answered(answers[q].response) if q in answers else False for q in drawn.question_ids],
        is_practice=quiz.mode is Mode.PRACTICE,
        form=FlaskForm(),
        **extra,
    )


@bp.get("/learning/attempts/<int:attempt_id>/<int:number>")
@login_required
def question(attempt_id: int, number: int):
    attempt = _own_attempt(attempt_id)
    return _closed_if_expired(attempt) or _page(attempt, number)


@bp.post("/learning/attempts/<int:attempt_id>/<int:number>")
@login_required
def answer(attempt_id: int, number: int):
    attempt = _own_attempt(attempt_id, with_heading=False)  # a page shown again loads it then
    wants_json = request.accept_mimetypes.best == "application/json"
    if not FlaskForm().validate_on_submit():
        abort(400)
    quiz = services.quiz_of(attempt.quiz_version)
    drawn = services.draw_of(attempt, quiz)
    if not 1 <= number <= len(drawn.question_ids):
        abort(404)
    question_id = request.form.get("question", "")
    if question_id != drawn.question_ids[number - 1]:  # a stale or forged form
        abort_with(400, messages.not_on_this_page())
    question = quiz.question(question_id)
    try:
        response = response_from_form(question, request.form)
    except AnswerFormError as error:
        message = form_problem_message(error.problem, len(drawn.option_order(question_id)))
        if wants_json:
            return jsonify(error=message), 422
        return _page(attempt, number, error=message, values=_posted_values(request.form)), 422
    go = request.form.get("go", "next")
    if go == "check" and quiz.mode is not Mode.PRACTICE:
        abort(400)  # an exam has no check button: answers are graded at hand-in
    try:
        order = _save_order(request.form)
        if go == "check":
            feedback = services.check_answer(attempt, question_id, response, order=order)
        elif not services.is_locked(attempt, quiz, question_id):  # a locked answer's fields are not sent
            services.save_answer(attempt, question_id, response, order=order)
    except InvalidResponse:
        db.session.rollback()
        abort_with(400, messages.unknown_choice())
    except AttemptRefused as refusal:
        db.session.commit()  # keeps the hand-in of an attempt whose time ran out
        target = (
            url_for(".question", attempt_id=attempt.id, number=number)
            if refusal.reason is Refusal.LOCKED
            else url_for(".result", attempt_id=attempt.id)
        )
        if wants_json:
            return jsonify(error=refusal_message(refusal), redirect=target), 409
        flash(refusal_message(refusal), "error")
        return redirect(target)
    db.session.commit()
    if wants_json:
        return jsonify(saved=True, saved_at=format_datetime(utcnow(), "HH:mm:ss"))
    if go == "check":
        return _page(attempt, number, feedback=feedback)
    return redirect(_destination(attempt, number, len(drawn.question_ids), go))


def _save_order(form) -> SaveOrder | None:
    """The page's key and save number, which quiz.js adds; absent without JavaScript."""
    key, seq = form.get("page_key", ""), form.get("page_seq", "")
    if not key or len(key) > 40 or not seq.isdigit():
        return None
    return SaveOrder(key, int(seq))


def _posted_values(form) -> dict:
    """What was posted, to show it again with its error (the templates take one value or a list)."""
    return {key: values if len(values) > 1 else values[0] for key, values in form.lists()}


def _destination(attempt: QuizAttempt, number: int, count: int, go: str) -> str:
    if go == "summary" or (go == "next" and number == count):
        return url_for(".summary", attempt_id=attempt.id)
    if go == "previous":
        return url_for(".question", attempt_id=attempt.id, number=max(1, number - 1))
    if go.isdigit() and 1 <= int(go) <= count:
        return url_for(".question", attempt_id=attempt.id, number=int(go))
    return url_for(".question", attempt_id=attempt.id, number=min(count, number + 1))


@bp.get("/learning/attempts/<int:attempt_id>/summary")
@login_required
def summary(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    closed = _closed_if_expired(attempt)
    if closed:
        return closed
    quiz = services.quiz_of(attempt.quiz_version)
    drawn = services.draw_of(attempt, quiz)
    answers = services.responses_of(attempt)
    section = attempt.section_version
    return render_template(
        "assessment/summary.html",
        attempt=attempt,
        quiz=quiz,
        module=_module_of(section),
        section=section,
        rows=[
            (number, quiz.question(qid), qid in answers and is_answered(answers[qid].response))
            for number, qid in enumerate(drawn.question_ids, start=1)
        ],
        form=FlaskForm(),
    )


@bp.post("/learning/attempts/<int:attempt_id>/submit")
@login_required
def submit(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    # A second submit (a double click, another tab) finds it handed in; a late one hands in what was
    # saved in time, as the deadline would have.
    if not services.close_if_expired(attempt):
        services.submit(attempt)
    db.session.commit()
    return redirect(url_for(".result", attempt_id=attempt.id))


@bp.get("/learning/attempts/<int:attempt_id>")
@login_required
def result(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if services.close_if_expired(attempt):
        db.session.commit()
    if attempt.is_open:
        return redirect(url_for(".summary", attempt_id=attempt.id))
    quiz = services.quiz_of(attempt.quiz_version)
    drawn = services.draw_of(attempt, quiz)
    answers = services.responses_of(attempt)
    graded = services.result_of(attempt, quiz, answers)
    section = attempt.section_version
    module = _module_of(section)
    state = services.overview(current_user, attempt.quiz_version)
    return render_template(
        "assessment/result.html",
        attempt=attempt,
        quiz=quiz,
        module=module,
        section=section,
        state=state,
        review=[
            (
                number,
                quiz.question(r.question_id),
                drawn.option_order(r.question_id),
                answers[r.question_id].response if r.question_id in answers else None,
                r,
            )
            for number, r in enumerate(graded.results, start=1)
        ],
        section_is_current=module is not None and section in module.current_version.sections,
    )
