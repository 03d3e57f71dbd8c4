"""How a certification status is shown: words (sv/en), an icon and a colour class, never colour alone; and
the words for the audit trail of certifications."""

from datetime import date
from typing import NamedTuple

from babel.dates import format_date
from flask import current_app, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from portal.certification.core import Status
from portal.i18n import pick
from portal.labels import POSITION_LABELS
from portal.models import AssignmentSource, CycleState

NOT_ASSIGNED = "not_assigned"  # no assignment and no cycle: the cell of someone the rules leave out

STATUS_LABELS = {
    Status.OVERDUE: _l("Overdue"),
    Status.EXPIRED: _l("Expired"),
    Status.REVOKED: _l("Revoked"),
    Status.WINDOW_OPEN: _l("Renewal window open"),
    Status.NOT_STARTED: _l("Not started"),
    Status.IN_PROGRESS: _l("In progress"),
    Status.CERTIFIED: _l("Certified"),
    NOT_ASSIGNED: _l("Not assigned"),
}

# Shapes that read differently in black and white and in every common font (aria-hidden: the word says it).
STATUS_ICONS = {
    Status.OVERDUE: "!",
    Status.EXPIRED: "✕",
    Status.REVOKED: "⊘",
    Status.WINDOW_OPEN: "↻",
    Status.NOT_STARTED: "○",
    Status.IN_PROGRESS: "◐",
    Status.CERTIFIED: "✓",
    NOT_ASSIGNED: "–",
}

# Sorting "by status": what a manager must act on first. Expired and revoked people may not do the work
# at all; overdue ones were never certified and their time is up; then the ones whose time is running out.
SEVERITY = {
    Status.EXPIRED: 0,
    Status.REVOKED: 1,
    Status.OVERDUE: 2,
    Status.WINDOW_OPEN: 3,
    Status.NOT_STARTED: 4,
    Status.IN_PROGRESS: 5,
    Status.CERTIFIED: 6,
    NOT_ASSIGNED: 7,
}

# Statuses for which a reminder makes sense (certified, revoked and not assigned: nothing to remind of).
REMINDABLE = frozenset(
    {Status.OVERDUE, Status.EXPIRED, Status.WINDOW_OPEN, Status.NOT_STARTED, Status.IN_PROGRESS}
)

SOURCE_LABELS = {
    AssignmentSource.RULE: _l("By rule (position and unit)"),
    AssignmentSource.MANUAL: _l("By a manager"),
}

CYCLE_STATE_LABELS = {
    CycleState.ACTIVE: _l("Current"),
    CycleState.SUPERSEDED: _l("Renewed (archived)"),
    CycleState.REVOKED: _l("Revoked"),
}

AUDIT_LABELS = {
    "certification.assigned": _l("Assigned"),
    "certification.assignment_ended": _l("Assignment ended"),
    "certification.certified": _l("Certified"),
    "certification.renewed": _l("Renewed"),
    "certification.revoked": _l("Revoked"),
    "certification.renewal_required": _l("Renewal required by a new module version"),
    "certification.reminded": _l("Reminder sent"),
}

# The reasons the services write in English into the audit trail; anything else (a manager's own words
# when revoking) is shown as written.
REASON_LABELS = {
    "assigned by a manager": _l("assigned by a manager"),
    "position and unit": _l("the person's position and unit"),
    "no longer in a position or unit it applies to": _l("no longer in a position or unit it applies to"),
    "every requirement was met": _l("every requirement was met"),
    "the refresher path was completed": _l("the refresher path was completed"),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS[status])


def reason_label(reason: str | None) -> str:
    if not reason:
        return ""
    label = REASON_LABELS.get(reason)
    return str(label) if label is not None else reason


class CellView(NamedTuple):
    css: str
    icon: str
    label: str
    day: str  # e.g. "valid until 1 mars 2027"; "" when no day belongs to the status
    html: Markup  # icon, word and day, as the cells of every page show them


