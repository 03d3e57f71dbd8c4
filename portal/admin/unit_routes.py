from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.admin import bp
from portal.admin.forms import UnitForm
from portal.admin.services import org_unit, org_units, save_unit, unit_name_taken
from portal.auth.decorators import role_required
from portal.extensions import db
from portal.models import Role, Unit, UnitKind


@bp.get("/units")
@role_required(Role.ADMIN)
def units():
    return render_template("admin/units.html", units=org_units(current_user.organisation_id))


@bp.route("/units/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_unit():
    return _edit_unit(Unit(organisation_id=current_user.organisation_id), is_new=True)


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_unit(unit_id: int):
    return _edit_unit(org_unit(unit_id), is_new=False)


def _edit_unit(unit: Unit, is_new: bool):
    form = UnitForm(obj=None if is_new else unit)
    if form.validate_on_submit():
        if unit_name_taken(unit.organisation_id, form.name.data, unit.id):
            form.name.errors.append(_("There is already a unit with that name."))
        else:
            save_unit(unit, form.name.data, UnitKind(form.kind.data), form.is_active.data)
            db.session.commit()
            flash(_("The unit %(name)s has been saved.", name=unit.name), "success")
            return redirect(url_for("admin.units"))
    return render_template("admin/unit_form.html", form=form, unit=unit, is_new=is_new)
