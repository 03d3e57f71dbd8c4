"""Organisations (municipalities), their units, and people's memberships in units."""

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.types import UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from portal.models.user import User


class UnitKind(enum.StrEnum):
    HOME_CARE = "home_care"  # hemtjänstgrupp
    NIGHT_PATROL = "night_patrol"  # nattpatrull
    ALARM_TEAM = "alarm_team"  # larmteam / larmgrupp
    ALARM_CENTRE = "alarm_centre"  # larmmottagning
    NEEDS_ASSESSMENT = "needs_assessment"  # myndighetsenhet / biståndsenhet
    OTHER = "other"


class Position(enum.StrEnum):
    """A person's befattning in a unit; drives which training is mandatory."""

    ASSISTANT_NURSE = "assistant_nurse"  # undersköterska
    CARE_ASSISTANT = "care_assistant"  # vårdbiträde
    NURSE = "nurse"  # sjuksköterska
    OCCUPATIONAL_THERAPIST = "occupational_therapist"  # arbetsterapeut
    NEEDS_ASSESSOR = "needs_assessor"  # biståndshandläggare
    ALARM_OPERATOR = "alarm_operator"  # larmoperatör
    ALARM_COORDINATOR = "alarm_coordinator"  # larmansvarig
    UNIT_MANAGER = "unit_manager"  # enhetschef
    OPERATIONS_MANAGER = "operations_manager"  # verksamhetschef
    OTHER = "other"


class Organisation(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # Four-eyes: a second author approves local material before it is published.
    review_required: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    units: Mapped[list["Unit"]] = relationship(back_populates="organisation", order_by="Unit.name")

    def __repr__(self) -> str:
        return f"<Organisation {self.code}>"


class Unit(db.Model):
    __table_args__ = (sa.UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[UnitKind] = mapped_column(enum_column(UnitKind))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="units")
    memberships: Mapped[list["Membership"]] = relationship(back_populates="unit")

    def __repr__(self) -> str:
        return f"<Unit {self.name}>"


class Membership(db.Model):
    """A person working in a unit in a position, from a date; ended, never deleted."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    position: Mapped[Position] = mapped_column(enum_column(Position))
    started_on: Mapped[date]
    ended_on: Mapped[date | None]

    user: Mapped["User"] = relationship(back_populates="memberships")
    unit: Mapped[Unit] = relationship(back_populates="memberships", lazy="joined")  # never shown apart

    @property
    def is_current(self) -> bool:
        return self.ended_on is None

    def __repr__(self) -> str:
        return f"<Membership {self.user_id}@{self.unit_id} {self.position}>"
