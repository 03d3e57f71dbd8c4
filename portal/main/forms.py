from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField

from portal.labels import LANGUAGE_NAMES, labelled


class LanguageForm(FlaskForm):
    language = RadioField(_l("Language"), choices=labelled(LANGUAGE_NAMES))
