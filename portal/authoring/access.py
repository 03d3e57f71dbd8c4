"""Who may author, and finding an organisation's items: another organisation's item is not found."""

import sqlalchemy as sa
from flask import abort
from flask_login import current_user
from sqlalchemy.orm import selectinload

from portal.auth.decorators import role_required
from portal.extensions import db
from portal.models import ContentKind, LocalContent, Revision, Role

author_required = role_required(Role.AUTHOR)


def content_or_404(content_id: int, kind: ContentKind | None = None) -> LocalContent:
    content = db.session.scalar(
        sa.select(LocalContent)
        .where(LocalContent.id == content_id, LocalContent.organisation_id == current_user.organisation_id)
        .options(selectinload(LocalContent.revisions))
    )
    if content is None or (kind is not None and content.kind is not kind):
        abort(404)
    return content


def revision_or_404(content: LocalContent, number: int) -> Revision:
    revision = next((r for r in content.revisions if r.number == number), None)
    if revision is None:
        abort(404)
    return revision


def draft_or_404(content: LocalContent) -> Revision:
    """The open draft: an editor of something in review or published is not found (nothing to edit)."""
    from portal.authoring.workflow import open_revision

    revision = open_revision(content)
    if revision is None:
        abort(404)
    return revision
