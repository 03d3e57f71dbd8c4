"""Certificate downloads, revocation by a manager or administrator, and the public verification pages."""

import math
import re
import unicodedata
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.auth.decorators import role_required
from portal.certification import bp, services
from portal.certification.certificate import certificate_pdf
from portal.certification.forms import RevokeForm, VerifyForm
from portal.certification.verification import (
    PublicStatus,
    find_cycle,
    group_code,
    normalise_code,
    record_miss,
    verification_of,
    wait_seconds,
)
from portal.competence.scope import employees_query
from portal.errors import abort_with, render_error
from portal.extensions import db
from portal.models import CertificationCycle, CycleState, Organisation, Role, User


def may_manage(user, holder: User) -> bool:
    """A manager of a unit the holder is in now, or an administrator of the holder's organisation."""
    if not user.is_authenticated:
        return False
    if user.has_role(Role.ADMIN) and user.organisation_id == holder.organisation_id:
        return True
    if not user.has_role(Role.MANAGER):
        return False
    return db.session.scalar(employees_query(user).where(User.id == holder.id)) is not None


def _file_name(cycle: CertificationCycle) -> str:
    ascii_name = unicodedata.normalize("NFKD", cycle.user.full_name).encode("ascii", "ignore").decode()
    name = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "certificate"
    return f"{cycle.certification.slug}-{name}-{cycle.certified_on.isoformat()}.pdf"


@bp.get("/certificates/<int:cycle_id>.pdf")
@login_required
def certificate(cycle_id: int):
    cycle = db.get_or_404(CertificationCycle, cycle_id)
    if cycle.user_id != current_user.id and not may_manage(current_user, cycle.user):
        abort(404)  # someone else's certificates are not even known to exist
    if cycle.state is CycleState.REVOKED:
        abort_with(404, _("This certificate has been revoked and can no longer be downloaded."))
    language = request.args.get("language")
    document = certificate_pdf(cycle, language if language in current_app.config["LANGUAGES"] else None)
    db.session.commit()  # issued on the first download: kept, so that the next one is the same document
    response = make_response(document)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{_file_name(cycle)}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _local_path(target: str | None) -> str | None:
    """Only a path on this site: never an open redirect."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return None


@bp.route("/certificates/<int:cycle_id>/revoke", methods=["GET", "POST"])
@role_required(Role.MANAGER, Role.ADMIN)
def revoke(cycle_id: int):
    query = sa.select(CertificationCycle).where(CertificationCycle.id == cycle_id)
    if request.method == "POST":
        query = query.with_for_update()  # two managers at once: the second sees it revoked
    cycle = db.first_or_404(query)
    if not may_manage(current_user, cycle.user):
        abort(404)
    if cycle.user_id == current_user.id:
        abort_with(
            403, _("You cannot revoke your own certificate. Ask your own manager or an administrator.")
        )
    after = url_for("certification.verify", code=cycle.verification_code)
    if cycle.state is not CycleState.ACTIVE:
        flash(
            _("Only a current certificate can be revoked: this one is revoked or replaced by a renewal."),
            "error",
        )
        return redirect(after)
    form = RevokeForm(next=request.args.get("next"))
    if form.validate_on_submit():
        services.revoke(cycle, current_user, form.reason.data, services.local_today())
        db.session.commit()
        flash(_("The certificate of %(name)s has been revoked.", name=cycle.user.full_name), "success")
        return redirect(_local_path(form.next.data) or after)
    return render_template("certification/revoke.html", form=form, cycle=cycle)


def _too_many_lookups(wait: int):
    minutes = math.ceil(wait / 60)
    text = _("Too many unknown codes were tried from your address. Try again in %(n)d minutes.", n=minutes)
    body, status = render_error(429, text)
    return body, status, {"Retry-After": str(wait)}


@bp.get("/verify")
def verify_form():
    form = VerifyForm(formdata=request.args if "code" in request.args else None)
    if "code" in request.args and form.validate():
        return redirect(url_for("certification.verify", code=normalise_code(form.code.data)))
    return render_template("certification/verify_form.html", form=form)


@bp.get("/verify/<code>")
def verify(code: str):
    address = request.remote_addr or "unknown"
    wait = wait_seconds(address)
    if wait:
        return _too_many_lookups(wait)
    canonical = normalise_code(code)
    if canonical is not None and canonical != code:
        return redirect(url_for("certification.verify", code=canonical))
    cycle = find_cycle(canonical) if canonical else None
    if cycle is None:
        record_miss(address)
        db.session.commit()
        form = VerifyForm(formdata=None, code=code)
        return render_template("certification/verify_form.html", form=form, unknown=code), 404
    result = verification_of(cycle, services.local_today())
    may_download, may_revoke = _visitor_may(cycle, result.status)
    page = render_template(
        "certification/verify.html",
        result=result,
        code=group_code(cycle.verification_code),
        issuer=db.session.get(Organisation, cycle.organisation_id),
        may_download=may_download,
        may_revoke=may_revoke,
    )
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"  # the status is live
    response.headers["X-Robots-Tag"] = "noindex"  # a person's name: not for search engines
    return response


def _visitor_may(cycle: CertificationCycle, status: PublicStatus) -> tuple[bool, bool]:
    """Whether the visitor may download, and revoke, the certificate (neither for the public)."""
    if not current_user.is_authenticated:
        return False, False
    is_holder = cycle.user_id == current_user.id
    manages = may_manage(current_user, cycle.user)
    may_download = (is_holder or manages) and status is not PublicStatus.REVOKED
    return may_download, manages and not is_holder and cycle.state is CycleState.ACTIVE
