"""Uploaded employee files, kept between preview and confirmation."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.types import UTCDateTime, utcnow


class EmployeeImport(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    filename: Mapped[str] = mapped_column(sa.String(255))
    encoding: Mapped[str] = mapped_column(sa.String(32))
    content: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    summary: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
