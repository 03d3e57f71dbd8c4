"""Saving from an editor: the change is written, or the author gets the conflict page with both
versions side by side and their own text kept, never lost."""

from collections.abc import Mapping

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.authoring import workflow
from portal.extensions import db
from portal.models import Revision


def save_or_conflict(
    revision: Revision,
    seen_lock: int | None,
    files: Mapping[str, str | None],
    media: Mapping[str, str] | None = None,
) -> Response | None:
    """None when saved (and committed); else the conflict page (409) or the reason it was refused."""
    try:
        workflow.save(revision, seen_lock or 0, current_user, files=files, media=media)
    except workflow.StaleRevision as stale:
        return conflict(stale.revision, files)
    except workflow.WorkflowError as error:
        flash(str(error.message), "error")
        return redirect_to_item(revision)
    db.session.commit()
    return None


def conflict(current: Revision, mine: Mapping[str, str | None]) -> Response:
    """Both versions of every file the author changed; saving 'mine' again needs the fresh lock."""
    changed = [
        (path, current.files.get(path), text)
        for path, text in sorted(mine.items())
        if current.files.get(path) != text
    ]
    body = render_template(
        "authoring/conflict.html", revision=current, content=current.content, changed=changed
    )
    return Response(body, status=409)


def redirect_to_item(revision: Revision) -> Response:
    return redirect(url_for("authoring.item", content_id=revision.content_id))


def saved_message() -> None:
    flash(_("Saved."), "success")
