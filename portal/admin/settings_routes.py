"""The organisation's settings: whether local material needs a second author's review."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField

from portal import audit
from portal.admin import bp
from portal.auth.decorators import role_required
from portal.extensions import db
from portal.models import Role


class SettingsForm(FlaskForm):
    review_required = BooleanField(
        _l("A second author approves local material before it is published (four eyes)"),
        description=_l("Recommended. Turned off, an author publishes their own drafts directly."),
    )
    submit = SubmitField(_l("Save settings"))


@bp.route("/settings", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def settings():
    organisation = current_user.organisation
    form = SettingsForm(obj=organisation)
    if form.validate_on_submit():
        if organisation.review_required != form.review_required.data:
            organisation.review_required = form.review_required.data
            audit.record("organisation.review_required", organisation, organisation.id,
                         review_required=organisation.review_required)  # fmt: skip
            db.session.commit()
        flash(_("Settings saved."), "success")
        return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", form=form)
