"""The certification editor: a local certification's rules as a form (what must be done, who must hold
it, how long it is valid and how it is renewed), written as the YAML of content/certifications and checked
by the same parser before it is saved."""

from dataclasses import fields
from typing import Any

import sqlalchemy as sa
from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload
from wtforms import (
    Field,
    IntegerField,
    RadioField,
    SelectChoice,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from portal.admin.forms import CheckboxesField
from portal.authoring import bp
from portal.authoring.access import author_required, content_or_404, draft_or_404
from portal.authoring.certification_publisher import (
    STARTER_VERSION,
    definition_file,
    dump,
    exercise_scenarios,
    problems_in,
    read,
)
from portal.authoring.editing import save_or_conflict, saved_message
from portal.authoring.files import localised, text_in
from portal.authoring.forms import LockedForm
from portal.authoring.module_publisher import known_slugs
from portal.certification.core import Definition, ExpiryBase
from portal.certification.core.loader import VERSION
from portal.extensions import db
from portal.i18n import pick
from portal.labels import POSITION_LABELS, UNIT_KIND_LABELS, labelled
from portal.models import ContentKind, LocalContent, Module, Revision, RevisionStatus

Groups = list[tuple[str, list[tuple[str, str]]]]  # (optgroup label, [(value, label)])
DEFAULTS = {field.name: field.default for field in fields(Definition)}  # what the parser assumes if unset
SETTINGS = ("validity_months", "window_days", "expiry_base", "new_staff_due_days", "major_version_grace_days")


class RequirementsField(Field):
    """Rows of selects sharing one name: the chosen requirements in order, each as "kind:slug"."""

    def __init__(self, label=None, validators=None, **kwargs) -> None:
        super().__init__(label, validators, **kwargs)
        self.groups: Groups = []
        self.invalid: set[str] = set()

    def process_data(self, value) -> None:
        self.data = list(value or [])

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = list(dict.fromkeys(value for value in valuelist if value))

    def pre_validate(self, form) -> None:
        allowed = self.allowed()
        self.invalid = {value for value in self.data if value not in allowed}
        for value in sorted(self.invalid):
            self.errors.append(
                _(
                    "%(name)s cannot be required: choose a national module, one of your own or an exercise.",
                    name=value.partition(":")[2] or value,
                )
            )

    def allowed(self) -> set[str]:
        return {value for _group, options in self.groups for value, _label in options}

    def rows(self, minimum: int) -> list[str]:
        """The chosen values and a few empty rows to add more in (saving gives more)."""
        return self.data + [""] * max(2, minimum - len(self.data))


def _between(low: int, high: int, unit: str) -> list:
    message = _l("Enter a whole number from %(low)d to %(high)d (%(unit)s).", low=low, high=high, unit=unit)
    return [InputRequired(message), NumberRange(low, high, message)]


class CertificationForm(LockedForm):
    title_sv = StringField(
        _l("Title (Swedish)"), validators=[DataRequired(_l("Enter a title in Swedish.")), Length(max=200)]
    )
    title_en = StringField(
        _l("Title (English)"),
        description=_l("Optional: shown to people who use the portal in English."),
        validators=[Length(max=200)],
    )
    summary_sv = TextAreaField(
        _l("Summary (Swedish)"),
        description=_l(
            "Who it is for and how long it is valid, in a sentence or two. Empty: the title is shown."
        ),
        validators=[Length(max=500)],
    )
    summary_en = TextAreaField(_l("Summary (English)"), validators=[Length(max=500)])
    requirements = RequirementsField(
        _l("Requirements"),
        description=_l(
            "What must be done to become certified: modules completed (with their quiz) and exercises passed in the alarm chain. Save to get more empty rows."
        ),
    )
    renewal = RequirementsField(
        _l("Renewal path"),
        description=_l(
            "What must be done again to renew, once the renewal window has opened. Leave it empty to renew with the same requirements."
        ),
    )
    positions = CheckboxesField(
        _l("Positions"),
        choices=labelled(POSITION_LABELS),
        description=_l(
            "People in a ticked position are assigned the certification. None ticked: every position."
        ),
    )
    unit_kinds = CheckboxesField(
        _l("Kinds of unit"),
        choices=labelled(UNIT_KIND_LABELS),
        description=_l(
            "… when they work in a unit of a ticked kind. None ticked: every kind. With nothing ticked in either list, everyone in the organisation is assigned it."
        ),
    )
    validity_months = IntegerField(
        _l("Valid for (months)"),
        description=_l("How long a certification is valid once earned or renewed."),
        validators=_between(1, 120, _l("months")),
    )
    window_days = IntegerField(
        _l("Renewal window (days)"),
        description=_l("How many days before it expires people may renew and are reminded."),
        validators=_between(0, 365, _l("days")),
    )
    expiry_base = RadioField(
        _l("A renewal is valid from"),
        description=_l("How the new valid-until day is counted when someone renews."),
        choices=[
            SelectChoice(
                ExpiryBase.PREVIOUS_EXPIRY.value, _l("The previous expiry day: renewing early costs nothing")
            ),
            SelectChoice(ExpiryBase.COMPLETION.value, _l("The day the renewal is completed")),
        ],
        validators=[InputRequired(_l("Choose from when a renewal is valid."))],
    )
    new_staff_due_days = IntegerField(
        _l("Days for new staff"),
        description=_l(
            "Someone who starts in a position it applies to must be certified within this many days."
        ),
        validators=_between(1, 365, _l("days")),
    )
    major_version_grace_days = IntegerField(
        _l("Days to renew after a major module version"),
        description=_l(
            "When a required module gets a major version, holders must renew within this many days."
        ),
        validators=_between(0, 365, _l("days")),
    )
    submit = SubmitField(_l("Save"))

    def set_choices(self, groups: Groups) -> None:
        self.requirements.groups = self.renewal.groups = groups

    def validate_requirements(self, field: RequirementsField) -> None:
        if not field.data:
            raise ValidationError(_l("Add at least one requirement."))

    def validate_window_days(self, field: IntegerField) -> None:
        months = self.validity_months.data
        if (
            field.data is not None
            and months
            and not self.validity_months.errors
            and field.data >= 28 * months
        ):
            raise ValidationError(_l("The renewal window must be shorter than the validity."))

    def validate_summary_en(self, field: TextAreaField) -> None:
        if (field.data or "").strip() and not (self.summary_sv.data or "").strip():
            raise ValidationError(
                _l("Write the summary in Swedish too: it is shown when English is missing.")
            )


def _draft(content_id: int) -> tuple[LocalContent, Revision]:
    content = content_or_404(content_id, ContentKind.CERTIFICATION)
    revision = draft_or_404(content)
    if revision.status is not RevisionStatus.DRAFT:
        abort(redirect(url_for("authoring.review", content_id=content.id)))
    return content, revision


@bp.route("/items/<int:content_id>/certification", methods=["GET", "POST"])
@author_required
def certification_edit(content_id: int):
    content, revision = _draft(content_id)
    path = definition_file(content.slug)
    saved = read(revision.files.get(path, ""))
    form = (
        CertificationForm()
        if request.method == "POST"
        else CertificationForm(data=_form_data(revision, saved))
    )
    form.set_choices(_requirement_choices(content.organisation_id))
    problems: list[str] = []
    if form.validate_on_submit():
        text = _definition_text(form, saved.get("version"))
        problems = problems_in(text, content)
        if not problems:
            refused = save_or_conflict(revision, form.lock.data, {path: text})
            if refused is not None:
                return refused
            saved_message()
            return redirect(url_for("authoring.certification_edit", content_id=content.id))
    page = render_template(
        "authoring/certification.html", content=content, revision=revision, form=form, problems=problems
    )
    return page, 400 if form.errors or problems else 200


def _requirement_choices(organisation_id: int) -> Groups:
    modules = db.session.scalars(
        sa.select(Module)
        .where(Module.slug.in_(known_slugs(organisation_id)))
        .options(joinedload(Module.current_version))
        .order_by(Module.position, Module.slug)
    ).all()

    def options(local: bool) -> list[tuple[str, str]]:
        return [
            (f"module:{m.slug}", _labelled(m.current_version and m.current_version.title, m.slug))
            for m in modules
            if (m.organisation_id is not None) is local
        ]

    groups = [
        (_("National modules"), options(local=False)),
        (_("Your organisation's modules"), options(local=True)),
        (
            _("Exercises in the alarm chain"),
            [(f"exercise:{s.slug}", _labelled(s.title, s.slug)) for s in exercise_scenarios()],
        ),
    ]
    return [(label, choices) for label, choices in groups if choices]


def _labelled(title: Any, slug: str) -> str:
    return f"{pick(title) or slug} ({slug})"


def _form_data(revision: Revision, saved: dict[str, Any]) -> dict[str, Any]:
    """The form's fields from the saved file; what the file leaves out is the parser's default."""
    return {
        "lock": revision.lock_version,
        "title_sv": text_in(saved, "title", "sv"),
        "title_en": text_in(saved, "title", "en"),
        "summary_sv": text_in(saved, "summary", "sv"),
        "summary_en": text_in(saved, "summary", "en"),
        "requirements": _choice_values(saved.get("requirements")),
        "renewal": _choice_values(saved.get("renewal")),
        "positions": _strings(saved.get("positions")),
        "unit_kinds": _strings(saved.get("unit_kinds")),
        **{key: saved.get(key, DEFAULTS[key]) for key in SETTINGS},
    }


def _strings(raw: Any) -> list[str]:
    return [str(value) for value in raw] if isinstance(raw, list) else []


def _choice_values(raw: Any) -> list[str]:
    """["module:slug", …] from the YAML's [{module: slug}, …]."""
    entries = raw if isinstance(raw, list) else []
    return [f"{kind}:{ref}" for entry in entries if isinstance(entry, dict) for kind, ref in entry.items()]


def _requirements(values: list[str]) -> list[dict[str, str]]:
    return [{kind: ref} for kind, _sep, ref in (value.partition(":") for value in values)]


def _definition_text(form: CertificationForm, version: Any) -> str:
    """The certification's YAML from the form, keeping the draft's version (publishing numbers it)."""
    data: dict[str, Any] = {"title": localised(form.title_sv.data or "", form.title_en.data or "")}
    if (form.summary_sv.data or "").strip():
        data["summary"] = localised(form.summary_sv.data, form.summary_en.data or "")
    data["version"] = str(version) if VERSION.match(str(version)) else STARTER_VERSION
    data["requirements"] = _requirements(form.requirements.data)
    if form.renewal.data:
        data["renewal"] = _requirements(form.renewal.data)
    if form.positions.data:
        data["positions"] = list(form.positions.data)
    if form.unit_kinds.data:
        data["unit_kinds"] = list(form.unit_kinds.data)
    data.update({key: form[key].data for key in SETTINGS})
    return dump(data)
