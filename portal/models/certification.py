"""Certifications as immutable versions; who must hold them (assignments); each person's dated cycles
with their certificates; and the ledger of reminders sent. Status is derived from these records
(portal.certification.core.status), never stored as the only truth."""

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.types import UTCDateTime, enum_column, utcnow
from portal.models.user import User


class Certification(db.Model):
    """A certification's identity (its slug); the rules in force are its current version."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    # None: national material from content/; else the organisation whose authors wrote it.
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    current_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("certification_version.id", use_alter=True, name="fk_certification_current_version_id")
    )

    current_version: Mapped["CertificationVersion | None"] = relationship(foreign_keys=[current_version_id])


class CertificationVersion(db.Model):
    """One published version of a certification's rules: never changed once written."""

    __table_args__ = (sa.UniqueConstraint("certification_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    certification_id: Mapped[int] = mapped_column(sa.ForeignKey("certification.id"), index=True)
    version: Mapped[str] = mapped_column(sa.String(16))
    checksum: Mapped[str] = mapped_column(sa.String(64))
    source: Mapped[str] = mapped_column(sa.Text)  # the YAML, parsed again (and cached) when needed
    title: Mapped[dict[str, str]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AssignmentSource(enum.StrEnum):
    RULE = "rule"  # the certification's positions and unit kinds
    MANUAL = "manual"  # a manager assigned it to an employee of their unit


class Assignment(db.Model):
    """Someone must hold a certification, by a due day. Ended (not deleted) when it no longer applies."""

    __table_args__ = (sa.Index("ix_assignment_certification_active", "certification_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    certification_id: Mapped[int] = mapped_column(sa.ForeignKey("certification.id"))
    source: Mapped[AssignmentSource] = mapped_column(enum_column(AssignmentSource))
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(sa.String(120))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    certification: Mapped[Certification] = relationship()


class CycleState(enum.StrEnum):
    ACTIVE = "active"  # the person's current cycle of this certification
    SUPERSEDED = "superseded"  # archived by a renewal
    REVOKED = "revoked"


class CertificationCycle(db.Model):
    """One period in which a person held a certification, with its certificate. Kept for ever."""

    __table_args__ = (sa.Index("ix_certification_cycle_user_certification", "user_id", "certification_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    certification_id: Mapped[int] = mapped_column(sa.ForeignKey("certification.id"))
    certification_version_id: Mapped[int] = mapped_column(sa.ForeignKey("certification_version.id"))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))  # the issuer
    state: Mapped[CycleState] = mapped_column(enum_column(CycleState), default=CycleState.ACTIVE)
    certified_on: Mapped[date] = mapped_column(sa.Date)
    valid_until: Mapped[date] = mapped_column(sa.Date)
    renew_by: Mapped[date | None] = mapped_column(sa.Date)  # a major content version asks for renewal
    renewal_required_on: Mapped[date | None] = mapped_column(sa.Date)  # … since this day
    revoked_on: Mapped[date | None] = mapped_column(sa.Date)
    revoked_reason: Mapped[str | None] = mapped_column(sa.String(500))
    # Unguessable (~128 bits) and printed on the certificate; the same when the PDF is issued again.
    verification_code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    evidence: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)  # what was completed when
    # The certificate as issued (PDF), kept so that a download is the same document; issued again
    # (same code) only when asked, e.g. in another language.
    certificate_pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    certificate_language: Mapped[str | None] = mapped_column(sa.String(8))
    certificate_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    certification: Mapped[Certification] = relationship()
    version: Mapped[CertificationVersion] = relationship()


class ReminderSent(db.Model):
    """The ledger that makes reminders idempotent: each (recipient, kind, subject key) is sent once."""

    __table_args__ = (sa.UniqueConstraint("user_id", "kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    key: Mapped[str] = mapped_column(sa.String(120))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
