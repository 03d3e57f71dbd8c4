"""The forms every kind of item shares: creating one, the edit lock, submitting and reviewing."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Regexp

from portal.authoring.files import SLUG
from portal.models import ReviewVerdict

VERSION_KINDS = [
    SelectChoice("minor", _l("Minor: a correction or clarification; nobody has to take it again")),
    SelectChoice(
        "major",
        _l("Major: the content changed in substance; holders of certifications that require it must renew"),
    ),
]


class LockedForm(FlaskForm):
    """Every editor carries the draft's lock version it was opened at."""

    lock = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])


class NewItemForm(FlaskForm):
    title = StringField(
        _l("Title (Swedish)"), validators=[DataRequired(_l("Enter a title.")), Length(max=200)]
    )
    slug = StringField(
        _l("Address name"),
        description=_l("Used in the address and the export, e.g. nyckelrutin-norr: a–z, 0–9 and dashes."),
        validators=[
            DataRequired(_l("Enter an address name.")),
            Regexp(SLUG, message=_l("2–80 characters: lower-case letters a–z, digits and dashes.")),
        ],
    )
    submit = SubmitField(_l("Create draft"))


class SubmitRevisionForm(LockedForm):
    change_note = TextAreaField(
        _l("Change note"),
        description=_l("What changed and why; shown in the version history."),
        validators=[DataRequired(_l("Write a change note: what changed and why.")), Length(max=1000)],
    )
    version_kind = RadioField(_l("Kind of change"), choices=VERSION_KINDS, default="minor")
    confirm_renewals = HiddenField()  # the number of renewals the author saw and accepted
    submit = SubmitField(_l("Submit"))


class ReviewForm(FlaskForm):
    body = TextAreaField(_l("Comment"), validators=[Length(max=5000)])
    verdict = RadioField(
        _l("Your review"),
        choices=[
            SelectChoice(ReviewVerdict.COMMENT.value, _l("Comment only")),
            SelectChoice(ReviewVerdict.CHANGES_REQUESTED.value, _l("Ask for changes (back to draft)")),
            SelectChoice(ReviewVerdict.APPROVED.value, _l("Approve and publish")),
        ],
        default=ReviewVerdict.COMMENT.value,
    )
    confirm_renewals = HiddenField()
    submit = SubmitField(_l("Send review"))


class ConfirmForm(FlaskForm):
    """A button that changes something, with nothing but its CSRF token."""

    submit = SubmitField(_l("Confirm"))
