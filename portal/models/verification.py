"""Public certificate verification: the unknown codes each address tried, so that guessing is limited
across every worker."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.types import UTCDateTime, utcnow


class VerificationMiss(db.Model):
    """A lookup of a code no certificate has; kept only as long as the throttling window."""

    __table_args__ = (sa.Index("ix_verification_miss_remote_addr_at", "remote_addr", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    remote_addr: Mapped[str] = mapped_column(sa.String(64))
