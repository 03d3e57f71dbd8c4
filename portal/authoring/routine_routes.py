"""The routine editor: title, kind, whom it is for, and the text in Swedish and English, with a preview
through the learners' renderer and sanitiser."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from wtforms import RadioField, SelectChoice, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from portal.admin.forms import CheckboxesField
from portal.authoring import bp
from portal.authoring.access import author_required, content_or_404, draft_or_404
from portal.authoring.editing import save_or_conflict
from portal.authoring.forms import LockedForm
from portal.authoring.routine_publisher import RoutineSource, problems_in, read, render, write
from portal.labels import POSITION_LABELS, labelled
from portal.models import ContentKind, LocalContent, Revision, RevisionStatus, Unit

MARKDOWN_HINT = _l(
    "Markdown: ## heading, **bold**, - list, 1. numbered step, - [ ] checklist item, "
    '!!! viktigt "Viktigt" for a box. Images cannot be used in routines.'
)


class RoutineForm(LockedForm):
    title_sv = StringField(
        _l("Title (Swedish)"), validators=[DataRequired(_l("Enter a title.")), Length(max=200)]
    )
    title_en = StringField(_l("Title (English)"), validators=[Length(max=200)])
    kind = RadioField(
        _l("Kind"),
        choices=[
            SelectChoice("routine", _l("Routine: text to read")),
            SelectChoice("checklist", _l("Checklist: steps to tick off")),
        ],
        validators=[InputRequired(_l("Choose routine or checklist."))],
        default="routine",
    )
    positions = CheckboxesField(
        _l("For these positions"),
        description=_l("None ticked: every position."),
        choices=labelled(POSITION_LABELS),
        validate_choice=False,  # checked below, with a message that names the problem
    )
    units = CheckboxesField(
        _l("In these units"), description=_l("None ticked: every unit."), validate_choice=False
    )
    body_sv = TextAreaField(
        _l("Text (Swedish)"),
        description=MARKDOWN_HINT,
        validators=[Length(max=100_000)],
        render_kw={"rows": 16},
    )
    body_en = TextAreaField(
        _l("Text (English)"),
        description=_l(
            "Optional: people who use English see the Swedish text, marked as such, when it is empty."
        ),
        validators=[Length(max=100_000)],
        render_kw={"rows": 16},
    )
    submit = SubmitField(_l("Save"))
    preview = SubmitField(_l("Preview"))

    def __init__(self, units: list[Unit], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.units.choices = [SelectChoice(u.name, _unit_label(u)) for u in units]

    def validate_positions(self, field: CheckboxesField) -> None:
        known = {str(choice.value) for choice in field.choices}
        if not set(field.data or []) <= known:
            raise ValidationError(_("Choose positions from the list."))

    def validate_units(self, field: CheckboxesField) -> None:
        known = {str(choice.value) for choice in field.choices}
        if not set(field.data or []) <= known:
            raise ValidationError(_("Choose units of your organisation from the list."))

    def source(self) -> RoutineSource:
        return RoutineSource(
            title={"sv": self.title_sv.data or "", "en": self.title_en.data or ""},
            kind=self.kind.data,
            positions=sorted(self.positions.data or []),
            units=sorted(self.units.data or []),
            body={"sv": self.body_sv.data or "", "en": self.body_en.data or ""},
        )


def _unit_label(unit: Unit) -> str:
    return unit.name if unit.is_active else _("%(unit)s (inactive)", unit=unit.name)


def _form_data(revision: Revision) -> dict:
    source = read(revision.files)
    return {
        "lock": revision.lock_version,
        "title_sv": source.title.get("sv", ""),
        "title_en": source.title.get("en", ""),
        "kind": source.kind if source.kind in ("routine", "checklist") else "routine",
        "positions": _texts(source.positions),
        "units": _texts(source.units),
        "body_sv": source.body.get("sv", ""),
        "body_en": source.body.get("en", ""),
    }


def _texts(value) -> list[str]:
    """The strings of a front-matter list; anything else (a hand-edited file) ticks nothing."""
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


@bp.route("/items/<int:content_id>/routine", methods=["GET", "POST"])
@author_required
def routine_edit(content_id: int):
    content = content_or_404(content_id, ContentKind.ROUTINE)
    revision = draft_or_404(content)
    if revision.status is not RevisionStatus.DRAFT:
        return redirect(url_for("authoring.review", content_id=content.id))
    units = list(current_user.organisation.units)
    form = RoutineForm(units) if request.method == "POST" else RoutineForm(units, data=_form_data(revision))
    preview = None
    if form.validate_on_submit():
        if form.preview.data:
            preview = _preview(form.source())
        else:
            refused = save_or_conflict(revision, form.lock.data, write(form.source()))
            if refused is not None:
                return refused
            flash(_("Saved."), "success")
            return redirect(url_for("authoring.routine_edit", content_id=content.id))
    return _page(content, revision, form, preview), 400 if form.errors else 200


def _preview(source: RoutineSource) -> dict[str, Markup]:
    """The texts as staff will see them: the publisher's renderer and sanitiser."""
    return {lang: Markup(render(text)) for lang, text in source.body.items() if text.strip()}  # noqa: S704  # nosec B704 – render() sanitises with the nh3 allowlist


def _page(content: LocalContent, revision: Revision, form: RoutineForm, preview: dict | None):
    """The editor; what keeps the draft from being published is shown for the typed text in a
    preview, else for the saved one."""
    shown = write(form.source()) if preview is not None else revision.files
    texts = {path: text for path, text in shown.items() if text is not None}
    return render_template(
        "authoring/routine.html",
        content=content,
        revision=revision,
        form=form,
        preview=preview,
        problems=problems_in(texts, content.organisation_id),
    )
