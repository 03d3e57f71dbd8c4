"""The quiz editor of a local module's draft: the settings, the question bank and a form for each type
of question. Every change is checked as a whole quiz by portal/assessment/core before it is saved, and
nothing is saved while anything in it is wrong (a quiz still without questions is only unfinished)."""

from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from portal.authoring import bp, quiz_data, workflow
from portal.authoring.access import author_required, content_or_404, draft_or_404
from portal.authoring.editing import save_or_conflict, saved_message
from portal.authoring.files import QUIZ_FILE
from portal.authoring.forms import LockedForm
from portal.authoring.quiz_forms import (
    TYPE_LABELS,
    TYPE_NAMES,
    NewQuestionForm,
    QuestionForm,
    QuizSettingsForm,
)
from portal.authoring.quiz_problems import (
    Located,
    SummaryItem,
    place,
    problems_of,
    question_target,
    row_label,
    settings_target,
    summary,
)
from portal.authoring.quiz_yaml import UnreadableQuiz, dump_quiz, read_quiz
from portal.extensions import db
from portal.models import ContentKind, LocalContent, Revision, RevisionStatus


class Quiz:
    """The draft being edited and its quiz.yaml as plain data."""

    def __init__(self, content: LocalContent, revision: Revision) -> None:
        self.content, self.revision = content, revision
        self.settings, self.questions = read_quiz(revision.files[QUIZ_FILE])

    @property
    def ids(self) -> list[str]:
        return [str(question.get("id")) for question in self.questions]

    def index_or_404(self, question_id: str) -> int:
        if question_id not in self.ids:
            abort(404)
        return self.ids.index(question_id)

    def problems(self, settings: dict[str, Any], questions: list[dict[str, Any]]) -> list[Located]:
        return problems_of(settings, questions, self.content.slug)

    def new_problems(self, problems: list[Located]) -> list[Located]:
        """Those of `problems` the quiz did not have before the change. A quiz written elsewhere may have
        problems already; a change that adds none is saved, so that they can be fixed one at a time."""
        if not problems:
            return []
        before = {problem.key for problem in self.problems(self.settings, self.questions)}
        return [problem for problem in problems if problem.key not in before]

    def save(self, lock: int | None, settings: dict[str, Any], questions: list[dict[str, Any]]):
        return save_or_conflict(self.revision, lock, {QUIZ_FILE: dump_quiz(settings, questions)})


def _draft(content_id: int) -> tuple[LocalContent, Revision]:
    content = content_or_404(content_id, ContentKind.MODULE)
    revision = draft_or_404(content)
    if revision.status is not RevisionStatus.DRAFT:
        flash(_("The draft is in review: ask for changes to edit it again."), "error")
        abort(redirect(url_for("authoring.item", content_id=content.id)))
    return content, revision


def _quiz(content_id: int) -> Quiz:
    """The draft's quiz; not found without one, and back to the quiz page when it cannot be read."""
    content, revision = _draft(content_id)
    if QUIZ_FILE not in revision.files:
        abort(404)
    try:
        return Quiz(content, revision)
    except UnreadableQuiz:
        abort(redirect(url_for("authoring.quiz_edit", content_id=content.id)))


@bp.route("/items/<int:content_id>/quiz", methods=["GET", "POST"])
@author_required
def quiz_edit(content_id: int):
    content, revision = _draft(content_id)
    if QUIZ_FILE not in revision.files:
        return _create_quiz(content, revision)
    try:
        quiz = Quiz(content, revision)
    except UnreadableQuiz as error:
        return render_template(
            "authoring/quiz.html", content=content, revision=revision, unreadable=str(error)
        )
    if request.method == "GET":
        return _quiz_page(quiz, _settings_form(quiz), quiz.problems(quiz.settings, quiz.questions))
    form = QuizSettingsForm()
    form.fixed.choices = _fixed_choices(quiz)
    if not form.validate_on_submit():
        return _quiz_page(quiz, form, [], 400)
    built = quiz_data.settings_from_form(form, quiz.settings, quiz.ids)
    problems = quiz.problems(built.data, quiz.questions)
    elsewhere = place(form, problems, settings_target(form, built.rows))
    if len(elsewhere) < len(problems) or quiz.new_problems(elsewhere):
        return _quiz_page(quiz, form, elsewhere, 400)
    refused = quiz.save(form.lock.data, built.data, quiz.questions)
    if refused is not None:
        return refused
    saved_message()
    return redirect(url_for("authoring.quiz_edit", content_id=content.id))


