"""Writing the audit trail: who changed what, when and why."""

from typing import Any

from flask_login import current_user

from portal.extensions import db
from portal.models import AuditEvent


def record(action: str, subject: Any, organisation_id: int | None, **details: Any) -> AuditEvent:
    """Add an audit event for ``subject`` by the signed-in user; the caller commits."""
    actor_id = current_user.id if current_user and current_user.is_authenticated else None
    event = AuditEvent(
        organisation_id=organisation_id,
        actor_id=actor_id,
        action=action,
        subject_type=type(subject).__name__.lower(),
        subject_id=getattr(subject, "id", None),
        details=details,
    )
    db.session.add(event)
    return event
