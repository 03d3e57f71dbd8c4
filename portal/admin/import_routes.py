from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.admin import bp
from portal.admin.employee_file import COLUMN_NAMES, POSITION_NAMES, decode, parse
from portal.admin.employee_import import apply, plan
from portal.admin.forms import ConfirmForm, ImportUploadForm
from portal.auth.decorators import role_required
from portal.extensions import db
from portal.i18n import today
from portal.models import EmployeeImport, Role, utcnow


@bp.route("/import", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def import_employees():
    form = ImportUploadForm()
    if form.validate_on_submit():
        limit = current_app.config["CSV_IMPORT_MAX_BYTES"]
        data = form.file.data.read(limit + 1)
        if len(data) > limit:
            form.file.errors.append(
                _("The file is larger than %(kb)d kB. Split it and import the parts.", kb=limit // 1024)
            )
        else:
            try:
                text, encoding = decode(data)
            except ValueError as error:
                form.file.errors.append(str(error))
            else:
                upload = EmployeeImport(
                    organisation_id=current_user.organisation_id,
                    uploaded_by_id=current_user.id,
                    filename=(form.file.data.filename or "employees.csv")[:255],
                    encoding=encoding,
                    content=text,
                )
                db.session.add(upload)
                db.session.commit()
                return redirect(url_for("admin.import_preview", import_id=upload.id))
    return render_template(
        "admin/import_upload.html", form=form, columns=COLUMN_NAMES, positions=POSITION_NAMES
    )


def _own_import(import_id: int) -> EmployeeImport:
    upload = db.session.get(EmployeeImport, import_id)
    if upload is None or upload.organisation_id != current_user.organisation_id:
        abort(404)
    return upload


def _plan_for(upload: EmployeeImport):
    return plan(upload.organisation_id, parse(upload.content, upload.encoding), today())


@bp.get("/import/<int:import_id>")
@role_required(Role.ADMIN)
def import_preview(import_id: int):
    upload = _own_import(import_id)
    import_plan = None if upload.applied_at else _plan_for(upload)
    return render_template("admin/import_preview.html", upload=upload, plan=import_plan, form=ConfirmForm())


@bp.post("/import/<int:import_id>")
@role_required(Role.ADMIN)
def import_apply(import_id: int):
    upload = _own_import(import_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if upload.applied_at:
        flash(_("This file has already been imported."), "error")
        return redirect(url_for("admin.import_preview", import_id=upload.id))
    import_plan = _plan_for(upload)
    if not import_plan.can_apply:
        flash(_("Nothing was imported: the file has errors or changes nothing."), "error")
        return redirect(url_for("admin.import_preview", import_id=upload.id))
    summary = apply(upload, import_plan, today())
    upload.applied_at = utcnow()
    db.session.commit()
    flash(
        _(
            "Imported: %(created)d new, %(updated)d updated, %(started)d memberships started, %(ended)d ended.",
            **summary,
        ),
        "success",
    )
    return redirect(url_for("admin.users"))