def _create_quiz(content: LocalContent, revision: Revision):
    form = LockedForm(lock=revision.lock_version)
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        refused = save_or_conflict(revision, form.lock.data, quiz_data.new_quiz_files(revision.files))
        if refused is not None:
            return refused
        flash(_("The knowledge test was created. Add its questions."), "success")
        return redirect(url_for("authoring.quiz_edit", content_id=content.id))
    return render_template("authoring/quiz.html", content=content, revision=revision, create_form=form)


def _settings_form(quiz: Quiz) -> QuizSettingsForm:
    data = quiz_data.settings_form_data(quiz.settings)
    form = QuizSettingsForm(data={**data, "lock": quiz.revision.lock_version})
    form.fixed.choices = _fixed_choices(quiz)
    return form


def _fixed_choices(quiz: Quiz) -> list[SelectChoice]:
    return [
        SelectChoice(qid, f"{qid}: {quiz_data.text_parts(q.get('text'))[0]}")
        for qid, q in zip(quiz.ids, quiz.questions, strict=True)
    ]


def _quiz_page(quiz: Quiz, form: QuizSettingsForm, problems: list[Located], status: int = 200, **extra):
    """The quiz page; `problems` not placed in a form are errors of a refused change, else (200) a notice
    of what the quiz still lacks."""
    quiz_data.pad_rows(form, ("pools",), minimum=0)
    add_form = extra.get("add_form") or NewQuestionForm(lock=quiz.revision.lock_version)
    refused = status != 200
    errors = summary(form) + summary(add_form) + _summary_elsewhere(quiz, problems) if refused else []
    return render_template(
        "authoring/quiz.html",
        content=quiz.content,
        revision=quiz.revision,
        quiz=quiz,
        form=form,
        add_form=add_form,
        errors=errors,
        notices=[] if refused else _summary_elsewhere(quiz, problems),
        text_parts=quiz_data.text_parts,
        type_names=TYPE_NAMES,
        row_label=row_label,
    ), status


def _summary_elsewhere(quiz: Quiz, problems: list[Located]) -> list[SummaryItem]:
    items = []
    for problem in problems:
        if problem.question is not None:
            qid = problem.question
            href = url_for("authoring.question_edit_item", content_id=quiz.content.id, question_id=qid)
            items.append(SummaryItem(href, _("Question %(id)s", id=qid), problem.message))
        else:
            href = url_for("authoring.quiz_edit", content_id=quiz.content.id, _anchor="settings-heading")
            items.append(SummaryItem(href, _("Quiz settings"), problem.message))
    return items


# Questions


@bp.post("/items/<int:content_id>/quiz/questions")
@author_required
def question_new(content_id: int):
    """The type chosen on the quiz page gives an empty form; that form, sent, adds the question."""
    quiz = _quiz(content_id)
    picker = NewQuestionForm()
    if not picker.validate_on_submit():
        if picker.type.errors:
            picker.type.errors = [_("Choose a type of question from the list.")]
        return _quiz_page(quiz, _settings_form(quiz), [], 400, add_form=picker)
    form = QuestionForm()
    if "action" not in request.form:
        return _question_page(quiz, form, picker.type.data, None)
    return _save_question(quiz, form, picker.type.data, None)


@bp.route("/items/<int:content_id>/quiz/questions/<question_id>", methods=["GET", "POST"])
@author_required
def question_edit_item(content_id: int, question_id: str):
    quiz = _quiz(content_id)
    index = quiz.index_or_404(question_id)
    kind = str(quiz.questions[index].get("type"))
    if kind not in TYPE_LABELS:
        flash(
            _("Question %(id)s has a type the editor does not know: %(type)s.", id=question_id, type=kind),
            "error",
        )
        return redirect(url_for("authoring.quiz_edit", content_id=content_id))
    if request.method == "POST":
        return _save_question(quiz, QuestionForm(), kind, index)
    data = quiz_data.question_form_data(quiz.questions[index])
    return _question_page(quiz, QuestionForm(data={**data, "lock": quiz.revision.lock_version}), kind, index)


