"""The learner's certifications."""

from flask import render_template
from flask_login import current_user, login_required

from portal.certification import bp
from portal.certification.learner import history, my_certifications
from portal.certification.services import local_today


@bp.get("/learning/certifications")
@login_required
def mine():
    today = local_today()
    return render_template(
        "certification/mine.html",
        mine=my_certifications(current_user, today),
        history=history(current_user),
        today=today,
    )
