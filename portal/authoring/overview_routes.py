"""The authors' overview, creating items, an item's page and its workflow: submit, review, publish,
discard, archive, and keeping one's own text after an editing conflict."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from portal import audit
from portal.authoring import bp, workflow
from portal.authoring.access import author_required, content_or_404, draft_or_404
from portal.authoring.editing import conflict, save_or_conflict
from portal.authoring.forms import ConfirmForm, LockedForm, NewItemForm, ReviewForm, SubmitRevisionForm
from portal.authoring.history import file_diffs
from portal.extensions import db
from portal.models import (
    Certification,
    ContentKind,
    LocalContent,
    Module,
    ReviewVerdict,
    RevisionStatus,
    utcnow,
)


@bp.get("/")
@author_required
def overview():
    local = db.session.scalars(
        sa.select(LocalContent)
        .where(LocalContent.organisation_id == current_user.organisation_id)
        .options(selectinload(LocalContent.revisions))
        .order_by(LocalContent.kind, LocalContent.slug)
    ).all()
    national_modules = db.session.scalars(
        sa.select(Module)
        .where(Module.organisation_id.is_(None), Module.is_active)
        .options(joinedload(Module.current_version))
        .order_by(Module.position)
    ).all()
    national_certifications = db.session.scalars(
        sa.select(Certification)
        .where(Certification.organisation_id.is_(None), Certification.is_active)
        .options(joinedload(Certification.current_version))
        .order_by(Certification.position)
    ).all()
    items = {kind: [(c, workflow.status_of(c)) for c in local if c.kind is kind] for kind in ContentKind}
    return render_template(
        "authoring/overview.html",
        items=items,
        national_modules=national_modules,
        national_certifications=national_certifications,
        kinds=list(ContentKind),
    )


@bp.route("/new/<kind>", methods=["GET", "POST"])
@author_required
def new(kind: str):
    if kind not in {k.value for k in ContentKind}:
        abort(404)
    content_kind = ContentKind(kind)
    form = NewItemForm()
    if form.validate_on_submit():
        slug = form.slug.data.strip()
        if workflow.slug_taken(content_kind, slug):
            form.slug.errors.append(_("The address name is taken; choose another."))
        else:
            publisher = workflow.PUBLISHERS[content_kind]
            try:
                revision = workflow.create(
                    content_kind, slug, publisher.new_files(slug, form.title.data.strip()), current_user
                )
                db.session.commit()
            except IntegrityError:  # taken at the same moment by another author
                db.session.rollback()
                form.slug.errors.append(_("The address name is taken; choose another."))
            else:
                flash(_("Draft created."), "success")
                return redirect(url_for(publisher.editor, content_id=revision.content_id))
    return render_template("authoring/new.html", form=form, kind=content_kind), 400 if form.errors else 200


@bp.get("/items/<int:content_id>")
@author_required
def item(content_id: int):
    content = content_or_404(content_id)
    return render_template(
        "authoring/item.html",
        content=content,
        status=workflow.status_of(content),
        editor=workflow.PUBLISHERS[content.kind].editor,
        published=workflow.published_revisions(content),
    )


@bp.post("/items/<int:content_id>/drafts")
@author_required
def start_draft(content_id: int):
    content = content_or_404(content_id)
    if ConfirmForm().validate_on_submit():
        try:
            workflow.start_draft(content, current_user)
            db.session.commit()
        except workflow.WorkflowError as error:
            flash(str(error.message), "error")
            return redirect(url_for("authoring.item", content_id=content.id))
        except IntegrityError:  # another author started one at the same moment
            db.session.rollback()
            flash(_("There is already a draft of this; continue that one."), "error")
            return redirect(url_for("authoring.item", content_id=content.id))
        return redirect(url_for(workflow.PUBLISHERS[content.kind].editor, content_id=content.id))
    abort(400)


@bp.post("/items/<int:content_id>/discard")
@author_required
def discard(content_id: int):
    content = content_or_404(content_id)
    revision = draft_or_404(content)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    workflow.discard(revision, current_user)
    db.session.commit()
    flash(_("The draft was discarded."), "success")
    return redirect(url_for("authoring.item", content_id=content.id))


@bp.post("/items/<int:content_id>/archive")
@author_required
def archive(content_id: int):
    """Withdraw a published item from learners; its history and people's records stay."""
    content = content_or_404(content_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if content.archived_at is None:
        content.archived_at = utcnow()
        _set_live(content, False)
        audit.record("content.archived", content, current_user.organisation_id, slug=content.slug)
        db.session.commit()
        flash(_("Archived: learners no longer see it."), "success")
    return redirect(url_for("authoring.item", content_id=content.id))


def _set_live(content: LocalContent, live: bool) -> None:
    model = {ContentKind.MODULE: Module, ContentKind.CERTIFICATION: Certification}.get(content.kind)
    if model is not None:
        db.session.execute(sa.update(model).where(model.slug == content.slug).values(is_active=live))


@bp.route("/items/<int:content_id>/submit", methods=["GET", "POST"])
@author_required
def submit(content_id: int):
    content = content_or_404(content_id)
    revision = draft_or_404(content)
    if revision.status is not RevisionStatus.DRAFT:
        return redirect(url_for("authoring.review", content_id=content.id))
    form = SubmitRevisionForm(lock=revision.lock_version)
    first = workflow.latest_published(content) is None
    # On a POST the workflow checks the files itself (ContentProblems below): no need to load them twice.
    problems = [] if request.method == "POST" else workflow.PUBLISHERS[content.kind].problems(revision)
    renewals = None if first else workflow.renewals(revision)
    publishes_now = not workflow.review_required(current_user.organisation)
    if form.validate_on_submit() and not problems:
        if form.lock.data != revision.lock_version:
            return conflict(revision, {})
        major = form.version_kind.data == "major"
        if publishes_now and major and renewals and form.confirm_renewals.data != str(renewals):
            form.version_kind.errors.append(
                _("Confirm that %(count)d people will be asked to renew: tick the box.", count=renewals)
            )
            return _submit_page(content, revision, form, first, problems, renewals), 400
        try:
            workflow.submit(revision, current_user, form.change_note.data, major)
        except workflow.ContentProblems as error:
            problems = error.problems
        except workflow.WorkflowError as error:
            form.change_note.errors.append(str(error.message))
        else:
            db.session.commit()
            if revision.status is RevisionStatus.PUBLISHED:
                flash(_("Published as version %(version)s.", version=revision.version), "success")
            else:
                flash(_("Sent for review. Another author must approve it."), "success")
            return redirect(url_for("authoring.item", content_id=content.id))
    status = 400 if form.errors or (request.method == "POST" and problems) else 200
    return _submit_page(content, revision, form, first, problems, renewals), status


def _submit_page(content, revision, form, first, problems, renewals):
    return render_template(
        "authoring/submit.html",
        content=content,
        revision=revision,
        form=form,
        first=first,
        problems=problems,
        renewals=renewals,
        review_required=workflow.review_required(current_user.organisation),
    )


@bp.route("/items/<int:content_id>/review", methods=["GET", "POST"])
@author_required
def review(content_id: int):
    content = content_or_404(content_id)
    revision = draft_or_404(content)
    form = ReviewForm()
    renewals = workflow.renewals(revision) if revision.is_major else 0
    if form.validate_on_submit():
        verdict = ReviewVerdict(form.verdict.data)
        if verdict is ReviewVerdict.APPROVED and renewals and form.confirm_renewals.data != str(renewals):
            form.verdict.errors.append(
                _("Confirm that %(count)d people will be asked to renew: tick the box.", count=renewals)
            )
        else:
            try:
                workflow.comment(revision, current_user, verdict, form.body.data or "")
            except workflow.ContentProblems as error:
                form.verdict.errors.extend(error.problems)
            except workflow.WorkflowError as error:
                form.verdict.errors.append(str(error.message))
            else:
                db.session.commit()
                flash(_review_message(verdict, revision.version), "success")
                return redirect(url_for("authoring.item", content_id=content.id))
    base = workflow.latest_published(content)
    return render_template(
        "authoring/review.html",
        content=content,
        revision=revision,
        form=form,
        renewals=renewals,
        diffs=file_diffs(base.files if base else {}, revision.files),
        may_approve=current_user.id not in workflow.writers(revision),
    ), 400 if form.errors else 200


def _review_message(verdict: ReviewVerdict, version: str | None) -> str:
    if verdict is ReviewVerdict.APPROVED:
        return _("Approved and published as version %(version)s.", version=version)
    if verdict is ReviewVerdict.CHANGES_REQUESTED:
        return _("Sent back to the author with your comments.")
    return _("Comment saved.")


@bp.post("/items/<int:content_id>/files")
@author_required
def save_files(content_id: int):
    """The conflict page's 'keep my version': the author's own texts, over the latest save."""
    content = content_or_404(content_id)
    revision = draft_or_404(content)
    form = LockedForm()
    paths, texts = request.form.getlist("path"), request.form.getlist("text")
    if not form.validate_on_submit() or len(paths) != len(texts) or not set(paths) <= set(revision.files):
        abort(400)
    refused = save_or_conflict(revision, form.lock.data, dict(zip(paths, texts, strict=True)))
    if refused is not None:
        return refused
    flash(_("Your version was saved."), "success")
    return redirect(url_for(workflow.PUBLISHERS[content.kind].editor, content_id=content.id))


@bp.get("/national/modules/<slug>")
@author_required
def national_module(slug: str):
    """A national module as published, read-only: its sections and where its files live."""
    module = db.session.scalar(sa.select(Module).where(Module.slug == slug, Module.organisation_id.is_(None)))
    if module is None or module.current_version is None:
        abort(404)
    return render_template("authoring/national_module.html", module=module, version=module.current_version)
