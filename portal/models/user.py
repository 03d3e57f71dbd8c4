"""People who log in, their roles, and the units a manager is responsible for."""

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.organisation import Membership, Organisation, Unit
from portal.models.types import UTCDateTime, utcnow


class Role(enum.StrEnum):
    LEARNER = "learner"
    MANAGER = "manager"  # of the units in User.managed_units
    AUTHOR = "author"  # the larmteam: writes and publishes material
    ADMIN = "admin"  # of their own organisation


def _new_session_token() -> str:
    return secrets.token_urlsafe(16)


class RoleSet(sa.TypeDecorator[frozenset[Role]]):
    """A user's roles in one column ("admin,learner"): the navigation of every page needs them, and
    a fixed set of four does not need a table and a join on every request."""

    impl = sa.String(64)
    cache_ok = True

    def process_bind_param(self, value: frozenset[Role] | None, dialect: sa.Dialect) -> str:
        return ",".join(sorted(Role(role).value for role in value or ()))

    def process_result_value(self, value: str | None, dialect: sa.Dialect) -> frozenset[Role]:
        return frozenset(Role(name) for name in (value or "").split(",") if name)


managed_unit = sa.Table(
    "managed_unit",
    db.metadata,
    sa.Column("user_id", sa.ForeignKey("user.id"), primary_key=True),
    sa.Column("unit_id", sa.ForeignKey("unit.id"), primary_key=True),
)


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    roles: Mapped[frozenset[Role]] = mapped_column(RoleSet, default=frozenset)
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
    managed_units: Mapped[list[Unit]] = relationship(secondary=managed_unit, order_by=Unit.name)
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", order_by=Membership.started_on
    )

    def __init__(self, **fields: object) -> None:
        fields.setdefault("roles", frozenset())  # a new person has no roles before the first flush too
        super().__init__(**fields)

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def rotate_session_token(self) -> None:
        self.session_token = _new_session_token()

    def set_roles(self, roles: set[Role]) -> None:
        self.roles = frozenset(roles)

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