def _save_question(quiz: Quiz, form: QuestionForm, kind: str, index: int | None):
    if request.form.get("action") == "add_rows":
        return _question_page(quiz, form, kind, index, more=quiz_data.MORE_ROWS)
    if not form.validate_on_submit():
        return _question_page(quiz, form, kind, index, status=400)
    others = {qid for number, qid in enumerate(quiz.ids) if number != index}
    built = quiz_data.question_from_form(form, kind, others)
    new_id = built.data["id"]
    if new_id in others:
        form.id.errors.append(_("Another question already has the id %(id)s.", id=new_id))
        return _question_page(quiz, form, kind, index, status=400)
    questions = list(quiz.questions)
    position = len(questions) if index is None else index
    questions[position : position + 1] = [built.data]
    settings = quiz_data.renamed(quiz.settings, None if index is None else quiz.ids[index], new_id)
    problems = quiz.problems(settings, questions)
    elsewhere = place(form, problems, question_target(form, kind, position, built.rows))
    if len(elsewhere) < len(problems) or quiz.new_problems(elsewhere):
        return _question_page(quiz, form, kind, index, status=400, elsewhere=elsewhere)
    refused = quiz.save(form.lock.data, settings, questions)
    if refused is not None:
        return refused
    saved_message()
    if index is None and not quiz_data.is_drawn(settings, built.data):
        flash(
            _(
                "The quiz draws fixed questions and pools: tick %(id)s as fixed or give it a pool's tag, "
                "or it is never asked.",
                id=new_id,
            ),
            "info",
        )
    return redirect(url_for("authoring.quiz_edit", content_id=quiz.content.id, _anchor=f"question-{new_id}"))


def _question_page(quiz: Quiz, form: QuestionForm, kind: str, index: int | None, **options):
    quiz_data.pad_rows(form, quiz_data.ROW_GROUPS[kind], options.get("more", 0))
    errors = summary(form) + _summary_elsewhere(quiz, options.get("elsewhere", []))
    question_id = None if index is None else quiz.ids[index]
    action = (
        url_for("authoring.question_new", content_id=quiz.content.id)
        if index is None
        else url_for("authoring.question_edit_item", content_id=quiz.content.id, question_id=question_id)
    )
    return render_template(
        "authoring/question.html",
        content=quiz.content,
        revision=quiz.revision,
        form=form,
        kind=kind,
        type_label=TYPE_LABELS[kind],
        question_id=question_id,
        heading=_("Question %(id)s", id=question_id) if question_id else _("New question"),
        action=action,
        errors=errors,
        groups=quiz_data.ROW_GROUPS[kind],
        row_label=row_label,
    ), options.get("status", 200)


@bp.post("/items/<int:content_id>/quiz/questions/<question_id>/delete")
@author_required
def question_delete(content_id: int, question_id: str):
    quiz = _quiz(content_id)
    index = quiz.index_or_404(question_id)
    questions = quiz.questions[:index] + quiz.questions[index + 1 :]
    settings = quiz_data.renamed(quiz.settings, question_id, None)
    refused = _change(quiz, settings, questions)
    if refused is not None:
        return refused
    flash(_("Question %(id)s was deleted.", id=question_id), "success")
    return redirect(url_for("authoring.quiz_edit", content_id=content_id, _anchor="questions-heading"))


@bp.post("/items/<int:content_id>/quiz/questions/<question_id>/move")
@author_required
def question_move(content_id: int, question_id: str):
    quiz = _quiz(content_id)
    index = quiz.index_or_404(question_id)
    step = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if step is None:
        abort(400)
    other = index + step
    questions = list(quiz.questions)
    if 0 <= other < len(questions):
        questions[index], questions[other] = questions[other], questions[index]
        refused = _change(quiz, quiz.settings, questions)
        if refused is not None:
            return refused
    return redirect(url_for("authoring.quiz_edit", content_id=content_id, _anchor=f"question-{question_id}"))


def _change(quiz: Quiz, settings: dict[str, Any], questions: list[dict[str, Any]]):
    """None when saved; else the quiz page with what is wrong, or the conflict page."""
    form = LockedForm()
    if not form.validate_on_submit():
        abort(400)
    problems = quiz.problems(settings, questions)
    if quiz.new_problems(problems):
        settings_form = _settings_form(quiz)
        rows = {"pools": list(range(len(settings_form.pools.entries)))}
        return _quiz_page(
            quiz, settings_form, place(settings_form, problems, settings_target(settings_form, rows)), 400
        )
    return quiz.save(form.lock.data, settings, questions)


@bp.get("/modules/<slug>/quiz/questions/<question_id>")
@author_required
def question_edit(slug: str, question_id: str):
    """A question of a local module by slug (the question statistics link here): its open draft's editor."""
    content = db.session.scalar(
        sa.select(LocalContent).where(
            LocalContent.organisation_id == current_user.organisation_id,
            LocalContent.kind == ContentKind.MODULE,
            LocalContent.slug == slug,
        )
    )
    if content is None:
        abort(404)
    revision = workflow.open_revision(content)
    if revision is None:
        flash(_("Start a draft of the module to edit its questions."), "info")
        return redirect(url_for("authoring.item", content_id=content.id))
    return redirect(url_for("authoring.question_edit_item", content_id=content.id, question_id=question_id))
