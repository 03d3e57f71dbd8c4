from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import DateField, SearchField, SelectChoice, SelectField, SubmitField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError
from wtforms.widgets import Select

from portal.certification.core import Status
from portal.competence.labels import NOT_ASSIGNED, SEVERITY, STATUS_LABELS
from portal.competence.matrix import SORTS, Filters
from portal.i18n import pick
from portal.labels import POSITION_LABELS
from portal.models import Certification, Position, Unit

SORT_LABELS = {"name": _l("Name"), "unit": _l("Unit"), "status": _l("Status (most urgent first)")}
MAX_PAGE = 100_000


def certification_choices(certifications: list[Certification]) -> list[SelectChoice]:
    return [SelectChoice(str(c.id), pick(c.current_version.title)) for c in certifications]


class QuickSelect(Select):
    """WTForms' select, its plain options written directly (the filters list every unit of a manager's,
    a hundred and more): the same markup as html_params writes, attributes in name order."""

    @classmethod
    def render_option(cls, choice, **kwargs):  # type: ignore[no-untyped-def]
        if kwargs or choice.render_kw or not isinstance(choice.value, str):
            return super().render_option(choice, **kwargs)
        selected = " selected" if choice.selected else ""
        label = escape(choice.label or choice.value)
        return Markup(f'<option{selected} value="{escape(choice.value)}">{label}</option>')  # nosec B704 – escaped


class FilterForm(FlaskForm):
    """The matrix's filters, read from the query string (a GET form: nothing to protect with CSRF)."""

    class Meta:
        csrf = False

    q = SearchField(
        _l("Search by name"), validators=[Optional(), Length(max=100)], filters=[lambda v: (v or "").strip()]
    )
    unit = SelectField(_l("Unit"), widget=QuickSelect(), validate_choice=False, default="")
    position = SelectField(_l("Position"), widget=QuickSelect(), validate_choice=False, default="")
    status = SelectField(_l("Status"), widget=QuickSelect(), validate_choice=False, default="")
    certification = SelectField(_l("Certification"), widget=QuickSelect(), validate_choice=False, default="")
    sort = SelectField(_l("Sort by"), widget=QuickSelect(), validate_choice=False, default="name")
    submit = SubmitField(_l("Show"))

    def __init__(self, units: list[Unit], certifications: list[Certification], **kwargs: object) -> None:
        super().__init__(**kwargs)
        everyone = SelectChoice("", _l("All"))
        self.unit.choices = [SelectChoice("", _l("All my units"))] + [
            SelectChoice(str(u.id), u.name) for u in units
        ]
        self.position.choices = [everyone] + [SelectChoice(p.value, POSITION_LABELS[p]) for p in Position]
        statuses = sorted(STATUS_LABELS, key=SEVERITY.__getitem__)
        self.status.choices = [everyone] + [SelectChoice(str(s), STATUS_LABELS[s]) for s in statuses]
        self.certification.choices = [SelectChoice("", _l("All"))] + certification_choices(certifications)
        self.sort.choices = [SelectChoice(key, SORT_LABELS[key]) for key in SORTS]
        for select in (self.unit, self.position, self.status, self.certification, self.sort):
            allowed = [choice.value for choice in select.choices]
            select.validators = [AnyOf(allowed, message=_l("Choose one of the options in the list."))]

    def filters(self, page: object = None) -> Filters:
        """The filters asked for; call after validate()."""
        return Filters(
            q=self.q.data or "",
            unit_id=int(self.unit.data) if self.unit.data else None,
            position=Position(self.position.data) if self.position.data else None,
            status=(
                (NOT_ASSIGNED if self.status.data == NOT_ASSIGNED else Status(self.status.data))
                if self.status.data
                else None
            ),
            certification_id=int(self.certification.data) if self.certification.data else None,
            sort=self.sort.data or "name",
            page=_page(page),
        )


def _page(value: object) -> int:
    try:
        return min(max(int(str(value)), 1), MAX_PAGE) if value else 1
    except ValueError:
        return 1


class AssignForm(FlaskForm):
    certification = SelectField(
        _l("Certification"), validate_choice=False, validators=[DataRequired(_l("Choose a certification."))]
    )
    due_on = DateField(
        _l("Due date"),
        validators=[DataRequired(_l("Enter a valid date (YYYY-MM-DD)."))],
        description=_l("The last day to be certified, e.g. 2026-06-30."),
    )
    submit = SubmitField(_l("Assign"))

    def __init__(self, certifications: list[Certification], today: date, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.today = today
        self.by_id = {str(c.id): c for c in certifications}
        self.certification.choices = [SelectChoice("", _l("Choose…"))] + certification_choices(certifications)

    def validate_certification(self, field: SelectField) -> None:
        if field.data not in self.by_id:
            raise ValidationError(_l("Choose one of the certifications in the list."))

    def validate_due_on(self, field: DateField) -> None:
        if field.data is not None and field.data < self.today:
            raise ValidationError(_l("The due date cannot be in the past."))

    @property
    def chosen(self) -> Certification:
        return self.by_id[self.certification.data]
