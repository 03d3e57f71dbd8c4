"""An item's history: every revision, one revision's files, the difference between any two, and
restoring an old published version as a new draft."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.authoring import bp, files, workflow
from portal.authoring.access import author_required, content_or_404, revision_or_404
from portal.authoring.forms import ConfirmForm
from portal.authoring.history import file_diffs
from portal.errors import abort_with
from portal.extensions import db
from portal.models import LocalContent, Revision, RevisionStatus


@bp.get("/items/<int:content_id>/versions")
@author_required
def versions(content_id: int):
    content = content_or_404(content_id)
    revisions = list(reversed(content.revisions))
    return render_template(
        "authoring/versions.html",
        content=content,
        revisions=revisions,
        may_restore=workflow.open_revision(content) is None,
        default_from=revisions[1].number if len(revisions) > 1 else None,
        form=ConfirmForm(),
    )


@bp.get("/items/<int:content_id>/versions/<int:number>")
@author_required
def version(content_id: int, number: int):
    content = content_or_404(content_id)
    revision = revision_or_404(content, number)
    return render_template(
        "authoring/version.html",
        content=content,
        revision=revision,
        paths=sorted(revision.files, key=reading_order),
        may_restore=revision.status is RevisionStatus.PUBLISHED and workflow.open_revision(content) is None,
        form=ConfirmForm(),
    )


def reading_order(path: str) -> tuple[int, str, bool]:
    """The introduction first, then the sections (each before its English text), then the rest."""
    english = path.endswith(".en.md")
    if path in (files.MODULE_FILE, files.MODULE_EN_FILE):
        return 0, "", english
    if path.endswith(".md"):
        return 1, path.removesuffix(".md").removesuffix(".en"), english
    return 2, path, False


@bp.get("/items/<int:content_id>/diff")
@author_required
def diff(content_id: int):
    content = content_or_404(content_id)
    old = revision_or_404(content, _revision_number("from"))
    new = revision_or_404(content, _revision_number("to"))
    return render_template(
        "authoring/diff.html",
        content=content,
        old=old,
        new=new,
        revisions=list(reversed(content.revisions)),
        diffs=file_diffs(old.files, new.files),
        media=media_changes(old.media, new.media),
    )


def _revision_number(name: str) -> int:
    number = request.args.get(name, type=int)
    if number is None:
        abort_with(
            400,
            _(
                "Choose the two revisions to compare: %(name)s must be a revision number, such as 2.",
                name=name,
            ),
        )
    return number


def media_changes(old: dict[str, str], new: dict[str, str]) -> list[tuple[str, str]]:
    """(name, "added" | "removed" | "changed") for every media file that differs, by name."""
    changes = []
    for name in sorted(set(old) | set(new)):
        if old.get(name) != new.get(name):
            changes.append(
                (name, "added" if name not in old else "removed" if name not in new else "changed")
            )
    return changes


@bp.post("/items/<int:content_id>/versions/<int:number>/restore")
@author_required
def restore(content_id: int, number: int):
    content = content_or_404(content_id)
    revision = revision_or_404(content, number)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if revision.status is not RevisionStatus.PUBLISHED:
        flash(_("Only a published version can be restored."), "error")
        return redirect(url_for("authoring.versions", content_id=content.id))
    try:
        draft = workflow.start_draft(content, current_user, source=revision)
    except workflow.WorkflowError as error:
        flash(str(error.message), "error")
        return _to_item(content)
    db.session.commit()
    flash(_restored_message(revision, draft), "success")
    return _to_item(content)


def _restored_message(source: Revision, draft: Revision) -> str:
    return _(
        "Version %(version)s was restored as draft %(number)d. Check it and submit it to publish it again.",
        version=source.version,
        number=draft.number,
    )


def _to_item(content: LocalContent):
    return redirect(url_for("authoring.item", content_id=content.id))
