"""The competence matrix of a manager's units, its exports and print view, the employee page and assigning
training. Every view is for managers only, and every person is found through scope.py."""

from datetime import timedelta
from typing import NoReturn

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.decorators import role_required
from portal.certification.services import active_certifications, assign_manually, local_today
from portal.competence import bp, exports
from portal.competence.cells import cells_of, load_cells
from portal.competence.forms import AssignForm, FilterForm
from portal.competence.history import history_of
from portal.competence.labels import (
    AUDIT_LABELS,
    CYCLE_STATE_LABELS,
    NOT_ASSIGNED,
    REMINDABLE,
    SOURCE_LABELS,
    CellPresenter,
    reason_label,
)
from portal.competence.matrix import Filters, build, collection_paused, export_rows
from portal.competence.scope import employee_or_404
from portal.errors import abort_with
from portal.extensions import db
from portal.i18n import pick
from portal.models import Role, User

DEFAULT_DUE_DAYS = 30  # what the assign form proposes


@bp.context_processor
def _helpers() -> dict:
    return {
        "remind_endpoint": "competence.remind",
        "REMINDABLE": REMINDABLE,
        "NOT_ASSIGNED": NOT_ASSIGNED,
        "source_label": SOURCE_LABELS.__getitem__,
        "cycle_state_label": CYCLE_STATE_LABELS.__getitem__,
        "audit_label": lambda action: AUDIT_LABELS.get(action, action),
        "reason_label": reason_label,
    }


def _requested():
    """The active certifications, the filter form and the filters it asks for (None when the query string
    cannot be understood). A unit that is not the manager's is not found at all."""
    certifications = active_certifications(current_user.organisation_id)
    unit = request.args.get("unit", "")
    if unit.isdigit() and int(unit) not in current_user.managed_unit_ids:
        abort(404)
    form = FilterForm(current_user.managed_units, certifications, formdata=request.args)
    filters = form.filters(request.args.get("page")) if form.validate() else None
    return certifications, form, filters


def _refuse_filters(form: FilterForm) -> NoReturn:
    problems = "; ".join(f"{field.label.text}: {' '.join(field.errors)}" for field in form if field.errors)
    abort_with(400, _("The filters could not be understood (%(problems)s).", problems=problems))


@bp.get("/")
@role_required(Role.MANAGER)
def matrix():
    certifications, form, filters = _requested()
    if filters is None:
        page = render_template("competence/matrix.html", form=form, matrix=None, filters=Filters())
        return page, 400
    today = local_today()
    with collection_paused():
        shown = build(current_user, certifications, filters, today)
        page = render_template(
            "competence/matrix.html",
            form=form,
            filters=filters,
            matrix=shown,
            show=CellPresenter(),
            today=today,
        )
        shown.let_go()
    return page


@bp.get("/print")
@role_required(Role.MANAGER)
def print_view():
    certifications, form, filters = _requested()
    if filters is None:
        _refuse_filters(form)
    today = local_today()
    with collection_paused():
        shown = build(current_user, certifications, filters, today, paginate=False)
        page = render_template(
            "competence/print.html",
            form=form,
            filters=filters,
            matrix=shown,
            show=CellPresenter(),
            today=today,
        )
        shown.let_go()
    return page


@bp.get("/export.csv")
@role_required(Role.MANAGER)
def export_csv():
    return _export(exports.csv_response)


@bp.get("/export.xlsx")
@role_required(Role.MANAGER)
def export_xlsx():
    return _export(exports.xlsx_response)


def _export(respond):
    """The matrix as a file, with the same filters as the page, one row per person and certification."""
    certifications, form, filters = _requested()
    if filters is None:
        _refuse_filters(form)
    today = local_today()
    with collection_paused():  # thousands of rows, freed by reference counting once the file is made
        rows = export_rows(current_user, certifications, filters, today)
        return respond(rows, exports.Vocabulary.swedish(current_user, certifications, filters), today)


@bp.get("/employees/<int:user_id>")
@role_required(Role.MANAGER)
def employee(user_id: int):
    person = employee_or_404(current_user, user_id)
    certifications = active_certifications(current_user.organisation_id)
    today = local_today()
    form = AssignForm(certifications, today)
    form.due_on.data = today + timedelta(days=DEFAULT_DUE_DAYS)
    return _employee_page(person, certifications, form)


@bp.post("/employees/<int:user_id>/assignments")
@role_required(Role.MANAGER)
def assign(user_id: int):
    person = employee_or_404(current_user, user_id)
    certifications = active_certifications(current_user.organisation_id)
    today = local_today()
    form = AssignForm(certifications, today)
    if form.validate_on_submit() and _not_assigned_yet(form, person, today):
        certification = form.chosen
        try:
            assign_manually(current_user, person, certification, form.due_on.data, today)
        except ValueError:  # the day turned between the check and now
            form.due_on.errors.append(_("The due date cannot be in the past."))
        else:
            db.session.commit()
            title = pick(certification.current_version.title)
            flash(_("%(certification)s has been assigned to %(name)s.", certification=title,
                    name=person.full_name), "success")  # fmt: skip
            return redirect(url_for("competence.employee", user_id=person.id))
    return _employee_page(person, certifications, form), 400


def _not_assigned_yet(form: AssignForm, person: User, today) -> bool:
    """A second active assignment of the same certification would leave two due dates: refuse it."""
    (cell,) = cells_of(load_cells([person.id], [form.chosen], today), person.id, [form.chosen])
    if not cell.assigned:
        return True
    form.certification.errors.append(
        _("%(name)s is already assigned this certification.", name=person.full_name)
    )
    return False


def _employee_page(person: User, certifications, form: AssignForm):
    today = local_today()
    cells = load_cells([person.id], certifications, today)
    return render_template(
        "competence/employee.html",
        person=person,
        memberships=person.current_memberships,
        statuses=list(zip(certifications, cells_of(cells, person.id, certifications), strict=True)),
        history=history_of(person),
        form=form,
        show=CellPresenter(),
        today=today,
    )
