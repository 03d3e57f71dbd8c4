"""A manager sees only the people of the units they manage: every query about employees goes through
here, so that scoping is written once."""

import sqlalchemy as sa
from flask import abort

from portal.extensions import db
from portal.models import Membership, User, managed_unit


def managed_units_query(manager: User) -> sa.ScalarSelect:
    """The ids of the units the manager manages, as a subquery (User.managed_units in the database: a
    manager of 150 units costs no parameter per unit in every query about their people)."""
    return sa.select(managed_unit.c.unit_id).where(managed_unit.c.user_id == manager.id).scalar_subquery()


def employees_query(manager: User) -> sa.Select:
    """Active people with a current membership in one of the manager's units (not the manager's other
    colleagues, not other organisations)."""
    in_my_units = (
        sa.select(Membership.user_id)
        .where(Membership.unit_id.in_(managed_units_query(manager)), Membership.ended_on.is_(None))
        .scalar_subquery()
    )
    return sa.select(User).where(
        User.organisation_id == manager.organisation_id, User.active, User.id.in_(in_my_units)
    )


def employee_or_404(manager: User, user_id: int) -> User:
    """The employee if they are in one of the manager's units; 404 otherwise (their existence is not
    the manager's business)."""
    employee = db.session.scalar(employees_query(manager).where(User.id == user_id))
    if employee is None:
        abort(404)
    return employee
