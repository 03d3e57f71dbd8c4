"""The module editor's forms: the module's own front matter, a section, and adding media."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from portal.admin.forms import CheckboxesField
from portal.authoring.files import SLUG
from portal.authoring.forms import LockedForm
from portal.labels import POSITION_LABELS, labelled

MARKDOWN_HINT = _l(
    'Markdown: ## heading, **bold**, - list, - [ ] checklist item, !!! viktigt "Viktigt" for a box, '
    "[text](modul:slug) for a link to a module."
)
SECTION_KINDS = [
    SelectChoice("text", _l("Text")),
    SelectChoice("checklist", _l("Checklist")),
    SelectChoice("video", _l("Video")),
]
REFERENCE_ROWS = 2  # blank rows to add references without JavaScript


class ReferenceForm(FlaskForm):
    class Meta:
        csrf = False  # part of the module form, which has the token

    title = StringField(_l("Title"), validators=[Optional(), Length(max=300)])
    url = StringField(
        _l("Address"),
        validators=[Optional(), URL(message=_l("Enter a full address (https://…).")), Length(max=500)],
    )


class ModuleForm(LockedForm):
    title_sv = StringField(
        _l("Title (Swedish)"), validators=[DataRequired(_l("Enter a title.")), Length(max=200)]
    )
    title_en = StringField(_l("Title (English)"), validators=[Length(max=200)])
    summary_sv = TextAreaField(
        _l("Summary (Swedish)"), validators=[DataRequired(_l("Write a summary.")), Length(max=500)]
    )
    summary_en = TextAreaField(_l("Summary (English)"), validators=[Length(max=500)])
    audience = CheckboxesField(
        _l("Mandatory for"),
        description=_l(
            "The positions that must take the module; none ticked means everyone sees it as optional."
        ),
        choices=labelled(POSITION_LABELS),
    )
    minutes = IntegerField(
        _l("Estimated time in minutes"),
        validators=[
            InputRequired(_l("Enter the estimated time in whole minutes.")),
            NumberRange(1, 600, message=_l("Enter a whole number of minutes from 1 to 600.")),
        ],
    )
    intro_sv = TextAreaField(
        _l("Introduction (Swedish)"), description=MARKDOWN_HINT, validators=[Length(max=20_000)]
    )
    intro_en = TextAreaField(_l("Introduction (English)"), validators=[Length(max=20_000)])
    references = FieldList(FormField(ReferenceForm), min_entries=REFERENCE_ROWS)
    submit = SubmitField(_l("Save"))


class SectionForm(LockedForm):
    title_sv = StringField(
        _l("Title (Swedish)"), validators=[DataRequired(_l("Enter a title.")), Length(max=200)]
    )
    title_en = StringField(_l("Title (English)"), validators=[Length(max=200)])
    required = BooleanField(_l("Required to complete the module"), default=True)
    body_sv = TextAreaField(_l("Text (Swedish)"), description=MARKDOWN_HINT, validators=[Length(max=100_000)])
    body_en = TextAreaField(
        _l("Text (English)"),
        description=_l(
            "Optional: learners who use English see the Swedish text, marked as such, when it is empty."
        ),
        validators=[Length(max=100_000)],
    )
    submit = SubmitField(_l("Save"))
    preview = SubmitField(_l("Preview"))


class NewSectionForm(LockedForm):
    title = StringField(
        _l("Title (Swedish)"), validators=[DataRequired(_l("Enter a title.")), Length(max=200)]
    )
    slug = StringField(
        _l("Address name"),
        validators=[
            DataRequired(_l("Enter an address name.")),
            Regexp(SLUG, message=_l("2–80 characters: lower-case letters a–z, digits and dashes.")),
        ],
    )
    kind = SelectField(_l("Kind"), choices=SECTION_KINDS)
    submit = SubmitField(_l("Add section"))


class ImageForm(LockedForm):
    image = FileField(_l("Image"), validators=[FileRequired(_l("Choose an image file."))])
    alt = StringField(
        _l("Alt text"),
        description=_l("What the image shows, for those who cannot see it."),
        validators=[DataRequired(_l("Describe the image in the alt text.")), Length(max=300)],
    )
    submit = SubmitField(_l("Add the image"))


class VideoForm(LockedForm):
    video = FileField(_l("Video (MP4 or WebM)"), validators=[FileRequired(_l("Choose a video file."))])
    captions_sv = FileField(
        _l("Swedish captions (WebVTT)"), validators=[FileRequired(_l("A video needs Swedish captions."))]
    )
    captions_en = FileField(_l("English captions (WebVTT, optional)"))
    submit = SubmitField(_l("Upload the video"))


class MoveForm(LockedForm):
    direction = SelectField(choices=[SelectChoice("up", _l("Up")), SelectChoice("down", _l("Down"))])
