from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField


class ConfirmReadForm(FlaskForm):
    submit = SubmitField(_l("I have read and understood"))
