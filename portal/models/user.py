"""People who log in, their roles, and the units a manager is responsible for."""

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.organisation import Membership, Organisation, Unit
from portal.models.types import UTCDateTime, enum_column, utcnow


class Role(enum.StrEnum):
    LEARNER = "learner"
    MANAGER = "manager"  # of the units in User.managed_units
    AUTHOR = "author"  # the larmteam: writes and publishes material
    ADMIN = "admin"  # of their own organisation


def _new_session_token() -> str:
    return secrets.token_urlsafe(16)


class UserRole(db.Model):
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), primary_key=True)
    role: Mapped[Role] = mapped_column(enum_column(Role), primary_key=True)


managed_unit = sa.Table(
    "managed_unit",
    db.metadata,
    sa.Column("user_id", sa.ForeignKey("user.id"), primary_key=True),
    sa.Column("unit_id", sa.ForeignKey("unit.id"), primary_key=True),
)


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(120))
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str | None] = mapped_column(sa.String(8))
    # Part of the login cookie's identity: changing it signs out every other session.
    session_token: Mapped[str] = mapped_column(sa.String(32), default=_new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan")
    managed_units: Mapped[list[Unit]] = relationship(secondary=managed_unit, order_by=Unit.name)
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", order_by=Membership.started_on
    )

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def rotate_session_token(self) -> None:
        self.session_token = _new_session_token()

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(row.role for row in self.role_rows)

    def set_roles(self, roles: set[Role]) -> None:
        keep = [row for row in self.role_rows if row.role in roles]
        have = {row.role for row in keep}
        self.role_rows = keep + [UserRole(role=role) for role in sorted(roles - have)]

    def has_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)

    @property
    def current_memberships(self) -> list[Membership]:
        return [m for m in self.memberships if m.is_current]

    @property
    def managed_unit_ids(self) -> frozenset[int]:
        return frozenset(unit.id for unit in self.managed_units)

    def __repr__(self) -> str:
        return f"<User {self.username}>"
