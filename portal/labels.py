"""Translated names for the enums people see."""

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from portal.certification.core import Status
from portal.models import Position, Role, SectionKind, UnitKind

POSITION_LABELS = {
    Position.ASSISTANT_NURSE: _l("Assistant nurse"),
    Position.CARE_ASSISTANT: _l("Care assistant"),
    Position.NURSE: _l("Nurse"),
    Position.OCCUPATIONAL_THERAPIST: _l("Occupational therapist"),
    Position.NEEDS_ASSESSOR: _l("Needs assessor"),
    Position.ALARM_OPERATOR: _l("Alarm operator"),
    Position.ALARM_COORDINATOR: _l("Alarm coordinator"),
    Position.UNIT_MANAGER: _l("Unit manager"),
    Position.OPERATIONS_MANAGER: _l("Operations manager"),
    Position.OTHER: _l("Other position"),
}

UNIT_KIND_LABELS = {
    UnitKind.HOME_CARE: _l("Home care group"),
    UnitKind.NIGHT_PATROL: _l("Night patrol"),
    UnitKind.ALARM_TEAM: _l("Alarm team"),
    UnitKind.ALARM_CENTRE: _l("Alarm receiving centre"),
    UnitKind.NEEDS_ASSESSMENT: _l("Needs assessment unit"),
    UnitKind.OTHER: _l("Other unit"),
}

ROLE_LABELS = {
    Role.LEARNER: _l("Learner"),
    Role.MANAGER: _l("Manager"),
    Role.AUTHOR: _l("Author (alarm team)"),
    Role.ADMIN: _l("Administrator"),
}

SECTION_KIND_LABELS = {
    SectionKind.TEXT: _l("Text"),
    SectionKind.VIDEO: _l("Film"),
    SectionKind.CHECKLIST: _l("Checklist"),
    SectionKind.QUIZ: _l("Quiz"),
    SectionKind.EXERCISE: _l("Exercise"),
}

CERTIFICATION_STATUS_LABELS = {
    Status.NOT_STARTED: _l("Not started"),
    Status.IN_PROGRESS: _l("In progress"),
    Status.CERTIFIED: _l("Certified"),
    Status.WINDOW_OPEN: _l("Time to renew"),
    Status.OVERDUE: _l("Overdue"),
    Status.EXPIRED: _l("Expired"),
    Status.REVOKED: _l("Revoked"),
}

# Shown next to the label (never instead of it), hidden from screen readers.
CERTIFICATION_STATUS_ICONS = {
    Status.NOT_STARTED: "○",
    Status.IN_PROGRESS: "◐",
    Status.CERTIFIED: "✓",
    Status.WINDOW_OPEN: "↻",
    Status.OVERDUE: "!",
    Status.EXPIRED: "✗",
    Status.REVOKED: "⊘",
}

AUDIT_ACTION_LABELS = {
    "user.saved": _l("Details or roles changed"),
    "user.imported": _l("Created by employee import"),
    "user.activated": _l("Account activated"),
    "user.deactivated": _l("Account deactivated"),
    "user.password_set": _l("New password set by an administrator"),
    "membership.started": _l("Started in a unit"),
    "membership.ended": _l("Membership ended"),
    "unit.saved": _l("Unit saved"),
    "import.applied": _l("Employee file imported"),
    "certification.assigned": _l("Certification assigned"),
    "certification.assignment_ended": _l("Assignment ended"),
    "certification.certified": _l("Certified"),
    "certification.renewed": _l("Certification renewed"),
    "certification.revoked": _l("Certification revoked"),
    "certification.renewal_required": _l("Renewal required by a new module version"),
    "certification.reminded": _l("Reminder sent"),
    "quiz.graded": _l("Quiz handed in and graded"),
}

LANGUAGE_NAMES = {"sv": "Svenska", "en": "English"}


def labelled(labels: Mapping) -> list[SelectChoice]:
    """Form choices from a label table: the key's value is sent, the label is shown."""
    return [SelectChoice(str(key), label) for key, label in labels.items()]


def register(app) -> None:
    app.jinja_env.globals.update(
        position_label=POSITION_LABELS.__getitem__,
        unit_kind_label=UNIT_KIND_LABELS.__getitem__,
        role_label=ROLE_LABELS.__getitem__,
        section_kind_label=SECTION_KIND_LABELS.__getitem__,
        status_label=CERTIFICATION_STATUS_LABELS.__getitem__,
        status_icon=CERTIFICATION_STATUS_ICONS.__getitem__,
        audit_action_label=lambda action: AUDIT_ACTION_LABELS.get(action, action),
        language_names=LANGUAGE_NAMES,
        Role=Role,
    )
