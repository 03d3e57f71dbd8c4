from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from portal.certification.verification import normalise_code


def _strip(value: str | None) -> str | None:
    return value.strip() if value else value


class VerifyForm(FlaskForm):
    """Sent by GET (a bookmarkable address that changes nothing), so without a CSRF token."""

    class Meta:
        csrf = False

    code = StringField(
        _l("Verification code"),
        description=_l(
            "The code printed on the certificate, e.g. ABCDE FGHJK … (spaces and dashes do not matter)."
        ),
        validators=[DataRequired(_l("Enter the code printed on the certificate."))],
        filters=[_strip],
        render_kw={"autocapitalize": "characters", "spellcheck": "false", "autocomplete": "off"},
    )

    def validate_code(self, field: StringField) -> None:
        if normalise_code(field.data) is None:
            raise ValidationError(_l("A verification code has 26 letters and digits. Check what you typed."))


class RevokeForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is the certificate revoked?"),
        description=_l("Saved in the audit trail. The holder's public verification page does not show it."),
        validators=[
            DataRequired(_l("Write why the certificate is revoked.")),
            Length(max=500, message=_l("Write at most 500 characters.")),
        ],
        filters=[_strip],
    )
    next = HiddenField()
    submit = SubmitField(_l("Revoke the certificate"))
