import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from portal.admin import bp
from portal.admin.forms import ConfirmForm, EndMembershipForm, MembershipForm, UserForm, unit_choices
from portal.admin.services import (
    add_membership,
    email_taken,
    end_membership,
    org_unit,
    org_units,
    org_user,
    reset_password,
    save_user,
    set_active,
    username_taken,
)
from portal.auth.decorators import role_required
from portal.auth.forms import NewPasswordForm
from portal.extensions import db
from portal.i18n import today
from portal.models import AuditEvent, Membership, Position, Role, User

USERS_PER_PAGE = 50


@bp.get("/")
@role_required(Role.ADMIN)
def index():
    org_id = current_user.organisation_id
    counts = {
        "users": db.session.scalar(
            sa.select(sa.func.count(User.id)).where(User.organisation_id == org_id, User.active)
        ),
        "units": len(org_units(org_id, active_only=True)),
    }
    return render_template("admin/index.html", counts=counts)


@bp.get("/users")
@role_required(Role.ADMIN)
def users():
    search = request.args.get("q", "").strip()
    query = sa.select(User).where(User.organisation_id == current_user.organisation_id)
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(sa.or_(sa.func.lower(User.full_name).like(pattern), User.username.like(pattern)))
    if not request.args.get("inactive"):
        query = query.where(User.active)
    query = query.options(selectinload(User.memberships)).order_by(User.full_name)  # the units column
    page = db.paginate(query, per_page=USERS_PER_PAGE, error_out=False)
    return render_template("admin/users.html", page=page, search=search)


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_user():
    return _edit_user(User(organisation_id=current_user.organisation_id), is_new=True)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_user(user_id: int):
    return _edit_user(org_user(user_id), is_new=False)


def _edit_user(user: User, is_new: bool):
    units = org_units(current_user.organisation_id)
    form = UserForm(obj=None if is_new else user)
    form.managed_units.choices = unit_choices(units)
    if request.method == "GET" and not is_new:
        form.roles.data = [role.value for role in user.roles]
        form.managed_units.data = list(user.managed_unit_ids)
    if form.validate_on_submit() and _identity_free(form, user):
        managed = [unit for unit in units if unit.id in form.managed_units.data]
        save_user(user, form.data, managed)
        db.session.commit()
        flash(_("%(name)s has been saved.", name=user.full_name), "success")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template(
        "admin/user_form.html", form=form, user=user, is_new=is_new, **_user_extras(user, units)
    )


def _identity_free(form: UserForm, user: User) -> bool:
    free = True
    if username_taken(form.username.data, user.id):
        form.username.errors.append(_("The username is already taken."))
        free = False
    if email_taken(form.email.data, user.id):
        form.email.errors.append(_("Another person already has that email address."))
        free = False
    return free


def _user_extras(user: User, units) -> dict:
    if user.id is None:
        return {}
    membership_form = MembershipForm(prefix="membership", started_on=today())
    membership_form.unit.choices = unit_choices(unit for unit in units if unit.is_active)
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.subject_type == "user", AuditEvent.subject_id == user.id)
        .order_by(AuditEvent.at.desc())
        .limit(20)
    ).all()
    return {
        "membership_form": membership_form,
        "end_form": EndMembershipForm(ended_on=today()),
        "confirm_form": ConfirmForm(),
        "events": events,
    }


@bp.post("/users/<int:user_id>/memberships")
@role_required(Role.ADMIN)
def add_user_membership(user_id: int):
    user = org_user(user_id)
    units = org_units(current_user.organisation_id, active_only=True)
    form = MembershipForm(prefix="membership")
    form.unit.choices = unit_choices(units)
    if form.validate_on_submit():
        unit = org_unit(form.unit.data)
        if any(m.unit_id == unit.id for m in user.current_memberships):
            flash(_("%(name)s already works in %(unit)s.", name=user.full_name, unit=unit.name), "error")
        else:
            add_membership(user, unit, Position(form.position.data), form.started_on.data)
            db.session.commit()
            flash(_("%(name)s now works in %(unit)s.", name=user.full_name, unit=unit.name), "success")
    else:
        _flash_form_errors(form)
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/users/<int:user_id>/memberships/<int:membership_id>/end")
@role_required(Role.ADMIN)
def end_user_membership(user_id: int, membership_id: int):
    user = org_user(user_id)
    membership = db.get_or_404(Membership, membership_id)
    form = EndMembershipForm()
    if membership.user_id != user.id or not membership.is_current:
        flash(_("That membership has already ended."), "error")
    elif not form.validate_on_submit():
        _flash_form_errors(form)
    elif form.ended_on.data < membership.started_on:
        flash(_("The end date cannot be before the start date."), "error")
    else:
        end_membership(membership, form.ended_on.data)
        db.session.commit()
        flash(_("The membership in %(unit)s has ended.", unit=membership.unit.name), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/users/<int:user_id>/active")
@role_required(Role.ADMIN)
def toggle_active(user_id: int):
    user = org_user(user_id)
    if user.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "error")
    elif ConfirmForm().validate_on_submit():
        set_active(user, not user.active)
        db.session.commit()
        if user.active:
            flash(_("%(name)s can log in again.", name=user.full_name), "success")
        else:
            flash(_("%(name)s can no longer log in.", name=user.full_name), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def set_user_password(user_id: int):
    user = org_user(user_id)
    form = NewPasswordForm(username=user.username)
    if form.validate_on_submit():
        reset_password(user, form.new_password.data)
        db.session.commit()
        flash(_("A new password has been set for %(name)s.", name=user.full_name), "success")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/user_password.html", form=form, user=user)


def _flash_form_errors(form) -> None:
    for field in form:
        for error in field.errors:
            flash(f"{field.label.text}: {error}", "error")
