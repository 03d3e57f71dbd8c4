import re
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from portal.labels import LANGUAGE_NAMES, POSITION_LABELS, ROLE_LABELS, UNIT_KIND_LABELS, labelled
from portal.models import Unit

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def unit_choices(units: Iterable[Unit]) -> list[SelectChoice]:
    return [SelectChoice(unit.id, unit.name) for unit in units]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UnitForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the unit's name.")), Length(max=120)])
    kind = SelectField(_l("Kind of unit"), choices=labelled(UNIT_KIND_LABELS))
    is_active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save unit"))


class UserForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(_l("Enter a username.")),
            Regexp(
                USERNAME_PATTERN,
                message=_l("2–64 characters: lower-case letters a–z, digits, dot, dash or underscore."),
            ),
        ],
        filters=[lambda value: value.strip().lower() if value else value],
        render_kw={"autocapitalize": "none", "spellcheck": "false", "autocomplete": "off"},
    )
    full_name = StringField(
        _l("Full name"), validators=[DataRequired(_l("Enter the person's name.")), Length(max=120)]
    )
    email = EmailField(
        _l("Email (optional)"),
        validators=[
            Optional(),
            Email(_l("Enter a valid email address."), check_deliverability=False),
            Length(max=254),
        ],
        filters=[lambda value: value.strip() or None if value else None],
    )
    language = SelectField(_l("Language"), choices=labelled(LANGUAGE_NAMES), default="sv")
    roles = CheckboxesField(_l("Roles"), choices=labelled(ROLE_LABELS))
    managed_units = CheckboxesField(_l("Manager of units"), coerce=int)
    submit = SubmitField(_l("Save person"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if "manager" in (self.roles.data or []) and not self.managed_units.data:
            self.managed_units.errors.append(_l("A manager must be responsible for at least one unit."))
            valid = False
        if self.managed_units.data and "manager" not in (self.roles.data or []):
            self.roles.errors.append(_l("Tick the manager role, or untick the units."))
            valid = False
        return valid


class MembershipForm(FlaskForm):
    unit = SelectField(_l("Unit"), coerce=int)  # the choice itself is validated against the list
    position = SelectField(_l("Position"), choices=labelled(POSITION_LABELS))
    started_on = DateField(
        _l("Start date"), validators=[DataRequired(_l("Enter a valid date (YYYY-MM-DD)."))]
    )
    submit = SubmitField(_l("Add to unit"))


class EndMembershipForm(FlaskForm):
    ended_on = DateField(_l("End date"), validators=[DataRequired(_l("Enter a valid date (YYYY-MM-DD)."))])
    submit = SubmitField(_l("End membership"))


class ConfirmForm(FlaskForm):
    """A bare POST with its CSRF token, for buttons that need no input."""

    submit = SubmitField(_l("Confirm"))


class ImportUploadForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        validators=[
            FileRequired(_l("Choose a file to import.")),
            FileAllowed(["csv", "txt"], _l("The file must be a CSV file (.csv).")),
        ],
    )
    submit = SubmitField(_l("Check the file"))
