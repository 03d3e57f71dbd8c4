"""Read models for the start page and the manager's unit list."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Membership, Unit, User


@dataclass(frozen=True)
class UnitStaff:
    unit: Unit
    memberships: list[Membership]


def managed_units_with_staff(manager: User) -> list[UnitStaff]:
    """The manager's own units with their current staff, in name order; nobody else's."""
    memberships = db.session.scalars(
        sa.select(Membership)
        .join(Membership.user)
        .where(
            Membership.unit_id.in_(manager.managed_unit_ids),
            Membership.ended_on.is_(None),
            User.active,
        )
        .options(selectinload(Membership.user))
        .order_by(User.full_name)
    ).all()
    return [
        UnitStaff(unit, [m for m in memberships if m.unit_id == unit.id]) for unit in manager.managed_units
    ]
