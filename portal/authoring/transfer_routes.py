"""Export a module as a zip in the content/ format, local or national, and import one as a new local
module."""

import io
import logging
from pathlib import Path

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import StringField, SubmitField
from wtforms.validators import Length, Optional, Regexp

from portal.authoring import bp, transfer, workflow
from portal.authoring.access import author_required, content_or_404, revision_or_404
from portal.authoring.files import SLUG
from portal.errors import abort_with
from portal.extensions import db
from portal.models import ContentKind, LocalContent, Module, Revision

log = logging.getLogger(__name__)
PROBLEMS_SHOWN = 3


class ImportForm(FlaskForm):
    file = FileField(
        _l("Zip file"),
        description=_l("A module folder zipped, as the export makes it."),
        validators=[
            FileRequired(_l("Choose a zip file to import.")),
            FileAllowed(["zip"], _l("The file must be a zip file (.zip).")),
        ],
    )
    slug = StringField(
        _l("Address name (optional)"),
        description=_l("Leave empty to use the name of the folder in the zip, e.g. nyckelrutin-norr."),
        validators=[
            Optional(),
            Length(max=80),
            Regexp(SLUG, message=_l("2–80 characters: lower-case letters a–z, digits and dashes.")),
        ],
    )
    submit = SubmitField(_l("Import"))


@bp.get("/items/<int:content_id>/export.zip")
@author_required
def export(content_id: int):
    content = content_or_404(content_id, ContentKind.MODULE)
    revision = _revision_to_export(content)
    try:
        data = transfer.export_zip(revision)
    except transfer.MediaMissing as missing:
        log.error(
            "cannot export %s revision %d: %s is not in MEDIA_DIR", content.slug, revision.number, missing
        )
        flash(
            _("The export failed: the media file %(name)s is missing on the server.", name=str(missing)),
            "error",
        )
        return redirect(url_for("authoring.item", content_id=content.id))
    label = revision.version or f"draft-{revision.number}"
    return _zip_response(data, f"{content.slug}-{label}.zip")


def _revision_to_export(content: LocalContent) -> Revision:
    """The revision numbered ?version=, else the latest published, else the open draft."""
    if "version" in request.args:
        number = request.args.get("version", type=int)
        if number is None:
            abort_with(400, _("The version to export must be a revision number, such as 2."))
        return revision_or_404(content, number)
    revision = workflow.latest_published(content) or workflow.open_revision(content)
    if revision is None:
        abort(404)
    return revision


@bp.get("/national/<slug>/export.zip")
@author_required
def export_national(slug: str):
    module = db.session.scalar(sa.select(Module).where(Module.slug == slug, Module.organisation_id.is_(None)))
    folder = Path(current_app.config["CONTENT_DIR"]) / "modules" / slug
    if module is None or not SLUG.fullmatch(slug) or not folder.is_dir():
        abort(404)
    texts, stored = transfer.national_files(folder)
    version = module.current_version.version if module.current_version else "0"
    return _zip_response(transfer.module_zip(slug, texts, stored), f"{slug}-{version}.zip")


def _zip_response(data: bytes, filename: str):
    response = send_file(
        io.BytesIO(data), mimetype="application/zip", as_attachment=True, download_name=filename
    )
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


@bp.route("/import", methods=["GET", "POST"])
@author_required
def import_module():
    form = ImportForm()
    if form.validate_on_submit():
        try:
            revision = transfer.import_module(form.file.data.read(), current_user, form.slug.data or None)
        except transfer.SlugTaken as error:
            db.session.rollback()
            form.slug.errors.append(str(error.message))
        except transfer.ImportRejected as error:
            db.session.rollback()
            form.file.errors.append(str(error.message))
        else:
            problems = workflow.PUBLISHERS[ContentKind.MODULE].problems(revision)
            db.session.commit()
            _flash_imported(revision, problems)
            return redirect(url_for("authoring.item", content_id=revision.content_id))
    return render_template("authoring/import.html", form=form), 400 if form.errors else 200


def _flash_imported(revision: Revision, problems: list[str]) -> None:
    """The draft is kept whatever its problems: the author fixes them in the editor, where the submit
    page lists them all; a few are named here so the author knows at once."""
    flash(_("Imported as a draft of the new module %(slug)s.", slug=revision.content.slug), "success")
    if problems:
        flash(
            ngettext(
                "It cannot be published until %(num)d problem is fixed: %(first)s",
                "It cannot be published until %(num)d problems are fixed (the submit page lists them all), for example: %(first)s",
                len(problems),
                first=" · ".join(problems[:PROBLEMS_SHOWN]),
            ),
            "error",
        )
