"""Append-only records: who changed what, and every login attempt."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.types import UTCDateTime, utcnow
from portal.models.user import User


class AuditEvent(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(sa.String(64))
    subject_type: Mapped[str] = mapped_column(sa.String(32))
    subject_id: Mapped[int | None]
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    actor: Mapped[User | None] = relationship()


class LoginAttempt(db.Model):
    __table_args__ = (
        sa.Index("ix_login_attempt_username_at", "username", "at"),
        sa.Index("ix_login_attempt_remote_addr_at", "remote_addr", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    username: Mapped[str] = mapped_column(sa.String(64))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    remote_addr: Mapped[str] = mapped_column(sa.String(64))
    succeeded: Mapped[bool]
