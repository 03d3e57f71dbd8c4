from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from portal.auth.passwords import policy_errors, verify_password


class LoginForm(FlaskForm):
    username = StringField(
        _l("Username or email"),
        validators=[DataRequired(_l("Enter your username or email.")), Length(max=254)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Log in"))


class NewPasswordForm(FlaskForm):
    """A new password chosen twice, checked against the policy for ``username``."""

    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Enter a new password.")), Length(max=1024)],
        render_kw={"autocomplete": "new-password"},
        description=_l(
            "At least 12 characters. A few words in a row are easy to remember and hard to guess."
        ),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(_l("Repeat the new password.")),
            EqualTo("new_password", _l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Save password"))

    def __init__(self, *args: object, username: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.username = username

    def validate_new_password(self, field: PasswordField) -> None:
        errors = policy_errors(field.data or "", self.username)
        if errors:
            raise ValidationError(" ".join(errors))


class PasswordChangeForm(NewPasswordForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )

    def validate_current_password(self, field: PasswordField) -> None:
        if not verify_password(current_user.password_hash, field.data or ""):
            raise ValidationError(_l("The current password is wrong."))
