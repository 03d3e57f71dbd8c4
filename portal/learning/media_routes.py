from pathlib import Path

import sqlalchemy as sa
from flask import abort, current_app, send_file
from flask_login import current_user, login_required

from portal.authoring.media import MEDIA_CACHE_SECONDS, send_media
from portal.content.media import image_type, video_type
from portal.extensions import db
from portal.learning import bp
from portal.learning.services import module_or_404
from portal.models import ContentKind, LocalContent, MediaFile, Module, Revision, RevisionStatus


@bp.get("/media/<slug>/<path:filename>")
@login_required
def media(slug: str, filename: str):
    """A module's media file, with range requests (206) for video and private caching."""
    module = module_or_404(slug, current_user.organisation_id)
    if module.organisation_id is not None:
        return send_media(_local_media_or_404(module, filename))
    folder = (Path(current_app.config["CONTENT_DIR"]) / "modules" / slug / "media").resolve()
    path = (folder / filename).resolve()
    if folder not in path.parents or not path.is_file():
        abort(404)
    response = send_file(path, mimetype=_mimetype(path), conditional=True, max_age=MEDIA_CACHE_SECONDS)
    response.cache_control.private = True
    response.cache_control.public = False
    return response


def _local_media_or_404(module: Module, filename: str) -> MediaFile:
    """The file as the revision published as the module's current version names it."""
    revision = db.session.scalar(
        sa.select(Revision)
        .join(Revision.content)
        .where(
            Revision.published_ref == module.current_version_id,
            Revision.status == RevisionStatus.PUBLISHED,
            LocalContent.kind == ContentKind.MODULE,
            LocalContent.slug == module.slug,
            LocalContent.organisation_id == module.organisation_id,
        )
    )
    sha256 = revision.media.get(f"media/{filename}") if revision is not None else None
    file = db.session.get(MediaFile, sha256) if sha256 else None
    if file is None:
        abort(404)
    return file


def _mimetype(path: Path) -> str:
    if path.suffix == ".vtt":
        return "text/vtt"  # Werkzeug adds "; charset=utf-8"
    with path.open("rb") as file:
        head = file.read(64)
    return video_type(head) or image_type(head) or "application/octet-stream"
