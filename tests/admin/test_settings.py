"""The organisation's four-eyes setting: only its administrator changes it, and the change is audited."""

import sqlalchemy as sa

from portal.extensions import db
from portal.models import AuditEvent, Organisation


def test_the_administrator_turns_off_the_second_review(client, login, admin, org):
    login(admin)

    response = client.post("/admin/settings", data={"submit": "1"})  # an unticked box sends nothing

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).review_required is False
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "organisation.review_required")
    )
    assert event.details == {"review_required": False}
    assert event.actor_id == admin.id


def test_saving_unchanged_settings_writes_no_audit_entry(client, login, admin, org):
    login(admin)

    client.post("/admin/settings", data={"review_required": "y"})

    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action.like("organisation.%"))
        )
        == 0
    )