class CellPresenter:
    """A cell's words, icon and colour class in the reader's language. One per request: a matrix page
    shows a thousand cells, many alike, so each distinct cell and day is put into words once."""

    def __init__(self) -> None:
        self.labels = {status: str(label) for status, label in STATUS_LABELS.items()}
        self.views: dict[tuple, CellView] = {}
        self.days: dict[date, str] = {}
        self.locale = get_locale()
        # Looked up once: without variables gettext returns the translation with its placeholder.
        self.valid_until = _("valid until %(date)s")
        self.ended = _("ended %(date)s")
        self.revoked = _("revoked %(date)s")
        self.due = _("due %(date)s")
        # Translations are trusted, as Jinja's gettext trusts them in templates.
        self.of = Markup(_("(%(holding)d of %(assigned)d)"))  # nosec B704 – a translation
        self.nobody = Markup('<span class="muted">%s</span>') % Markup(_("nobody assigned"))  # nosec B704 – a translation
        self.percent = current_app.jinja_env.filters["percent"]
        self._shares: dict[tuple[int, int], str] = {}
        self._percents: dict[float, str] = {}
        self._distances: dict[int, Markup] = {}
        self._positions: dict[object, str] = {}
        self._titles: dict[int, str] = {}
        self.all_units = Markup(_("All units shown"))  # nosec B704 – a translation
        self.remind = Markup(_("Remind"))  # nosec B704 – a translation, trusted as templates trust them

    def __call__(self, cell) -> CellView:
        """`cell`: a competence.cells.Cell."""
        view = self.views.get(cell)
        if view is None:
            status = cell.status
            icon, label, day = STATUS_ICONS[status], self.labels[status], self._day(cell)
            html = (
                f'<span class="cstatus"><span class="cstatus-icon" aria-hidden="true">{icon}</span> '
                f"{escape(label)}</span>"
            )
            if day:
                html += f' <span class="cstatus-day">{escape(day)}</span>'
            view = self.views[cell] = CellView(
                "cell-" + status.replace("_", "-"),
                icon,
                label,
                day,
                Markup(html),  # nosec B704 – built from escaped labels and the constant STATUS_ICONS
            )
        return view

    def cells(
        self,
        person,
        cells: list,
        columns: list,
        titles: list[str],
        token: str = "",  # nosec B107 – no token: no remind forms
        remind_endpoint: str = "",
    ) -> Markup:
        """A person's cells of the matrix (a matrix.Person; competence.cells.Cell; models.Certification): the
        status in words, and a form to remind them where a reminder makes sense, when given the request's
        CSRF `token` and the view that sends reminders."""
        parts = []
        for certification, title, cell in zip(columns, titles, cells, strict=True):
            view = self(cell)
            parts.append(f'<td class="cell {view.css}">{view.html}')
            if token and remind_endpoint and cell.status in REMINDABLE:
                action = url_for(remind_endpoint, user_id=person.id, certification_id=certification.id)
                parts.append(
                    f'<form method="post" action="{escape(action)}" class="remind-form">'
                    f'<input type="hidden" name="csrf_token" value="{escape(token)}">'
                    f'<button type="submit" class="link-button remind-button">{self.remind}'
                    f'<span class="visually-hidden"> {escape(person.name)}: {escape(title)}</span></button></form>'
                )
            parts.append("</td>")
        return Markup("".join(parts))  # nosec B704 – every part escaped, or a translation

    def attention_rows(self, entries: list, links: bool) -> Markup:
        """The rows of a list of who needs attention (matrix.Entry): name (a link to the person when
        `links`), certification, the day and how far it is from today."""
        parts = []
        for entry in entries:
            name = escape(entry.person.name)
            if links:
                name = (
                    f'<a href="{escape(url_for("competence.employee", user_id=entry.person.id))}">{name}</a>'
                )
            parts.append(
                f'<tr><th scope="row">{name}</th><td>{escape(self.title(entry.certification))}</td>'
                f'<td>{escape(self.date(entry.day))} <span class="muted">{self.distance(entry.days)}</span></td></tr>'
            )
        return Markup("".join(parts))  # nosec B704 – every part escaped, or a translation

    def date(self, day: date | None) -> str:
        if day is None:
            return ""
        text = self.days.get(day)
        if text is None:
            text = self.days[day] = format_date(day, "medium", locale=self.locale)  # Babel's own: 10× faster
        return text

    def position(self, position) -> str:
        """A position's name (a models.Position), looked up once per request."""
        name = self._positions.get(position)
        if name is None:
            name = self._positions[position] = str(POSITION_LABELS[position])
        return name

    def title(self, certification) -> str:
        """A certification's title in the reader's language (a models.Certification), looked up once."""
        title = self._titles.get(certification.id)
        if title is None:
            title = self._titles[certification.id] = pick(certification.current_version.title)
        return title

    def compliance_rows(self, lines: list) -> Markup:
        """The rows of the compliance table (matrix.Compliance): per unit (or all units shown), a cell per
        certification with the share of those assigned who hold it and the two counts, or that nobody
        is assigned. A manager of many units has hundreds of them, and the same shares come back."""
        parts = []
        for line in lines:
            unit = escape(line.unit.name) if line.unit else self.all_units
            parts.append(f'<tr><th scope="row">{unit}</th>')
            for pair in line.counts:
                cell = self._shares.get(pair)
                if cell is None:
                    cell = self._shares[pair] = f'<td class="number">{self._share(*pair)}</td>'
                parts.append(cell)
            parts.append("</tr>")
        return Markup("".join(parts))  # nosec B704 – every part escaped, or a translation

    def _share(self, holding: int, assigned: int) -> Markup:
        if not assigned:
            return self.nobody
        value = 100.0 * holding / assigned
        percent = self._percents.get(value)
        if percent is None:
            percent = self._percents[value] = self.percent(value, 0)
        counts = self.of % {"holding": holding, "assigned": assigned}
        return escape(percent) + Markup(' <span class="muted">%s</span>') % counts

    def distance(self, days: int) -> Markup:
        """How far a day is from today, in parentheses: "(3 days ago)", "(today)", "(in 5 days)"."""
        text = self._distances.get(days)
        if text is None:
            if days < 0:
                words = ngettext("%(num)d day ago", "%(num)d days ago", -days)
            elif days == 0:
                words = _("today")
            else:
                words = ngettext("in %(num)d day", "in %(num)d days", days)
            text = self._distances[days] = Markup("(%s)") % Markup(words)  # nosec B704 – a translation
        return text

    def _day(self, cell) -> str:
        if cell.status in (Status.CERTIFIED, Status.WINDOW_OPEN) and cell.valid_until:
            return self.valid_until % {"date": self.date(cell.valid_until)}
        if cell.status == Status.EXPIRED and cell.valid_until:
            return self.ended % {"date": self.date(cell.valid_until)}
        if cell.status == Status.REVOKED:
            return self.revoked % {"date": self.date(cell.revoked_on)} if cell.revoked_on else ""
        if cell.due_on:
            return self.due % {"date": self.date(cell.due_on)}
        return ""
