from pathlib import Path

from flask import abort, current_app, send_file
from flask_login import current_user, login_required

from portal.content.media import image_type, video_type
from portal.learning import bp
from portal.learning.services import module_or_404

MEDIA_CACHE_SECONDS = 24 * 3600


@bp.get("/media/<slug>/<path:filename>")
@login_required
def media(slug: str, filename: str):
    """A module's media file, with range requests (206) for video and private caching."""
    module_or_404(slug, current_user.organisation_id)
    folder = (Path(current_app.config["CONTENT_DIR"]) / "modules" / slug / "media").resolve()
    path = (folder / filename).resolve()
    if folder not in path.parents or not path.is_file():
        abort(404)
    response = send_file(path, mimetype=_mimetype(path), conditional=True, max_age=MEDIA_CACHE_SECONDS)
    response.cache_control.private = True
    response.cache_control.public = False
    return response


def _mimetype(path: Path) -> str:
    if path.suffix == ".vtt":
        return "text/vtt; charset=utf-8"
    with path.open("rb") as file:
        head = file.read(64)
    return video_type(head) or image_type(head) or "application/octet-stream"
