"""Uploaded media for the editors' preview: an organisation's authors see only their own files."""

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from portal.auth.decorators import role_required
from portal.authoring import bp
from portal.authoring.media import SHA256, send_media
from portal.extensions import db
from portal.models import LocalContent, MediaFile, Revision, Role


@bp.get("/media/<sha256>")
@role_required(Role.AUTHOR)
def media(sha256: str):
    file = db.session.get(MediaFile, sha256) if SHA256.fullmatch(sha256) else None
    if file is None or not _is_own(file):
        abort(404)
    return send_media(file)


def _is_own(file: MediaFile) -> bool:
    organisation_id = current_user.organisation_id
    if file.organisation_id == organisation_id:
        return True
    # A file is stored once by its hash: another organisation may have uploaded the same bytes first.
    revisions_media = db.session.scalars(
        sa.select(Revision.media)
        .join(Revision.content)
        .where(LocalContent.organisation_id == organisation_id)
    )
    return any(file.sha256 in media.values() for media in revisions_media)
