from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField


class CompleteForm(FlaskForm):
    confirm_watched = BooleanField(_l("I have watched the whole film"))
